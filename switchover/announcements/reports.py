"""The figures of one announcement: recipients, sent, pending, failed and unreachable (by reason),
read and acknowledged, per department, office and language (the one each card was written in), with
one row per recipient for the CSV."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from switchover import i18n
from switchover.announcements.model import PURPOSE, Announcement
from switchover.announcements.store import AnnouncementStore
from switchover.delivery import DeliveryEngine, DeliveryStatus
from switchover.directory.base import Directory
from switchover.i18n import N_
from switchover.mail import EmailOutcome, EmailStatus


def reached_by(teams_status: str, email_status: str | None) -> str | None:
    """Which channel reached a person: ``teams``, ``email`` (the fallback, Teams could not),
    ``teams+email`` (the email after a Teams send in doubt, which may have arrived too), else None."""
    if email_status == EmailStatus.SENT.value:
        in_teams = teams_status in (DeliveryStatus.SENT.value, DeliveryStatus.IN_DOUBT.value)
        return "teams+email" if in_teams else "email"
    return "teams" if teams_status == DeliveryStatus.SENT.value else None


@dataclass
class Report:
    """Delivery and acknowledgement figures of one announcement."""

    announcement: Announcement
    recipients: int = 0
    sent: int = 0
    pending: int = 0
    failed: int = 0
    unreachable: int = 0
    read: int = 0
    acknowledged: int = 0
    in_doubt: int = 0
    recalled: int = 0
    cancelled: int = 0
    # Which channel reached people: Teams (``sent``), email instead (``by_email``), or both (a
    # Teams send in doubt, then an email); emails still queued or that failed for good.
    by_email: int = 0
    both: int = 0
    email_pending: int = 0
    email_failed: int = 0
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    unreachable_by_reason: dict[str, int] = field(default_factory=dict)
    by_department: dict[str, dict[str, int]] = field(default_factory=dict)
    by_office: dict[str, dict[str, int]] = field(default_factory=dict)
    # By the language each card was written in (``es``); "(unknown)" for cards sent before it was kept.
    by_language: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> list[tuple[str, int]]:
        """The headline figures, labelled, in the order a lead reads them."""
        return [  # in English (the API's keys); a card shows each label translated
            (N_("Recipients"), self.recipients),
            (N_("Sent"), self.sent),
            (N_("Pending"), self.pending),
            (N_("Failed"), self.failed),
            (N_("Unreachable"), self.unreachable),
            (N_("Read"), self.read),
            (N_("Acknowledged"), self.acknowledged),
        ]

    @property
    def reached(self) -> int:
        """People reached in Teams or by email (an email after a Teams send in doubt counts once)."""
        return self.sent + self.by_email + self.both - self._both_sent

    @property
    def _both_sent(self) -> int:
        return sum(1 for row in self.rows if row.get("channel") == "teams+email" and row.get("status") == "sent")

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON (the API's report)."""
        return {
            "announcement_id": self.announcement.id,
            "status": self.announcement.status.value,
            **{name.lower(): value for name, value in self.totals()},
            "in_doubt": self.in_doubt,
            "reached": self.reached,
            "by_channel": {"teams": self.sent - self._both_sent, "email": self.by_email, "both": self.both},
            "email_pending": self.email_pending,
            "email_failed": self.email_failed,
            "recalled": self.recalled,
            "failed_by_reason": self.failed_by_reason,
            "unreachable_by_reason": self.unreachable_by_reason,
            "by_department": self.by_department,
            "by_office": self.by_office,
            "by_language": self.by_language,
        }


