"""The routing table: commands by leading words, longest first; lead-only commands only for leads."""

from __future__ import annotations

import pytest

from bot.routing import NeedsLead, Router, fold


async def _a(turn, rest):  # pragma: no cover - identity matters, not behaviour
    return None


async def _b(turn, rest):  # pragma: no cover
    return None


async def _fallback(turn, rest):  # pragma: no cover
    return None


def test_fold_drops_case_and_punctuation() -> None:
    assert fold("  Report a PROBLEM!! ") == "report a problem"
    assert fold("it's fixed") == "it s fixed"


def test_longest_phrase_wins_and_rest_is_returned() -> None:
    router = Router()
    router.command("report", _a)
    router.command("report a problem", _b)
    assert router.match_command("Report a problem: my H drive is gone") == (_b, "my h drive is gone")
    assert router.match_command("report printer jam") == (_a, "printer jam")


def test_commands_match_whole_words_only() -> None:
    router = Router()
    router.command("help", _a)
    router.fallback(_fallback)
    assert router.match_command("helpdesk phone number?") == (_fallback, "helpdesk phone number?")


def test_lead_only_commands_fall_through_for_everyone_else() -> None:
    router = Router()
    router.command("cancel", _a, leads_only=True)
    router.fallback(_fallback)
    with pytest.raises(NeedsLead):
        router.match_command("cancel announcement 3")
    assert router.match_command("cancel announcement 3", is_lead=True) == (_a, "announcement 3")
    assert router.match_command("cancel my meeting?", is_lead=False) == (_fallback, "cancel my meeting?")


def test_duplicate_routes_are_refused() -> None:
    router = Router()
    router.command("help", _a)
    with pytest.raises(ValueError, match="already routed"):
        router.command("HELP", _b)
    router.action("acknowledge", _a)
    with pytest.raises(ValueError, match="already routed"):
        router.action("acknowledge", _b)


def test_exact_commands_match_only_the_whole_message() -> None:
    router = Router()
    router.command("help", _a, exact=True)
    router.fallback(_fallback)
    assert router.match_command("Help!") == (_a, "")
    assert router.match_command("help desk phone number") == (_fallback, "help desk phone number")
