"""Fixtures for browser tests: running bots, Playgrounds talking to them, Chromium, and chat pages.

Use ``chat`` (a Playwright ``Page`` on the personal chat with Switchover, signed in as
Nora Abbott, Wave 2, Tacoma Clinic) and ``send_and_wait`` from ``tests/e2e/playground.py``.
The bot and the Playground behind ``chat`` are started once per test session and always stopped;
Chromium once per module (see ``browser``).

A module that needs a bot of its own (another plan, other people) asks for ``processes`` and
starts what it needs with it; everything started there is stopped when the module ends.
``lead_playground`` is the common case: the app as shipped, and Dana Whitfield, the project
lead, in a Playground.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.playground import LEAD, BotProcess, PlaygroundProcess, Processes, launch_chromium, open_chat, started


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the bot's database and both processes' logs."""
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def bot_process(e2e_dir: Path) -> Iterator[BotProcess]:
    """The real app on a free port, with the Fabrikam demo and its own database."""
    with started(BotProcess(e2e_dir)) as bot:
        yield bot


@pytest.fixture(scope="session")
def playground(e2e_dir: Path, bot_process: BotProcess) -> Iterator[PlaygroundProcess]:
    """The Agents Playground pointed at ``bot_process``, signed in as Nora Abbott."""
    with started(PlaygroundProcess(e2e_dir, bot_process, persona="nora.abbott")) as process:
        yield process


@pytest.fixture(scope="module")
def processes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processes]:
    """Bots and Playgrounds for one module's tests, in a folder named after the module; all stopped at its end."""
    folder = tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2])
    started_here = Processes(folder)
    try:
        yield started_here
    finally:
        started_here.close()


@pytest.fixture(scope="module")
def lead_playground(processes: Processes) -> PlaygroundProcess:
    """The app as shipped, with the Fabrikam demo, and a Playground signed in as Dana Whitfield, the project lead."""
    return processes.playground(processes.bot(), LEAD)


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
