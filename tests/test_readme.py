"""The README stays true: every setting is documented, its links point at files that exist."""

from __future__ import annotations

import re

from switchover.settings import REPO_ROOT, Settings

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_two_commands_at_the_top() -> None:
    top = "\n".join(README.splitlines()[:30])
    assert "./scripts/demo" in top and "./scripts/test" in top
    for script in ("scripts/demo", "scripts/test", "scripts/setup", ".ci/run"):
        path = REPO_ROOT / script
        assert path.is_file(), script
        assert path.read_text().startswith("#!/usr/bin/env bash"), script


def test_every_setting_is_in_the_configuration_table() -> None:
    missing = []
    for name, field in Settings.model_fields.items():
        aliases = getattr(field.validation_alias, "choices", None) or [name]
        if not any(f"`{alias}`" in README for alias in aliases):
            missing.append(f"{name} ({aliases[0]})")
    assert missing == [], f"add these settings to README.md's configuration table: {', '.join(missing)}"


def test_relative_links_exist() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", README)
    local = [link for link in links if not link.startswith(("http://", "https://"))]
    assert "docs/screenshots/playground-help.png" in local
    assert [link for link in local if not (REPO_ROOT / link).exists()] == []
