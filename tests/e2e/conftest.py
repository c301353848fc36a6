"""Fixtures for browser tests: a running bot, a Playground talking to it, Chromium, and a chat page.

Use ``chat`` (a Playwright ``Page`` on the personal chat with Switchover, signed in as
Nora Abbott, Wave 2, Tacoma Clinic) and ``send_and_wait`` from ``tests/e2e/playground.py``.
The bot and the Playground are started once per test session and always stopped;
Chromium once per module (see ``browser``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.playground import BotProcess, PlaygroundProcess, launch_chromium, open_chat


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the bot's database and both processes' logs."""
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def bot_process(e2e_dir: Path) -> Iterator[BotProcess]:
    """The real app on a free port, with the Fabrikam demo and its own database."""
    bot = BotProcess(e2e_dir)
    try:
        yield bot.start()
    finally:
        bot.stop()


@pytest.fixture(scope="session")
def playground(e2e_dir: Path, bot_process: BotProcess) -> Iterator[PlaygroundProcess]:
    """The Agents Playground pointed at ``bot_process``, signed in as Nora Abbott."""
    process = PlaygroundProcess(e2e_dir, bot_process, persona="nora.abbott")
    try:
        yield process.start()
    finally:
        process.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, for the tests of one module.

    Not for the whole session: while Playwright's sync API is open, asyncio sees its
    event loop as running in this thread, and every async test after it would fail.
    Closing it with the module gives the thread back before other folders' tests run.
    """
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def chat(browser: Browser, playground: PlaygroundProcess) -> Iterator[Page]:
    """A fresh page on the personal chat with Switchover."""
    with open_chat(browser, playground) as page:
        yield page
