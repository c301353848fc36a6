"""Alembic environment for Switchover.

Two ways in:
- programmatically (``Database.migrate``): the caller passes an open sync
  connection in ``config.attributes["connection"]`` (from ``run_sync``), and we
  migrate through it; no event loop is started here;
- command line (``alembic -c switchover/storage/alembic.ini ...``): we build an
  async engine from ``DATABASE_URL`` / ``.env`` (as the app does) and drive it
  with ``asyncio.run``, which is safe because no loop is running there.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from switchover.storage.base import Base

config = context.config


def _compares_models() -> bool:
    opts = config.cmd_opts
    if opts is None:
        return False
    command = getattr(opts, "cmd", None)
    return bool(getattr(opts, "autogenerate", False)) or getattr(command and command[0], "__name__", "") == "check"


def _target_metadata():
    if _compares_models():
        # autogenerate / check must see every feature's tables; plain upgrades need none of them.
        from switchover.storage.migrate import import_all_models

        import_all_models()
    return Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=_target_metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    from switchover.settings import Settings

    return Settings().async_database_url  # type: ignore[call-arg]  # filled from the environment


async def _run_async() -> None:
    # Through Database, so SQLite gets its folder, WAL and transactional DDL as in the app.
    from switchover.storage.db import Database

    db = Database(_url(), poolclass=NullPool)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await db.dispose()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=_target_metadata(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
