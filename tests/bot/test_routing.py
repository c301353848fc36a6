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


def test_lead_only_commands_with_a_refusal_answer_everyone_else_with_it() -> None:
    router = Router()
    router.command("announce", _a, leads_only=True, refusal="Only leads announce.")
    router.fallback(_fallback)
    with pytest.raises(NeedsLead):
        router.match_command("announce wave-1: hello")
    assert router.match_command("announce wave-1: hello", is_lead=True) == (_a, "wave 1 hello")
    refuse, rest = router.match_command("announce wave-1: hello", is_lead=False)
    assert refuse not in (_a, _fallback) and rest == "wave 1 hello"


async def test_a_refusal_replies_with_its_text() -> None:
    router = Router()
    router.command("readiness", _a, leads_only=True, refusal="Readiness figures are for the project leads.")
    router.action("announce_confirm", _b, leads_only=True, refusal="Only leads send.")
    said: list[str] = []

    class FakeTurn:
        async def reply_text(self, text: str) -> None:
            said.append(text)

    refuse, _ = router.match_command("readiness", is_lead=False)
    await refuse(FakeTurn(), "")  # type: ignore[arg-type]
    assert await router.match_action("announce_confirm", is_lead=False)(FakeTurn(), {}) is None  # type: ignore[arg-type, misc]
    assert said == ["Readiness figures are for the project leads.", "Only leads send."]


async def test_a_refusal_is_written_when_it_is_sent_in_the_language_of_the_turn() -> None:
    from switchover import i18n

    router = Router()
    written: list[str] = []

    def refusal() -> str:
        written.append(i18n.current().code)
        return i18n.gettext("the project lead")

    router.command("announce", _a, leads_only=True, refusal=refusal)
    router.action("announce_confirm", _b, leads_only=True, refusal=refusal)
    assert written == []  # nothing is written when the route is registered
    said: list[str] = []

    class FakeTurn:
        async def reply_text(self, text: str) -> None:
            said.append(text)

    refuse, _ = router.match_command("announce everyone", is_lead=False)
    with i18n.use("es-MX"):
        await refuse(FakeTurn(), "")  # type: ignore[arg-type]
    with i18n.use("pl-PL"):
        await router.match_action("announce_confirm", is_lead=False)(FakeTurn(), {})  # type: ignore[arg-type, misc]
    assert written == ["es", "pl"]
    assert said == ["el responsable del proyecto", "kierownik projektu"]


def test_lead_only_actions_ask_who_is_pressing() -> None:
    router = Router()
    router.action("announce_confirm", _a, leads_only=True, refusal="Only leads send.")
    router.action("acknowledge", _b)
    assert router.match_action("acknowledge") is _b
    with pytest.raises(NeedsLead):
        router.match_action("announce_confirm")
    assert router.match_action("announce_confirm", is_lead=True) is _a
    assert router.match_action("announce_confirm", is_lead=False) not in (None, _a)
    assert router.match_action("no_such_verb") is None


def test_a_refusal_needs_a_lead_only_route() -> None:
    router = Router()
    with pytest.raises(ValueError, match="only a lead-only command"):
        router.command("announce", _a, refusal="no")
    with pytest.raises(ValueError, match="needs a refusal"):
        router.action("announce_confirm", _a, leads_only=True)


def test_the_fallback_is_declared_once() -> None:
    router = Router()
    router.fallback(_fallback)
    with pytest.raises(ValueError, match="already routed"):
        router.fallback(_a)
    assert router.match_command("anything at all") == (_fallback, "anything at all")
