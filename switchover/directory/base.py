"""The directory seam: find people by Entra object id or UPN.

Two implementations: the roster CSV (``switchover.directory.roster``, default)
and Microsoft Graph (``switchover.directory.graph``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from switchover.countries import country_of


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    """A user as the directory knows them (Entra ID fields)."""

    id: str  # Entra object id; Teams sends it as from.aadObjectId
    upn: str
    display_name: str
    given_name: str = ""
    mail: str | None = None
    department: str | None = None
    office: str | None = None  # officeLocation
    city: str | None = None
    state: str | None = None
    country: str | None = None  # the address's country, as written ("Poland")
    usage_location: str | None = None  # ISO 3166 code Microsoft 365 licenses by ("PL")
    job_title: str | None = None
    enabled: bool = True
    # Entra ID's preferredLanguage (ISO 639-1 with a region, "es-MX"): the language a person reads,
    # until Teams tells us (conversation_refs.locale).
    preferred_language: str | None = None
    user_type: str = "Member"  # Member or Guest
    manager_id: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)  # group ids and display names

    @property
    def country_name(self) -> str | None:
        """The user's country as an English name ("Poland"), from ``country`` or ``usage_location``."""
        return country_of(self.country, self.usage_location)

    @property
    def is_guest(self) -> bool:
        return self.user_type.casefold() == "guest"


@dataclass(frozen=True, slots=True)
class Readiness:
    """Whether a user is ready for cutover (from Graph; unknown with the CSV roster)."""

    user_id: str
    mfa_registered: bool | None
    methods: tuple[str, ...] = ()
    device_compliant: bool | None = None
    checked_at: dt.datetime | None = None


class Directory(Protocol):
    """Looks people up. Implementations must be safe to call concurrently."""

    async def get(self, id_or_upn: str) -> DirectoryUser | None:
        """A user by Entra object id, UPN or mail (case-insensitive), or None."""
        ...

    async def all_users(self) -> list[DirectoryUser]:
        """Every user, guests and disabled accounts included."""
        ...

    async def readiness(self, user_id: str) -> Readiness | None:
        """MFA/device readiness, or None when this directory cannot tell."""
        ...
