"""Personal schedule answers in the Agents Playground: Wesley Grant, the Boise remote worker, sees Mountain time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.playground import PlaygroundProcess, Processes, open_chat, save_screenshot, send_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def boise_playground(processes: Processes) -> PlaygroundProcess:
    """Its own bot (``python app.py``) and Playground, signed in as Wesley Grant (Revenue Cycle, Remote - Boise)."""
    return processes.playground(processes.bot(shipped=False), "wesley.grant")


@pytest.fixture
def boise_chat(browser: Browser, boise_playground: PlaygroundProcess) -> Iterator[Page]:
    with open_chat(browser, boise_playground) as page:
        yield page


def test_boise_worker_gets_wave_1_in_mountain_time(boise_chat: Page, boise_playground: PlaygroundProcess) -> None:
    # Wave 1 is 07:00-15:00 Pacific on Saturday 30 January 2027: 08:00-16:00 in Boise (MST).
    assert boise_playground.time_zone == "America/Boise"
    send_and_wait(boise_chat, "when is my migration", "Wave 1 - Corporate")
    card = boise_chat.locator(".ac-adaptiveCard", has_text="Wave 1 - Corporate").last
    expect(card).to_contain_text("Saturday 30 January 2027, 08:00-16:00 MST")
    expect(card).to_contain_text("America/Boise")
    expect(card).to_contain_text("H: and S: become read-only at 19:00 MST on Friday 29 January.")
    save_screenshot(boise_chat, "answers-boise-schedule", fit=card)


def test_faq_answer_with_votes(boise_chat: Page) -> None:
    send_and_wait(boise_chat, "wil i loose my emails", "All mail, calendar items and contacts are copied")
    card = boise_chat.locator(".ac-adaptiveCard", has_text="All mail, calendar items").last
    expect(card.get_by_role("button", name="Helpful", exact=True)).to_be_visible()
    expect(card.get_by_role("button", name="Not helpful")).to_be_visible()
