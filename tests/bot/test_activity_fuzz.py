"""``/api/messages`` under malformed activities (hypothesis): never a 5xx, never a traceback, still answering.

Each example starts from an activity Teams would send and breaks it: fields of the wrong
JSON type or missing, unknown activity types and invoke names, card actions whose data
holds every JSON type, deep nesting, numbers beyond 64 bits and long strings. The serviceUrl
stays the loopback connector's (or is broken as a value, never another host: the bot
would rightly try to reach it). The budget is fixed and derandomized (the same examples on
every run), a few seconds per authentication mode.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.app import TeamsClient, person

EXAMPLES = 150
WHO = person("omar.reyes")
VERBS = [
    "problem_ack",
    "problem_assign",
    "problem_resolve",
    "problem_not_mine",
    "problem_fixed",
    "problem_comment",
    "problem_show",
    "incident_resolve",
    "problem_submit",
    "problem_cancel",
    "problem_dialog",
    "report_problem",
    "faq_helpful",
    "faq_unhelpful",
    "faq_pick",
    "acknowledge",
    "mfa_done",
    "announcement_refresh",
    "announce_confirm",
    "announce_discard",
]
FIELDS = [
    "report_id",
    "incident_id",
    "announcement_id",
    "faq_key",
    "question",
    "text",
    "urgency",
    "impact",
    "area",
    "note",
    "comment",
    "assignee",
    "draft",
    "step",
]
INVOKES = [
    "adaptiveCard/action",
    "fileConsent/invoke",
    "signin/verifyState",
    "signin/tokenExchange",
    "task/fetch",
    "task/submit",
    "composeExtension/query",
    "actionableMessage/executeAction",
    "config/fetch",
    "tab/fetch",
    "healthCheck",
]
TYPES = [
    "message",
    "invoke",
    "event",
    "conversationUpdate",
    "installationUpdate",
    "messageReaction",
    "messageUpdate",
    "messageDelete",
    "typing",
    "endOfConversation",
    "trace",
    "handoff",
]
DEEP = "__deep__"  # replaced by nesting deeper than any JSON library serialises

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=10**40),
    st.integers(max_value=-(2**63)),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e23, 1e308, -0.0, 2**63, 4.0]),
    st.text(max_size=40),
    st.sampled_from(["", " ", "²", "٤٢", "1e23", "\x00", "\ud7ff\ufffd", "<at>Switchover</at>", "PR-00001"]),
    st.integers(min_value=1_000, max_value=300_000).map(lambda n: "x" * n),
    st.just(DEEP),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
card_data = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=5) | json_values
card_action = st.fixed_dictionaries(
    {"type": st.sampled_from(["Action.Execute", "Action.Submit"]) | json_values, "verb": st.sampled_from(VERBS)},
    optional={"data": card_data, "id": json_values},
) | st.fixed_dictionaries({}, optional={"verb": json_values, "data": card_data, "type": json_values})
invoke_value = st.fixed_dictionaries(
    {"action": card_action}, optional={"trigger": st.sampled_from(["manual", "automatic"])}
)


def mostly(draw: st.DrawFn, usual: st.SearchStrategy[Any], wild: st.SearchStrategy[Any]) -> Any:
    """Four times in five what Teams sends, else anything: most examples get past the door."""
    return draw(wild) if draw(st.integers(0, 4)) == 4 else draw(usual)  # hypothesis leans to 0: the usual


@st.composite
def activities(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    activity = json.loads(json.dumps(base))
    # Mostly invokes and messages (what reaches features), also every other kind and none.
    activity["type"] = mostly(draw, st.sampled_from(["invoke"] * 6 + ["message"] * 3 + TYPES), json_values)
    if activity["type"] == "invoke" or draw(st.booleans()):
        activity["name"] = mostly(draw, st.sampled_from(["adaptiveCard/action"] * 6 + INVOKES), json_values)
    if activity["type"] == "invoke" or draw(st.booleans()):
        activity["value"] = mostly(draw, invoke_value, json_values)
    if draw(st.booleans()):
        activity["text"] = mostly(draw, st.sampled_from(["help", "report a problem", "my problems"]), scalars)
    if draw(st.integers(0, 3)) == 3:
        for key in draw(st.lists(st.sampled_from(sorted(activity)), min_size=1, max_size=2, unique=True)):
            if key == "serviceUrl":  # broken as a value, never another host
                activity[key] = draw(st.none() | st.integers() | st.just("") | st.just("ftp://x") | json_values)
            elif draw(st.booleans()):
                del activity[key]
            else:
                activity[key] = draw(json_values)
    for outer in ("from", "conversation", "channelData", "recipient"):
        if isinstance(activity.get(outer), dict) and draw(st.integers(0, 7)) == 7:
            inner = draw(st.sampled_from(sorted(activity[outer]) + ["id", "aadObjectId", "tenant", "tenantId"]))
            activity[outer][inner] = draw(json_values)
    if draw(st.integers(0, 9)) == 9:
        activity[draw(st.text(min_size=1, max_size=10))] = draw(json_values)
    return activity


def serialise(activity: dict[str, Any], depth: int) -> bytes:
    text = json.dumps(activity)  # Python's json writes integers of any size
    return text.replace(json.dumps(DEEP), "[" * depth + "]" * depth).encode("utf-8", "surrogatepass")


def fuzz(teams: TeamsClient, url: str) -> list[int]:
    statuses: list[int] = []
    base = teams.activity(WHO, text="hello")

    with requests.Session() as session:

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(activity=activities(base), depth=st.sampled_from([1] * 6 + [50, 600, 5000]))
        def post(activity: dict[str, Any], depth: int) -> None:
            headers = {"Content-Type": "application/json", **teams.auth_headers()}
            resp = session.post(url, data=serialise(activity, depth), headers=headers, timeout=30)
            assert resp.status_code < 500, (resp.status_code, resp.text[:300], activity)
            statuses.append(resp.status_code)

        post()
    return statuses


async def test_malformed_activities_get_no_5xx_no_traceback_and_the_bot_still_answers(
    teams: TeamsClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    statuses = await asyncio.to_thread(fuzz, teams, f"{teams.app.url}/api/messages")

    assert len(statuses) >= EXAMPLES // 2
    # Most got past the door (features ran), many were refused there.
    assert statuses.count(200) + statuses.count(202) > len(statuses) // 3 and 400 in statuses
    failed = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR or "Traceback" in r.getMessage()]
    assert not failed, [(r.name, r.getMessage()[:300]) for r in failed[:5]]

    replies = await teams.say(WHO, "when is my migration")
    assert replies and replies[-1].card is not None
