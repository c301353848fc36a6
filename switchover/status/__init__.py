"""Leadership status: one picture of the migration (waves, reach, readiness, announcements, problems).

``StatusService.picture`` builds a :class:`StatusPicture` (typed, serialisable) at a moment; the
``status`` card, ``GET /api/status`` and the daily digest all show that one picture.
"""

from switchover.status.model import StatusPicture, WaveState, WaveStatus
from switchover.status.queries import ReportFilter
from switchover.status.service import PAGE_SIZE, Page, PersonLine, ReportLine, StatusService, describe

__all__ = [
    "PAGE_SIZE",
    "Page",
    "PersonLine",
    "ReportFilter",
    "ReportLine",
    "StatusPicture",
    "StatusService",
    "WaveState",
    "WaveStatus",
    "describe",
]
