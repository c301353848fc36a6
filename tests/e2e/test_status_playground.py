"""The status card and a drill-down behind one of its numbers, as the project lead sees them in the Agents Playground.

Dana Whitfield (the project lead) says ``status``: the card shows each wave's state, cutover, reach and
readiness (from the demo's Entra and Intune exports) and the problem desk; then the largest
"Not ready (N)" opens the page of people behind that number. The screenshots
``docs/screenshots/playground-status.png`` and ``docs/screenshots/playground-status-drilldown.png``
come from here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.playground import ANSWER_TIMEOUT_MS, PlaygroundProcess, open_chat, save_screenshot, send_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# ``lead_playground`` (tests/e2e/conftest.py): the app as shipped (status is one of its features),
# and Dana Whitfield in a Playground.


def test_the_lead_sees_the_status_card_and_the_people_behind_a_number(
    browser: Browser, lead_playground: PlaygroundProcess
) -> None:
    with open_chat(browser, lead_playground) as page:
        send_and_wait(page, "status", "Migration status: ")
        card = page.locator(".ac-adaptiveCard", has_text="Migration status: ").last
        expect(card).to_contain_text("Open problem reports: ")
        expect(card).to_contain_text(re.compile(r"MFA \d+ of \d+ registered"))  # the demo's exports: not unknown
        buttons = card.get_by_role("button", name=re.compile(r"^Not ready \(\d+\)$"))
        expect(buttons.first).to_be_visible()
        counts = [int(re.sub(r"\D", "", b.inner_text())) for b in buttons.all()]
        assert len(counts) == 4  # every wave of the demo has people not ready yet
        count = max(counts)  # the wave with the most to chase: the fullest page
        not_ready = buttons.nth(counts.index(count))
        save_screenshot(page, "playground-status", fit=card)

        not_ready.click()
        # The card is replaced in place by the page of people behind the number.
        people = page.locator(".ac-adaptiveCard", has_text=": not ready").last
        expect(people).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        noun = "person" if count == 1 else "people"
        expect(people).to_contain_text(re.compile(rf"{count} {noun} · page 1 of \d+"))
        expect(people.get_by_role("button", name="Back to status")).to_be_visible()
        save_screenshot(page, "playground-status-drilldown", fit=people)
