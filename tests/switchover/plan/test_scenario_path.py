"""The shared scenario is found beside the repository, and its absence fails in CI instead of skipping."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.switchover.plan import conftest as plan_conftest


def test_the_scenario_is_looked_for_beside_the_repository() -> None:
    repo = Path(__file__).resolve().parents[3]
    assert (repo / "pyproject.toml").is_file()
    assert plan_conftest.SCENARIO_README == repo.parent / "shared" / "scenario" / "README.md"


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_missing_scenario_fails_in_ci(ci: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_conftest, "SCENARIO_README", tmp_path / "missing" / "README.md")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI must check out shared/"):
        plan_conftest.scenario_readme()


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_a_missing_scenario_skips_elsewhere(ci: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_conftest, "SCENARIO_README", tmp_path / "missing" / "README.md")
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception):
        plan_conftest.scenario_readme()


def test_a_present_scenario_is_returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("## FAQ\n", encoding="utf-8")
    monkeypatch.setattr(plan_conftest, "SCENARIO_README", readme)
    monkeypatch.setenv("CI", "true")
    assert plan_conftest.scenario_readme() == readme
