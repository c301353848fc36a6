"""A pseudo-locale render of every card finds no untranslated text.

Every card template in ``cards/templates`` (found by listing the folder, so a new template is
covered the day it is added) is rendered in the pseudo-locale ``qps-ploc``, where every catalog
string comes back bracketed and accented (``⟦Ŕéƥöŕţ à ƥŕöƀĺéɱ⟧``), from a sample view whose every
data value is itself marked (``«data»``). Each text a reader sees on the card (text blocks, facts,
button and choice titles, input labels, placeholders and error messages, image descriptions) must
then be made only of pseudo-translated parts, data parts, digits, punctuation and spaces: a word
left in a template, outside ``_()``, shows up as plain letters and fails the test. The same for
the visible text of every e-mail template.

The samples are the fixture views every card test shares (``tests/cards/views.py``): the values
are other parts' words, handed in already written; what is tested here is the words the templates
add themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import orjson
import pytest

from cards.email import email_templates, render_email
from cards.render import _environment, render_card
from switchover import i18n

from .test_email_templates import view as email_view
from .views import VIEWS, template_names

# Keys whose value steers a template's logic (compared with a fixed word), so it stays as it is.
_STEERING = {"urgency", "lang", "notice_color", "status_color"}
_DATA = re.compile(r"«[^«»]*»")
_PSEUDO = re.compile(f"{i18n.PSEUDO_OPEN}[^{i18n.PSEUDO_OPEN}{i18n.PSEUDO_CLOSE}]*{i18n.PSEUDO_CLOSE}")
# Cards with an optional language note (the "shown in English" line others pass in).
_WITH_LANGUAGE_NOTE = {"faq-answer", "announcement", "schedule"}
# Enough to cut every list a card caps (so its "and N more" line shows), one (the singular) and none.
_SIZES = (0, 1, 45)


def _marked(value: Any, key: str | None = None) -> Any:
    """``value`` with every string in it marked as data: «like this»."""
    if isinstance(value, str):
        return value if key in _STEERING else f"«{value}»"
    if isinstance(value, dict):
        return {k: _marked(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_marked(v) for v in value)
    return value


def sample(template: str, n: int) -> dict[str, Any]:
    """A view of ``template`` with every data value marked and ``n`` items in every list."""
    assert template in VIEWS, f"card template {template!r} has no sample view in tests/cards/views.py"
    view = _marked(VIEWS[template]("data", n))
    if template in _WITH_LANGUAGE_NOTE:
        view["language_note"] = "«note»"
    return view


def untranslated(text: str) -> str:
    """What is left of ``text`` once its data and pseudo-translated parts are taken out, if any of
    it is a letter (or anything but digits, punctuation, symbols and spaces); else ""."""
    rest = _PSEUDO.sub(" ", _DATA.sub(" ", text))
    if any(unicodedata.category(c)[0] not in "NPSZ" and c not in "\n\t" for c in rest):
        return rest.strip()
    return ""


_SHOWN_KEYS = {"text", "title", "label", "placeholder", "errorMessage", "altText", "fallbackText"}


def shown_texts(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (where, text) a reader sees on a card. Action data is sent back to the bot, not shown."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from shown_texts(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}"
            if key == "data":
                continue
            if isinstance(value, str) and (
                key in _SHOWN_KEYS
                or (key == "value" and ".facts[" in path)  # a fact's value
                or (key == "value" and node.get("type") == "Input.Text")  # text filled in for the reader
            ):
                yield where, value
            else:
                yield from shown_texts(value, where)


def stray_words(card: dict[str, Any]) -> list[tuple[str, str]]:
    return [(where, text) for where, text in shown_texts(card) if untranslated(text)]


@pytest.mark.parametrize("template", template_names())
@pytest.mark.parametrize("n", _SIZES)
def test_every_card_shows_only_translated_words_and_data(template: str, n: int) -> None:
    with i18n.use(i18n.PSEUDO):
        card = render_card(template, **sample(template, n))
    texts = list(shown_texts(card))
    assert texts, f"{template}: no visible text found (the walk missed the card)"
    assert stray_words(card) == [], f"{template} shows words that never went through a catalog"


@pytest.mark.parametrize("urgency", ["important", "urgent"])
def test_the_urgency_line_is_translated(urgency: str) -> None:
    with i18n.use(i18n.PSEUDO):
        card = render_card("freeform", **{**sample("freeform", 1), "urgency": urgency})
        html = render_email("freeform", **{**_marked(email_view("freeform", "data")), "urgency": urgency})
    assert card["body"][0]["text"] == i18n.pseudo(urgency.upper())
    assert i18n.pseudo(urgency.upper()) in html


def test_every_card_template_has_a_sample() -> None:
    assert sorted(VIEWS) == template_names()


def test_the_walk_reaches_every_kind_of_visible_text() -> None:
    # The check is only as good as the walk: a card with all of its kinds of text is walked whole.
    with i18n.use(i18n.PSEUDO):
        card = render_card("problem-owner", **sample("problem-owner", 45))
    wheres = {re.sub(r"\[\d+\]", "[]", where) for where, _ in shown_texts(card)}
    assert {
        ".body[].text",
        ".body[].facts[].title",
        ".body[].facts[].value",
        ".body[].altText",
        ".actions[].title",
        ".actions[].card.body[].label",
        ".actions[].card.body[].errorMessage",
        ".actions[].card.body[].choices[].title",
        ".actions[].card.actions[].title",
    } <= wheres


def test_a_word_left_outside_the_catalogs_is_caught() -> None:
    # The same environment and walk as the cards: one word wrapped, one not.
    template = _environment().from_string(
        '{"type": "AdaptiveCard", "version": "1.5", "body": ['
        '{"type": "TextBlock", "text": {{ _("Service Desk: %(phone)s", phone=phone)|tojson }}},'
        '{"type": "TextBlock", "text": {{ (n ~ " more")|tojson }}}],'
        '"actions": [{"type": "Action.Submit", "title": "Send", "data": {"verb": "send"}}]}'
    )
    with i18n.use(i18n.PSEUDO):
        card = orjson.loads(template.render(phone="«555»", n=3))
    assert stray_words(card) == [(".body[1].text", "3 more"), (".actions[0].title", "Send")]


@pytest.mark.parametrize("template", ["problem-owner", "reschedule", "faq-answer"])
def test_in_english_the_templates_own_words_would_be_caught(template: str) -> None:
    # Not in the pseudo-locale, every word a template writes itself is plain: the check sees them.
    card = render_card(template, **sample(template, 45))
    assert stray_words(card)


def test_the_language_note_is_a_small_subtle_last_line() -> None:
    for template in sorted(_WITH_LANGUAGE_NOTE):
        view = sample(template, 2)
        last = render_card(template, **view)["body"][-1]
        assert last == {
            "type": "TextBlock",
            "text": "«note»",
            "wrap": True,
            "isSubtle": True,
            "size": "Small",
            "spacing": "Medium",
        }, template
        del view["language_note"]
        assert "«note»" not in orjson.dumps(render_card(template, **view)).decode(), template


# -- e-mail --


class _ShownHtml(HTMLParser):
    """The text of an HTML document a reader sees or hears: text (not styles), titles, labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        self.texts.extend(v for k, v in attrs if k in ("alt", "title", "aria-label", "placeholder") and v)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style and data.strip():
            self.texts.append(data.strip())


