"""The roster directory: users from the Entra admin center's "Download users" CSV.

Loading is synchronous file IO. App startup calls
``await asyncio.to_thread(RosterDirectory.from_csv, path)`` (or
:meth:`RosterDirectory.load`, which does exactly that) so the event loop never
blocks on the file.

Columns are matched by name; columns this directory does not use are ignored.
``userPrincipalName``, ``id``, ``displayName``, ``accountEnabled`` and
``userType`` are required. An optional ``groups`` column (not in the Entra
export) may list group ids or names separated by ``;``; an optional ``preferredLanguage`` column
(Entra ID's attribute, ``es-MX``) says which language a person reads.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from switchover.directory.base import DirectoryUser, Readiness

__all__ = ["REQUIRED_COLUMNS", "RosterDirectory", "RosterError", "RosterIssue"]

REQUIRED_COLUMNS = ("userPrincipalName", "id", "displayName", "accountEnabled", "userType")

_BOOLS = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class RosterIssue:
    """One problem in a roster file: the line (1-based, None for the file) and what is wrong."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}" if self.line else f"{self.source}: {self.message}"


class RosterError(ValueError):
    """A roster file that cannot be used; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[RosterIssue]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class RosterDirectory:
    """An in-memory :class:`~switchover.directory.base.Directory` over a fixed list of users.

    Lookups by object id, UPN or mail are case-insensitive. Readiness is unknown
    (None): the CSV says nothing about MFA registration.
    """

    def __init__(self, users: Iterable[DirectoryUser]) -> None:
        self._users = list(users)
        self._index: dict[str, DirectoryUser] = {}
        # Object ids first, then UPNs, then mail, so a mail equal to someone else's UPN never shadows it.
        for attr in ("id", "upn", "mail"):
            for u in self._users:
                value = getattr(u, attr)
                if value:
                    self._index.setdefault(value.casefold(), u)

    # -- loading --------------------------------------------------------------

    @classmethod
    def from_csv(cls, path: str | Path) -> RosterDirectory:
        """Read an Entra "Download users" CSV (synchronous; see the module docstring).

        Raises:
            RosterError: the file is missing, lacks required columns, or has bad rows (each named by line).
        """
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise RosterError([RosterIssue(str(p), None, f"cannot read the roster: {exc.strerror or exc}")]) from None
        except UnicodeDecodeError as exc:
            raise RosterError([RosterIssue(str(p), None, f"not UTF-8 text ({exc.reason})")]) from None
        return cls.from_text(text, source=str(p))

    @classmethod
    async def load(cls, path: str | Path) -> RosterDirectory:
        """:meth:`from_csv` in a worker thread, for async startup code."""
        return await asyncio.to_thread(cls.from_csv, path)

    @classmethod
    def from_text(cls, text: str, source: str = "<string>") -> RosterDirectory:
        """Parse roster CSV text (a leading BOM is ignored).

        Raises:
            RosterError: as :meth:`from_csv`.
        """
        text = text.removeprefix("\ufeff")
        reader = csv.reader(text.splitlines())
        header: list[str] | None = None
        header_line = 0
        for row in reader:
            if any(cell.strip() for cell in row):
                header = [cell.strip() for cell in row]
                header_line = reader.line_num
                break
        if header is None:
            raise RosterError([RosterIssue(source, None, "the roster is empty; expected the Entra users export")])
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise RosterError(
                [
                    RosterIssue(
                        source,
                        header_line,
                        f"missing column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(missing)}; export users from the Entra admin center (Users > Download users)",
                    )
                ]
            )
        col = {name: i for i, name in reversed(list(enumerate(header)))}
        issues: list[RosterIssue] = []
        users: list[DirectoryUser] = []
        seen: dict[tuple[str, str], int] = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))

            def get(name: str, row: list[str] = row) -> str:
                i = col.get(name)
                return row[i].strip() if i is not None else ""

            problems = []
            for name in ("userPrincipalName", "id", "displayName"):
                if not get(name):
                    problems.append(f"{name} is empty")
            enabled = _BOOLS.get(get("accountEnabled").casefold())
            if enabled is None:
                problems.append(f"accountEnabled is {get('accountEnabled')!r}; expected True or False")
            user_type = get("userType")
            if user_type.casefold() not in ("member", "guest"):
                problems.append(f"userType is {user_type!r}; expected Member or Guest")
            for name in ("id", "userPrincipalName"):
                value = get(name).casefold()
                if value and (name, value) in seen:
                    problems.append(f"{name} {get(name)!r} is already on line {seen[(name, value)]}")
            if problems:
                issues.append(RosterIssue(source, line, "; ".join(problems)))
                continue
            seen[("id", get("id").casefold())] = line
            seen[("userPrincipalName", get("userPrincipalName").casefold())] = line
            groups = frozenset(g.strip() for g in get("groups").split(";") if g.strip())
            users.append(
                DirectoryUser(
                    id=get("id"),
                    upn=get("userPrincipalName"),
                    display_name=get("displayName"),
                    given_name=get("givenName"),
                    mail=get("mail") or None,
                    department=get("department") or None,
                    office=get("officeLocation") or None,
                    city=get("city") or None,
                    state=get("state") or None,
                    country=get("country") or None,
                    usage_location=get("usageLocation") or None,
                    job_title=get("jobTitle") or None,
                    enabled=bool(enabled),
                    preferred_language=get("preferredLanguage") or None,
                    user_type="Guest" if user_type.casefold() == "guest" else "Member",
                    groups=groups,
                )
            )
        if issues:
            raise RosterError(issues)
        return cls(users)

    # -- Directory ------------------------------------------------------------

    def lookup(self, id_or_upn: str) -> DirectoryUser | None:
        """Synchronous :meth:`get`, for CLI and tests."""
        return self._index.get(id_or_upn.strip().casefold())

    async def get(self, id_or_upn: str) -> DirectoryUser | None:
        """A user by Entra object id, UPN or mail (case-insensitive), or None."""
        return self.lookup(id_or_upn)

    @property
    def users(self) -> list[DirectoryUser]:
        """Every user, in file order (a copy)."""
        return list(self._users)

    async def all_users(self) -> list[DirectoryUser]:
        """Every user, guests and disabled accounts included, in file order."""
        return list(self._users)

    async def readiness(self, user_id: str) -> Readiness | None:
        """Always None: the roster cannot tell whether someone registered MFA."""
        return None

    def __len__(self) -> int:
        return len(self._users)
