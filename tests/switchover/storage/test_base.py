"""UtcDateTime: aware in, aware UTC out, naive refused; ordering survives SQLite's text storage."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from switchover.storage import Database, UtcDateTime

# A table outside Base.metadata: it exists only for these tests.
_metadata = MetaData()
_stamps = Table(
    "test_stamps",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=True),
)

AUCKLAND = ZoneInfo("Pacific/Auckland")
NEW_YORK = ZoneInfo("America/New_York")


async def _create(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(_metadata.create_all)


async def test_aware_datetimes_come_back_as_the_same_instant_in_utc(database: Database) -> None:
    await _create(database)
    moments = [
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=AUCKLAND),
        dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK),
        dt.datetime(2026, 6, 30, 23, 59, 59, 999_999, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=45))),
    ]
    async with database.begin() as conn:
        for i, moment in enumerate(moments):
            await conn.execute(insert(_stamps).values(id=i, tenant_id="t", at=moment))
        await conn.execute(insert(_stamps).values(id=99, tenant_id="t", at=None))

    async with database.begin(read_only=True) as conn:
        rows = dict((await conn.execute(select(_stamps.c.id, _stamps.c.at))).all())

    assert rows.pop(99) is None
    for i, moment in enumerate(moments):
        assert rows[i] == moment.astimezone(dt.UTC)  # (a fold=1 time never equals across zones)
        assert rows[i].utcoffset() == dt.timedelta(0)
        assert rows[i].tzinfo is dt.UTC


async def test_comparisons_order_instants_not_wall_clock_text(database: Database) -> None:
    await _create(database)
    early = dt.datetime(2026, 5, 1, 9, 0, tzinfo=AUCKLAND)  # 2026-04-30 21:00 UTC
    late = dt.datetime(2026, 4, 30, 22, 0, tzinfo=dt.UTC)
    async with database.begin() as conn:
        await conn.execute(insert(_stamps).values(id=1, tenant_id="t", at=early))
        await conn.execute(insert(_stamps).values(id=2, tenant_id="t", at=late))

    cutoff = dt.datetime(2026, 4, 30, 17, 30, tzinfo=NEW_YORK)  # 21:30 UTC
    async with database.begin(read_only=True) as conn:
        after = (await conn.scalars(select(_stamps.c.id).where(_stamps.c.at > cutoff))).all()
        ordered = (await conn.scalars(select(_stamps.c.id).order_by(_stamps.c.at))).all()

    assert after == [2]
    assert ordered == [1, 2]


async def test_naive_datetimes_are_refused(database: Database) -> None:
    await _create(database)
    naive = dt.datetime(2026, 5, 1, 9, 0)  # noqa: DTZ001 - the point of the test

    with pytest.raises(StatementError, match="naive"):
        async with database.begin() as conn:
            await conn.execute(insert(_stamps).values(id=1, tenant_id="t", at=naive))

    async with database.begin(read_only=True) as conn:
        assert (await conn.scalars(select(_stamps.c.id))).all() == []


def test_non_datetimes_are_refused() -> None:
    with pytest.raises(TypeError):
        UtcDateTime().process_bind_param("2026-05-01T09:00:00Z", sqlite.dialect())


_zones = st.sampled_from([dt.UTC, AUCKLAND, NEW_YORK, ZoneInfo("Asia/Kathmandu"), ZoneInfo("Europe/London")])


# The machine running the suite may be busy; slowness is not what this test is about.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    moment=st.datetimes(
        min_value=dt.datetime(1970, 1, 2),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=dt.datetime(2200, 1, 1),  # noqa: DTZ001
        timezones=_zones,
    )
)
def test_bind_then_result_is_the_same_instant_on_both_dialects(moment: dt.datetime) -> None:
    kind = UtcDateTime()
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        stored = kind.process_bind_param(moment, dialect)
        back = kind.process_result_value(stored, dialect)
        assert back == moment.astimezone(dt.UTC)
        assert back.tzinfo is dt.UTC
        if dialect.name == "sqlite":
            assert stored.tzinfo is None
