"""The plan's own words in the reader's language: an FAQ entry, a calendar message, an area's name and an
exception's reason as a reader of language ``lang`` sees them.

A plan is written in ``organisation.language``; each of those parts may carry ``translations`` by
language code (see "Languages" in docs/plan-format.md). A reader gets their language when the plan has
it and the plan's language otherwise (``fell_back``, which a card says discreetly). A calendar message
translated only in part reads the rest in the plan's language, and says so too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from switchover import i18n
from switchover.i18n import gettext as _
from switchover.plan.model import Area, CalendarMessage, CardButton, FaqEntry, Plan, WaveException

__all__ = [
    "LanguageReport",
    "LocalisedFaq",
    "LocalisedMessage",
    "area_name",
    "describe_missing",
    "exception_reason",
    "fallback_note",
    "faq_in",
    "language_name",
    "language_reports",
    "message_in",
    "missing_translations",
    "plan_languages",
    "wave_mismatches",
]


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
    code = i18n.primary(lang)
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
    code = i18n.primary(lang)
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
    # Points and button titles are taken one for one; a wave's own entry may have more or fewer than
    # the translation (the plan's checks keep the plan's own entries in step), so those read the plan's.
    points_fit = t.points is not None and len(t.points) == len(message.points)
    buttons_fit = t.buttons is not None and len(t.buttons) == len(message.buttons)
    complete = (
        t.title is not None
        and (t.summary is not None or not message.summary)
        and (points_fit or not message.points)
        and (buttons_fit or not message.buttons)
    )
    points = t.points if points_fit and t.points is not None else message.points
    buttons = message.buttons
    if buttons_fit and t.buttons is not None:
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
    t = area.translations.get(i18n.primary(lang))
    return t.name if t is not None else area.name


def exception_reason(exception: WaveException, lang: str | None, plan_language: str = "en") -> str:
    """The reason shown to a person whose wave is an exception, in ``lang`` when the plan has it."""
    t = exception.translations.get(i18n.primary(lang))
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
    for wave in plan.waves:
        found.update(wave.translations)
    lang = plan.organisation.language
    return (lang, *sorted(found - {lang}))


def _messages(plan: Plan) -> list[CalendarMessage]:
    return list(plan.calendar)


def missing_translations(plan: Plan, lang: str) -> list[str]:
    """What the plan does not translate into ``lang``, each as where it is (``faq[wifi].answer``)."""
    code = i18n.primary(lang)
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
    for wave in plan.waves:
        if code not in wave.translations:
            missing.append(f"waves[{wave.key}].name")
    return missing


# -- what a plan leaves untranslated, and who reads it anyway (``switchover plan check``) --

# What each place in missing_translations() names, in the singular and plural, in report order.
_KINDS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^faq\[[^\]]*\]$"), "FAQ entry", "FAQ entries"),
    (re.compile(r"^calendar\[[^\]]*\]$"), "calendar message", "calendar messages"),
    (re.compile(r"^calendar\[[^\]]*\]\.title$"), "calendar message's title", "calendar messages' titles"),
    (re.compile(r"^calendar\[[^\]]*\]\.summary$"), "calendar message's summary", "calendar messages' summaries"),
    (re.compile(r"^calendar\[[^\]]*\]\.points$"), "calendar message's points", "calendar messages' points"),
    (re.compile(r"^calendar\[[^\]]*\]\.buttons$"), "calendar message's buttons", "calendar messages' buttons"),
    (re.compile(r"^areas\[[^\]]*\]$"), "area name", "area names"),
    (re.compile(r"^exceptions\[[^\]]*\]\.reason$"), "exception reason", "exception reasons"),
    (re.compile(r"^waves\[[^\]]*\]\.name$"), "wave name", "wave names"),
)


def describe_missing(missing: Iterable[str]) -> str:
    """What :func:`missing_translations` lists, counted by kind: ``2 FAQ entries, 1 calendar message's points``."""
    counts: Counter[int] = Counter()
    other = 0
    for where in missing:
        kind = next((i for i, (pattern, _one, _many) in enumerate(_KINDS) if pattern.match(where)), None)
        if kind is None:
            other += 1
        else:
            counts[kind] += 1
    parts = [f"{counts[i]} {one if counts[i] == 1 else many}" for i, (_p, one, many) in enumerate(_KINDS) if counts[i]]
    if other:
        parts.append(f"{other} other part{'s' if other != 1 else ''}")
    return ", ".join(parts)


