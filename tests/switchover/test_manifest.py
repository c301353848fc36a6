"""The Teams app package: the filled manifest is valid against Microsoft's offline JSON schema.

The schemas come from the npm package ``@microsoft/app-manifest`` (``npm ci``,
which ``scripts/setup`` runs); without it these tests fail and say so.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator, FormatChecker, ValidationError, validators

from switchover.cli import main as cli_main
from switchover.manifest import (
    ICON_FILES,
    MANIFEST_DIR,
    ManifestError,
    ManifestValues,
    build_package,
    render_manifest,
)
from switchover.settings import REPO_ROOT, Settings

SCHEMAS = REPO_ROOT / "node_modules" / "@microsoft" / "app-manifest" / "build" / "json-schemas" / "teams"
BOT_ID = "8d3a6f2e-1c4b-4e5f-9a7b-2c1d0e9f8a7b"
APP_ID = "5b0c9a8e-7d6f-4a3b-8c2d-1e0f9a8b7c6d"
FIELDS_ENV = ("MicrosoftAppId", "MICROSOFT_APP_ID", "TEAMS_APP_ID", "BOT_DOMAIN", "TEAMS_APP_VERSION", "TEAMS_APP_NAME")


def values(**changes: str) -> ManifestValues:
    base = {
        "teams_app_id": APP_ID,
        "bot_id": BOT_ID,
        "bot_domain": "switchover.fabrikamhealth.com",
        "version": "1.4.2",
    }
    return ManifestValues(**{**base, **changes})


def schema_for(manifest: dict[str, Any]) -> dict[str, Any]:
    version = manifest["manifestVersion"]
    path = SCHEMAS / f"v{version}" / "MicrosoftTeams.schema.json"
    if not SCHEMAS.is_dir():
        pytest.fail(
            f"the Teams manifest schemas are missing ({SCHEMAS}); run ./scripts/setup (it runs `npm ci`)",
            pytrace=False,
        )
    if not path.is_file():
        pytest.fail(f"no offline schema for manifest version {version} at {path}", pytrace=False)
    return json.loads(path.read_text(encoding="utf-8"))


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Any:
    # Microsoft's schemas use ECMAScript's \p{L}; Python's re lacks it, the regex module has it.
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


TeamsManifestValidator = validators.extend(Draft4Validator, {"pattern": _pattern})


def schema_errors(manifest: dict[str, Any]) -> list[str]:
    schema = schema_for(manifest)
    patterns = FormatChecker()
    patterns.checkers["regex"] = (regex.compile, (regex.error,))
    Draft4Validator(Draft4Validator.META_SCHEMA, format_checker=patterns).validate(schema)
    validator = TeamsManifestValidator(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(manifest)]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No bot identity from the environment or a .env file in the working directory."""
    for name in FIELDS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_manifest_is_valid_against_the_offline_schema() -> None:
    manifest = render_manifest(values())
    assert schema_errors(manifest) == []


def test_manifest_uses_the_newest_released_schema() -> None:
    manifest = render_manifest(values())
    released = [p.name for p in SCHEMAS.iterdir() if p.name[1:2].isdigit()] if SCHEMAS.is_dir() else []
    newest = max(released, key=lambda name: tuple(int(part) for part in name[1:].split(".")), default=None)
    assert newest is not None, f"no schemas under {SCHEMAS}; run ./scripts/setup"
    assert f"v{manifest['manifestVersion']}" == newest
    assert manifest["$schema"].endswith(f"/teams/{newest}/MicrosoftTeams.schema.json")


def test_schema_catches_a_broken_manifest() -> None:
    """The validation is real: a manifest with a bad id and four command lists is rejected."""
    manifest = render_manifest(values())
    manifest["id"] = "not-a-guid"
    manifest["bots"][0]["commandLists"] *= 2
    errors = schema_errors(manifest)
    assert any(e.startswith("id:") for e in errors), errors
    assert any("commandLists" in e for e in errors), errors


