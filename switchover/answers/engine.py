"""The answer engine: a question and who asked it in, a typed answer out (nothing rendered here).

``AnswerEngine(plan, directory, clock).answer("when is my move", asker)``
identifies the asker in the directory, reads the question (intent + slots),
and builds an :class:`Answer`: a personal schedule, other groups' schedules,
what is on in a date range, an FAQ answer, an FAQ entry as a best match, FAQ suggestions, or an honest
"I don't know" with the Service Desk. Cards are rendered by the bot edge.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from switchover import i18n
from switchover.answers.desk import desk_line, is_about_desk
from switchover.answers.faq import FaqIndex, FaqThresholds, FaqVerdict
from switchover.answers.lang import LANGUAGES, gloss_for
from switchover.answers.model import Answer, AnswerKind, Event, GroupSchedule, Person, Who
from switchover.answers.schedule import (
    ReaderZone,
    WaveSchedule,
    capitalised,
    humanise_days,
    range_words,
    read_only_moments,
    wave_schedule,
)
from switchover.answers.text import fold, words
from switchover.answers.understanding import (
    GENERIC_GROUP_WORDS,
    Facet,
    Intent,
    Understander,
    Understanding,
    Vocabulary,
)
from switchover.clock import Clock
from switchover.directory.base import Directory, DirectoryUser
from switchover.i18n import gettext as _
from switchover.membership import AssignmentReason, WaveAssignment, resolve_wave
from switchover.plan.current import CurrentPlan
from switchover.plan.desks import Desk, desk_for
from switchover.plan.languages import exception_reason, faq_in, plan_languages
from switchover.plan.model import FaqEntry, Plan, Wave
from switchover.timefmt import format_day, format_short_day, format_time, format_window

if TYPE_CHECKING:
    from switchover.readiness.service import ReadinessService

log = logging.getLogger(__name__)

# After "Not helpful": the other entries offered, at most (each must score the suggestion threshold).
MAX_OTHER_ANSWERS = 3


@dataclass
class _Groups:
    """Who is where, from the directory: counts of each wave by office, city and department."""

    by_site: dict[str, Counter[str]]
    by_department: dict[str, Counter[str]]
    offices: set[str]
    cities: set[str]
    departments: set[str]
    by_country: dict[str, Counter[str]] = field(default_factory=dict)  # casefolded English name -> waves
    # Per department, the waves its people are in by the plan's rules (champions and exceptions aside).
    by_department_rule: dict[str, Counter[str]] = field(default_factory=dict)
    # Per (site or country, department), both casefolded: the waves of the people of that department there.
    by_place_department: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    countries: set[str] = field(default_factory=set)  # as the directory writes them (names and ISO codes)


class AnswerEngine:
    """Answers migration questions for one plan.

    Args:
        plan: the plan as it stands (:class:`CurrentPlan`: a lead's moves and applied revisions
            are answered with their next question); a plain ``Plan`` stays as given.
        directory: where askers and groups are looked up.
        clock: the source of "now".
        thresholds: FAQ decision thresholds (defaults are the calibrated ones).
        readiness: tells a personal answer what the asker must still do before cutover
            (from the last directory sync); None leaves readiness out.
    """

    def __init__(
        self,
        plan: Plan | CurrentPlan,
        directory: Directory,
        clock: Clock,
        *,
        thresholds: FaqThresholds | None = None,
        readiness: ReadinessService | None = None,
    ) -> None:
        self.current = CurrentPlan.of(plan)
        self.plan = self.current.plan
        self.directory = directory
        self.clock = clock
        self.readiness = readiness
        self._thresholds = thresholds
        self._ready_lock = asyncio.Lock()
        self._groups: _Groups | None = None
        self._built_for: Plan | None = None
        self.understander: Understander | None = None
        self.faq: FaqIndex | None = None
        # Per reader's language other than the plan's: its understander and FAQ index (see answers.lang).
        self._readers: dict[str, tuple[Understander, FaqIndex]] = {}

    async def plan_as_it_stands(self) -> Plan:
        """The plan as it stands (a lead's moves and the applied revision): what answers are given from."""
        await self._follow_plan()
        return self.plan

    async def _follow_plan(self) -> None:
        """Answer from the plan as it stands; its vocabularies and FAQ index are rebuilt when it changed."""
        plan = await self.current.refresh()
        if plan is not self._built_for:
            await self.prepare()

    async def prepare(self) -> None:
        """Build vocabularies and the FAQ index for the plan as it stands (again only when it changed)."""
        if self.understander is not None and self._built_for is self.current.plan:
            return
        async with self._ready_lock:
            plan = self.current.plan
            if self.understander is not None and self._built_for is plan:
                return
            users = await self.directory.all_users()
            groups = _collect_groups(plan, users)
            # Index building is CPU work; it is small (milliseconds) but keep the loop free anyway.
            self.understander, self.faq, self._readers = await asyncio.to_thread(self._build_all, plan, groups)
            self._groups = groups
            self.plan = self._built_for = plan

    def _build_all(
        self, plan: Plan, groups: _Groups
    ) -> tuple[Understander, FaqIndex, dict[str, tuple[Understander, FaqIndex]]]:
        """The plan language's understander and FAQ index, and one of each per other language the
        plan's FAQ is translated into or whose question words ``answers.lang`` has."""
        understander, faq = self._build(plan, groups)
        readers = {}
        for lang in sorted({*plan_languages(plan), *LANGUAGES} - {plan.organisation.language}):
            readers[lang] = self._build_reader(plan, understander, lang)
        return understander, faq, readers

    def _build_reader(self, plan: Plan, understander: Understander, lang: str) -> tuple[Understander, FaqIndex]:
        """Reading questions in ``lang``: its question words, and the FAQ in its wording and the plan's."""
        gloss = gloss_for(lang) or (lambda text: text)
        entries = []
        for entry in plan.faq:
            t = entry.translations.get(lang)
            if t is None:
                entries.append(entry)
                continue
            said = tuple(gloss(x) for x in (t.question, *t.alternates))
            entries.append(
                entry.model_copy(
                    update={"alternates": (*entry.alternates, *said), "answer": f"{entry.answer}\n{gloss(t.answer)}"}
                )
            )
        faq_words = understander.speller.known | {
            w for entry in entries for text in (entry.answer, *entry.alternates) for w in words(text)
        }
        reader = Understander(plan, understander.vocabulary, extra_words=faq_words, gloss=gloss_for(lang))
        return reader, FaqIndex(entries, reader.tokens, self._thresholds, names=_legacy_names(plan))

    def reader(self, lang: str | None) -> tuple[Understander, FaqIndex]:
        """The understander and FAQ index for questions in ``lang`` (a language code; None: the plan's)."""
        assert self.understander is not None and self.faq is not None
        return self._readers.get(i18n.primary(lang), (self.understander, self.faq))

    def faq_index(self, lang: str | None) -> FaqIndex:
        """The FAQ index questions in ``lang`` are matched against."""
        return self.reader(lang)[1]

    def _build(self, plan: Plan, groups: _Groups) -> tuple[Understander, FaqIndex]:
        vocabulary = Vocabulary.from_plan(
            plan,
            offices=groups.offices | groups.cities,
            departments=groups.departments,
            countries=groups.countries,
        )
        # The FAQ's own words (folded, not repaired) join the typo-repair vocabulary.
        faq_words = {
            w
            for entry in plan.faq
            for text in (entry.question, entry.answer, *entry.alternates, *entry.topics)
            for w in words(text)
        }
        understander = Understander(plan, vocabulary, extra_words=faq_words)
        return understander, FaqIndex(plan.faq, understander.tokens, self._thresholds, names=_legacy_names(plan))

    # -- who is asking ---------------------------------------------------------

    async def find(self, who: Who) -> DirectoryUser | None:
        """The asker in the directory: by Entra object id, then UPN/email."""
        user = None
        if who.aad_object_id:
            user = await self.directory.get(who.aad_object_id)
        if user is None and who.upn:
            user = await self.directory.get(who.upn)
        return user

    # -- answering -------------------------------------------------------------

    async def answer(self, question: str, who: Who, *, user: DirectoryUser | None | bool = False) -> Answer:
        """Answer ``question`` for ``who``.

        Args:
            question: the text as typed (mentions already removed).
            who: the asker.
            user: the asker's directory entry if the caller already looked it up (None = not found);
                left out, the engine looks it up.
        """
        await self._follow_plan()
        assert self.understander is not None and self.faq is not None
        now = self.clock.now()
        reader = ReaderZone.choose(who.time_zone, self.plan)
        today = now.astimezone(reader.zone).date()
        understander = self.reader(i18n.current().code)[0]
        understood = understander.read(question, today=today)
        desk, user = await self._desk(who, user)
        phone = desk.phone
        base: dict[str, Any] = {"question": question, "intent": understood.intent, "service_desk_phone": phone}
        log.debug("answers.understood", extra={"intent": understood.intent.value, "facet": understood.facet.value})

        if understood.intent is Intent.MY_SCHEDULE:
            found = await self.find(who) if user is False else user
            answer = self._personal(understood, found, reader, now, base)  # type: ignore[arg-type]
            return await self._with_readiness(answer, found)  # type: ignore[arg-type]
        if understood.intent is Intent.GROUP_SCHEDULE:
            return self._group(understood, reader, now, base)
        if understood.intent is Intent.WHATS_ON:
            return self._whats_on(understood, reader, now, base)
        if understood.intent is Intent.GREETING:
            return Answer(
                kind=AnswerKind.GREETING,
                headline=_(
                    'Ask me about your move in your own words, e.g. "when is my move?" or "will I lose my email?"'
                ),
                **base,
            )
        answer = self._faq(understood, base)
        if answer.faq is not None and is_about_desk(answer.faq):
            line = desk_line(self.plan, desk, reader.zone, now, zone_from_teams=reader.from_teams)
            answer = dataclasses.replace(answer, notes=(*answer.notes, line))
        return answer

    async def _desk(self, who: Who, user: DirectoryUser | None | bool) -> tuple[Desk, DirectoryUser | None | bool]:
        """The asker's own Service Desk: by their site or country when the plan has several desks; and the
        asker as looked up for it (``user`` unchanged when the plan has one desk)."""
        desk = desk_for(self.plan)
        if self.plan.service_desk.contacts:
            user = await self.find(who) if user is False else user
            if isinstance(user, DirectoryUser):
                desk = desk_for(self.plan, site=user.office, city=user.city, country=user.country_name)
        return desk, user

    async def other_answers(
        self, question: str, rejected: str, who: Who, *, user: DirectoryUser | None | bool = False
    ) -> Answer:
        """What else to offer someone who said the answer ``rejected`` (an FAQ key) did not help with
        ``question``: the next closest entries of the engine's ranking for it (``suggestions``, at most
        :data:`MAX_OTHER_ANSWERS`; kind ``suggestions``, or ``nothing`` with no headline when no other
        entry is close enough), and their own Service Desk's phone.

        The question is read in the current language, as :meth:`answer` read it. An entry is close enough
        when it scores at least the suggestion threshold (``FaqThresholds.suggest``), the score at which the
        engine offers an entry as a suggestion at all.
        """
        await self._follow_plan()
        assert self.understander is not None and self.faq is not None
        reader = ReaderZone.choose(who.time_zone, self.plan)
        today = self.clock.now().astimezone(reader.zone).date()
        understander, index = self.reader(i18n.current().code)
        understood = understander.read(question, today=today)
        bar = index.thresholds.suggest
        close = [m for m in index.rank(understood.tokens) if m.entry.key != rejected and m.score >= bar]
        others = tuple(self._plan_entry(m.entry) for m in close[:MAX_OTHER_ANSWERS])
        desk, _user = await self._desk(who, user)
        return Answer(
            kind=AnswerKind.SUGGESTIONS if others else AnswerKind.NOTHING,
            intent=understood.intent,
            question=question,
            headline=_("These answers may be closer to what you asked:") if others else "",
            suggestions=others,
            confidence=close[0].score if close else 0.0,
            service_desk_phone=desk.phone,
        )

    def _personal(
        self,
        understood: Understanding,
        user: DirectoryUser | None,
        reader: ReaderZone,
        now: dt.datetime,
        base: dict,
    ) -> Answer:
        if user is None:
            return Answer(
                kind=AnswerKind.UNKNOWN_PERSON,
                headline=_(
                    "I couldn't find you in the migration's staff list, so I can't tell you your own dates. "
                    "The Service Desk can check for you."
                ),
                confidence=1.0,
                **base,
            )
        assignment = resolve_wave(self.plan, user)
        person = self._person(user, assignment)
        if assignment.wave is None:
            return Answer(
                kind=AnswerKind.NO_WAVE,
                headline=_("Your account ({upn}) is not in any migration wave: {reason}").format(
                    upn=user.upn, reason=person.note
                ),
                person=person,
                **base,
            )
        reader = reader.for_person(self.plan, user.office, assignment.wave)
        schedule = wave_schedule(self.plan, assignment.wave, reader, now)
        notes = [n for n in (person.note, reader.note(self.plan)) if n]
        headline = self._personal_headline(understood, schedule)
        return Answer(
            kind=AnswerKind.PERSONAL,
            headline=headline,
            schedule=schedule,
            person=person,
            notes=tuple(notes),
            facet=understood.facet,
            date_range=understood.dates,
            **base,
        )

    async def _with_readiness(self, answer: Answer, user: DirectoryUser | None) -> Answer:
        """Add what a not-ready asker must do before an upcoming cutover (last sync; never raises)."""
        s = answer.schedule
        if self.readiness is None or user is None or s is None or s.status != "upcoming":
            return answer
        notice = await self.readiness.notice(user, s.cutover_start)
        return dataclasses.replace(answer, readiness=notice) if notice is not None else answer

    def _person(self, user: DirectoryUser, assignment: WaveAssignment) -> Person:
        reason = assignment.reason
        note = ""
        wave = assignment.wave.title if assignment.wave is not None else ""
        if reason is AssignmentReason.CHAMPION and assignment.wave is not None:
            site = assignment.champion.site if assignment.champion and assignment.champion.site else None
            usual = _rule_wave_title(self.plan, user)
            if site and usual:
                note = _(
                    "As the {site} site champion you move early, with {wave}; "
                    "the rest of your department moves with {usual}."
                ).format(site=site, wave=wave, usual=usual)
            elif site:
                note = _("As the {site} site champion you move early, with {wave}.").format(site=site, wave=wave)
            elif usual:
                note = _(
                    "As a site champion you move early, with {wave}; the rest of your department moves with {usual}."
                ).format(wave=wave, usual=usual)
            else:
                note = _("As a site champion you move early, with {wave}.").format(wave=wave)
        elif reason is AssignmentReason.MOVED and assignment.wave is not None:
            origin = _wave_title(self.plan, assignment.from_wave)
            why = self._reason(assignment)
            if origin and why:
                note = _("You were moved from {origin} to {wave} ({reason}).").format(
                    origin=origin, wave=wave, reason=why
                )
            elif origin:
                note = _("You were moved from {origin} to {wave}.").format(origin=origin, wave=wave)
            elif why:
                note = _("You were moved to {wave} ({reason}).").format(wave=wave, reason=why)
            else:
                note = _("You were moved to {wave}.").format(wave=wave)
        elif reason is AssignmentReason.GUEST:
            note = _("guest accounts keep working as they are and are not migrated. Nothing to do for you.")
        elif reason is AssignmentReason.DISABLED:
            note = _("the account is disabled, so it is not migrated.")
        elif reason is AssignmentReason.EXCLUDED:
            why = self._reason(assignment)
            if why:
                note = _("the project excluded it from the waves ({reason}).").format(reason=why)
            else:
                note = _("the project excluded it from the waves.")
        elif reason is AssignmentReason.NO_RULE:
            note = _("no wave includes your department and office yet. The Service Desk will sort it out.")
        return Person(
            display_name=user.display_name,
            upn=user.upn,
            department=user.department,
            office=user.office,
            reason=reason.value,
            note=note,
        )

    def _reason(self, assignment: WaveAssignment) -> str:
        """The exception's reason as the plan writes it, in the reader's language when the plan has it."""
        exception = assignment.exception
        if exception is None or not exception.reason:
            return ""
        return exception_reason(exception, i18n.current().code, self.plan.organisation.language)

    def _personal_headline(self, understood: Understanding, s: WaveSchedule) -> str:
        when, distance = s.when, s.distance
        if understood.dates is not None and understood.about_self:
            day = s.cutover_start.date()
            said = range_words(understood.dates)
            if day in understood.dates:
                return _("Yes: your move is {dates}, {when} ({distance}).").format(
                    dates=said, when=when, distance=distance
                )
            return _("No, not {dates}. Your move is on {when} ({distance}).").format(
                dates=said, when=when, distance=distance
            )
        if s.status == "done":
            return _(
                "Your move to Microsoft 365 was on {when} ({distance}); hypercare runs until {hypercare_day}."
            ).format(when=when, distance=distance, hypercare_day=format_day(s.hypercare_until))
        if s.status == "in progress":
            return _("Your move is happening now: {when} ({distance}).").format(when=when, distance=distance)
        facet = understood.facet
        if facet is Facet.WAVE:
            return _("You are in {wave}. Your cutover is {when} ({distance}).").format(
                wave=s.wave_title, when=when, distance=distance
            )
        if facet is Facet.EMAIL:
            after = _change_after(self.plan, "mail")
            if after:
                return _("Your email moves to {service} during your cutover, {when} ({distance}).").format(
                    service=after, when=when, distance=distance
                )
            return _("Your email moves during your cutover, {when} ({distance}).").format(when=when, distance=distance)
        if facet is Facet.MFA:
            return _("Set up Microsoft Authenticator before your cutover starts: {day}, {time} ({distance}).").format(
                day=format_day(s.cutover_start), time=format_time(s.cutover_start), distance=distance
            )
        if facet is Facet.HYPERCARE:
            return _("Hypercare for {wave} ends on {day} ({distance}).").format(
                wave=s.wave_title, day=format_day(s.hypercare_until), distance=s.hypercare_distance
            )
        drives = [ro for ro in s.read_only if ro.drives]
        if facet is Facet.FILES and drives:
            said = "; ".join(ro.read_only_sentence(format_day(ro.at), format_time(ro.at)) for ro in drives)
            return _("Your files move during your cutover, {when} ({distance}). {read_only}.").format(
                when=when, distance=distance, read_only=f"{said[0].upper()}{said[1:]}"
            )
        return _("Your move to Microsoft 365 is on {when} ({distance}).").format(when=when, distance=distance)

    def _group(self, understood: Understanding, reader: ReaderZone, now: dt.datetime, base: dict) -> Answer:
        if understood.unknown_group:
            if understood.unknown_in_faq:
                # "when does the ERP move": the FAQ's entry about the ERP ("Does the ERP change?"), when the
                # FAQ is sure of it and the entry's question or topics name it; an entry that only mentions
                # the word ("mobile reception") is not about it.
                answer = self._faq(understood, {**base, "intent": Intent.FAQ})
                if answer.kind is AnswerKind.FAQ and answer.faq is not None and self._names(answer.faq, understood):
                    return answer
            return self._unknown_group(understood.unknown_group, base)
        groups: list[GroupSchedule] = []
        assert self._groups is not None
        places = [*understood.sites, *understood.countries]
        # A wave named after the place ("Leeds") is the place, said once.
        same_as_place = all(
            len(places) == 1 and fold(self.plan.wave(k).name) in fold(places[0]) for k in understood.waves
        )
        if same_as_place and len(places) == 1 and len(understood.departments) == 1:
            # "the warehouse in Leeds": the people of that department at that place.
            place, department = places[0], understood.departments[0]
            counts = self._groups.by_place_department.get((place.casefold(), department.casefold()), Counter())
            if counts:
                waves, others = _main_waves(self.plan, place, "site", counts)
                schedules = tuple(wave_schedule(self.plan, w, reader, now) for w in waves)
                label = _("{department} in {place}").format(department=department, place=place)
                groups.append(GroupSchedule(label, "department", schedules, others))
                understood = dataclasses.replace(understood, waves=(), sites=(), countries=(), departments=())
        for key in understood.waves:
            wave = self.plan.wave(key)
            groups.append(GroupSchedule(wave.title, "wave", (wave_schedule(self.plan, wave, reader, now),)))
        for label, kind, table in [
            *((s, "site", self._groups.by_site) for s in understood.sites),
            *((d, "department", self._groups.by_department) for d in understood.departments),
            *((c, "country", self._groups.by_country) for c in understood.countries),
        ]:
            counts = table.get(label.casefold(), Counter())
            ruled = self._groups.by_department_rule.get(label.casefold()) if kind == "department" else None
            waves, others = _main_waves(self.plan, label, kind, counts, ruled)
            groups.append(
                GroupSchedule(label, kind, tuple(wave_schedule(self.plan, w, reader, now) for w in waves), others)
            )
        parts = []
        for g in groups:
            if not g.waves and g.kind == "country":
                parts.append(_("No one in {place} is in this migration's waves.").format(place=g.label))
                continue
            if not g.waves:
                parts.append(_("I don't know of anyone in {group} who moves.").format(group=g.label))
                continue
            whens = "; ".join(f"{s.wave_title}: {s.when} ({s.distance})" for s in g.waves)
            if g.kind == "wave":
                parts.append(f"{whens}.")
            else:
                parts.append(_("{group} moves with {waves}.").format(group=g.label, waves=whens))
        notes = [reader.note(self.plan)] if reader.note(self.plan) else []
        return Answer(
            kind=AnswerKind.GROUP,
            headline=" ".join(parts),
            groups=tuple(groups),
            notes=tuple(notes),
            facet=understood.facet,
            **base,
        )

    def _names(self, entry: FaqEntry, understood: Understanding) -> bool:
        """Whether the entry's question or topics name every word of the question's unknown subject."""
        assert self.understander is not None
        said = {w for text in (entry.question, *entry.topics) for w in self.understander.tokens(text)}
        subject = set(self.understander.tokens(understood.unknown_group)) - GENERIC_GROUP_WORDS
        return bool(subject) and subject <= said

    def _unknown_group(self, name: str, base: dict) -> Answer:
        """A place or group the plan does not know: said so, with what it does know, never a guess."""
        waves = ", ".join(w.title for w in self.plan.waves)
        return Answer(
            kind=AnswerKind.NOTHING,
            headline=_(
                'I don\'t know "{name}": no site, department, country or wave of this migration goes by that '
                'name. The waves are {waves}. Ask about one of them, or "when is my move?" for your own.'
            ).format(name=name, waves=waves),
            confidence=1.0,
            **base,
        )

    def _whats_on(self, understood: Understanding, reader: ReaderZone, now: dt.datetime, base: dict) -> Answer:
        assert understood.dates is not None
        rng = understood.dates
        events = [e for e in _events(self.plan, reader) if e.on(rng) and (e.until or not understood.moves_only)]
        words = range_words(rng)
        if events:
            headline = (
                f"{capitalised(words)}: " + "; ".join(f"{format_short_day(e.when)} {e.title}" for e in events) + "."
            )
        else:
            upcoming = [e for e in _events(self.plan, reader) if e.when.date() > rng.end]
            nxt = upcoming[0] if upcoming else None
            headline = _("Nothing of the migration is planned {dates}.").format(dates=words)
            if nxt is not None:
                days = (nxt.when.date() - now.astimezone(reader.zone).date()).days
                headline += " " + _("Next: {event}, {day} ({distance}).").format(
                    event=nxt.title, day=format_day(nxt.when), distance=humanise_days(days)
                )
        notes = [reader.note(self.plan)] if reader.note(self.plan) else []
        return Answer(
            kind=AnswerKind.WHATS_ON,
            headline=headline,
            events=tuple(events),
            date_range=rng,
            notes=tuple(notes),
            **base,
        )

    def _faq(self, understood: Understanding, base: dict) -> Answer:
        assert self.faq is not None
        lang = i18n.current().code
        result = self.faq_index(lang).search(understood.tokens)
        if result.verdict is FaqVerdict.ANSWER and result.best is not None:
            entry = self._plan_entry(result.best.entry)
            said = faq_in(entry, lang, self.plan.organisation.language).answer
            return Answer(kind=AnswerKind.FAQ, headline=said, faq=entry, confidence=result.confidence, **base)
        if result.verdict is FaqVerdict.BEST_MATCH and result.best is not None:
            # One likely entry: its answer, which the card words as a guess for the asker to confirm.
            entry = self._plan_entry(result.best.entry)
            said = faq_in(entry, lang, self.plan.organisation.language).answer
            return Answer(
                kind=AnswerKind.BEST_MATCH,
                headline=said,
                faq=entry,
                suggestions=tuple(self._plan_entry(m.entry) for m in result.matches[1:]),
                confidence=result.confidence,
                **base,
            )
        if result.verdict is FaqVerdict.SUGGEST:
            return Answer(
                kind=AnswerKind.SUGGESTIONS,
                headline=_("I'm not sure I understood. Did you mean one of these?"),
                suggestions=tuple(self._plan_entry(m.entry) for m in result.matches),
                confidence=result.confidence,
                **base,
            )
        return Answer(
            kind=AnswerKind.NOTHING,
            headline=_(
                "Sorry, I don't have an answer to that. You can report a problem here, or call the Service Desk."
            ),
            confidence=result.confidence,
            **base,
        )

    def _plan_entry(self, indexed: FaqEntry) -> FaqEntry:
        """The plan's own entry for one indexed with another language's wording."""
        return next((e for e in self.plan.faq if e.key == indexed.key), indexed)


def _legacy_names(plan: Plan) -> list[tuple[str, tuple[str, ...]]]:
    """The plan's legacy drives, mailboxes and systems by name and other names, for the FAQ."""
    return [(r.name, r.aliases) for r in (*plan.legacy, *(r for w in plan.waves for r in w.legacy)) if r.aliases]


def _wave_title(plan: Plan, key: str | None) -> str | None:
    if not key:
        return None
    try:
        return plan.wave(key).title
    except KeyError:
        return None


def _rule_wave_title(plan: Plan, user: DirectoryUser) -> str | None:
    from switchover.membership import rule_wave

    wave = rule_wave(plan, user)
    return wave.title if wave else None


def _change_after(plan: Plan, word: str) -> str | None:
    """What the plan says a thing becomes ("mail" -> "Exchange Online")."""
    for change in plan.changes:
        if word in change.today.casefold():
            return change.after
    return None


def _collect_groups(plan: Plan, users: list[DirectoryUser]) -> _Groups:
    by_site: dict[str, Counter[str]] = {}
    by_department: dict[str, Counter[str]] = {}
    offices: set[str] = set()
    cities: set[str] = set()
    departments: set[str] = set()
    by_country: dict[str, Counter[str]] = {}
    by_department_rule: dict[str, Counter[str]] = {}
    by_place_department: dict[tuple[str, str], Counter[str]] = {}
    countries: set[str] = set()
    for user in users:
        assignment = resolve_wave(plan, user)
        countries.update(c for c in (user.country, user.usage_location) if c)
        if user.office:
            offices.add(user.office)
        if user.city:
            cities.add(user.city)
        if user.department:
            departments.add(user.department)
        if assignment.wave is None:
            continue
        key = assignment.wave.key
        for site in {user.office, user.city} - {None, ""}:
            by_site.setdefault(site.casefold(), Counter())[key] += 1  # type: ignore[union-attr]
        if user.department:
            by_department.setdefault(user.department.casefold(), Counter())[key] += 1
            if assignment.reason in (AssignmentReason.RULE, AssignmentReason.EXPLICIT):
                by_department_rule.setdefault(user.department.casefold(), Counter())[key] += 1
        if user.country_name:
            by_country.setdefault(user.country_name.casefold(), Counter())[key] += 1
        if user.department:
            for place in {user.office, user.city, user.country_name} - {None, ""}:
                pair = (place.casefold(), user.department.casefold())  # type: ignore[union-attr]
                by_place_department.setdefault(pair, Counter())[key] += 1
    # The plan's own sites count even when the directory has nobody there yet.
    for wave in plan.waves:
        for site in wave.sites:
            by_site.setdefault(site.casefold(), Counter()).setdefault(wave.key, 0)
        for rule in wave.include:
            for dept in rule.departments:
                by_department.setdefault(dept.casefold(), Counter()).setdefault(wave.key, 0)
    return _Groups(
        by_site,
        by_department,
        offices,
        cities,
        departments,
        by_country=by_country,
        by_department_rule=by_department_rule,
        by_place_department=by_place_department,
        countries=countries,
    )


def _main_waves(
    plan: Plan, label: str, kind: str, counts: Counter[str], ruled: Counter[str] | None = None
) -> tuple[list[Wave], int]:
    """The waves a group moves in, and how many of its people move in another wave.

    A wave counts as the group's when the plan says so (a wave's sites or a
    department rule), when at least a fifth of the group's people are in it, or,
    for a department (spread over sites that move in different waves), when the
    plan's rules put any of its people in it (``ruled``); the rest are
    individuals (champions, exceptions).
    """
    total = sum(counts.values())
    main: list[Wave] = []
    for wave in plan.waves:
        named = (kind == "site" and any(s.casefold() == label.casefold() for s in wave.sites)) or (
            kind == "department" and any(d.casefold() == label.casefold() for r in wave.include for d in r.departments)
        )
        share = counts.get(wave.key, 0) / total if total else 0.0
        by_rule = ruled is not None and ruled.get(wave.key, 0) > 0
        if (named and (counts.get(wave.key, 0) > 0 or total == 0)) or share >= 0.2 or by_rule:
            main.append(wave)
    others = total - sum(counts.get(w.key, 0) for w in main)
    return main, others


def _events(plan: Plan, reader: ReaderZone) -> list[Event]:
    zone = reader.zone
    events: list[Event] = []
    for wave in plan.waves:
        start = wave.cutover.start.astimezone(zone)
        end = wave.cutover.end.astimezone(zone)
        title = _("{wave} cutover").format(wave=wave.title)
        events.append(Event(start, wave.key, title, format_window(start, end, day="long"), end))
        for moment in read_only_moments(plan, wave):
            ro = moment.at.astimezone(zone)
            events.append(
                Event(
                    ro,
                    wave.key,
                    _("{names} read-only for {wave}").format(names=moment.label, wave=wave.title),
                    _("{day} from {time}").format(day=format_day(ro), time=format_time(ro)),
                )
            )
        # 17:00 where the wave's people are, on the reader's own calendar.
        hc = dt.datetime.combine(wave.hypercare_until, dt.time(17, 0), tzinfo=plan.zone_of(wave)).astimezone(zone)
        events.append(Event(hc, wave.key, _("{wave} hypercare ends").format(wave=wave.title), format_day(hc)))
    events.sort(key=lambda e: e.when)
    return events