def language_name(code: str, in_language: str = "en") -> str:
    """``code``'s name as a reader of ``in_language`` writes it (``es`` in English: Spanish; in Polish:
    hiszpański); the code itself for a language Babel does not know."""
    try:
        name = Locale.parse(code).get_display_name(Locale.parse(in_language))
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name or code


@dataclass(frozen=True, slots=True)
class LanguageReport:
    """One language other than the plan's, as ``switchover plan check`` reports it.

    Attributes:
        language: the language code (``es``).
        missing: where the plan lacks it (:func:`missing_translations`).
        in_plan: the plan has some translation in it.
        bot_speaks: the bot's own words are translated into it (:data:`switchover.i18n.SUPPORTED`).
        readers: how many people are known to read it (directory or Teams).
    """

    language: str
    missing: tuple[str, ...]
    in_plan: bool
    bot_speaks: bool
    readers: int = 0

    @property
    def complete(self) -> bool:
        return self.in_plan and not self.missing

    def warnings(self, plan_language: str) -> list[str]:
        """What a lead should act on: the gaps of a language the plan has started, people who will fall back."""
        out = []
        if self.in_plan and self.missing:
            out.append(f"{self.language}: {describe_missing(self.missing)} missing: {', '.join(self.missing)}")
        if self.readers and (self.missing or not self.in_plan):
            people = f"{self.readers} {'person reads' if self.readers == 1 else 'people read'}"
            name, fallback = language_name(self.language), language_name(plan_language)
            if not self.in_plan:
                what = "the whole plan" + (
                    "" if self.bot_speaks else f", and the bot's own words are in {fallback} too"
                )
            else:
                what = describe_missing(self.missing)
            out.append(f"{people} {name} and will get {fallback} for: {what}")
        return out


def language_reports(plan: Plan, readers: Iterable[str | None] = ()) -> list[LanguageReport]:
    """Every language other than the plan's that the plan has, the bot speaks, or someone reads.

    ``readers``: each known person's language tag (``es-MX``; None or empty when unknown), one per person.
    Ordered: the plan's translations, then the bot's other languages, then the rest by readers (most first).
    """
    own = plan.organisation.language
    counts = Counter(code for code in map(i18n.primary, readers) if code and code != own)
    in_plan = list(plan_languages(plan)[1:])
    bot = [lang for lang in i18n.SUPPORTED if lang != own and lang not in in_plan]
    rest = [lang for lang, _n in counts.most_common() if lang not in in_plan and lang not in bot]
    return [
        LanguageReport(
            language=lang,
            missing=tuple(missing_translations(plan, lang)),
            in_plan=lang in in_plan,
            bot_speaks=lang in i18n.SUPPORTED,
            readers=counts[lang],
        )
        for lang in (*in_plan, *bot, *rest)
    ]


def wave_mismatches(plan: Plan) -> list[str]:
    """A wave's own version of a calendar entry whose points or buttons no longer match a translation's
    count: that wave's readers of the language get those points (or button titles) in the plan's language."""
    out = []
    own = plan.organisation.language
    for wave in plan.waves:
        if not wave.calendar:
            continue
        for message in plan.calendar_for(wave):
            for lang, t in message.translations.items():
                for part, given, has in (("points", t.points, message.points), ("buttons", t.buttons, message.buttons)):
                    if given is not None and len(given) != len(has):
                        out.append(
                            f"{wave.key}/{message.key}: this wave's {part} are {len(has)}, the {lang} translation's "
                            f"{len(given)}: its readers of {language_name(lang)} get them in {language_name(own)}"
                        )
    return out


# -- the note a reader sees when the plan's words are not in their language --


def fallback_note(shown_in: str) -> str | None:
    """A short line in the reader's language (:func:`switchover.i18n.current`) saying that the plan's
    words shown are in ``shown_in`` because the plan has no translation in theirs: "Shown in English:
    not yet translated into Spanish." None when the words are in the reader's language."""
    reader = i18n.current()
    shown = i18n.primary(shown_in)
    if not shown or shown == reader.code:
        return None
    # The pseudo-locale (catalog checks) names languages in English and itself by its tag.
    names_in = "en" if reader.code == i18n.PSEUDO else reader.code
    return _("Shown in {shown}: not yet translated into {reader}.").format(
        shown=language_name(shown, names_in), reader=language_name(reader.code, names_in)
    )
