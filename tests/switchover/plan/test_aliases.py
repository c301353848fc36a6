"""The plan's optional ``aliases``: what people call sites, departments, waves and countries."""

from __future__ import annotations

import pytest

from switchover.plan.loader import PlanError, parse_plan
from tests.switchover.plan.conftest import MINIMAL, line_of


def _errors(text: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        parse_plan(text, source="plan.yaml")
    return [str(e) for e in info.value.errors]


def test_a_plan_without_aliases_has_empty_tables() -> None:
    plan = parse_plan(MINIMAL)
    assert plan.aliases.sites == {} and plan.aliases.waves == {} and plan.aliases.countries == {}


def test_aliases_load_with_a_single_word_for_a_list() -> None:
    text = MINIMAL + (
        "aliases:\n"
        "  sites:\n"
        "    Riverside House: [HQ, head office]\n"
        "  departments:\n"
        "    Purchasing: buyers\n"
        "  waves:\n"
        "    wave-1: [the pilot]\n"
        "  countries:\n"
        "    NZ: [Aotearoa, Kiwi]\n"
    )
    aliases = parse_plan(text).aliases
    assert aliases.sites == {"Riverside House": ("HQ", "head office")}
    assert aliases.departments == {"Purchasing": ("buyers",)}
    assert aliases.waves == {"wave-1": ("the pilot",)}
    assert aliases.countries == {"NZ": ("Aotearoa", "Kiwi")}


def test_unknown_waves_and_countries_are_named_with_their_line() -> None:
    text = MINIMAL + "aliases:\n  waves:\n    wave-9: [pilot]\n  countries:\n    Polen: [PL]\n    Mars: [red planet]\n"
    errors = _errors(text)
    assert len(errors) == 3, errors
    assert f"plan.yaml:{line_of(text, 'wave-9: [pilot]')}:" in errors[0]
    assert "aliases.waves['wave-9']: unknown wave 'wave-9' - did you mean" in errors[0]
    assert f"plan.yaml:{line_of(text, 'Polen')}:" in errors[1]
    assert "aliases.countries.Polen: unknown country 'Polen' - did you mean 'Poland'?" in errors[1]
    assert "unknown country 'Mars'" in errors[2]


def test_an_empty_alias_and_an_unknown_table_are_errors() -> None:
    errors = _errors(MINIMAL + "aliases:\n  sites:\n    Riverside House: ['']\n  regions: {Europe: [EU]}\n")
    assert any("aliases.sites" in e and "an alias is empty" in e for e in errors), errors
    assert any("aliases.regions" in e and "unknown field" in e for e in errors), errors
