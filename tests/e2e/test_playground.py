"""The whole product as a person meets it: the Agents Playground in a browser, talking to the real app."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.playground import PlaygroundProcess, save_screenshot, send_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_help_shows_the_help_card(chat: Page, playground: PlaygroundProcess) -> None:
    send_and_wait(chat, "help", "What I can do")
    card = chat.locator(".ac-adaptiveCard", has_text="What I can do").last
    expect(card).to_contain_text("report a problem")
    expect(card).to_contain_text("when is my migration")
    # The Playground signed in as the roster persona, not its built-in user.
    expect(chat.get_by_text("Nora Abbott").first).to_be_visible()
    save_screenshot(chat, "playground-help")


def test_when_is_my_migration_answers_for_the_persona(chat: Page) -> None:
    """Nora Abbott works at the Tacoma Clinic: Wave 2, whose cutover starts 07:00 Pacific on 13 February 2027."""
    send_and_wait(chat, "when is my migration", "Wave 2 - Seattle & Tacoma clinical")
    card = chat.locator(".ac-adaptiveCard", has_text="Wave 2 - Seattle & Tacoma clinical").last
    expect(card).to_contain_text("13 February 2027")
    expect(card).to_contain_text("07:00")
    expect(card).to_contain_text("America/Los_Angeles")
    save_screenshot(chat, "playground-schedule", fit=card)
