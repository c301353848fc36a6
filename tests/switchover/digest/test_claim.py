"""A digest occurrence is claimed once on SQLite and PostgreSQL, whoever asks at the same moment,
and taken over only when the instance that claimed it stopped before sending (its lease ran out)."""

from __future__ import annotations

import asyncio
import datetime as dt

from switchover.clock import ManualClock
from switchover.digest import DigestService, Occurrence
from switchover.digest.service import LEASE
from switchover.storage import Database

NOW = dt.datetime(2027, 2, 15, 16, 0, 30, tzinfo=dt.UTC)
DAILY = Occurrence("2027-02-15T08:00/daily", "daily", NOW - dt.timedelta(seconds=30))


def _service(db: Database) -> DigestService:
    clock = ManualClock(NOW)
    return DigestService(db, clock, None, None, None, None, None, plan=lambda: None)  # type: ignore[arg-type]


async def test_one_claim_wins_and_a_lapsed_claim_is_taken_over_once(database: Database) -> None:
    instances = [_service(database) for _ in range(4)]
    won = await asyncio.gather(*(s._claim("t", DAILY, NOW) for s in instances))
    assert sorted(won) == [False, False, False, True]
    assert await instances[0]._claim("t2", DAILY, NOW)  # another tenant's is its own
    # Still within the lease: nobody takes it over.
    assert not await instances[1]._claim("t", DAILY, NOW + LEASE - dt.timedelta(seconds=1))
    later = NOW + LEASE + dt.timedelta(seconds=1)
    again = await asyncio.gather(*(s._claim("t", DAILY, later) for s in instances))
    assert sorted(again) == [False, False, False, True]
    [stored] = [d for d in await instances[0].history("t")]
    assert (stored.key, stored.status, stored.picture) == (DAILY.key, "claimed", None)


async def test_a_missed_digest_is_recorded_once_and_never_claimed_after(database: Database) -> None:
    service = _service(database)
    await asyncio.gather(*(service._record_missed("t", DAILY) for _ in range(3)))
    assert [(d.key, d.status) for d in await service.history("t")] == [(DAILY.key, "missed")]
    assert not await service._claim("t", DAILY, NOW)
