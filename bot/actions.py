"""Card-action data, read one way: each verb's data is a typed model, checked before its handler runs.

What a card's ``Action.Execute`` (or an older client's ``Action.Submit``) carries is
the button's ``data`` merged with the card's inputs, and anyone can send anything
there: a ``report_id`` of ``2**63`` or ``1e23``, an ``urgency`` that is an object, a
megabyte of text. The routing table names each verb's model
(``router.action(verb, handler, data=ReportAction)``); :func:`read_action_data`
checks the data against it, so a handler gets typed, bounded values or does not run.
A refusal is :class:`BadActionData`, which :mod:`bot.handler` answers with the
Universal Actions error response (``statusCode`` 400, ``application/vnd.microsoft.error``)
naming each bad field.

Fields a model does not name are ignored (cards carry inputs a handler does not use),
and every field has a default, so a card of an older version still works.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
)

from switchover.plan.model import Impact, Priority, Urgency

MAX_ID = 2**31 - 1  # the largest row id the database holds (PostgreSQL integer)


class BadActionData(ValueError):
    """A card action's data that does not fit its verb's model; the message names each bad field."""


def _whole_number(value: Any) -> Any:
    # JSON numbers and the digits of one ("42"); never true/false, 4.2, 1e23 or "١٢".
    if isinstance(value, bool | float):
        raise ValueError("must be a whole number")  # noqa: TRY004 - pydantic reports ValueErrors only
    if isinstance(value, str):
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 10):
            raise ValueError("must be a whole number")
        return int(digits)
    return value


def _no_nul(text: str) -> str:
    if "\x00" in text:  # PostgreSQL refuses it in text; no client types it
        raise ValueError("must not contain NUL characters")
    return text


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value  # an unanswered choice set sends ""


def _clipped(limit: int) -> AfterValidator:
    return AfterValidator(lambda text: text[:limit])


RecordId = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=MAX_ID)]
"""A report's or an incident's number as a card carries it."""


Key = Annotated[StrictStr, Field(max_length=200), AfterValidator(_no_nul)]
"""An announcement id, an FAQ key, an area or a person key."""
Description = Annotated[StrictStr, Field(max_length=4000), AfterValidator(_no_nul)]
"""What is wrong, as typed into a card (its input allows 4,000 characters)."""
Note = Annotated[StrictStr, Field(max_length=2000), AfterValidator(_no_nul)]
"""A resolution note or a comment (their inputs allow 2,000 characters)."""
Question = Annotated[StrictStr, AfterValidator(_no_nul), _clipped(1000)]
"""A question the bot put on the card itself: its first 1,000 characters."""
AskedText = Annotated[StrictStr, AfterValidator(_no_nul), _clipped(4000)]
"""A question carried to "report a problem": as much of it as a report holds."""
Choice = BeforeValidator(_blank_is_none)


class ActionData(BaseModel):
    """Data of a verb that reads none (and the base of every verb's model)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# -- problem reports -----------------------------------------------------------------


class StartReport(ActionData):
    """``report_problem``: the question an answer card was about, if any."""

    text: AskedText | None = None


class DialogStep(ActionData):
    """``problem_dialog``: one answer to the report conversation's question."""

    step: Key | None = None
    by: Key | None = None  # whose draft the question card belongs to (in group chats and channels)
    text: Description | None = None
    impact: Annotated[Impact | None, Choice] = None
    urgency: Annotated[Urgency | None, Choice] = None


class SubmitReport(ActionData):
    """``problem_submit``: the confirmation card's inputs."""

    text: Description = ""
    area: Annotated[Key | None, Choice] = None
    impact: Annotated[Impact | None, Choice] = None
    urgency: Annotated[Urgency | None, Choice] = None
    draft: Key | None = None


class ReportAction(ActionData):
    """A button on one report's card (acknowledge, it's fixed, show)."""

    report_id: RecordId


class AssignReport(ReportAction):
    assignee: Key = ""


class ResolveReport(ReportAction):
    note: Note = ""


class NotMine(ReportAction):
    area: Annotated[Key | None, Choice] = None


class CommentReport(ReportAction):
    comment: Note = ""


class ReopenReport(ReportAction):
    """``problem_reopen``: staff bring a resolved report back, saying why (the reporter reads it)."""

    why: Note = ""


class ResolveIncident(ActionData):
    incident_id: RecordId
    note: Note = ""


# -- answers and announcements ---------------------------------------------------------


class FaqAction(ActionData):
    """``faq_helpful`` / ``faq_unhelpful`` / ``faq_pick``: the entry and the question asked."""

    faq_key: Key = ""
    question: Question = ""


class AnnouncementAction(ActionData):
    """A button on an announcement's card (got it, MFA done, refresh, send, discard)."""

    announcement_id: Key = ""


class WaveStateAction(ActionData):
    """``wave_state_confirm`` / ``wave_state_cancel``: the wave and the state a lead is recording."""

    wave: Key
    state: Literal["cutover-started", "cutover-complete"]


# -- status ---------------------------------------------------------------------------


Page = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=100_000)]
"""A page of a drill-down, from 1."""


class StatusPeople(ActionData):
    """``status_people``: a wave's members the bot cannot message, or who are not ready, one page."""

    wave: Key
    kind: Literal["unreachable", "not_ready"]
    page: Page = 1


class ReachPeople(ActionData):
    """``reach_people``: a wave's members in one reach state (``switchover.reach.ReachState``), one page."""

    wave: Key
    state: Literal["conversation", "installed", "blocked", "no_teams", "disabled", "unknown"]
    page: Page = 1


class ReachRefresh(ActionData):
    """``reach_refresh``: the reach card of one wave again."""

    wave: Key


class StatusReports(ActionData):
    """``status_reports``: the open reports behind a number on the status card, one page."""

    wave: Key | None = None
    priority: Annotated[Priority | None, Choice] = None
    area: Key | None = None
    overdue: StrictBool = False
    page: Page = 1


Data = TypeVar("Data", bound=ActionData)


def read_action_data(model: type[Data], raw: Any) -> Data:
    """``raw`` (what the action carried) as ``model``; :class:`BadActionData` names what is wrong."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise BadActionData(f"the action's data must be an object, not {type(raw).__name__}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors(include_url=False)
        )
        raise BadActionData(problems) from None
