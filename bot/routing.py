"""Routing as data: text commands and card actions mapped to handlers by an explicit table.

Commands match on the leading words of a message after mentions are removed
and case/punctuation are folded ("Report a problem!" -> ``report a problem``).
Card actions match on the ``verb`` of an ``Action.Execute`` (or the ``verb``
key of an ``Action.Submit`` / messageBack payload), and each names the typed
model its data is read as (:mod:`bot.actions`). Anything unmatched goes to
the fallback (free-text understanding), declared once.

Which commands and actions are for project leads is said here too
(``leads_only``), and checked here only: the matcher asks for the person's role
(:class:`NeedsLead`) when a lead-only route matches, and for anyone else answers
with the route's refusal or, for everyday words, goes on matching.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.actions import ActionData
from switchover.i18n import gettext

if TYPE_CHECKING:
    from bot.turn import Turn

CommandHandler = Callable[["Turn", str], Awaitable[None]]
"""Called with the turn and the text after the command words."""

ActionHandler = Callable[["Turn", Any], Awaitable[dict[str, Any] | None]]
"""Called with the turn and the action's data, read as the route's model (an
:class:`~bot.actions.ActionData`); may return a card that replaces the one the
action came from (universal action response)."""

EventHandler = Callable[["Turn", Any], Awaitable[None]]
"""Called for Teams events such as read receipts, with the event's value."""


class NeedsLead(Exception):  # noqa: N818 - a signal, not an error
    """A lead-only route matched: ask again saying whether the person is a project lead."""


_FOLD = re.compile(r"[^\w\s]+")


def fold(text: str) -> str:
    """Lower-case, drop punctuation, squeeze spaces: the form commands match on."""
    return " ".join(_FOLD.sub(" ", text.casefold()).split())


Refusal = str | Callable[[], str]
"""What a lead-only route answers anyone else, written when it is sent (in the turn's language): a
message marked with ``N_`` where the route is registered, or a function that writes it (for words
that are not known until then, such as the leads the plan names as it stands)."""


def refusal_text(refusal: Refusal) -> str:
    """The refusal in the language in force (the reader's, at the bot edge)."""
    return refusal() if callable(refusal) else gettext(refusal)


def _refuse_command(refusal: Refusal) -> CommandHandler:
    async def refuse(turn: Turn, rest: str) -> None:
        await turn.reply_text(refusal_text(refusal))

    return refuse


def _refuse_action(refusal: Refusal) -> ActionHandler:
    async def refuse(turn: Turn, data: Any) -> None:
        await turn.reply_text(refusal_text(refusal))

    return refuse


@dataclass(frozen=True, slots=True)
class CommandRoute:
    words: tuple[str, ...]
    handler: CommandHandler
    help: str
    leads_only: bool = False
    exact: bool = False
    refusal: Refusal | None = None  # what a lead-only route answers anyone else; None: the words are not a command


@dataclass(frozen=True, slots=True)
class ActionRoute:
    handler: ActionHandler
    data: type[ActionData] = ActionData
    leads_only: bool = False
    refusal: Refusal | None = None


