"""Agents Playground personas: the config the Playground reads signs in as a real Fabrikam user."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from switchover.cli import main as cli_main
from switchover.playground import (
    DEFAULT_ROSTER,
    PersonaError,
    config_text,
    find_person,
    read_roster,
    read_time_zone,
)
from switchover.settings import REPO_ROOT

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
    assert committed == config_text("nora.abbott"), (
        "regenerate: switchover playground persona --out .m365agentsplayground.yml"
    )
    config = yaml.safe_load(committed)
    me = config["currentUser"]
    with DEFAULT_ROSTER.open(encoding="utf-8-sig") as handle:
        row = next(r for r in csv.DictReader(handle) if r["userPrincipalName"] == "nora.abbott@fabrikamhealth.com")
    assert (me["aadObjectId"], me["name"]) == (row["id"], row["displayName"])
    assert row["officeLocation"] == "Tacoma Clinic"
    assert read_time_zone(REPO_ROOT / ".m365agentsplayground.yml") == "America/Los_Angeles"


@pytest.mark.parametrize("who", ["nora.abbott", "dana.whitfield", "wesley.grant@fabrikamhealth.com", "Robert Kim"])
def test_config_matches_the_playgrounds_schema(who: str) -> None:
    config = yaml.safe_load(config_text(who))
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in Draft7Validator(playground_config_schema()).iter_errors(config)
    ]
    assert errors == []
    ids = [config["currentUser"]["id"], *(u["id"] for u in config["users"])]
    assert len(set(ids)) == 6, "the Playground rejects repeated user ids"
    assert config["currentUser"]["aadObjectId"] not in {u["aadObjectId"] for u in config["users"]}


def test_schema_check_is_real() -> None:
    config = yaml.safe_load(config_text())
    config["users"].pop()
    config["currentUser"]["timezone"] = "America/Los_Angeles"
    assert len(list(Draft7Validator(playground_config_schema()).iter_errors(config))) == 2


def test_find_person_by_any_name() -> None:
    people = read_roster()
    dana = find_person(people, "DANA.WHITFIELD@northwindmsp.com")
    assert dana.aad_object_id == "ca171f98-7d3f-4bb4-b66a-3ddcecb362d6"
    assert find_person(people, "dana.whitfield") == dana
    assert find_person(people, "Dana Whitfield (Northwind MSP)") == dana
    with pytest.raises(PersonaError, match="nobody"):
        find_person(people, "wesley")


def test_time_zone_follows_the_persona() -> None:
    assert "# localTimezone: America/Boise" in config_text("wesley.grant")  # remote worker in Boise
    assert "# localTimezone: America/Los_Angeles" in config_text("omar.reyes")  # Portland


# What the persona and the Playground's companions are looked up by: a display name equal to one of
# these ("KEVIN.OBRIEN") would make that lookup ambiguous, which is a different test.
_OTHER_NAMES = {n for p in read_roster() if not p.upn.startswith("omar.reyes@") for n in p.names()}


@settings(max_examples=30, deadline=None)
@given(
    name=st.text(min_size=1, max_size=60).filter(
        lambda s: s.strip() == s and "\x00" not in s and s.strip().casefold() not in _OTHER_NAMES
    )
)
def test_hostile_names_stay_plain_text(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    roster = DEFAULT_ROSTER.read_text(encoding="utf-8-sig")
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    rows = list(csv.reader(roster.splitlines()))
    rows[1][1] = name  # Omar Reyes' display name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    config = yaml.safe_load(config_text("omar.reyes", path))
    assert config["currentUser"]["name"] == name
    assert set(config) == {"version", "tenantId", "bot", "currentUser", "users", "personalChat", "groupChat", "team"}


def test_cli_writes_a_persona(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "persona.yml"
    assert cli_main(["playground", "persona", "kevin.obrien", "--out", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["currentUser"]["name"] == "Kevin O'Brien"
    assert cli_main(["playground", "persona", "nobody.here"]) == 1
    assert "nobody in the roster" in capsys.readouterr().err
