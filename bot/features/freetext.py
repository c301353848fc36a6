"""Free text that no command matched: a question for the answer engine, or a problem to report.

"my H drive files are missing" is a report; "where did my H: drive go?" is a
question. Problem triage scores how much a message reads like something broken;
at or above its threshold the message starts a report; when the FAQ also
answers it confidently, that answer comes first ("my email signature is
missing": recreating it may be all the person needs, and the confirmation
card below lets them submit anyway).
This is the router's one fallback.
"""

from __future__ import annotations

import logging

from bot.features import answers as answers_feature
from bot.features import problems as problems_feature
from bot.routing import Router
from bot.turn import Turn
from dialogs.report_problem import ReportProblemConversation
from switchover import i18n
from switchover.answers.cards import answer_card
from switchover.answers.lang.detect import reading_language
from switchover.answers.model import AnswerKind
from switchover.problems.triage import PROBLEM_THRESHOLD
from switchover.services import Services

log = logging.getLogger(__name__)


def register(router: Router, services: Services, reports: ReportProblemConversation) -> None:
    """Declare the fallback: free text is a problem report (started in ``reports``) or a question."""
    desk = services.problems

    async def on_free_text(turn: Turn, text: str) -> None:
        if text.strip() and await desk.looks_like_problem(text) >= PROBLEM_THRESHOLD:
            # The FAQ answer in the language the report is written in; the report itself, in the Teams one.
            with i18n.use(reading_language(text.strip())):
                answer = await services.answers.answer(
                    text.strip(), answers_feature.asker_who(turn), user=await turn.user()
                )
                if answer.kind is AnswerKind.FAQ:
                    await turn.reply_card(answer_card(answer), summary=answer.summary)
            log.info("free text read as a problem report", extra={"tenant_id": turn.asker.tenant_id})
            await problems_feature.report_from_text(reports, turn, text)
            return
        await answers_feature.on_question(turn, text)

    router.fallback(on_free_text)
