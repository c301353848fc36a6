"""The ``switchover`` command line: ``plan check``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from switchover.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fabrikam"


def test_plan_check_fabrikam(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "check", str(EXAMPLE / "plan.yaml")]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()

    def wave_line(title: str) -> str:
        return next(line for line in lines if line.strip().startswith(title))

    assert "Sat 2027-01-16 08:00-14:00" in wave_line("Wave 0 - Pilot")
    assert wave_line("Wave 0 - Pilot").endswith("14 members")
    assert wave_line("Wave 1 - Corporate").endswith("61 members")
    assert wave_line("Wave 2 - Seattle & Tacoma clinical").endswith("87 members")
    assert wave_line("Wave 3 - Spokane & Portland").endswith("76 members")
    assert "Sat 2027-02-27 07:00-16:00" in wave_line("Wave 3 - Spokane & Portland")
    assert "Grace Okafor" in out and "Tacoma Clinic" in out
    assert "moved from wave-1 to wave-3" in out and "moved from wave-3 to wave-2" in out
    assert "244 users in the roster: 238 in a wave" in out
    assert "3 disabled, 3 guest" in out


def test_plan_check_reports_every_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (EXAMPLE / "plan.yaml").read_text()
    text = text.replace("backup: dana.whitfield", "backup: dana.whitfeld").replace(
        'end: "2027-02-13 16:00"', 'end: "2027-02-13 4pm"'
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    assert main(["plan", "check", str(plan)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "2 problems in the plan" in captured.err
    assert "did you mean 'dana.whitfield'?" in captured.err
    assert f"{plan}:" in captured.err and "waves[2].cutover.end" in captured.err


def test_roster_defaults_to_the_plans_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(EXAMPLE / "plan.yaml", tmp_path / "plan.yaml")
    assert main(["plan", "check", str(tmp_path / "plan.yaml")]) == 0
    assert "member counts skipped" in capsys.readouterr().out
    shutil.copy(EXAMPLE / "roster.csv", tmp_path / "roster.csv")
    assert main(["plan", "check", str(tmp_path / "plan.yaml")]) == 0
    assert "61 members" in capsys.readouterr().out


def test_explicit_roster_problems_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "users.csv"
    bad.write_text("userPrincipalName,displayName\na@c.com,Ann\n")
    assert main(["plan", "check", str(EXAMPLE / "plan.yaml"), "--roster", str(bad)]) == 1
    assert "missing columns id, accountEnabled, userType" in capsys.readouterr().err


def test_people_named_in_the_plan_but_not_in_the_roster_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "users.csv"
    lines = (EXAMPLE / "roster.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    roster.write_text("".join(line for line in lines if not line.startswith("omar.reyes@")))
    assert main(["plan", "check", str(EXAMPLE / "plan.yaml"), "--roster", str(roster)]) == 1
    captured = capsys.readouterr()
    assert "omar.reyes@fabrikamhealth.com" in captured.err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["plan"])
    assert info.value.code == 2


def test_console_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "switchover.cli", "plan", "check", str(EXAMPLE / "plan.yaml")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "plan OK" in result.stdout


def test_rule_value_no_one_has_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text((EXAMPLE / "plan.yaml").read_text().replace("[Executive, Finance,", "[Executive, Finanse,"))
    args = ["plan", "check", str(plan), "--roster", str(EXAMPLE / "roster.csv")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "wave-1 include[0].departments: no one in the roster has 'Finanse' - did you mean 'Finance'?" in out
    # The Finance staff (17 enabled, less Nadia the champion and Farah who moved) now fall through every rule.
    assert "16 no_rule" in out
    assert main([*args, "--strict"]) == 1
    # Farah Ahmed's exception says she came from wave-1, which the broken rule no longer gives: a second warning.
    assert "from_wave is wave-1 but the rules give no wave" in out
    assert "2 warning(s), 16 enabled user(s) in no wave" in capsys.readouterr().err


def test_strict_passes_on_the_fabrikam_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "check", str(EXAMPLE / "plan.yaml"), "--strict"]) == 0
    assert "Warnings:" not in capsys.readouterr().out


def test_exception_from_wave_checked_against_the_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.yaml"
    text = (EXAMPLE / "plan.yaml").read_text()
    plan.write_text(
        text.replace("    from_wave: wave-1\n    to_wave: wave-3", "    from_wave: wave-2\n    to_wave: wave-3")
    )
    assert main(["plan", "check", str(plan), "--roster", str(EXAMPLE / "roster.csv")]) == 0
    out = capsys.readouterr().out
    assert "exception for farah.ahmed@fabrikamhealth.com: from_wave is wave-2 but the rules give wave-1" in out


def test_plan_who(capsys: pytest.CaptureFixture[str]) -> None:
    people = ["Farah.Ahmed@fabrikamhealth.com", "wesley.grant@fabrikamhealth.com", "logan.chang@fabrikamhealth.com"]
    assert main(["plan", "who", str(EXAMPLE / "plan.yaml"), *people]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "Farah Ahmed <farah.ahmed@fabrikamhealth.com>: Wave 3 - Spokane & Portland, Sat 2027-02-27"
    )
    assert "moved from wave-1 to wave-3: on leave from 2027-01-25 to 2027-02-19" in lines[0]
    assert "Wave 1 - Corporate" in lines[1] and "by its membership rules" in lines[1]
    assert lines[2] == "Logan Chang <logan.chang@fabrikamhealth.com>: no wave (account disabled)"
    assert main(["plan", "who", str(EXAMPLE / "plan.yaml"), "nobody@fabrikamhealth.com"]) == 1
    assert "nobody@fabrikamhealth.com: not in the roster" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("customer", "summary"),
    [
        ("wideworld", "320 users in the roster: 302 in a wave"),
        ("trey", "182 users in the roster: 168 in a wave"),
    ],
)
def test_strict_passes_on_the_other_example_customers(
    customer: str, summary: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Customers unlike Fabrikam (other countries, zones, drives and trades), written with today's
    # plan fields: they must stay valid plans whose rosters put every enabled member in a wave.
    plan = EXAMPLE.parent / customer / "plan.yaml"
    assert main(["plan", "check", str(plan), "--strict"]) == 0
    out = capsys.readouterr().out
    assert "Warnings:" not in out
    assert summary in out
    assert "0 no_rule" in out


def test_check_warns_of_an_alias_for_a_site_or_department_nobody_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXAMPLE / "plan.yaml").read_text(encoding="utf-8")
    text = text.replace("    Seattle HQ: [HQ,", "    Seatle HQ: [HQ,", 1)
    text = text.replace("    Revenue Cycle: [billing,", "    Revenue Cycles: [billing,", 1)
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    roster = EXAMPLE / "roster.csv"
    assert main(["plan", "check", str(plan), "--roster", str(roster), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "aliases.sites: neither the plan nor the roster has 'Seatle HQ' - did you mean 'Seattle HQ'?" in out
    assert "aliases.departments: neither the plan nor the roster has 'Revenue Cycles'" in out
