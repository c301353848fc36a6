"""Announcements: scheduled cutover notices and free-form messages to waves, departments,
offices, people and channels, sent through the delivery engine (see ``service``)."""

from switchover.announcements.model import Announcement, AnnouncementStatus, Audience, Button, Content, Urgency
from switchover.announcements.service import (
    AnnouncementError,
    AnnouncementService,
    NotARecipient,
    Report,
    RescheduleResult,
)

__all__ = [
    "Announcement",
    "AnnouncementError",
    "AnnouncementService",
    "AnnouncementStatus",
    "Audience",
    "Button",
    "Content",
    "NotARecipient",
    "Report",
    "RescheduleResult",
    "Urgency",
]
