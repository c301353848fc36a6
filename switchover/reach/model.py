"""Whether the bot can reach a person in Teams, and why not: one state per person, from stored facts.

:func:`reach_of` is pure: it takes what the directory, the stored conversation references, the
installation queue and the delivery outbox say about one person and returns their
:class:`PersonReach`. The service (:mod:`switchover.reach.service`) gathers those facts for a whole
wave in a few set-based reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from switchover.i18n import N_, ngettext
from switchover.i18n import gettext as _
from switchover.reach.installs import InstallRow, InstallState


class ReachState(StrEnum):
    """Where a person stands, best first."""

    CONVERSATION = "conversation"  # a 1:1 chat with the bot is stored and installed
    INSTALLED = "installed"  # the app was installed through Graph; Teams opens the chat
    BLOCKED = "blocked"  # removed the app, or Teams refused the last message (blocked the bot)
    NO_TEAMS = "no_teams"  # Graph refused the installation: no Teams licence, blocked by policy, or not found
    DISABLED = "disabled"  # the account is disabled in the directory
    UNKNOWN = "unknown"  # never opened the bot, no installation tried yet (or it is still under way)

    @property
    def reachable(self) -> bool:
        """The bot can message them (or will as soon as Teams reports the chat the install opened)."""
        return self in (ReachState.CONVERSATION, ReachState.INSTALLED)

    @property
    def label(self) -> str:
        """The state's name in the reader's language."""
        return _(LABELS[self])


LABELS = {
    ReachState.CONVERSATION: N_("Chat with the bot"),
    ReachState.INSTALLED: N_("App installed"),
    ReachState.BLOCKED: N_("Blocked or removed the app"),
    ReachState.NO_TEAMS: N_("No Teams licence or not found"),
    ReachState.DISABLED: N_("Account disabled"),
    ReachState.UNKNOWN: N_("Unknown"),
}

STATES: tuple[ReachState, ...] = tuple(ReachState)


@dataclass(frozen=True, slots=True)
class ConversationFact:
    """The person's stored 1:1 chat: installed or removed (and when)."""

    installed: bool
    last_seen: dt.datetime
    uninstalled_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class RefusedFact:
    """The last time Teams refused a message to the person as gone (blocked, uninstalled), and the last
    message that did arrive, if any after it."""

    refused_at: dt.datetime
    reason: str
    sent_after: bool = False  # a later message was delivered: the refusal is over


@dataclass(frozen=True, slots=True)
class PersonReach:
    """One wave member's reach."""

    user_id: str
    name: str
    upn: str
    department: str
    state: ReachState
    detail: str  # why, in words for a lead


def reach_of(
    *,
    enabled: bool,
    chat: ConversationFact | None,
    install: InstallRow | None,
    refused: RefusedFact | None,
) -> tuple[ReachState, str]:
    """The person's state and why, from what is stored about them.

    Order: a disabled account first (nothing reaches it); then a refusal by Teams newer than the
    chat's last sign of life (blocked); an installed chat; a removed one (unless the app was
    installed again since); the installation's outcome; else unknown.
    """
    if not enabled:
        return ReachState.DISABLED, _("account disabled in the directory")
    if refused is not None and not refused.sent_after and (chat is None or refused.refused_at >= chat.last_seen):
        return ReachState.BLOCKED, _("Teams refused the last message ({reason})").format(reason=refused.reason)
    if chat is not None and chat.installed:
        return ReachState.CONVERSATION, _("has a chat with the bot")
    installed_since = (
        install is not None
        and install.state in (InstallState.INSTALLED, InstallState.ALREADY_INSTALLED)
        and (
            chat is None
            or (
                install.done_at is not None
                and chat.uninstalled_at is not None
                and install.done_at > chat.uninstalled_at
            )
        )
    )
    if chat is not None and not installed_since:
        return ReachState.BLOCKED, _("removed the app")
    if install is None:
        return ReachState.UNKNOWN, _("has not opened the bot; no installation tried yet")
    if install.state in (InstallState.INSTALLED, InstallState.ALREADY_INSTALLED):
        return ReachState.INSTALLED, _("app installed through Graph; waiting for Teams to open the chat")
    if install.state is InstallState.FORBIDDEN:
        return ReachState.NO_TEAMS, _("Teams refused the installation (no Teams licence or app policy)")
    if install.state is InstallState.NOT_FOUND:
        return ReachState.NO_TEAMS, _("no Teams account found for this user")
    if install.state is InstallState.FAILED:
        return ReachState.UNKNOWN, ngettext(
            "installation failed after {n} attempt", "installation failed after {n} attempts", install.attempts
        ).format(n=install.attempts)
    return ReachState.UNKNOWN, _("installation under way")
