"""Announcements: scheduled cutover notices and free-form messages to waves, departments,
offices, people and channels, sent through the delivery engine (see ``service``)."""

from switchover.announcements.acknowledgements import NotARecipient
from switchover.announcements.corrections import RescheduleResult
from switchover.announcements.jobs import BulkJob, JobKind, JobState, Lead
from switchover.announcements.model import (
    Announcement,
    AnnouncementError,
    AnnouncementStatus,
    Audience,
    Button,
    Content,
    Urgency,
)
from switchover.announcements.reports import Report
from switchover.announcements.service import AnnouncementService

__all__ = [
    "Announcement",
    "AnnouncementError",
    "AnnouncementService",
    "AnnouncementStatus",
    "Audience",
    "BulkJob",
    "Button",
    "Content",
    "JobKind",
    "JobState",
    "Lead",
    "NotARecipient",
    "Report",
    "RescheduleResult",
    "Urgency",
]
