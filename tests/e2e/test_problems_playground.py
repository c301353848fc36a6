"""Problem reports as people meet them in the Agents Playground: Nora reports, Luis (the Files owner) gets the card.

Two Playgrounds talk to one bot: one signed in as Nora Abbott (Wave 2, Tacoma), one as Luis Ortega.
The screenshots in ``docs/screenshots/`` come from here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.playground import (
    ANSWER_TIMEOUT_MS,
    BotProcess,
    PlaygroundProcess,
    Processes,
    open_chat,
    save_screenshot,
    send_and_wait,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def problems_bot(processes: Processes) -> BotProcess:
    """The app as shipped (problem reports and their API are among its features)."""
    return processes.bot()


@pytest.fixture(scope="module")
def nora_playground(processes: Processes, problems_bot: BotProcess) -> PlaygroundProcess:
    return processes.playground(problems_bot, "nora.abbott")


@pytest.fixture(scope="module")
def luis_playground(processes: Processes, problems_bot: BotProcess) -> PlaygroundProcess:
    return processes.playground(problems_bot, "luis.ortega")


def click(page: Page, card_text: str, button: str) -> None:
    card = page.locator(".ac-adaptiveCard", has_text=card_text).last
    card.get_by_role("button", name=button).first.click()


def test_report_then_the_owner_acknowledges(
    browser: Browser, nora_playground: PlaygroundProcess, luis_playground: PlaygroundProcess
) -> None:
    # Every Playground calls its chat "personal-chat", so two of them share one stored
    # conversation; the people take turns (the HTTP end-to-end tests cover proactive delivery).
    with open_chat(browser, nora_playground) as nora:
        send_and_wait(nora, "report a problem my H drive files are missing", "Who is affected?")
        click(nora, "Who is affected?", "Just me")
        expect(nora.get_by_text("Here is what I understood")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        click(nora, "Here is what I understood", "Submit")
        status = nora.locator(".ac-adaptiveCard", has_text="Your reference is").last
        expect(status).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        expect(status).to_contain_text("PR-00001")
        expect(status).to_contain_text("Open, waiting for acknowledgement")
        save_screenshot(nora, "playground-problem-status", fit=status)
    with open_chat(browser, luis_playground) as luis:
        send_and_wait(luis, "problem PR-00001", "my H drive files are missing")
        card = luis.locator(".ac-adaptiveCard", has_text="PR-00001 P2").last
        expect(card).to_contain_text("Tacoma Clinic")
        expect(card).to_contain_text("Wave 2 - Seattle & Tacoma clinical")
        click(luis, "PR-00001 P2", "Acknowledge")
        updated = luis.locator(".ac-adaptiveCard", has_text="Acknowledged, being worked on").last
        expect(updated).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        expect(updated).to_contain_text("acknowledged by Luis Ortega")
        save_screenshot(luis, "playground-problem-owner", fit=updated)
