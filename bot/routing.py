"""Routing as data: text commands and card actions mapped to handlers by an explicit table.

Commands match on the leading words of a message after mentions are removed
and case/punctuation are folded ("Report a problem!" -> ``report a problem``).
Card actions match on the ``verb`` of an ``Action.Execute`` (or the ``verb``
key of an ``Action.Submit`` / messageBack payload). Anything unmatched goes to
the fallback (free-text understanding).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.turn import Turn

CommandHandler = Callable[["Turn", str], Awaitable[None]]
"""Called with the turn and the text after the command words."""

ActionHandler = Callable[["Turn", dict[str, Any]], Awaitable[dict[str, Any] | None]]
"""Called with the turn and the action's data; may return a card that replaces
the one the action came from (universal action response)."""

EventHandler = Callable[["Turn", Any], Awaitable[None]]
"""Called for Teams events such as read receipts, with the event's value."""


class NeedsLead(Exception):  # noqa: N818 - a signal, not an error
    """A lead-only command matched: ask again saying whether the person is a project lead."""


_FOLD = re.compile(r"[^\w\s]+")


def fold(text: str) -> str:
    """Lower-case, drop punctuation, squeeze spaces: the form commands match on."""
    return " ".join(_FOLD.sub(" ", text.casefold()).split())


@dataclass(frozen=True, slots=True)
class CommandRoute:
    words: tuple[str, ...]
    handler: CommandHandler
    help: str
    leads_only: bool = False
    exact: bool = False


class Router:
    """The table of commands and card actions."""

    def __init__(self) -> None:
        self._commands: list[CommandRoute] = []
        self._actions: dict[str, ActionHandler] = {}
        self._fallback: CommandHandler | None = None
        self._events: dict[str, list[EventHandler]] = {}

    def command(
        self,
        phrase: str,
        handler: CommandHandler,
        *,
        help: str = "",  # noqa: A002
        leads_only: bool = False,
        exact: bool = False,
    ) -> None:
        """Route messages starting with ``phrase`` (folded) to ``handler``.

        ``leads_only`` commands match only for project leads; for anyone else the
        words mean what they mean in plain language ("cancel my meeting" is a
        question, not a command), so matching goes on to shorter commands and the
        fallback. ``exact`` commands match only the whole message ("help", but not
        "help desk phone number", which is a question).
        """
        words = tuple(fold(phrase).split())
        if not words:
            raise ValueError("a command needs at least one word")
        if any(r.words == words for r in self._commands):
            raise ValueError(f"command {phrase!r} is already routed")
        self._commands.append(CommandRoute(words, handler, help, leads_only, exact))
        # Longest phrase first, so "report a problem" wins over "report".
        self._commands.sort(key=lambda r: -len(r.words))

    def action(self, verb: str, handler: ActionHandler) -> None:
        """Route card actions whose verb is ``verb``."""
        if verb in self._actions:
            raise ValueError(f"card action {verb!r} is already routed")
        self._actions[verb] = handler

    def fallback(self, handler: CommandHandler) -> None:
        """Handle any message no command matched."""
        self._fallback = handler

    def event(self, name: str, handler: EventHandler) -> None:
        """Also call ``handler`` for the Teams event ``name`` (e.g. ``read_receipt``)."""
        self._events.setdefault(name, []).append(handler)

    def event_handlers(self, name: str) -> list[EventHandler]:
        return list(self._events.get(name, ()))

    def match_command(self, text: str, *, is_lead: bool | None = None) -> tuple[CommandHandler, str] | None:
        """The handler for ``text`` and the rest of the text after the command words.

        ``is_lead=None`` means "not known": the first lead-only match is returned
        as :class:`NeedsLead` so the caller can look the person up only when it matters.
        """
        words = fold(text).split()
        for route in self._commands:
            n = len(route.words)
            if tuple(words[:n]) == route.words and not (route.exact and len(words) != n):
                if route.leads_only and not is_lead:
                    if is_lead is None:
                        raise NeedsLead
                    continue
                return route.handler, " ".join(words[n:])
        if self._fallback is not None:
            return self._fallback, text
        return None

    def match_action(self, verb: str) -> ActionHandler | None:
        return self._actions.get(verb)

    @property
    def commands(self) -> list[CommandRoute]:
        return list(self._commands)
