"""Cards for the answer engine's answers: one view model per template, built from an :class:`Answer`."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from cards.render import render_card
from switchover import i18n
from switchover.answers.model import Answer, AnswerKind
from switchover.answers.schedule import WaveSchedule, capitalised, range_words, status_words, whose_words
from switchover.i18n import gettext as _
from switchover.i18n import ngettext
from switchover.plan.languages import faq_in
from switchover.plan.model import FaqEntry
from switchover.timefmt import format_day, format_short_day, format_time

MAX_SUGGESTIONS = 3


def _phone_url(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = re.sub(r"[^\d+]", "", phone)
    return f"tel:{digits}" if digits else None


def _schedule_facts(s: WaveSchedule) -> list[dict[str, str]]:
    whose = whose_words(s.zone_whose)
    facts = [
        {"title": _("Cutover"), "value": s.when},
        {"title": _("When"), "value": s.distance if s.status == "upcoming" else status_words(s.status)},
        {"title": _("Time zone"), "value": s.zone_name + ("" if s.zone_from_teams else f" ({whose})")},
    ]
    for ro in s.read_only:
        facts.append(
            {
                "title": _("{names} read-only").format(names=ro.label),
                "value": f"{format_day(ro.at)}, {format_time(ro.at)}",
            }
        )
    facts.append({"title": _("Hypercare until"), "value": f"{format_day(s.hypercare_until)} ({s.hypercare_distance})"})
    return facts


def faq_answer_card(
    entry: FaqEntry, question: str, *, thanks: str | None = None, notes: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The FAQ answer card; with ``thanks`` the vote buttons are replaced by the thank-you line.

    ``notes`` follow the answer (the asker's own Service Desk, for an entry about reaching it). The entry
    is shown in the reader's language when the plan translates it.
    """
    said = faq_in(entry, i18n.current().code)
    return render_card(
        "faq-answer",
        faq_question=said.question,
        answer=said.answer,
        notes=list(notes),
        faq_key=entry.key,
        question=question,
        thanks=thanks,
    )


def faq_other_answers_card(entry: FaqEntry, question: str, thanks: str, others: Answer) -> dict[str, Any]:
    """The card that replaces an FAQ answer voted "Not helpful": the answer with the thank-you line, the
    other closest entries for the question (``others.suggestions``, from
    :meth:`AnswerEngine.other_answers`) as buttons that pick them (``faq_pick``), a problem report, and
    the asker's Service Desk (``others.service_desk_phone``).
    """
    lang = i18n.current().code
    said = faq_in(entry, lang)
    return render_card(
        "faq-answer",
        faq_question=said.question,
        answer=said.answer,
        notes=[],
        faq_key=entry.key,
        question=question,
        thanks=thanks,
        others=[{"title": faq_in(e, lang).question, "key": e.key} for e in others.suggestions[:MAX_SUGGESTIONS]],
        others_title=others.headline,
        phone=others.service_desk_phone,
        phone_url=_phone_url(others.service_desk_phone),
    )


def best_match_card(entry: FaqEntry, question: str, *, notes: tuple[str, ...] = ()) -> dict[str, Any]:
    """One likely FAQ entry offered as a best guess: "This may be what you are asking:", the entry's question
    and answer in the reader's language (``notes`` after it), and "Yes, that's it" (``faq_best_yes``) /
    "No, something else" (``faq_best_no``)."""
    said = faq_in(entry, i18n.current().code)
    return render_card(
        "faq-best-match",
        faq_question=said.question,
        answer=said.answer,
        notes=list(notes),
        faq_key=entry.key,
        question=question,
    )


def best_match_rejected_card(others: Answer) -> dict[str, Any]:
    """What replaces a best match the asker set aside ("No, something else"): the other closest entries for
    the question (``others``, from :meth:`AnswerEngine.other_answers`) to pick from, with a problem report;
    when none is close, the problem report and the asker's Service Desk."""
    if others.kind is AnswerKind.SUGGESTIONS and others.suggestions:
        return answer_card(others)
    return answer_card(
        dataclasses.replace(
            others,
            kind=AnswerKind.NOTHING,
            headline=_(
                "Sorry, I don't have an answer to that. You can report a problem here, or call the Service Desk."
            ),
        )
    )


def answer_card(answer: Answer) -> dict[str, Any]:
    """The card for any answer the engine gives."""
    if answer.kind is AnswerKind.PERSONAL and answer.schedule is not None:
        s = answer.schedule
        notice = answer.readiness
        return render_card(
            "schedule",
            title=_("Your move to Microsoft 365"),
            headline=answer.headline,
            readiness_title=notice.title if notice is not None else None,
            readiness_text=notice.text if notice is not None else None,
            wave_title=s.wave_title,
            wave_key=s.wave_key,
            facts=_schedule_facts(s),
            notes=list(answer.notes),
            before_title=_("Before your move"),
            before=list(s.before),
            on_the_day_title=_("On the day"),
            on_the_day=list(s.on_the_day),
        )
    if answer.kind is AnswerKind.GROUP:
        groups = []
        for g in answer.groups:
            rows = [{"title": s.wave_title, "value": f"{s.when} ({s.distance})"} for s in g.waves]
            if not rows:
                rows = [{"title": _("Waves"), "value": _("nobody found who moves")}]
            note = ""
            if g.others:
                note = ngettext(
                    "{n} person moves in another wave (site champions and agreed exceptions).",
                    "{n} people move in another wave (site champions and agreed exceptions).",
                    g.others,
                ).format(n=g.others)
            groups.append({"label": g.label, "rows": rows, "note": note})
        return render_card(
            "group-schedule",
            title=_("Migration dates"),
            headline=answer.headline,
            groups=groups,
            notes=list(answer.notes),
        )
    if answer.kind is AnswerKind.WHATS_ON:
        rows = [{"title": format_short_day(e.when), "value": f"{e.title}: {e.detail}"} for e in answer.events]
        label = capitalised(range_words(answer.date_range)) if answer.date_range else _("Planned")
        groups = [{"label": label, "rows": rows, "note": ""}] if rows else []
        return render_card(
            "group-schedule",
            title=_("What's planned"),
            headline=answer.headline,
            groups=groups,
            notes=list(answer.notes),
        )
    if answer.kind is AnswerKind.FAQ and answer.faq is not None:
        return faq_answer_card(answer.faq, answer.question, notes=answer.notes)
    if answer.kind is AnswerKind.BEST_MATCH and answer.faq is not None:
        return best_match_card(answer.faq, answer.question, notes=answer.notes)
    if answer.kind is AnswerKind.SUGGESTIONS and answer.suggestions:
        return render_card(
            "faq-suggestions",
            headline=answer.headline,
            suggestions=[
                {"title": faq_in(e, i18n.current().code).question, "key": e.key}
                for e in answer.suggestions[:MAX_SUGGESTIONS]
            ],
            question=answer.question,
            footer=_("Or report a problem, and the right person will get back to you."),
        )
    titles = {
        AnswerKind.UNKNOWN_PERSON: _("I couldn't find you"),
        AnswerKind.NO_WAVE: _("You are not in a migration wave"),
        AnswerKind.GREETING: _("Hi, I'm Switchover"),
    }
    return render_card(
        "not-found",
        title=titles.get(answer.kind) or _("I don't know that one"),
        message=answer.headline,
        question=answer.question,
        phone=answer.service_desk_phone,
        phone_url=_phone_url(answer.service_desk_phone),
    )