class Router:
    """The table of commands and card actions, and which of them are for project leads only."""

    def __init__(self) -> None:
        self._commands: list[CommandRoute] = []
        self._actions: dict[str, ActionRoute] = {}
        self._fallback: CommandHandler | None = None
        self._events: dict[str, list[EventHandler]] = {}

    def command(
        self,
        phrase: str,
        handler: CommandHandler,
        *,
        help: str = "",  # noqa: A002
        leads_only: bool = False,
        refusal: Refusal | None = None,
        exact: bool = False,
    ) -> None:
        """Route messages starting with ``phrase`` (folded) to ``handler``.

        ``leads_only`` commands run only for project leads. Anyone else gets the
        ``refusal`` (:data:`Refusal`, written in their language when it is sent)
        when the route has one ("announce ..." can only be a command); without one
        the words mean what they mean in plain language ("cancel my meeting" is a
        question, not a command), so matching goes on to shorter commands and the
        fallback. ``exact`` commands match only the whole message
        ("help", but not "help desk phone number", which is a question).
        """
        words = tuple(fold(phrase).split())
        if not words:
            raise ValueError("a command needs at least one word")
        if any(r.words == words for r in self._commands):
            raise ValueError(f"command {phrase!r} is already routed")
        if refusal is not None and not leads_only:
            raise ValueError(f"command {phrase!r}: only a lead-only command has a refusal")
        self._commands.append(CommandRoute(words, handler, help, leads_only, exact, refusal))
        # Longest phrase first, so "report a problem" wins over "report".
        self._commands.sort(key=lambda r: -len(r.words))

    def action(
        self,
        verb: str,
        handler: ActionHandler,
        *,
        data: type[ActionData] = ActionData,
        leads_only: bool = False,
        refusal: Refusal | None = None,
    ) -> None:
        """Route card actions whose verb is ``verb``; the handler gets their data read as ``data``.

        A ``leads_only`` action pressed by anyone else is answered with ``refusal``
        (a message in the chat; the card stays as it was).
        """
        if verb in self._actions:
            raise ValueError(f"card action {verb!r} is already routed")
        if leads_only and refusal is None:
            raise ValueError(f"card action {verb!r}: a lead-only action needs a refusal")
        self._actions[verb] = ActionRoute(handler, data, leads_only, refusal)

    def fallback(self, handler: CommandHandler) -> None:
        """Handle any message no command matched (declared once: the free-text route)."""
        if self._fallback is not None:
            raise ValueError("the fallback is already routed")
        self._fallback = handler

    @property
    def fallback_handler(self) -> CommandHandler | None:
        """The fallback, for a command whose words are only a command for some people (``status``)."""
        return self._fallback

    def event(self, name: str, handler: EventHandler) -> None:
        """Also call ``handler`` for the Teams event ``name`` (e.g. ``read_receipt``)."""
        self._events.setdefault(name, []).append(handler)

    def event_handlers(self, name: str) -> list[EventHandler]:
        return list(self._events.get(name, ()))

    def match_command(self, text: str, *, is_lead: bool | None = None) -> tuple[CommandHandler, str] | None:
        """The handler for ``text`` and the rest of the text after the command words.

        ``is_lead=None`` means "not known": the first lead-only match raises
        :class:`NeedsLead` so the caller can look the person up only when it matters.
        """
        words = fold(text).split()
        for route in self._commands:
            n = len(route.words)
            if tuple(words[:n]) == route.words and not (route.exact and len(words) != n):
                if route.leads_only and not is_lead:
                    if is_lead is None:
                        raise NeedsLead
                    if route.refusal is None:
                        continue
                    return _refuse_command(route.refusal), " ".join(words[n:])
                return route.handler, " ".join(words[n:])
        if self._fallback is not None:
            return self._fallback, text
        return None

    def match_action(self, verb: str, *, is_lead: bool | None = None) -> ActionHandler | None:
        """The handler for a card action's verb (None: unknown verb).

        As for commands, ``is_lead=None`` on a lead-only action raises :class:`NeedsLead`;
        for anyone but a lead the handler answers with the route's refusal.
        """
        route = self._actions.get(verb)
        if route is None:
            return None
        if route.leads_only and not is_lead:
            if is_lead is None:
                raise NeedsLead
            return _refuse_action(route.refusal or "")
        return route.handler

    def action_data(self, verb: str) -> type[ActionData]:
        """The model a verb's data is read as (:func:`bot.actions.read_action_data`)."""
        route = self._actions.get(verb)
        return route.data if route is not None else ActionData

    @property
    def actions(self) -> dict[str, type[ActionData]]:
        """Every routed verb and its data's model."""
        return {verb: route.data for verb, route in self._actions.items()}

    @property
    def commands(self) -> list[CommandRoute]:
        return list(self._commands)