def shown_html(html: str) -> list[str]:
    parser = _ShownHtml()
    parser.feed(html)
    return parser.texts


@pytest.mark.parametrize("template", email_templates())
def test_every_email_shows_only_translated_words_and_data(template: str) -> None:
    view = _marked(email_view(template, "data"))
    if template == "announcement":
        view["language_note"] = "«note»"
    if template == "freeform":
        view["body"] = "«data»\n\n«data»"  # shown as paragraphs, each marked
    with i18n.use(i18n.PSEUDO):
        texts = shown_html(render_email(template, **view))
    assert texts
    assert [t for t in texts if untranslated(t)] == []


def test_a_word_left_outside_the_catalogs_of_an_email_is_caught() -> None:
    view = _marked(email_view("reschedule", "data"))
    assert [t for t in shown_html(render_email("reschedule", **view)) if untranslated(t)][:3] == [
        "Your move to Microsoft 365 has a new date",
        "Was",
        "Now",
    ]


# -- a wave's title, as the domain writes it --
#
# The samples above hand every title in as data; a wave's title is not all data: "Wave 3 - " is the
# bot's words and only the name is the plan's. So the cards that show one are rendered here from a
# plan (its wave names marked as data) by the code that writes them for a reader.

_WAVE_WORD = re.compile(r"\bWave\b")
_TITLE = re.compile(f"{i18n.PSEUDO_OPEN}[^{i18n.PSEUDO_CLOSE}]*«Corporate»[^{i18n.PSEUDO_CLOSE}]*{i18n.PSEUDO_CLOSE}")


