"""The automation API's tokens: named, scoped to tenants, read or write, stored as hashes.

One entry per line (or separated by spaces, commas or semicolons in the environment)::

    name:scope:tenant:sha256

- ``name``: what the token is for (``psa-sync``); shown in logs, never the token;
- ``scope``: ``read`` (GET only) or ``write`` (every call, reading included);
- ``tenant``: the Entra tenant id it may work on (one entry per tenant; several entries
  may share a name and a hash to cover several tenants);
- ``sha256``: the token's SHA-256 as 64 hex digits (``printf %s "$TOKEN" | sha256sum``).

Entries come from ``SWITCHOVER_API_TOKENS`` and from the file ``SWITCHOVER_API_TOKENS_FILE``
(``#`` starts a comment). The file is read again when it changes, so a token is rotated
without a restart: add the new entry, move callers over, remove the old one; both are valid
in between. A file that no longer reads keeps the entries it had (and the error is logged).

The single ``SWITCHOVER_API_TOKEN`` still works: a full-access (write) token for the tenant
this instance serves (the plan's ``organisation.tenant_id``, else the one Teams settled).

A presented token is hashed and compared with every entry in constant time
(:func:`hmac.compare_digest`); tokens are never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from switchover.access import SCOPES, WRITE, ApiGrant

log = logging.getLogger(__name__)

_HEX64 = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
_TENANT = re.compile(r"[A-Za-z0-9._-]{1,64}")
LEGACY_NAME = "SWITCHOVER_API_TOKEN"


class TokenListError(ValueError):
    """An entry that does not read; the message says where and how to fix it."""


@dataclass(frozen=True, slots=True)
class TokenEntry:
    """One ``name:scope:tenant:sha256`` entry."""

    name: str
    scope: str
    tenant: str
    digest: bytes  # the SHA-256 of the token


def token_hash(token: str) -> str:
    """The entry form of a token: its SHA-256 as hex (what to write in the list)."""
    return hashlib.sha256(token.encode()).hexdigest()


def parse_entry(text: str, where: str) -> TokenEntry:
    """One entry; ``where`` (``SWITCHOVER_API_TOKENS entry 2``, ``tokens.txt line 7``) goes into errors."""
    parts = text.split(":")
    if len(parts) != 4:
        raise TokenListError(
            f"{where}: {len(parts)} fields where name:scope:tenant:sha256 has 4 "
            "(e.g. psa-sync:read:6b1c7a5e-2f4d-4c1e-9a63-0f2d9c7e1a11:<64 hex digits>)"
        )
    name, scope, tenant, digest = (p.strip() for p in parts)
    if not _NAME.fullmatch(name):
        raise TokenListError(f"{where}: the name {name!r} should be 1-64 letters, digits, '.', '_' or '-'")
    if scope not in SCOPES:
        raise TokenListError(f"{where}: the scope {scope!r} should be read or write")
    if not _TENANT.fullmatch(tenant):
        raise TokenListError(f"{where}: the tenant {tenant!r} should be a tenant id")
    digest = digest.lower()
    if not _HEX64.fullmatch(digest):
        raise TokenListError(
            f"{where}: the last field should be the token's SHA-256 as 64 hex digits "
            '(printf %s "$TOKEN" | sha256sum), not the token itself'
        )
    return TokenEntry(name, scope, tenant, bytes.fromhex(digest))


def parse_entries(text: str, source: str, *, lines: bool) -> list[TokenEntry]:
    """Every entry in ``text``: one per line in a file (``lines``), else separated by spaces, commas or semicolons."""
    entries = []
    if lines:
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.split("#", 1)[0].strip()
            if line:
                entries.append(parse_entry(line, f"{source} line {number}"))
    else:
        for number, item in enumerate(re.split(r"[\s,;]+", text.strip()), start=1):
            if item:
                entries.append(parse_entry(item, f"{source} entry {number}"))
    return entries


class ApiTokens:
    """The valid API tokens, re-reading the token file when it changes.

    Args:
        entries: ``SWITCHOVER_API_TOKENS`` (may be empty).
        file: ``SWITCHOVER_API_TOKENS_FILE``, or None.
        legacy: ``SWITCHOVER_API_TOKEN`` (may be empty): full access to the served tenant.

    Raises:
        TokenListError: an entry does not read, or the file is missing, at start.
    """

    def __init__(self, *, entries: str = "", file: Path | None = None, legacy: str = "") -> None:
        self._fixed = parse_entries(entries, "SWITCHOVER_API_TOKENS", lines=False)
        self._file = file
        self._legacy = hashlib.sha256(legacy.encode()).digest() if legacy else None
        self._stamp: tuple[int, int, int] | None = None
        self._from_file: list[TokenEntry] = []
        if file is not None:
            if not file.is_file():
                raise TokenListError(f"SWITCHOVER_API_TOKENS_FILE: there is no file at {file}")
            self.refresh(strict=True)

    @property
    def configured(self) -> bool:
        """Whether any token can be valid (without one there is no API)."""
        return bool(self._fixed or self._file is not None or self._legacy)

    def refresh(self, *, strict: bool = False) -> None:
        """Read the token file again if it changed since the last read (cheap when it did not)."""
        if self._file is None:
            return
        try:
            st = os.stat(self._file)
        except OSError as exc:
            if strict:
                raise TokenListError(f"SWITCHOVER_API_TOKENS_FILE: cannot read {self._file}: {exc.strerror}") from None
            log.error("API token file unreadable; keeping the tokens read before: %s", exc.strerror)
            return
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self._stamp:
            return
        try:
            entries = parse_entries(self._file.read_text(encoding="utf-8"), str(self._file), lines=True)
        except (OSError, UnicodeDecodeError, TokenListError) as exc:
            if strict:
                raise TokenListError(str(exc)) from None
            log.error("API token file not re-read; keeping the tokens read before: %s", exc)
            return
        self._stamp = stamp
        self._from_file = entries
        log.info("API tokens read: %s", ", ".join(sorted({e.name for e in entries})) or "none")

    def check(self, presented: str) -> ApiGrant | None:
        """The grant of the token ``presented``, or None when it is no valid token.

        Every entry is compared (in constant time), whether or not an earlier one matched.
        """
        if not presented:
            return None
        digest = hashlib.sha256(presented.encode()).digest()
        legacy = self._legacy is not None and hmac.compare_digest(digest, self._legacy)
        matched = [e for e in (*self._fixed, *self._from_file) if hmac.compare_digest(digest, e.digest)]
        if legacy:
            return ApiGrant(LEGACY_NAME, None)
        if not matched:
            return None
        tenants: dict[str, str] = {}
        for e in matched:
            tenants[e.tenant] = WRITE if WRITE in (e.scope, tenants.get(e.tenant)) else e.scope
        return ApiGrant(matched[0].name, tenants)
