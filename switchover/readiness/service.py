"""The readiness service: whether a person is ready for their cutover, and what they still have to do.

What the rest of the product asks (the schedule answer's notice, reminders before
cutover, the T-14 "I've set up Authenticator" check, the leads' report). Two sources:
the directory (Graph: :mod:`switchover.directory.graph_readiness`; the CSV roster
cannot tell) and the admin's exports (:mod:`switchover.readiness.exports`), when the
plan or settings name them. Graph wins where it knows; each check it cannot tell
(no permission yet, the CSV roster) comes from the exports. This module turns the
result into plain words.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from switchover.directory.base import Directory, DirectoryUser, Readiness
from switchover.i18n import gettext as _
from switchover.plan.current import CurrentPlan
from switchover.readiness.notice import ReadinessNotice
from switchover.readiness.report import ReadinessReport, readiness_report

if TYPE_CHECKING:
    from switchover.plan.model import Plan, ReadinessChecks
    from switchover.readiness.exports import ExportReadiness

log = logging.getLogger(__name__)

MFA_SETUP_URL = "https://aka.ms/mfasetup"
# The longest a schedule answer waits for readiness before answering without it. The last sync
# answers from memory in microseconds; this bounds a directory that is slow for another reason.
NOTICE_TIMEOUT_SECONDS = 0.5


async def readiness_for(directory: Directory, user: DirectoryUser, *, fresh: bool = False) -> Readiness | None:
    """A user's readiness, for the schedule answer and reminders.

    With ``fresh=True`` (the T-14 "I've set up Authenticator" acknowledgement) a
    directory that can ask Graph now does so; otherwise the last sync answers.
    None when the directory cannot tell (the CSV roster).
    """
    check = getattr(directory, "check_readiness", None)
    if fresh and check is not None:
        return await check(user.id)
    return await directory.readiness(user.id)


def combined(live: Readiness | None, exported: Readiness | None) -> Readiness | None:
    """The directory's readiness, each check it cannot tell taken from the exports."""
    if live is None:
        return exported
    if exported is None:
        return live
    mfa_live = live.mfa_registered is not None
    return Readiness(
        user_id=live.user_id,
        mfa_registered=live.mfa_registered if mfa_live else exported.mfa_registered,
        methods=live.methods if mfa_live else exported.methods,
        device_compliant=live.device_compliant if live.device_compliant is not None else exported.device_compliant,
        checked_at=live.checked_at if mfa_live else exported.checked_at,
    )


