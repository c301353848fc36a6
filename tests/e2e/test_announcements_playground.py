"""An announcement card as a project lead sees it in the Agents Playground.

Dana Whitfield (the project lead) composes Wave 3's "cutover complete" message: the bot shows the
card as recipients will see it, then asks to confirm. The screenshot in ``docs/screenshots/``
comes from here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.playground import ANSWER_TIMEOUT_MS, PlaygroundProcess, open_chat, save_screenshot, send_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# ``lead_playground`` (tests/e2e/conftest.py): the app as shipped (announcements are one of its
# features), and Dana Whitfield in a Playground.


def test_lead_previews_and_sends_the_cutover_complete_card(
    browser: Browser, lead_playground: PlaygroundProcess
) -> None:
    with open_chat(browser, lead_playground) as page:
        send_and_wait(page, "announce cutover-complete wave-3", "Send it to wave: wave-3")
        preview = page.locator(".ac-adaptiveCard", has_text="You are on Microsoft 365").last
        expect(preview).to_contain_text("Wave 3 - Spokane & Portland")
        expect(preview).to_contain_text("Saturday 27 February 2027")
        save_screenshot(page, "playground-announcement", fit=preview)
        confirm = page.locator(".ac-adaptiveCard", has_text="Send it to wave: wave-3").last
        confirm.get_by_role("button", name="Send").first.click()
        # The lead hears at once that it is going out (the background job resolves the audience),
        # then, from the job, how it ended (nobody in the demo has opened the bot yet, so every card
        # is reported undeliverable).
        sending = page.get_by_role("paragraph").filter(has_text="Sending wave-3/cutover-complete to wave: wave-3 now")
        expect(sending).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        expect(
            page.get_by_role("paragraph").filter(has_text="Sending of You are on Microsoft 365 finished: ")
        ).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
