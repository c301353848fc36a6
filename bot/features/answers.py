"""Teams glue for the answer engine: free text in, an answer card out; FAQ votes and picks.

Routes:

- :func:`on_question`, which the free-text fallback (:mod:`bot.features.freetext`) calls for a
  question: the engine answers it (a personal answer says what the asker must still do before
  cutover, from the readiness service);
- card actions ``faq_helpful`` / ``faq_unhelpful`` (votes, stored; the card is
  replaced by one that thanks the voter; after "Not helpful" it also offers the next closest
  entries for the question as ``faq_pick`` buttons, a problem report and the asker's Service Desk)
  and ``faq_pick`` (a suggestion chosen: the FAQ answer replaces the suggestions, and the pick is
  stored);
- card actions under a best match (one likely entry offered as a guess): ``faq_best_yes`` ("Yes,
  that's it": stored as a pick of that entry, and the card becomes the answer with a thank-you line)
  and ``faq_best_no`` ("No, something else": stored as a "Not helpful" vote, and the card becomes the
  other closest entries to pick from, or a problem report and the asker's Service Desk when none is
  close).

Questions without a confident answer are stored as gaps for ``switchover faq gaps``; picks
(this question meant that entry) for ``switchover faq gaps`` and ``switchover faq learn``.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.actions import FaqAction
from bot.routing import Router
from bot.turn import Turn
from switchover import i18n
from switchover.answers.cards import (
    answer_card,
    best_match_rejected_card,
    faq_answer_card,
    faq_other_answers_card,
)
from switchover.answers.lang.detect import reading_language
from switchover.answers.model import Answer, AnswerKind, Who
from switchover.answers.store import GapKind
from switchover.answers.understanding import Intent
from switchover.i18n import gettext as _
from switchover.plan.desks import desk_for
from switchover.plan.languages import faq_in
from switchover.services import Services

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000  # longer messages are problem descriptions, not questions; read the start


def asker_who(turn: Turn) -> Who:
    a = turn.asker
    return Who(aad_object_id=a.aad_object_id, upn=a.upn, name=a.name, time_zone=a.time_zone, tenant_id=a.tenant_id)


def _asker_id(turn: Turn) -> str | None:
    return turn.asker.aad_object_id or turn.asker.teams_id or None


async def _record_gap(turn: Turn, question: str, kind: GapKind) -> None:
    try:
        await turn.services.answer_store.record_gap(
            turn.asker.tenant_id, question, kind, turn.services.clock.now(), asker_id=_asker_id(turn)
        )
    except Exception:  # the asker still gets their answer; the lead loses one gap row
        log.exception("could not store an FAQ gap", extra={"tenant_id": turn.asker.tenant_id})


async def on_question(turn: Turn, text: str) -> None:
    """Answer free text with the engine and reply with the answer's card.

    The question is read, and answered, in the language it is written in when that is clearly another
    one than the asker's Teams language ("¿cuándo es mi migración?" from an English Teams); for this
    answer only: the asker's stored locale, and the rest of the turn, keep the Teams language.
    """
    question = (text or "").strip()[:MAX_QUESTION_CHARS]
    user = await turn.user()
    with i18n.use(reading_language(question)) as lang:
        answer = await turn.services.answers.answer(question, asker_who(turn), user=user)
        log.info(
            "answered",
            extra={
                "conversation_id": turn.activity.conversation.id if turn.activity.conversation else None,
                "intent": answer.intent.value,
                "kind": answer.kind.value,
                "confidence": round(answer.confidence, 3),
                "language": lang.code,
            },
        )
        # Reply first: the asker should not wait for the gap to be written.
        await turn.reply_card(answer_card(answer), summary=answer.summary)
    if answer.kind is AnswerKind.NOTHING and question:
        await _record_gap(turn, question, GapKind.UNANSWERED)
    elif answer.kind is AnswerKind.SUGGESTIONS:
        await _record_gap(turn, question, GapKind.UNCLEAR)


async def _vote(turn: Turn, data: FaqAction, *, helpful: bool) -> dict[str, Any] | None:
    # The card voted on was written in the question's language: so is the card that replaces it.
    with i18n.use(reading_language(data.question)):
        return await _voted(turn, data, helpful=helpful)


async def _voted(turn: Turn, data: FaqAction, *, helpful: bool) -> dict[str, Any] | None:
    key, question = data.faq_key, data.question
    entry = next((e for e in turn.services.plan.faq if e.key == key), None)
    if entry is None:
        log.warning("vote for an FAQ entry the plan does not have", extra={"faq_key": key})
        return None
    await turn.services.answer_store.record_feedback(
        turn.asker.tenant_id, question, key, helpful, turn.services.clock.now(), asker_id=_asker_id(turn)
    )
    if helpful:
        thanks = _("Thanks, glad it helped.")
        card = faq_answer_card(entry, question, thanks=thanks)
    else:
        thanks = _(
            "Thanks for telling us. The project team reviews unhelpful answers; report a problem if you are stuck."
        )
        card = faq_other_answers_card(entry, question, thanks, await _other_answers(turn, question, key))
    if turn.activity.type != "invoke":  # Action.Submit from an older client: no card to replace
        await turn.reply_card(card, summary=thanks)
        return None
    return card


async def _other_answers(turn: Turn, question: str, rejected: str) -> Answer:
    """The next closest entries for ``question`` after ``rejected``, and the asker's Service Desk; only
    the Service Desk when the card carries no question or the entries cannot be ranked."""
    engine = turn.services.answers
    if question.strip():
        try:
            return await engine.other_answers(question, rejected, asker_who(turn))
        except Exception:  # the vote is stored and thanked for; the asker still gets report / Service Desk
            log.exception("could not rank other FAQ answers", extra={"tenant_id": turn.asker.tenant_id})
    return Answer(
        kind=AnswerKind.NOTHING,
        intent=Intent.FAQ,
        question=question,
        headline="",
        service_desk_phone=desk_for(engine.plan).phone,
    )


async def on_helpful(turn: Turn, data: FaqAction) -> dict[str, Any] | None:
    return await _vote(turn, data, helpful=True)


async def on_unhelpful(turn: Turn, data: FaqAction) -> dict[str, Any] | None:
    return await _vote(turn, data, helpful=False)


def _record_pick(turn: Turn, question: str, key: str) -> None:
    """Store the pick while the answer goes out (the asker never waits for it)."""
    try:
        turn.services.answer_store.record_pick_soon(
            turn.asker.tenant_id,
            question,
            key,
            i18n.current().code,  # the language the question was read in, as the engine read it
            turn.services.clock.now(),
            asker_id=_asker_id(turn),
        )
    except Exception:  # the asker still gets their answer; the lead loses one pick row
        log.exception("could not store an FAQ pick", extra={"tenant_id": turn.asker.tenant_id})


async def on_pick(turn: Turn, data: FaqAction) -> dict[str, Any] | None:
    """A suggested question was chosen: show its answer in place of the suggestions (in the language the
    question was answered in), and keep the pick (the question as asked meant this entry) for the lead."""
    with i18n.use(reading_language(data.question)):
        return await _picked(turn, data)


async def _picked(turn: Turn, data: FaqAction) -> dict[str, Any] | None:
    key, question = data.faq_key, data.question
    entry = next((e for e in turn.services.plan.faq if e.key == key), None)
    if entry is None:
        return None
    if question.strip():
        _record_pick(turn, question, key)
    card = faq_answer_card(entry, question or entry.question)
    if turn.activity.type != "invoke":
        shown = faq_in(entry, i18n.current().code, turn.services.plan.organisation.language)
        await turn.reply_card(card, summary=shown.answer[:200])
        return None
    return card


async def on_best_yes(turn: Turn, data: FaqAction) -> dict[str, Any] | None:
    """Pressing "Yes, that's it" under a best match: the question meant this entry. Kept as a pick (for
    ``switchover faq learn``: the phrasing may become one of the entry's alternates), and the card becomes
    the answer with a thank-you line, in the language the question was answered in."""
    with i18n.use(reading_language(data.question)):
        key, question = data.faq_key, data.question
        entry = next((e for e in turn.services.plan.faq if e.key == key), None)
        if entry is None:
            log.warning("best match confirmed for an FAQ entry the plan does not have", extra={"faq_key": key})
            return None
        if question.strip():
            _record_pick(turn, question, key)
        thanks = _("Thanks, glad it helped.")
        card = faq_answer_card(entry, question or entry.question, thanks=thanks)
        if turn.activity.type != "invoke":  # Action.Submit from an older client: no card to replace
            await turn.reply_card(card, summary=thanks)
            return None
        return card


async def on_best_no(turn: Turn, data: FaqAction) -> dict[str, Any] | None:
    """Pressing "No, something else" under a best match: stored as a "Not helpful" vote on the entry (and a
    gap), and the card becomes the other closest entries for the question to pick from (``faq_pick``), or,
    when none is close, a problem report and the asker's own Service Desk; in the language of the question."""
    with i18n.use(reading_language(data.question)):
        key, question = data.faq_key, data.question
        if any(e.key == key for e in turn.services.plan.faq):
            await turn.services.answer_store.record_feedback(
                turn.asker.tenant_id, question, key, False, turn.services.clock.now(), asker_id=_asker_id(turn)
            )
        else:
            log.warning("best match set aside for an FAQ entry the plan does not have", extra={"faq_key": key})
        card = best_match_rejected_card(await _other_answers(turn, question, key))
        if turn.activity.type != "invoke":
            await turn.reply_card(card, summary=_("Thanks for telling us."))
            return None
        return card


def register(router: Router, services: Services) -> None:
    """Route the FAQ card actions to their handlers."""
    router.action("faq_helpful", on_helpful, data=FaqAction)
    router.action("faq_unhelpful", on_unhelpful, data=FaqAction)
    router.action("faq_pick", on_pick, data=FaqAction)
    router.action("faq_best_yes", on_best_yes, data=FaqAction)
    router.action("faq_best_no", on_best_no, data=FaqAction)
