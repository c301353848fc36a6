"""A Spanish-speaking member of staff in the Agents Playground: her Teams is in Spanish, so is the bot.

Marisol Gutiérrez (Patient Coordinator, Front Desk, Tacoma Clinic: Wave 2) runs her Playground with
``LANG=es_US.UTF-8``, as ``./scripts/demo --as marisol.gutierrez --locale es-US`` does, so every
activity she sends says ``locale: es-US``. She asks when her move is and whether she will lose her
mail, in Spanish; then Dana Whitfield, the project lead, sends Wave 2 its "You are on Microsoft 365"
message from her own (English) Playground, and Marisol receives it in Spanish. The screenshots
``docs/screenshots/playground-es-*.png`` come from here.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from switchover.playground import find_person, read_roster
from tests.e2e.playground import (
    ANSWER_TIMEOUT_MS,
    LEAD,
    BotProcess,
    PlaygroundProcess,
    Processes,
    open_chat,
    save_screenshot,
    send_and_wait,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MARISOL = "marisol.gutierrez"


@pytest.fixture(scope="module")
def spanish_bot(processes: Processes) -> BotProcess:
    """The app as shipped (announcements are one of its features)."""
    return processes.bot()


@pytest.fixture(scope="module")
def marisol_playground(processes: Processes, spanish_bot: BotProcess) -> PlaygroundProcess:
    return processes.playground(spanish_bot, MARISOL, locale="es-US")


def chat_of_her_own(playground: PlaygroundProcess) -> None:
    """Every Playground names its personal chat "personal-chat", and the bot keeps one reference per
    conversation: in Teams each person's chat with the bot has its own id, so give Dana's hers, or
    her turns would take Marisol's conversation over and the announcement would not reach Marisol."""
    text = playground.config.read_text(encoding="utf-8")
    playground.config.write_text(
        text.replace('personalChat:\n  id: "personal-chat"', 'personalChat:\n  id: "personal-chat-dana"'),
        encoding="utf-8",
    )
    assert '"personal-chat-dana"' in playground.config.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dana_playground(processes: Processes, spanish_bot: BotProcess) -> PlaygroundProcess:
    return processes.playground(spanish_bot, LEAD, prepare=chat_of_her_own)


def stored_locale(bot: BotProcess, who: str) -> str | None:
    """The Teams language the bot keeps with a person's personal chat (what it writes to them in)."""
    person = find_person(read_roster(bot.roster), who)
    database = bot.workdir / "data" / "switchover.db"
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        row = db.execute(
            "SELECT locale FROM conversation_refs WHERE aad_object_id = ? AND kind = 'personal'",
            (person.aad_object_id,),
        ).fetchone()
    return row[0] if row else None


@pytest.fixture(scope="module")
def marisol(browser: Browser, marisol_playground: PlaygroundProcess) -> Iterator[Page]:
    """Marisol's chat, open for the whole module: the announcement arrives while she has it open."""
    assert marisol_playground.locale == "es-US"
    with open_chat(browser, marisol_playground) as page:
        # The welcome card comes first (it names her wave too): let it arrive before she asks.
        expect(page.locator(".ac-adaptiveCard").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        yield page


def test_her_teams_language_reaches_the_bot(marisol: Page, spanish_bot: BotProcess) -> None:
    # Every activity of her Playground says es-US (its process's LANG); the bot keeps it with her chat.
    assert stored_locale(spanish_bot, MARISOL) == "es-US"


def test_she_asks_for_her_schedule_in_spanish(marisol: Page) -> None:
    # Wave 2 moves on Saturday 13 February 2027, 07:00-16:00 Pacific; Tacoma is in Pacific time.
    # Her wave's title in Spanish: the bot's word for a wave and the plan's Spanish name for it.
    send_and_wait(marisol, "¿cuándo es mi migración?", "Ola 2 - Clínicas de Seattle y Tacoma")
    card = marisol.locator(".ac-adaptiveCard", has_text="Ola 2 - Clínicas de Seattle y Tacoma").last
    # Her date in Spanish words and conventions (Babel's es), the card's own words in Spanish, and
    # the plan's Spanish points (its translations) under them.
    expect(card).to_contain_text("sábado, 13 de febrero de 2027, 7:00 a. m.–4:00 p. m. PST")
    expect(card).to_contain_text("Antes de su cambio")
    expect(card).to_contain_text("Anote su firma de Outlook")
    expect(card).not_to_contain_text("Saturday")
    save_screenshot(marisol, "playground-es-schedule", fit=card)


def test_she_asks_an_faq_question_in_spanish(marisol: Page) -> None:
    answer = "Todo el correo, los elementos del calendario y los contactos se copian"
    send_and_wait(marisol, "¿voy a perder mis correos?", answer)
    card = marisol.locator(".ac-adaptiveCard", has_text=answer).last
    expect(card).to_contain_text("¿Perderé algún correo electrónico?")  # the plan's Spanish question
    expect(card.get_by_role("button", name="Útil", exact=True)).to_be_visible()
    save_screenshot(marisol, "playground-es-faq", fit=card)


def test_she_receives_the_wave_announcement_in_spanish(
    browser: Browser, marisol: Page, dana_playground: PlaygroundProcess
) -> None:
    with open_chat(browser, dana_playground) as dana:
        send_and_wait(dana, "announce cutover-complete wave-2", "Send it to wave: wave-2")
        # The lead reads the preview in her own language.
        expect(dana.locator(".ac-adaptiveCard", has_text="You are on Microsoft 365").last).to_be_visible()
        confirm = dana.locator(".ac-adaptiveCard", has_text="Send it to wave: wave-2").last
        confirm.get_by_role("button", name="Send").first.click()
        finished = dana.get_by_role("paragraph").filter(has_text="Sending of You are on Microsoft 365 finished: ")
        expect(finished).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    card = marisol.locator(".ac-adaptiveCard", has_text="Ya está en Microsoft 365").last
    expect(card).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    # The plan's Spanish translation of the message, under the card's own words and her date in Spanish.
    expect(card).to_contain_text("Su cambio: sábado, 13 de febrero de 2027, 7:00 a. m.–4:00 p. m. PST")
    expect(card).to_contain_text("Ola 2 - Clínicas de Seattle y Tacoma")
    expect(card).to_contain_text("Inicie sesión con su contraseña de siempre")
    expect(card).not_to_contain_text("Your move is done")
    save_screenshot(marisol, "playground-es-announcement", fit=card)
