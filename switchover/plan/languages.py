"""The plan's own words in the reader's language: an FAQ entry, a calendar message, an area's name and an
exception's reason as a reader of language ``lang`` sees them.

A plan is written in ``organisation.language``; each of those parts may carry ``translations`` by
language code (see "Languages" in docs/plan-format.md). A reader gets their language when the plan has
it and the plan's language otherwise (``fell_back``, which a card says discreetly). A calendar message
translated only in part reads the rest in the plan's language, and says so too.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchover.plan.model import Area, CalendarMessage, CardButton, FaqEntry, Plan, WaveException

__all__ = [
    "LocalisedFaq",
    "LocalisedMessage",
    "area_name",
    "exception_reason",
    "faq_in",
    "message_in",
    "missing_translations",
    "plan_languages",
]


def _code(lang: str | None) -> str:
    return (lang or "").split("-")[0].split("_")[0].lower()


@dataclass(frozen=True, slots=True)
class LocalisedFaq:
    """An FAQ entry as its reader sees it."""

    key: str
    question: str
    answer: str
    alternates: tuple[str, ...]
    language: str  # the language of the words above
    fell_back: bool  # the reader's language was asked for and the plan has no translation in it


def faq_in(entry: FaqEntry, lang: str | None, plan_language: str = "en") -> LocalisedFaq:
    """``entry`` in ``lang`` when the plan translates it, else in the plan's language."""
    code = _code(lang)
    t = entry.translations.get(code) if code and code != plan_language else None
    if t is not None:
        return LocalisedFaq(entry.key, t.question, t.answer, t.alternates, code, False)
    return LocalisedFaq(
        entry.key, entry.question, entry.answer, entry.alternates, plan_language, bool(code) and code != plan_language
    )


@dataclass(frozen=True, slots=True)
class LocalisedMessage:
    """A calendar message's words as its reader sees them."""

    key: str
    title: str
    summary: str
    points: tuple[str, ...]
    buttons: tuple[CardButton, ...]
    language: str  # the language of most of the words (the reader's when any translation is used)
    fell_back: bool  # some or all of the words are in the plan's language, not the reader's


def message_in(message: CalendarMessage, lang: str | None, plan_language: str = "en") -> LocalisedMessage:
    """``message`` in ``lang``: each translated part in it, the rest in the plan's language."""
    code = _code(lang)
    t = message.translations.get(code) if code and code != plan_language else None
    if t is None:
        return LocalisedMessage(
            message.key,
            message.title,
            message.summary,
            message.points,
            message.buttons,
            plan_language,
            bool(code) and code != plan_language,
        )
    complete = (
        t.title is not None
        and (t.summary is not None or not message.summary)
        and (t.points is not None or not message.points)
        and (t.buttons is not None or not message.buttons)
    )
    points = t.points if t.points is not None and len(t.points) == len(message.points) else message.points
    buttons = message.buttons
    if t.buttons is not None and len(t.buttons) == len(message.buttons):
        buttons = tuple(
            b.model_copy(update={"title": title}) for b, title in zip(message.buttons, t.buttons, strict=True)
        )
    return LocalisedMessage(
        message.key,
        t.title if t.title is not None else message.title,
        t.summary if t.summary is not None else message.summary,
        points,
        buttons,
        code,
        not complete,
    )


def area_name(area: Area, lang: str | None, plan_language: str = "en") -> str:
    """The area's name in ``lang`` when the plan has it, else as the plan writes it."""
    t = area.translations.get(_code(lang))
    return t.name if t is not None else area.name


def exception_reason(exception: WaveException, lang: str | None, plan_language: str = "en") -> str:
    """The reason shown to a person whose wave is an exception, in ``lang`` when the plan has it."""
    t = exception.translations.get(_code(lang))
    return t.reason if t is not None else exception.reason


def plan_languages(plan: Plan) -> tuple[str, ...]:
    """The plan's language first, then every language it has any translation in, sorted."""
    found: set[str] = set()
    for entry in plan.faq:
        found.update(entry.translations)
    for message in _messages(plan):
        found.update(message.translations)
    for area in plan.areas:
        found.update(area.translations)
    for exception in plan.exceptions:
        found.update(exception.translations)
    lang = plan.organisation.language
    return (lang, *sorted(found - {lang}))


def _messages(plan: Plan) -> list[CalendarMessage]:
    return list(plan.calendar)


def missing_translations(plan: Plan, lang: str) -> list[str]:
    """What the plan does not translate into ``lang``, each as where it is (``faq[wifi].answer``)."""
    code = _code(lang)
    if code == plan.organisation.language:
        return []
    missing: list[str] = []
    for entry in plan.faq:
        if code not in entry.translations:
            missing.append(f"faq[{entry.key}]")
    for message in _messages(plan):
        t = message.translations.get(code)
        if t is None:
            missing.append(f"calendar[{message.key}]")
            continue
        for part, present, needed in (
            ("title", t.title is not None, True),
            ("summary", t.summary is not None, bool(message.summary)),
            ("points", t.points is not None and len(t.points) == len(message.points), bool(message.points)),
            ("buttons", t.buttons is not None and len(t.buttons) == len(message.buttons), bool(message.buttons)),
        ):
            if needed and not present:
                missing.append(f"calendar[{message.key}].{part}")
    for area in plan.areas:
        if code not in area.translations:
            missing.append(f"areas[{area.key}]")
    for exception in plan.exceptions:
        if exception.reason and code not in exception.translations:
            missing.append(f"exceptions[{exception.user}].reason")
    return missing
