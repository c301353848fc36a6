"""Agents Playground personas: the config the Playground reads signs in as a real user of an example customer."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from switchover.cli import main as cli_main
from switchover.directory.roster import RosterDirectory
from switchover.membership import resolve_wave
from switchover.plan.loader import load_plan
from switchover.playground import (
    PLAYGROUND_TENANT_ID,
    Persona,
    PersonaError,
    config_text,
    default_persona,
    find_person,
    posix_locale,
    read_locale,
    read_roster,
    read_time_zone,
    time_zone_of,
)
from switchover.settings import REPO_ROOT

FABRIKAM_ROSTER = REPO_ROOT / "examples" / "fabrikam" / "roster.csv"
PLAYGROUND_JS = REPO_ROOT / "node_modules" / "@microsoft" / "m365agentsplayground" / "dist" / "index.js"


def playground_config_schema() -> dict[str, Any]:
    """The config file's JSON schema, as embedded in the Playground's own bundle."""
    if not PLAYGROUND_JS.exists():
        pytest.fail(f"{PLAYGROUND_JS} is missing; run ./scripts/setup (it runs `npm ci`)", pytrace=False)
    bundle = PLAYGROUND_JS.read_text(encoding="utf-8")
    found = re.search(
        r"JSON\.parse\('(\{\"\$id\":\"https://aka\.ms/teams-app-test-tool-config/(?:[^'\\]|\\.)*)'\)", bundle
    )
    assert found, "the Playground's config schema was not found in its bundle"
    # Undo the JavaScript string escapes (\' and \\).
    return json.loads(re.sub(r"\\(.)", r"\1", found.group(1)))


def test_committed_config_is_nora_abbott_and_up_to_date() -> None:
    committed = (REPO_ROOT / ".m365agentsplayground.yml").read_text(encoding="utf-8")
    assert committed == config_text("nora.abbott", FABRIKAM_ROSTER), (
        "regenerate: switchover playground persona --out .m365agentsplayground.yml"
    )
    config = yaml.safe_load(committed)
    me = config["currentUser"]
    with FABRIKAM_ROSTER.open(encoding="utf-8-sig") as handle:
        row = next(r for r in csv.DictReader(handle) if r["userPrincipalName"] == "nora.abbott@fabrikamhealth.com")
    assert (me["aadObjectId"], me["name"]) == (row["id"], row["displayName"])
    assert row["officeLocation"] == "Tacoma Clinic"
    assert read_time_zone(REPO_ROOT / ".m365agentsplayground.yml") == "America/Los_Angeles"


@pytest.mark.parametrize("who", ["nora.abbott", "dana.whitfield", "wesley.grant@fabrikamhealth.com", "Robert Kim"])
def test_config_matches_the_playgrounds_schema(who: str) -> None:
    config = yaml.safe_load(config_text(who, FABRIKAM_ROSTER))
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in Draft7Validator(playground_config_schema()).iter_errors(config)
    ]
    assert errors == []
    ids = [config["currentUser"]["id"], *(u["id"] for u in config["users"])]
    assert len(set(ids)) == 6, "the Playground rejects repeated user ids"
    assert config["currentUser"]["aadObjectId"] not in {u["aadObjectId"] for u in config["users"]}


def test_schema_check_is_real() -> None:
    config = yaml.safe_load(config_text(roster=FABRIKAM_ROSTER))
    config["users"].pop()
    config["currentUser"]["timezone"] = "America/Los_Angeles"
    assert len(list(Draft7Validator(playground_config_schema()).iter_errors(config))) == 2


def test_find_person_by_any_name() -> None:
    people = read_roster(FABRIKAM_ROSTER)
    dana = find_person(people, "DANA.WHITFIELD@northwindmsp.com")
    assert dana.aad_object_id == "ca171f98-7d3f-4bb4-b66a-3ddcecb362d6"
    assert find_person(people, "dana.whitfield") == dana
    assert find_person(people, "Dana Whitfield (Northwind MSP)") == dana
    with pytest.raises(PersonaError, match="nobody"):
        find_person(people, "wesley")


def test_time_zone_follows_the_persona() -> None:
    assert "# localTimezone: America/Boise" in config_text("wesley.grant", FABRIKAM_ROSTER)  # remote worker in Boise
    assert "# localTimezone: America/Los_Angeles" in config_text("omar.reyes", FABRIKAM_ROSTER)  # Portland


def test_the_persona_speaks_the_language_asked_for(tmp_path: Path) -> None:
    # Marisol Gutiérrez, Front Desk at Tacoma Clinic: Wave 2 by the plan's rules, Teams in Spanish.
    plan = load_plan(FABRIKAM_ROSTER.with_name("plan.yaml"))
    marisol = next(u for u in RosterDirectory.from_csv(FABRIKAM_ROSTER).users if u.upn.startswith("marisol."))
    assert resolve_wave(plan, marisol).wave.key == "wave-2"  # type: ignore[union-attr]
    spanish = tmp_path / "es.yml"
    spanish.write_text(config_text("marisol.gutierrez", FABRIKAM_ROSTER, locale="es-US"), encoding="utf-8")
    assert "# locale: es-US\n" in spanish.read_text(encoding="utf-8")
    assert read_locale(spanish) == "es-US"
    config = yaml.safe_load(spanish.read_text(encoding="utf-8"))
    assert config["currentUser"]["name"] == "Marisol Gutiérrez"
    assert read_time_zone(spanish) == "America/Los_Angeles"
    # No --locale: no comment, and the Playground keeps its own language.
    own = tmp_path / "own.yml"
    own.write_text(config_text("marisol.gutierrez", FABRIKAM_ROSTER), encoding="utf-8")
    assert "# locale:" not in own.read_text(encoding="utf-8")
    assert read_locale(own) is None


@pytest.mark.parametrize("tag", ["es US", "es-US; rm -rf /", "$(id)", "e", "es_US", ""])
def test_a_locale_that_is_not_a_language_tag_is_refused(tag: str, tmp_path: Path) -> None:
    with pytest.raises(PersonaError, match="not a language tag"):
        config_text("marisol.gutierrez", FABRIKAM_ROSTER, locale=tag)
    # A hand-edited comment that is not a tag is no language at all (it would reach LANG).
    edited = tmp_path / "edited.yml"
    edited.write_text(f"# locale: {tag}\n" + config_text("nora.abbott", FABRIKAM_ROSTER), encoding="utf-8")
    assert read_locale(edited) is None


@pytest.mark.parametrize(
    ("tag", "lang"),
    [("es-US", "es_US.UTF-8"), ("pl-PL", "pl_PL.UTF-8"), ("es", "es.UTF-8"), ("zh-Hant-TW", "zh_TW.UTF-8")],
)
def test_posix_locale(tag: str, lang: str) -> None:
    assert posix_locale(tag) == lang


def test_node_speaks_the_posix_locale() -> None:
    # The Playground's own language (its Intl default, which it reports in its internal config).
    script = "process.stdout.write(Intl.DateTimeFormat().resolvedOptions().locale)"
    env = {"PATH": os.environ["PATH"], "LANG": posix_locale("es-US"), "LC_ALL": posix_locale("es-US")}
    done = subprocess.run(["node", "-e", script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout == "es-US"


def test_cli_writes_a_persona_in_a_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "persona.yml"
    argv = ["playground", "persona", "marisol.gutierrez", "--roster", str(FABRIKAM_ROSTER)]
    assert cli_main([*argv, "--locale", "es-US", "--out", str(out)]) == 0
    assert read_locale(out) == "es-US"
    assert cli_main([*argv, "--locale", "español"]) == 1
    assert "not a language tag" in capsys.readouterr().err


# What the persona and the Playground's companions are looked up by: a display name equal to one of
# these ("KEVIN.OBRIEN") would make that lookup ambiguous, which is a different test.
_OTHER_NAMES = {n for p in read_roster(FABRIKAM_ROSTER) if not p.upn.startswith("omar.reyes@") for n in p.names()}


@settings(max_examples=30, deadline=None)
@given(
    name=st.text(min_size=1, max_size=60).filter(
        lambda s: s.strip() == s and "\x00" not in s and s.strip().casefold() not in _OTHER_NAMES
    )
)
def test_hostile_names_stay_plain_text(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    roster = FABRIKAM_ROSTER.read_text(encoding="utf-8-sig")
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    rows = list(csv.reader(roster.splitlines()))
    rows[1][1] = name  # Omar Reyes' display name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    config = yaml.safe_load(config_text("omar.reyes", path))
    assert config["currentUser"]["name"] == name
    assert set(config) == {"version", "tenantId", "bot", "currentUser", "users", "personalChat", "groupChat", "team"}


def test_cli_writes_a_persona(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "persona.yml"
    roster = ["--roster", str(FABRIKAM_ROSTER)]
    assert cli_main(["playground", "persona", "kevin.obrien", *roster, "--out", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["currentUser"]["name"] == "Kevin O'Brien"
    assert cli_main(["playground", "persona", "nobody.here", *roster]) == 1
    assert "nobody in the roster" in capsys.readouterr().err
    # The plan comes from SWITCHOVER_PLAN when neither file is given; with none, a clear refusal.
    monkeypatch.setenv("SWITCHOVER_PLAN", str(FABRIKAM_ROSTER.with_name("plan.yaml")))
    assert cli_main(["playground", "persona", "kevin.obrien"]) == 0
    monkeypatch.delenv("SWITCHOVER_PLAN")
    monkeypatch.chdir(tmp_path)  # no .env here either
    assert cli_main(["playground", "persona", "kevin.obrien"]) == 1
    assert "give the plan (--plan) or the roster (--roster)" in capsys.readouterr().err


# -- any customer ---------------------------------------------------------------------------------

EXAMPLES = REPO_ROOT / "examples"


def test_default_persona_is_an_ordinary_member_of_the_largest_wave() -> None:
    # The rule reproduces the demo's long-standing persona, and picks staff of the other customers' own.
    assert default_persona(load_plan(EXAMPLES / "fabrikam" / "plan.yaml"), FABRIKAM_ROSTER) == (
        "nora.abbott@fabrikamhealth.com"
    )
    wideworld = load_plan(EXAMPLES / "wideworld" / "plan.yaml")
    upn = default_persona(wideworld, EXAMPLES / "wideworld" / "roster.csv")
    assert upn == "sandra.hoffmann@wideworldimporters.com"
    user = RosterDirectory.from_csv(EXAMPLES / "wideworld" / "roster.csv").lookup(upn)
    assert user is not None and user.enabled and not user.is_guest
    assert resolve_wave(wideworld, user).wave.key == "hamburg"  # 136 of its people, the largest
    assert upn not in {p.upn for p in wideworld.people}


def test_default_persona_follows_the_rule_not_a_name(tmp_path: Path) -> None:
    # Disable the chosen person: the next ordinary member of the same department and wave is chosen.
    roster = (EXAMPLES / "wideworld" / "roster.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(roster.splitlines()))
    plan = load_plan(EXAMPLES / "wideworld" / "plan.yaml")
    first = next(r for r in rows if r["userPrincipalName"] == "sandra.hoffmann@wideworldimporters.com")
    first["accountEnabled"] = "False"
    path = tmp_path / "roster.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    chosen = default_persona(plan, path)
    named = {p.upn for p in plan.people} | {c.user for c in plan.champions} | {e.user for e in plan.exceptions}
    expected = next(
        r["userPrincipalName"]
        for r in rows
        if r["accountEnabled"] == "True"
        and r["userType"] == "Member"
        and r["department"] == first["department"]
        and r["officeLocation"] in ("Hamburg Head Office", "Hamburg DC")
        and r["userPrincipalName"] not in named
    )
    assert chosen == expected != first["userPrincipalName"]


@pytest.mark.parametrize(
    ("customer", "persona", "zone", "team"),
    [
        ("wideworld", "Sandra Hoffmann", "Europe/Berlin", "WWI IT"),
        ("trey", "Hannah Dunmore", "Europe/London", "Trey IT"),
    ],
)
def test_another_customers_config(customer: str, persona: str, zone: str, team: str) -> None:
    roster = EXAMPLES / customer / "roster.csv"
    text = config_text(roster=roster)
    config = yaml.safe_load(text)
    assert config["currentUser"]["name"] == persona
    assert f"# localTimezone: {zone}" in text
    assert config["team"]["name"] == team and config["team"]["channels"][0]["name"] == "Service Desk"
    domains = {u["userPrincipleName"].rsplit("@", 1)[1].removesuffix(".onmicrosoft.com") for u in config["users"]}
    assert all(customer[:4] in d for d in domains), domains  # colleagues from the same roster
    plan = load_plan(EXAMPLES / customer / "plan.yaml")
    lead = plan.person(plan.project_leads[0])
    assert lead.upn in {u["userPrincipleName"] for u in config["users"]}
    errors = list(Draft7Validator(playground_config_schema()).iter_errors(config))
    assert errors == []
    assert "fabrikam" not in text.casefold()


@pytest.mark.parametrize(
    ("customer", "who", "zone"),
    [
        ("wideworld", "jessica.harris@wideworldimporters.com", "America/Chicago"),  # Memphis, TN
        ("wideworld", "pawel.jaworski", "Europe/Warsaw"),  # Kraków: Poland has one zone
        ("wideworld", "yolanda.rodriguez", "America/Monterrey"),  # Apodaca, at the "Monterrey DC"
        ("trey", "georgia.mckenzie", "Australia/Sydney"),
        ("trey", "cooper.wilkinson", "Australia/Sydney"),
    ],
)
def test_as_works_within_a_customers_roster(customer: str, who: str, zone: str) -> None:
    text = config_text(who, EXAMPLES / customer / "roster.csv")
    assert f"# localTimezone: {zone}" in text
    assert yaml.safe_load(text)["currentUser"]["userPrincipleName"].startswith(who.split("@")[0])
    with pytest.raises(PersonaError, match="nobody"):
        config_text("nora.abbott", EXAMPLES / customer / "roster.csv")


def test_time_zone_rules() -> None:
    def person(**where: str) -> Persona:
        return Persona("a@b", "A B", "A", "B", "", "id", **where)

    assert time_zone_of(person(state="TN", country="US"), "Europe/Berlin") == "America/Chicago"
    assert time_zone_of(person(state="WA", country="AU"), "Europe/London") == "Australia/Perth"
    assert time_zone_of(person(state="WA", country="US"), "Europe/London") == "America/Los_Angeles"
    assert time_zone_of(person(state="", city="Kraków", country="PL"), "Europe/Berlin") == "Europe/Warsaw"
    assert time_zone_of(person(state="", city="Köln", country="DE"), "Europe/Berlin") == "Europe/Berlin"
    assert time_zone_of(person(state="", city="Boise", country="US"), "America/Los_Angeles") == "America/Boise"
    # A city whose name is a zone in another country is not taken for it.
    assert time_zone_of(person(state="", city="Paris", country="US"), "America/Chicago") == "America/Chicago"
    assert time_zone_of(person(state=""), "Asia/Tokyo") == "Asia/Tokyo"


def test_cli_persona_for_another_customer(tmp_path: Path) -> None:
    out = tmp_path / "persona.yml"
    roster = EXAMPLES / "trey" / "roster.csv"
    argv = ["playground", "persona", "--roster", str(roster), "--plan", str(EXAMPLES / "trey" / "plan.yaml")]
    assert cli_main([*argv, "--out", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["currentUser"]["name"] == "Hannah Dunmore"
    assert cli_main([*argv, "aroha.ngata", "--out", str(out)]) == 0
    assert read_time_zone(out) == "Pacific/Auckland"


DEMO = REPO_ROOT / "scripts" / "demo"


def test_demo_help_names_the_customer_option() -> None:
    done = subprocess.run([str(DEMO), "--help"], capture_output=True, text=True, check=True)
    assert "--customer wideworld" in done.stdout and "set -euo" not in done.stdout


@pytest.mark.parametrize("customer", ["nobody", "../fabrikam", "fabrikam/../trey"])
def test_demo_refuses_unknown_customers_before_starting_anything(customer: str) -> None:
    done = subprocess.run([str(DEMO), "--customer", customer], capture_output=True, text=True)
    assert done.returncode == 2
    assert "no example customer" in done.stderr and "wideworld" in done.stderr
    assert done.stdout == ""  # nothing set up, nothing started


@pytest.mark.parametrize("tag", ["es US", "es-US;id", "$(id)"])
def test_demo_refuses_a_locale_that_is_not_a_language_tag_before_starting_anything(tag: str) -> None:
    done = subprocess.run([str(DEMO), "--as", "marisol.gutierrez", "--locale", tag], capture_output=True, text=True)
    assert done.returncode == 2
    assert "is not a language tag" in done.stderr
    assert done.stdout == ""


def test_demo_help_names_the_locale_option() -> None:
    done = subprocess.run([str(DEMO), "--help"], capture_output=True, text=True, check=True)
    assert "--as marisol.gutierrez --locale es-US" in done.stdout


def test_the_config_speaks_for_the_plans_tenant_when_the_plan_names_one(tmp_path: Path) -> None:
    from tests.support.app import plan_naming_tenant

    tenant = "0f7e6d5c-4b3a-4291-8077-6e5d4c3b2a19"
    plan = plan_naming_tenant(tmp_path / "closed", tenant)
    closed = yaml.safe_load(config_text("nora.abbott", plan.parent / "roster.csv"))
    assert closed["tenantId"] == tenant  # a plan served to its tenant alone still answers in the demo
    open_plan = yaml.safe_load(config_text("nora.abbott", FABRIKAM_ROSTER))
    assert open_plan["tenantId"] == PLAYGROUND_TENANT_ID  # the Playground's own, for a plan naming none
