"""Email beyond Teams: a small durable outbox (:mod:`switchover.mail.outbox`) sending through
Microsoft Graph ``sendMail`` (:mod:`switchover.mail.sender`). It knows nothing of announcements:
what an email says and whom it is for is decided by its callers
(:mod:`switchover.announcements.email`)."""

from switchover.mail.outbox import EmailOutbox, EmailOutcome, EmailRequest, EmailStatus
from switchover.mail.sender import GraphMailSender, MailError, MailSender, OutgoingEmail

__all__ = [
    "EmailOutbox",
    "EmailOutcome",
    "EmailRequest",
    "EmailStatus",
    "GraphMailSender",
    "MailError",
    "MailSender",
    "OutgoingEmail",
]
