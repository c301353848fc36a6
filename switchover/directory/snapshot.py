"""The whole directory as of one successful sync: what the Graph directory answers from and the store keeps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from switchover.directory.base import DirectoryUser, Readiness


@dataclass(frozen=True)
class Snapshot:
    """The whole directory as of one successful sync."""

    users: tuple[DirectoryUser, ...]
    readiness: dict[str, Readiness]
    synced_at: dt.datetime
    _index: dict[str, DirectoryUser] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for u in self.users:
            for key in (u.id, u.upn, u.mail):
                if key:
                    self._index.setdefault(key.casefold(), u)

    def find(self, id_or_upn: str) -> DirectoryUser | None:
        return self._index.get(id_or_upn.casefold())
