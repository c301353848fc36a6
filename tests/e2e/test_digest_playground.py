"""The daily digest with its chart, as the project lead previews it in the Agents Playground.

Dana Whitfield says ``digest now``: the card shows the change line, the chart (loaded by the
browser from the bot's ``/charts/<token>.png``, as Teams loads card images by URL) and the
picture per wave. The screenshot ``docs/screenshots/playground-digest.png`` comes from here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from switchover.digest.chart import HEIGHT, WIDTH
from switchover.settings import REPO_ROOT
from tests.e2e.playground import BotProcess, PlaygroundProcess, open_chat, save_screenshot, send_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The app as shipped (the digest and its chart route are among its features).
LAUNCH = f"import sys, app; sys.path.insert(0, {str(REPO_ROOT)!r}); app.main()"


class DigestBot(BotProcess):
    def _spawn(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        super()._spawn([sys.executable, "-c", LAUNCH], {**env, "PYTHONPATH": str(REPO_ROOT)}, cwd)


@pytest.fixture(scope="module")
def lead_playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlaygroundProcess]:
    folder = tmp_path_factory.mktemp("digest-e2e")
    bot = DigestBot(folder).start()
    try:
        (folder / "dana").mkdir()
        playground = PlaygroundProcess(folder / "dana", bot, persona="dana.whitfield@northwindmsp.com").start()
        try:
            yield playground
        finally:
            playground.stop()
    finally:
        bot.stop()


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
