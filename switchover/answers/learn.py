"""The FAQ learns from the people who use it: phrasings picked from suggestions, offered as alternates.

When the engine is unsure it shows the two or three closest questions; the one the asker picks says
what they meant, in their own words (``answers_picks``, :meth:`AnswerStore.picks`). ``switchover faq
learn`` runs each picked phrasing through the engine on the plan as it is now and offers, per entry,
those it would still not answer with that entry, as a YAML fragment the lead pastes into the plan:
a phrasing in the plan's language under the entry's ``alternates:``, one in another language under
``translations: <lang>: alternates:``. Nothing is added to the plan without the lead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from switchover import i18n
from switchover.answers.engine import AnswerEngine
from switchover.answers.model import AnswerKind, Who
from switchover.answers.store import PickSummary
from switchover.answers.text import fold
from switchover.plan.model import FaqEntry, Plan
from switchover.plan.reader import ReadContext, read_yaml


@dataclass(frozen=True, slots=True)
class Phrasing:
    """One way people asked for an entry, and how often they picked it."""

    question: str
    language: str
    count: int
    last_picked: str  # YYYY-MM-DD (UTC)


@dataclass(slots=True)
class EntryOffer:
    """The phrasings offered for one FAQ entry: in the plan's language and per other language."""

    key: str
    line: int | None
    alternates: list[Phrasing] = field(default_factory=list)
    translations: dict[str, list[Phrasing]] = field(default_factory=dict)
    untranslated: set[str] = field(default_factory=set)  # languages the entry has no translation into yet

    @property
    def count(self) -> int:
        return sum(p.count for p in self.alternates) + sum(p.count for ps in self.translations.values() for p in ps)


@dataclass(slots=True)
class Learned:
    """What ``faq learn`` found: the offers, and the picks it left out (and why), for the lead."""

    offers: list[EntryOffer]
    answered: int = 0  # picked phrasings the engine now answers with their entry
    listed: int = 0  # already among the entry's phrasings in that language
    gone: list[str] = field(default_factory=list)  # picked entries the plan no longer has


def faq_lines(text: str, source: str = "<plan>") -> dict[str, int]:
    """Each FAQ entry's line in the plan file (1-based), by key: where its alternates are pasted."""
    ctx = ReadContext(source)
    data = read_yaml(text, ctx)
    lines: dict[str, int] = {}
    for i, entry in enumerate(data.get("faq") or ()):
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            mark = ctx.mark_for(("faq", i, "key")) or ctx.mark_for(("faq", i))
            if mark is not None:
                lines.setdefault(entry["key"], mark.line + 1)
    return lines


def _known(entry: FaqEntry, language: str, plan_language: str) -> set[str]:
    """The entry's phrasings (folded) in ``language``: what it already says that way."""
    if language == plan_language:
        return {fold(q) for q in (entry.question, *entry.alternates)}
    said = entry.translations.get(language)
    return {fold(q) for q in (said.question, *said.alternates)} if said else set()


async def learn(engine: AnswerEngine, picks: Iterable[PickSummary], lines: dict[str, int] | None = None) -> Learned:
    """The picked phrasings the engine still would not answer with the entry picked, per entry.

    Args:
        engine: the engine on the plan as it is now (the plan the lead edits).
        picks: phrasings picked from suggestions (grouped by entry, as :meth:`AnswerStore.picks` gives them).
        lines: each entry's line in the plan file (:func:`faq_lines`), for the lead to find it.
    """
    plan: Plan = await engine.plan_as_it_stands()
    own = plan.organisation.language
    entries = {e.key: e for e in plan.faq}
    learned = Learned(offers=[])
    offers: dict[str, EntryOffer] = {}
    for pick in picks:
        entry = entries.get(pick.faq_key)
        if entry is None:
            if pick.faq_key not in learned.gone:
                learned.gone.append(pick.faq_key)
            continue
        # A tester's pseudo-locale reads the plan's own words.
        language = own if pick.language == i18n.PSEUDO else i18n.primary(pick.language) or own
        if fold(pick.question) in _known(entry, language, own):
            learned.listed += 1
            continue
        with i18n.use(language):
            answer = await engine.answer(pick.question, Who())
        if answer.kind is AnswerKind.FAQ and answer.faq is not None and answer.faq.key == entry.key:
            learned.answered += 1
            continue
        offer = offers.get(entry.key)
        if offer is None:
            offer = offers[entry.key] = EntryOffer(entry.key, (lines or {}).get(entry.key))
            learned.offers.append(offer)
        phrasing = Phrasing(" ".join(pick.question.split()), language, pick.count, f"{pick.last_picked:%Y-%m-%d}")
        if language == own:
            offer.alternates.append(phrasing)
        else:
            offer.translations.setdefault(language, []).append(phrasing)
            if language not in entry.translations:
                offer.untranslated.add(language)
    return learned


def _quoted(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: safe whatever the asker typed (colons, #, quotes).
    return json.dumps(text, ensure_ascii=False)


def _items(phrasings: Sequence[Phrasing], indent: str) -> list[str]:
    out = []
    for p in phrasings:
        times = "once" if p.count == 1 else f"{p.count} times"
        out.append(f"{indent}- {_quoted(p.question)}  # picked {times}, last {p.last_picked}")
    return out


def as_yaml(learned: Learned, source: str) -> str:
    """The offers as a YAML fragment: one ``faq:`` item per entry, with only the phrasings to add."""
    lines = [
        f"# Phrasings people picked from suggestions, to add to the entries in {source}",
        "# (paste each under the entry's own alternates; none of them is answered with its entry yet):",
        "faq:",
    ]
    for offer in learned.offers:
        where = f"line {offer.line}" if offer.line else "line unknown"
        lines.append(f"  # {offer.key}: {source} {where}")
        lines.append(f"  - key: {_quoted(offer.key)}")
        if offer.alternates:
            lines.append("    alternates:")
            lines += _items(offer.alternates, "      ")
        if offer.translations:
            lines.append("    translations:")
            for language in sorted(offer.translations):
                lines.append(f"      {language}:")
                if language in offer.untranslated:
                    lines.append(
                        f"        # no {language} translation of the entry yet: write its question: and answer: here"
                    )
                lines.append("        alternates:")
                lines += _items(offer.translations[language], "          ")
    return "\n".join(lines) + "\n"
