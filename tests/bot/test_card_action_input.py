"""Bad card-action data and unused invokes get the documented answers, never a crash (one test per finding).

An ``adaptiveCard/action`` the bot processed is answered with HTTP 200 and, in the body, how it
went (the Universal Action Model): data that does not fit its verb gets ``statusCode`` 400,
``application/vnd.microsoft.error`` and a message naming the field. Invokes this bot does not use
get an empty 200.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.actions import ActionData, BadActionData, ReportAction, SubmitReport, read_action_data
from tests.support.app import TeamsClient, person

LEAD = "dana.whitfield_northwindmsp.com#EXT#@fabrikamhealth.onmicrosoft.com"
ERROR = "application/vnd.microsoft.error"
TEMPLATES = Path(__file__).resolve().parents[2] / "cards" / "templates"

# The findings: data that crashed the handler (501 and a traceback), for every verb the bot handles.
MALFORMED: list[tuple[str, dict[str, Any], str]] = [
    ("problem_ack", {"report_id": 2**63}, "report_id"),
    ("problem_ack", {"report_id": 1e23}, "report_id"),
    ("problem_assign", {"report_id": 2**63, "assignee": "tom.becker"}, "report_id"),
    ("problem_assign", {"report_id": 1, "assignee": {"key": "tom.becker"}}, "assignee"),
    ("problem_resolve", {"report_id": 1e23, "note": "done"}, "report_id"),
    ("problem_resolve", {"report_id": 1, "note": ["done"]}, "note"),
    ("problem_not_mine", {"report_id": "1e23"}, "report_id"),
    ("problem_fixed", {"report_id": 2**63}, "report_id"),
    ("problem_comment", {"report_id": 1e23, "comment": "still broken"}, "report_id"),
    ("problem_show", {"report_id": True}, "report_id"),
    ("problem_reopen", {"report_id": 1, "why": {"text": "still broken"}}, "why"),
    ("incident_resolve", {"incident_id": 2**63, "note": "fixed"}, "incident_id"),
    ("problem_submit", {"text": "Outlook will not open", "urgency": {"level": 1}}, "urgency"),
    ("problem_submit", {"text": "Outlook will not open", "impact": ["me"]}, "impact"),
    ("problem_submit", {"text": {"html": "<b>x</b>"}}, "text"),
    ("problem_dialog", {"step": "urgency", "urgency": {}}, "urgency"),
    ("report_problem", {"text": 42}, "text"),
    ("faq_helpful", {"faq_key": ["lose-email"]}, "faq_key"),
    ("faq_unhelpful", {"faq_key": "lose-email", "question": {"q": 1}}, "question"),
    ("faq_pick", {"faq_key": 1e23}, "faq_key"),
    ("faq_best_yes", {"faq_key": {"key": "lose-email"}}, "faq_key"),
    ("faq_best_no", {"faq_key": "lose-email", "question": ["q"]}, "question"),
    ("acknowledge", {"announcement_id": {"id": "wave-1/one-week"}}, "announcement_id"),
    ("mfa_done", {"announcement_id": 2**63}, "announcement_id"),
    ("announcement_refresh", {"announcement_id": None}, "announcement_id"),
    ("announce_confirm", {"announcement_id": []}, "announcement_id"),
    ("announce_discard", {"announcement_id": 1.5}, "announcement_id"),
    ("status_people", {"wave": "wave-2", "kind": "unreachable", "page": 1e23}, "page"),
    ("status_people", {"wave": "wave-2", "kind": {"all": True}}, "kind"),
    ("reach_people", {"wave": "wave-2", "state": "everyone"}, "state"),
    ("reach_people", {"wave": "wave-2", "state": "blocked", "page": 0}, "page"),
    ("reach_refresh", {"wave": {"key": "wave-2"}}, "wave"),
    ("status_reports", {"priority": "P9"}, "priority"),
    ("status_reports", {"overdue": "yes please"}, "overdue"),
    ("wave_state_confirm", {"wave": "wave-2", "state": "done"}, "state"),
    ("wave_state_cancel", {"wave": ["wave-2"], "state": "cutover-complete"}, "wave"),
]
READS_NOTHING = {"problem_cancel", "status_refresh"}  # Cancel; back to the status card


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    failed = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not failed, [r.getMessage() for r in failed]


@pytest.mark.parametrize(
    ("verb", "data", "field"), MALFORMED, ids=[f"{v}-{f}={json.dumps(d[f])}" for v, d, f in MALFORMED]
)
async def test_malformed_card_action_data_gets_the_documented_400_error_not_501_and_a_traceback(
    teams: TeamsClient, caplog: pytest.LogCaptureFixture, verb: str, data: dict[str, Any], field: str
) -> None:
    status, body = await teams.invoke_action(person(LEAD), verb, data)
    assert status == 200
    assert body["statusCode"] == 400 and body["type"] == ERROR
    assert body["value"]["code"] == "BadRequest"
    assert body["value"]["message"].startswith("This card's data is not valid: ")
    assert f"{field}: " in body["value"]["message"]
    no_traceback(caplog)


def test_the_findings_cover_every_verb_the_bot_routes(teams: TeamsClient) -> None:
    from app import ROUTER

    assert set(teams.app.app[ROUTER].actions) - READS_NOTHING == {verb for verb, _, _ in MALFORMED}


def test_every_verb_a_card_template_sends_is_routed_and_reads_its_data_through_a_model(teams: TeamsClient) -> None:
    from app import ROUTER

    verbs = {verb for t in TEMPLATES.glob("*.j2") for verb in re.findall(r'"verb": "(\w+)"', t.read_text())}
    verbs |= {"acknowledge", "mfa_done", "report_problem"}  # an announcement's buttons (Button.verb)
    actions = teams.app.app[ROUTER].actions
    assert verbs and verbs <= set(actions)
    readers = {verb for verb, model in actions.items() if model is not ActionData}
    assert readers == set(actions) - READS_NOTHING


NO_VERB = [
    {"action": {"type": "Action.Execute", "data": {"report_id": 1}}, "trigger": "manual"},
    {"action": {"type": "Action.Execute", "verb": "", "data": {}}},
    {"action": {"type": "Action.Execute", "verb": {"name": "problem_ack"}}},
    {"action": "problem_ack"},
    {"trigger": "manual"},
    "problem_ack",
    None,
]


async def test_a_card_action_without_a_verb_gets_the_documented_error_body_not_a_bare_400(
    teams: TeamsClient, caplog: pytest.LogCaptureFixture
) -> None:
    for value in NO_VERB:
        activity = teams.activity(person(LEAD), type="invoke", name="adaptiveCard/action", value=value)
        async with teams.session.post(
            f"{teams.app.url}/api/messages",
            json=activity,
            headers={"Content-Type": "application/json", **teams.auth_headers()},
        ) as resp:
            assert resp.status == 200, value
            body = await resp.json()
        assert body == {
            "statusCode": 400,
            "type": ERROR,
            "value": {"code": "BadRequest", "message": "This card action names no verb."},
        }, value
    no_traceback(caplog)


async def test_an_unknown_verb_gets_the_documented_error_body(teams: TeamsClient) -> None:
    status, body = await teams.invoke_action(person(LEAD), "no_such_verb" * 50, {})
    assert status == 200 and body["statusCode"] == 400 and body["type"] == ERROR
    assert len(body["value"]["message"]) < 200  # the verb is named, not echoed whole


@pytest.mark.parametrize(
    "name",
    [
        "fileConsent/invoke",
        "signin/verifyState",
        "signin/tokenExchange",
        "task/fetch",
        "task/submit",
        "composeExtension/query",
        "actionableMessage/executeAction",
        "config/fetch",
        "tab/fetch",
        "no/such/invoke",
        "",
    ],
)
async def test_file_consent_signin_and_other_unused_invokes_get_an_empty_200_not_501(
    teams: TeamsClient, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    for value in (None, {}, {"action": "accept", "context": 5}, "x", [1, 2]):
        activity = teams.activity(person(LEAD), type="invoke", name=name or None, value=value)
        async with teams.session.post(
            f"{teams.app.url}/api/messages",
            json=activity,
            headers={"Content-Type": "application/json", **teams.auth_headers()},
        ) as resp:
            assert resp.status == 200
            assert await resp.read() == b""
    no_traceback(caplog)


async def test_an_older_clients_submit_with_malformed_data_gets_a_reply_not_a_crash(
    teams: TeamsClient, caplog: pytest.LogCaptureFixture
) -> None:
    who = person(LEAD)
    before = len(teams.connector.received)
    resp = await teams.post(teams.activity(who, value={"verb": "problem_ack", "report_id": 1e23}))
    assert resp.status == 202
    [reply] = teams.connector.received[before:]
    assert reply.text.startswith("Sorry, I could not use that button: report_id: ")
    no_traceback(caplog)


async def test_a_card_action_that_fails_unexpectedly_answers_status_code_500_with_a_message(
    teams: TeamsClient, caplog: pytest.LogCaptureFixture
) -> None:
    from app import ROUTER

    async def broken(turn: Any, data: Any) -> None:
        raise RuntimeError("a bug")

    teams.app.app[ROUTER].action("broken_verb", broken)
    status, body = await teams.invoke_action(person(LEAD), "broken_verb", {})
    assert status == 200
    assert body["statusCode"] == 500 and body["type"] == ERROR and body["value"]["code"] == "InternalError"
    assert any("turn failed" in r.getMessage() and r.exc_info for r in caplog.records)  # the bug is logged


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=150, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=st.sampled_from(
        [m for m in vars(__import__("bot.actions", fromlist=["x"])).values() if isinstance(m, type)]
    ).filter(lambda m: issubclass(m, ActionData)),
    raw=st.one_of(JSON, st.dictionaries(st.sampled_from(["report_id", "text", "urgency", "impact", "note"]), JSON)),
)
def test_any_json_is_read_as_the_model_or_refused_by_name(model: type[ActionData], raw: Any) -> None:
    try:
        data = read_action_data(model, raw)
    except BadActionData as exc:
        assert str(exc)
    else:
        assert isinstance(data, model)


def test_a_report_number_is_a_whole_number_the_database_holds() -> None:
    assert read_action_data(ReportAction, {"report_id": 42}).report_id == 42
    assert read_action_data(ReportAction, {"report_id": " 42 "}).report_id == 42
    for bad in (2**63, 2**31, 0, -1, 1e23, 4.0, "1e23", "²", "٤٢", True, None, [], {}):
        with pytest.raises(BadActionData, match="report_id"):
            read_action_data(ReportAction, {"report_id": bad})
    with pytest.raises(BadActionData, match="text: String should have at most 4000 characters"):
        read_action_data(SubmitReport, {"text": "x" * 4001})
    with pytest.raises(BadActionData, match="NUL"):
        read_action_data(SubmitReport, {"text": "a\x00b"})
    assert read_action_data(SubmitReport, {"text": "x", "urgency": "", "impact": ""}).urgency is None


async def test_typing_problem_0_is_no_such_report_not_a_crash(
    teams: TeamsClient, caplog: pytest.LogCaptureFixture
) -> None:
    replies = await teams.say(person(LEAD), "problem PR-00000")
    assert replies and "Not done" in replies[-1].card_text()
    no_traceback(caplog)