class Reports:
    """Reports on one tenant's announcements.

    Args:
        store: The tenant's announcements (and acknowledgements).
        directory: Recipients' departments and offices.
        engine: The delivery engine (each delivery's outcome and read receipt).
        emails: The emails of one announcement (``EmailFallback.outcomes``): who was reached by email.
    """

    def __init__(
        self,
        store: AnnouncementStore,
        directory: Directory,
        engine: DeliveryEngine,
        *,
        emails: Callable[[str], Awaitable[list[EmailOutcome]]] | None = None,
    ) -> None:
        self.emails = emails
        self.store = store
        self.directory = directory
        self.engine = engine

    async def report(self, ann_id: str) -> Report:
        """Recipients, sent, failed by reason, unreachable, read, acknowledged; per department and office."""
        announcement = await self.store.get(ann_id)
        outcomes = await self.engine.outcomes(self.store.tenant_id, PURPOSE, ann_id)
        acked = await self.store.acknowledged_by(ann_id)
        mails = {
            e.person_id: e
            for e in (await self.emails(ann_id) if self.emails is not None else [])
            if e.kind == "announcement"
        }
        report = Report(announcement=announcement, recipients=len(outcomes))
        failed_by: Counter[str] = Counter()
        unreachable_by: Counter[str] = Counter()
        by_dept: dict[str, Counter[str]] = defaultdict(Counter)
        by_office: dict[str, Counter[str]] = defaultdict(Counter)
        by_language: dict[str, Counter[str]] = defaultdict(Counter)
        for o in outcomes:
            language = language_code(o.language)
            user = await self.directory.get(o.recipient.key) if o.recipient.kind == "user" else None
            dept = (user.department if user else None) or ("(channel)" if o.recipient.kind == "channel" else "(none)")
            office = (user.office if user else None) or ("(channel)" if o.recipient.kind == "channel" else "(none)")
            flags = {"recipients": 1}
            if o.status is DeliveryStatus.SENT:
                report.sent += 1
                flags["sent"] = 1
            elif o.status is DeliveryStatus.FAILED:
                report.failed += 1
                failed_by[_reason_code(o.reason)] += 1
                flags["failed"] = 1
            elif o.status is DeliveryStatus.UNREACHABLE:
                report.unreachable += 1
                unreachable_by[_reason_code(o.reason)] += 1
                flags["unreachable"] = 1
            elif o.status is DeliveryStatus.IN_DOUBT:
                report.in_doubt += 1
            elif o.status is DeliveryStatus.RECALLED:
                report.recalled += 1
            elif o.status is DeliveryStatus.CANCELLED:
                report.cancelled += 1
            else:
                report.pending += 1
                flags["pending"] = 1
            mail = mails.get(o.recipient.key) if o.recipient.kind == "user" else None
            channel = reached_by(o.status.value, mail.status.value if mail is not None else None) or ""
            if channel in ("teams+email", "email"):
                if channel == "teams+email":
                    report.both += 1
                else:
                    report.by_email += 1
                flags["by_email"] = 1
            elif mail is not None and mail.status is EmailStatus.FAILED:
                report.email_failed += 1
            elif mail is not None and mail.status in (EmailStatus.PENDING, EmailStatus.CLAIMED):
                report.email_pending += 1
            if o.read_at is not None:
                report.read += 1
                flags["read"] = 1
            if o.recipient.key in acked:
                report.acknowledged += 1
                flags["acknowledged"] = 1
            for name, n in flags.items():
                by_dept[dept][name] += n
                by_office[office][name] += n
                by_language[language][name] += n
            report.rows.append(
                {
                    "recipient": o.recipient.key,
                    "name": o.recipient.display_name or "",
                    "kind": o.recipient.kind,
                    "department": dept,
                    "office": office,
                    "status": o.status.value,
                    "channel": channel,
                    "email_status": mail.status.value if mail is not None else "",
                    "reason": o.reason or "",
                    "attempts": o.attempts,
                    "sent_at": o.sent_at.isoformat() if o.sent_at else "",
                    "read_at": o.read_at.isoformat() if o.read_at else "",
                    "acknowledged": "yes" if o.recipient.key in acked else "no",
                    "language": language,
                }
            )
        report.failed_by_reason = dict(failed_by)
        report.unreachable_by_reason = dict(unreachable_by)
        report.by_department = {k: dict(v) for k, v in sorted(by_dept.items())}
        report.by_office = {k: dict(v) for k, v in sorted(by_office.items())}
        report.by_language = {k: dict(v) for k, v in sorted(by_language.items())}
        return report

    async def on_read_receipt(self, conversation_id: str, last_read_message_id: str) -> int:
        """A read receipt from a 1:1 chat: deliveries up to that message were read (the "Read" figure)."""
        return await self.engine.mark_read(self.store.tenant_id, conversation_id, last_read_message_id)


def language_code(tag: str | None) -> str:
    """The language of a delivery's tag as a report groups it (``es-US`` -> ``es``)."""
    return i18n.primary(tag) if tag else UNKNOWN_LANGUAGE


UNKNOWN_LANGUAGE = "(unknown)"


def _reason_code(reason: str | None) -> str:
    """The stable part of a failure reason ("HTTP 403 ConversationBlockedByUser ..." -> code)."""
    if not reason:
        return "unknown"
    words = reason.replace(";", " ").replace(":", " ").split()
    for word in words:
        if word[:1].isupper() and word.isalpha() and word not in ("HTTP", "NoConversation"):
            return word
    return words[0] if words else "unknown"
