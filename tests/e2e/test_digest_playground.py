"""The daily digest with its chart, as the project lead previews it in the Agents Playground.

Dana Whitfield says ``digest now``: the card shows the change line, the chart (loaded by the
browser from the bot's ``/charts/<token>.png``, as Teams loads card images by URL) and the
picture per wave. The screenshot ``docs/screenshots/playground-digest.png`` comes from here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from switchover.digest.chart import HEIGHT, WIDTH
from tests.e2e.playground import PlaygroundProcess, open_chat, save_screenshot, send_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# ``lead_playground`` (tests/e2e/conftest.py): the app as shipped (the digest and its chart route
# are among its features), and Dana Whitfield in a Playground.


def test_the_lead_previews_the_digest_with_its_chart(browser: Browser, lead_playground: PlaygroundProcess) -> None:
    with open_chat(browser, lead_playground) as page:
        send_and_wait(page, "digest now", "Daily digest: ")
        card = page.locator(".ac-adaptiveCard", has_text="Daily digest: ").last
        expect(card).to_contain_text("Open problem reports: ")
        chart = card.locator("img[src*='/charts/']")
        expect(chart).to_have_count(1)
        alt = chart.get_attribute("alt") or ""
        assert alt.startswith("Readiness per wave: ") and "Open problem reports over the last 14 days" in alt
        # The browser fetched the PNG from the bot and decoded it (a refused or broken link has no size).
        expect(chart).to_have_js_property("complete", True)
        assert chart.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [WIDTH, HEIGHT]
        save_screenshot(page, "playground-digest", fit=card)