def _wave_cards() -> Iterator[tuple[str, dict[str, Any]]]:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from switchover.announcements.calendar import WaveDates
    from switchover.announcements.model import Announcement, AnnouncementStatus, Audience, Content
    from switchover.announcements.views import render_announcement
    from switchover.answers.cards import answer_card
    from switchover.answers.model import Answer, AnswerKind
    from switchover.answers.schedule import ReaderZone, wave_schedule
    from switchover.answers.understanding import Intent
    from switchover.plan.loader import load_plan
    from tests.switchover.plan.conftest import EXAMPLE

    plan = load_plan(EXAMPLE / "plan.yaml")
    plan = plan.model_copy(update={"waves": tuple(w.model_copy(update={"name": f"«{w.name}»"}) for w in plan.waves)})
    wave = plan.waves[1]
    zone = ZoneInfo("America/Los_Angeles")
    now = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
    schedule = wave_schedule(plan, wave, ReaderZone(zone, True), now)
    yield "schedule", answer_card(Answer(AnswerKind.PERSONAL, Intent.MY_SCHEDULE, "«q»", "«h»", schedule=schedule))
    dates = WaveDates(wave.cutover.start, wave.cutover.end)
    for kind, calendar_key, previous in (
        ("calendar", plan.calendar[0].key, None),
        ("reschedule", None, (wave.cutover.start - dt.timedelta(days=7), wave.cutover.end - dt.timedelta(days=7))),
    ):
        announcement = Announcement(
            id=f"{wave.key}/x",
            tenant_id="t",
            kind=kind,
            wave_key=wave.key,
            calendar_key=calendar_key,
            title="«title»",
            content=Content(summary="«summary»", previous_cutover=previous),
            audience=Audience(kind="wave", values=(wave.key,)),
            send_at=now,
            status=AnnouncementStatus.SENT,
            created_by=None,
            created_at=now,
            started_at=now,
        )
        yield kind, render_announcement(plan, announcement, zone=zone, dates=dates)


def _untranslated_wave(card: dict[str, Any]) -> list[str]:
    """Each visible text that shows the word "Wave" outside the catalogs' words."""
    return [text for _where, text in shown_texts(card) if _WAVE_WORD.search(_PSEUDO.sub(" ", _DATA.sub(" ", text)))]


def test_a_waves_title_on_a_card_is_in_the_readers_words_and_the_plans_name() -> None:
    with i18n.use(i18n.PSEUDO):
        cards = list(_wave_cards())
    assert [name for name, _card in cards] == ["schedule", "calendar", "reschedule"]
    for name, card in cards:
        # The title is on the card: the plan's name inside the bot's (pseudo-translated) words.
        assert any(_TITLE.search(text) for _where, text in shown_texts(card)), name
        assert _untranslated_wave(card) == [], f"{name}: a wave's title left outside the catalogs"


def test_a_wave_title_written_outside_the_catalogs_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from switchover.plan.model import Wave

    monkeypatch.setattr(Wave, "title", Wave.plan_title)  # "Wave 1 - ..." as the plan writes it
    with i18n.use(i18n.PSEUDO):
        cards = list(_wave_cards())
    for name, card in cards:
        assert _untranslated_wave(card), name
