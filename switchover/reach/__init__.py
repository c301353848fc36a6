"""Reach: whom the bot can message in Teams, per wave, and the app installed ahead of the campaign.

``model`` (one state per person, from stored facts), ``installs`` (the durable installation
queue: one row per person and app, claimed, paused on Graph's 429), ``service`` (per-wave reach
and what is due), ``tables``.
"""

from switchover.reach.installs import DrainResult, InstallQueue, InstallState, InstallTarget
from switchover.reach.model import PersonReach, ReachState
from switchover.reach.service import ReachService, WaveReach

__all__ = [
    "DrainResult",
    "InstallQueue",
    "InstallState",
    "InstallTarget",
    "PersonReach",
    "ReachService",
    "ReachState",
    "WaveReach",
]
