"""Activity-feed nudges through Graph's sendActivityNotification: the documented body, Retry-After
honoured, and each refusal a result rather than an exception."""

from __future__ import annotations

from switchover.directory.activity import ACTIVITY_TYPE, ActivityFeed, Nudge, NudgeOutcome
from switchover.directory.graph_client import build_graph_client, close_graph_client
from tests.support.fake_graph import FakeGraph, StaticTokenCredential

CATALOG_ID = "1542629c-01b3-4a6d-8f76-1938b779e48d"
NUDGE = Nudge("Set up Authenticator", "Your move is two weeks away. " * 20, "https://teams.microsoft.com/l/chat/0/0")


async def test_a_nudge_is_the_documented_request_and_429_is_retried_after_retry_after(
    fake_graph: FakeGraph, retry_waits: list[float]
) -> None:
    client = build_graph_client(StaticTokenCredential(), base_url=fake_graph.base_url)
    feed = ActivityFeed(client, CATALOG_ID)
    grace = fake_graph.data.upn_id("grace.okafor@fabrikamhealth.com")
    fake_graph.data.installed.add(grace)
    fake_graph.fail(f"/users/{grace}/teamwork/sendActivityNotification", 429, retry_after=3, method="POST")
    result = await feed.notify(grace, NUDGE)
    assert result.outcome is NudgeOutcome.SENT
    assert 3 in retry_waits
    [(user_id, body)] = fake_graph.data.activity_notifications
    assert user_id == grace
    assert body == {
        "topic": {"source": "text", "value": "Set up Authenticator", "webUrl": NUDGE.web_url},
        "activityType": ACTIVITY_TYPE,
        "previewText": {"content": NUDGE.preview[:150], "contentType": "text"},
        "templateParameters": [{"name": "title", "value": "Set up Authenticator"}],
        "teamsAppId": CATALOG_ID,
    }
    await close_graph_client(client)


async def test_refusals_and_throttling_past_the_retries_are_results(
    fake_graph: FakeGraph, retry_waits: list[float]
) -> None:
    client = build_graph_client(StaticTokenCredential(), base_url=fake_graph.base_url, max_retries=1)
    feed = ActivityFeed(client, CATALOG_ID)
    not_installed = fake_graph.data.upn_id("omar.reyes@fabrikamhealth.com")
    throttled = fake_graph.data.upn_id("vanessa.fox@fabrikamhealth.com")
    fake_graph.data.installed.add(throttled)
    fake_graph.fail(f"/users/{throttled}/teamwork/sendActivityNotification", 429, times=2, retry_after=45)

    forbidden = await feed.notify(not_installed, NUDGE)
    assert (forbidden.outcome, forbidden.status) == (NudgeOutcome.FORBIDDEN, 403)
    assert "not installed" in forbidden.detail
    gone = await feed.notify("5b1c8e0e-0000-4000-8000-000000000000", NUDGE)
    assert gone.outcome is NudgeOutcome.NOT_FOUND
    slow = await feed.notify(throttled, NUDGE)
    assert (slow.outcome, slow.status, slow.retry_after) == (NudgeOutcome.THROTTLED, 429, 45.0)
    assert fake_graph.data.activity_notifications == []
    fake_graph.down = True
    assert (await feed.notify(throttled, NUDGE)).outcome is NudgeOutcome.FAILED
    await close_graph_client(client)
