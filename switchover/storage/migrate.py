"""Alembic wiring: one configuration for the app, the tests and the command line.

The core revision is ``0001_core``; each feature adds one revision with
``down_revision = "0001_core"`` and its own ``branch_labels``, so the history
is a tree with several heads and we always upgrade to ``heads`` (plural).
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import warnings
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
CORE_REVISION = "0001_core"
# Any constant works; it only has to be the same for every Switchover instance.
_PG_MIGRATION_LOCK = 0x5317C40E


def alembic_config(*, version_locations: list[str] | None = None, connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` pointing at our migrations, without an ini file.

    Args:
        version_locations: Extra folders of revision files, searched after ours.
        connection: A sync connection (from ``AsyncConnection.run_sync``) for
            ``env.py`` to migrate through instead of opening its own engine.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    locations = [str(VERSIONS_DIR), *(str(Path(p).resolve()) for p in version_locations or ())]
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade_heads(connection: Connection, *, version_locations: list[str] | None = None) -> None:
    """Run ``alembic upgrade heads`` on an open sync connection (call via ``run_sync``)."""
    if connection.dialect.name == "postgresql":
        # Two instances starting together must not both run the same DDL; the
        # lock is released when the surrounding transaction ends.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
    command.upgrade(alembic_config(version_locations=version_locations, connection=connection), "heads")


def current_heads(connection: Connection) -> list[str]:
    """The revisions the database is at (one per applied branch head)."""
    return sorted(MigrationContext.configure(connection).get_current_heads())


def import_all_models() -> None:
    """Import every module of the ``switchover`` package so each feature's tables
    are registered on ``Base.metadata`` (for autogenerate and schema tests)."""
    import switchover

    def skipped(name: str) -> None:
        log.error("could not import package for metadata", extra={"module_name": name})

    # Third-party modules (msgraph) warn at import; that is not what we are checking here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for module in pkgutil.walk_packages(switchover.__path__, prefix="switchover.", onerror=skipped):
            if ".migrations" in module.name or module.name.endswith((".cli", ".__main__")):  # __main__ runs the CLI
                continue
            try:
                importlib.import_module(module.name)
            except Exception:  # a broken feature module must not hide the others' tables
                log.exception("could not import module for metadata", extra={"module_name": module.name})
