"""``switchover plan check`` and ``plan diff`` on a plan with translations, run as the operator runs them."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from switchover.storage.conversations import ConversationRecord, ConversationStore
from switchover.storage.db import Database
from tests.switchover.plan.conftest import MINIMAL

REPO = Path(__file__).resolve().parents[2]

PLAN = (
    MINIMAL.replace("    name: First\n", "    name: First\n    translations: {es: {name: Primera}}\n")
    .replace("    backup: bob.boss\n", "    backup: bob.boss\n    translations: {es: {name: Correo}}\n")
    .replace("    catch_all: true\n", "    catch_all: true\n    translations: {es: {name: Otra cosa}}\n")
    + """\
faq:
  - key: wifi
    question: Will the wifi change?
    answer: No.
    translations:
      es: {question: ¿Cambia el wifi?, answer: "No."}
  - key: mail
    question: Will I keep my email?
    answer: Yes.
calendar:
  - key: t-1
    title: Cutover tomorrow
    timing: {days: -1, at: "09:00"}
    points: [Log off, Restart]
    translations:
      es: {title: Cambio mañana, points: [Cierre sesión, Reinicie]}
"""
)

ROSTER = """\
userPrincipalName,id,displayName,accountEnabled,userType,department,officeLocation,preferredLanguage
ana@contoso.com,id-ana,Ana,True,Member,Finance,,es-MX
luis@contoso.com,id-luis,Luis,True,Member,Finance,,es-US
ola@contoso.com,id-ola,Ola,True,Member,,Branch,pl-PL
kim@contoso.com,id-kim,Kim,True,Member,,Branch,en-US
max@contoso.com,id-max,Max,True,Member,,Branch,
gone@contoso.com,id-gone,Gone,False,Member,Finance,,de-DE
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWITCHOVER_", "DATABASE_URL"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["SWITCHOVER_DATA_DIR"] = str(cwd / "data")
    return subprocess.run(
        [sys.executable, "-m", "switchover", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=cwd,
        env=env,
    )


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path


def test_plan_check_lists_each_languages_gaps_and_who_falls_back(plan_dir: Path) -> None:
    result = run("plan", "check", str(plan_dir / "plan.yaml"), cwd=plan_dir)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Languages: the plan is written in en (English); translations: es; the bot speaks en, es, pl" in out
    assert "  es (Spanish): 1 FAQ entry, 1 wave name missing; 2 people read it" in out
    assert "  pl (Polish): no translations: its readers get the bot's words in Polish, the plan's in English;" in out
    assert "4 people's language known (the directory's preferredLanguage); 1 read English" in out  # not the disabled
    warnings = out.split("Warnings:\n", 1)[1].splitlines()
    assert "  es: 1 FAQ entry, 1 wave name missing: faq[mail], waves[wave-2].name" in warnings
    assert "  2 people read Spanish and will get English for: 1 FAQ entry, 1 wave name" in warnings
    assert "  1 person reads Polish and will get English for: the whole plan" in warnings
    assert not any("German" in line for line in warnings)  # Gone's account is disabled


def test_strict_fails_on_missing_translations(plan_dir: Path) -> None:
    result = run("plan", "check", str(plan_dir / "plan.yaml"), "--strict", cwd=plan_dir)
    assert result.returncode == 1
    assert "--strict: 3 warning(s)" in result.stderr

    complete = PLAN.replace(
        "    answer: Yes.\n",
        "    answer: Yes.\n    translations:\n      es: {question: ¿Conservo mi correo?, answer: Sí.}\n",
    ).replace("    name: Second\n", "    name: Second\n    translations: {es: {name: Segunda}}\n")
    (plan_dir / "plan.yaml").write_text(complete, encoding="utf-8")
    (plan_dir / "roster.csv").write_text(ROSTER.replace("pl-PL", "es-ES"), encoding="utf-8")
    result = run("plan", "check", str(plan_dir / "plan.yaml"), "--strict", cwd=plan_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  es (Spanish): complete; 3 people read it" in result.stdout


def test_teams_languages_from_the_database_count_over_the_directorys(plan_dir: Path) -> None:
    url = f"sqlite+aiosqlite:///{plan_dir / 'switchover.db'}"

    async def seed() -> None:
        db = Database(url)
        await db.migrate()
        store = ConversationStore(db)
        now = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
        for who, locale in (("id-kim", "pl-PL"), ("id-new", "de-DE"), ("id-max", None)):
            record = ConversationRecord(
                "t-1", "personal", f"a:{who}", "https://smba.example/amer/", aad_object_id=who, locale=locale
            )
            await store.upsert(record, now)
        await db.dispose()

    asyncio.run(seed())
    result = run("plan", "check", str(plan_dir / "plan.yaml"), "--database-url", url, cwd=plan_dir)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "5 people's language known (the directory's preferredLanguage and Teams); 0 read English" in out
    assert "  2 people read Polish and will get English for: the whole plan" in out  # Kim's Teams is in Polish
    assert (
        "  1 person reads German and will get English for: the whole plan, and the bot's own words are in English too"
    ) in out


def test_plan_diff_shows_translation_changes(plan_dir: Path) -> None:
    new = PLAN.replace('answer: "No."}', 'answer: "No, sigue igual."}').replace(
        "    answer: Yes.\n",
        "    answer: Yes.\n    translations:\n      pl: {question: Czy zachowam pocztę?, answer: Tak.}\n",
    )
    (plan_dir / "new.yaml").write_text(new, encoding="utf-8")
    result = run("plan", "diff", str(plan_dir / "new.yaml"), "--plan", str(plan_dir / "plan.yaml"), cwd=plan_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-3:] == [
        "FAQ",
        "  faq wifi answer (es): No. -> No, sigue igual.",
        "  faq mail (pl): added (question Czy zachowam pocztę?, answer Tak.)",
    ]
