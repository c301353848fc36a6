"""A plan closed to its own tenant, in the Agents Playground: its people are answered, another tenant is refused.

The Playground sends the ``tenantId`` of its config file (``channelData.tenant.id`` and
``conversation.tenantId``); ``switchover playground persona`` writes the plan's tenant there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from switchover.playground import PLAYGROUND_TENANT_ID
from tests.e2e.playground import BotProcess, PlaygroundProcess, Processes, open_chat, send_and_wait, started
from tests.support.app import plan_naming_tenant

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLOSED_TENANT = "0f7e6d5c-4b3a-4291-8077-6e5d4c3b2a19"


@pytest.fixture(scope="module")
def closed_bot(processes: Processes) -> BotProcess:
    """The real app (local mode, ``python app.py``) on the Fabrikam plan naming its tenant."""
    plan = plan_naming_tenant(processes.folder / "plan", CLOSED_TENANT)
    return processes.bot(shipped=False, plan=plan, roster=plan.parent / "roster.csv")


def test_a_plan_closed_to_its_tenant_answers_its_people_in_the_playground(
    browser: Browser, closed_bot: BotProcess, tmp_path: Path
) -> None:
    with started(PlaygroundProcess(tmp_path, closed_bot)) as playground, open_chat(browser, playground) as page:
        send_and_wait(page, "when is my migration", "Wave 2 - Seattle & Tacoma clinical")


def test_a_plan_closed_to_its_tenant_refuses_the_playgrounds_own_tenant(
    browser: Browser, closed_bot: BotProcess, tmp_path: Path
) -> None:
    playground = PlaygroundProcess(tmp_path, closed_bot, tenant_id=PLAYGROUND_TENANT_ID)
    with started(playground), open_chat(browser, playground) as page:
        send_and_wait(page, "when is my migration", "not set up for your organisation")
        expect(page.get_by_text("Wave 2 - Seattle & Tacoma clinical")).to_have_count(0)
    assert f"tenant {PLAYGROUND_TENANT_ID} is not served" in closed_bot.log()