def test_manifest_bot_and_permissions() -> None:
    manifest = render_manifest(values())
    (bot,) = manifest["bots"]
    assert bot["botId"] == BOT_ID
    assert manifest["id"] == APP_ID
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    assert bot["supportsFiles"] is False
    assert manifest["webApplicationInfo"]["id"] == BOT_ID
    assert {"name": "ChatMessageReadReceipt.Read.Chat", "type": "Application"} in manifest["authorization"][
        "permissions"
    ]["resourceSpecific"]
    assert manifest["validDomains"] == ["switchover.fabrikamhealth.com"]
    assert manifest["version"] == "1.4.2"
    assert manifest["developer"]["privacyUrl"] == "https://switchover.fabrikamhealth.com/privacy"
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_command_lists() -> None:
    lists = render_manifest(values())["bots"][0]["commandLists"]
    assert len(lists) <= 3
    for command_list in lists:
        titles = [c["title"] for c in command_list["commands"]]
        assert 1 <= len(titles) <= 12
        assert len(set(titles)) == len(titles)
        # Teams shows at most 32 characters of a command in its menu.
        assert all(len(t) <= 32 for t in titles), titles
    personal = next(cl for cl in lists if "personal" in cl["scopes"])
    personal_titles = {c["title"] for c in personal["commands"]}
    expected = {"when is my migration", "help", "report a problem", "my problems", "announce", "announcements"}
    assert expected | {"reschedule", "readiness"} <= personal_titles
    scoped = [scope for cl in lists for scope in cl["scopes"]]
    assert len(scoped) == len(set(scoped)), "a scope appears in two command lists"


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=30), domain_text=st.text(max_size=40))
def test_hostile_values_never_change_the_structure(name: str, domain_text: str) -> None:
    """Values are filled into parsed strings: quotes, braces and placeholders stay plain text."""
    plain = render_manifest(values())
    hostile = render_manifest(values(short_name=name, full_name=domain_text + "${{BOT_ID}}"))
    assert hostile["name"]["short"] == name
    assert hostile["name"]["full"] == domain_text + "${{BOT_ID}}"
    assert hostile.keys() == plain.keys()
    assert json.loads(json.dumps(hostile)) == hostile


def test_placeholder_without_value_is_an_error(tmp_path: Path) -> None:
    template = json.loads((MANIFEST_DIR / "manifest.template.json").read_text())
    template["description"]["short"] = "${{NOT_A_SETTING}}"
    (tmp_path / "manifest.template.json").write_text(json.dumps(template))
    with pytest.raises(ManifestError, match="NOT_A_SETTING"):
        render_manifest(values(), tmp_path)


def test_the_activity_type_nudges_send_is_declared_and_a_missing_one_is_an_error(tmp_path: Path) -> None:
    from switchover.directory.activity import ACTIVITY_TYPE

    declared = render_manifest(values())["activities"]["activityTypes"]
    assert [(a["type"], a["templateText"]) for a in declared] == [(ACTIVITY_TYPE, "{title}")]
    template = json.loads((MANIFEST_DIR / "manifest.template.json").read_text())
    del template["activities"]
    (tmp_path / "manifest.template.json").write_text(json.dumps(template))
    with pytest.raises(ManifestError, match=ACTIVITY_TYPE):
        render_manifest(values(), tmp_path)
    template["activities"] = {"activityTypes": [{**declared[0], "templateText": "{title} for {who}"}]}
    (tmp_path / "manifest.template.json").write_text(json.dumps(template))
    with pytest.raises(ManifestError, match="who"):
        render_manifest(values(), tmp_path)


def test_package_holds_manifest_and_icons_at_the_root(tmp_path: Path) -> None:
    out = build_package(tmp_path / "nested" / "app.zip", values())
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == sorted(["manifest.json", *ICON_FILES])
        manifest = json.loads(package.read("manifest.json"))
        for icon in ICON_FILES:
            assert package.read(icon) == (MANIFEST_DIR / icon).read_bytes()
    assert manifest == render_manifest(values())
    assert schema_errors(manifest) == []
    again = build_package(tmp_path / "again.zip", values())
    assert again.read_bytes() == out.read_bytes(), "the same inputs should give the same package"


def test_values_from_settings_default_the_app_id_to_the_bot_id() -> None:
    settings = Settings(MicrosoftAppId=BOT_ID, BOT_DOMAIN="bot.example.org", TEAMS_APP_VERSION="2.0.1")
    result = ManifestValues.from_settings(settings)
    assert (result.bot_id, result.teams_app_id, result.version) == (BOT_ID, BOT_ID, "2.0.1")
    assert ManifestValues.from_settings(settings, teams_app_id=APP_ID).teams_app_id == APP_ID


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bot_id": ""}, "MicrosoftAppId"),
        ({"bot_id": "bot"}, "not a GUID"),
        ({"bot_domain": "https://bot.example.org/api/messages"}, "host name only"),
        ({"version": "1.0"}, "1.2.3"),
        ({"short_name": "S" * 31}, "1 to 30 characters"),
    ],
)
def test_values_are_checked(change: dict[str, str], message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        values(**change).check()


def test_cli_builds_the_package(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = clean_env / "build" / "switchover-app.zip"
    args = ["--out", str(out), "--bot-id", BOT_ID, "--domain", "bot.example.org", "--version", "3.1.4"]
    status = cli_main(["manifest", "build", *args])
    assert status == 0
    assert str(out) in capsys.readouterr().out
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read("manifest.json"))
    assert (manifest["id"], manifest["version"]) == (BOT_ID, "3.1.4")


def test_cli_says_what_is_missing(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = cli_main(["manifest", "build", "--out", str(clean_env / "app.zip")])
    assert status == 1
    err = capsys.readouterr().err
    assert "MicrosoftAppId" in err and "BOT_DOMAIN" in err
    assert not (clean_env / "app.zip").exists()