class ReadinessService:
    """What the rest of the product calls: ``services.readiness``.

    Args:
        plan: the plan (which checks it asks for).
        directory: the directory (Graph knows readiness; the roster does not).
        exports: the admin's exports (:class:`~switchover.readiness.exports.ExportReadiness`), if any.
    """

    def __init__(self, plan: Plan | CurrentPlan, directory: Directory, exports: ExportReadiness | None = None) -> None:
        self.current = CurrentPlan.of(plan)
        self.directory = directory
        self.exports = exports

    async def _lookup(self, user: DirectoryUser, *, fresh: bool = False) -> Readiness | None:
        live = await readiness_for(self.directory, user, fresh=fresh)
        if self.exports is None:
            return live
        if self._knows_all(live):
            return live  # Graph knows all the plan asks: the exports are not read
        return combined(live, await self.exports.readiness(user))

    def _knows_all(self, live: Readiness | None) -> bool:
        """Whether the directory's readiness answers every check the plan asks."""
        return (
            live is not None
            and (live.mfa_registered is not None or not self.checks.mfa)
            and (live.device_compliant is not None or not self.checks.device_compliance)
        )

    @property
    def source(self) -> str:
        """Where readiness comes from, in words for the leads' card."""
        graph = hasattr(self.directory, "check_readiness")
        if self.exports is None:
            return "Microsoft Graph" if graph else "nowhere yet"
        return f"Microsoft Graph, else {self.exports.describes}" if graph else self.exports.describes

    @property
    def plan(self) -> Plan:
        """The plan as it stands (read through the shared :class:`CurrentPlan`)."""
        return self.current.plan

    @property
    def checks(self) -> ReadinessChecks:
        return self.plan.readiness

    async def readiness_for(self, user: DirectoryUser, *, fresh: bool = False) -> Readiness | None:
        """The user's readiness, or None when the plan asks nothing or the directory cannot tell.

        Args:
            user: the person.
            fresh: ask Graph now (the T-14 "I've set up Authenticator" acknowledgement)
                instead of the last sync; falls back to the sync if Graph fails.
        """
        if not (self.checks.mfa or self.checks.device_compliance):
            return None
        return await self._lookup(user, fresh=fresh)

    def to_do(self, readiness: Readiness | None) -> list[str]:
        """What the user still has to do, in plain words (empty when ready or unknown)."""
        if readiness is None:
            return []
        out = []
        if self.checks.mfa and readiness.mfa_registered is False:
            out.append(_("set up Microsoft Authenticator ({url})").format(url=MFA_SETUP_URL))
        if self.checks.device_compliance and readiness.device_compliant is False:
            out.append(_("bring your work device into compliance (check the Company Portal app)"))
        return out

    async def notice(self, user: DirectoryUser, cutover: dt.datetime) -> ReadinessNotice | None:
        """What ``user`` must do before ``cutover``, from the last sync; None when ready or unknown.

        For the schedule answer: never asks Graph, never raises and never waits longer than
        ``NOTICE_TIMEOUT_SECONDS`` (a failure is logged and the answer goes without it).

        Args:
            user: the person asking.
            cutover: their cutover's start, in their time zone (the notice names the day).
        """
        try:
            async with asyncio.timeout(NOTICE_TIMEOUT_SECONDS):
                readiness = await self.readiness_for(user)
        except Exception:
            log.exception("readiness unavailable; answering without it", extra={"user": user.id})
            return None
        to_do = self.to_do(readiness)
        return ReadinessNotice(tuple(to_do), cutover) if to_do else None

    async def last_known(self, user_id: str) -> Readiness | None:
        """A person's readiness by Entra object id from the last sync, the exports filling in what it
        cannot tell (never asks Graph now). For figures over many people (the status card)."""
        readiness = await self.directory.readiness(user_id)
        if self.exports is not None and not self._knows_all(readiness):
            user = await self.directory.get(user_id)  # the exports know people by UPN
            if user is not None:
                readiness = combined(readiness, await self.exports.readiness(user))
        return readiness

    async def to_do_for(self, user_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """What each not-ready user still has to do, from the last sync (never one Graph call per user).

        For sends to many people (a reminder before cutover). Ready and unknown users are left
        out; if the directory fails, that is logged once and the users not yet looked up are
        left out too (their cards go without the notice).

        Args:
            user_ids: Entra object ids.
        """
        out: dict[str, tuple[str, ...]] = {}
        if not (self.checks.mfa or self.checks.device_compliance):
            return out
        try:
            for user_id in user_ids:
                # From the synced snapshot (Graph), else the exports; None when neither can tell.
                to_do = self.to_do(await self.last_known(user_id))
                if to_do:
                    out[user_id] = tuple(to_do)
        except Exception:
            log.exception("readiness unavailable; reminders go without it", extra={"found": len(out)})
        return out

    async def report(self, wave_key: str | None = None) -> ReadinessReport:
        """Counts per wave and department for leads (device compliance too when the plan asks)."""
        report = await readiness_report(self.plan, self.directory, wave_key=wave_key, lookup=self._lookup)
        report.source = self.source
        report.device_compliance = self.checks.device_compliance
        return report

    async def confirm_mfa(self, user: DirectoryUser) -> tuple[bool | None, str]:
        """Check "I've set up Authenticator" against Graph now (the T-14 acknowledgement).

        Returns:
            (True, thanks) when Graph (or the exports) show MFA registered; (False, what to do)
            when Graph does not (registration can take a few minutes to show); (None, ...) when
            Graph cannot tell (CSV roster), in which case the acknowledgement is taken at its
            word: an export saying "not registered" may predate the registration.
        """
        readiness = await self.readiness_for(user, fresh=True)
        if readiness is None or readiness.mfa_registered is None:
            return None, _("Thanks, noted.")
        live = await readiness_for(self.directory, user)
        if not readiness.mfa_registered and (live is None or live.mfa_registered is None):
            return None, _("Thanks, noted.")
        if readiness.mfa_registered:
            return True, _("Thanks, Microsoft Authenticator is registered for your account. You're ready for MFA.")
        return False, _(
            "Microsoft 365 does not show an Authenticator registration for your account yet. "
            "If you have just finished, give it a few minutes and press the button again; "
            "otherwise set it up at {url}."
        ).format(url=MFA_SETUP_URL)
