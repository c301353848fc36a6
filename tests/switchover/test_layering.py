"""Alembic's migration scripts import no transport either.

The import contracts in ``pyproject.toml`` (run by ``lint-imports`` in ``scripts/test``)
keep the domain away from botbuilder, botframework, aiohttp, msrest and the edge, but
they only see importable packages. Alembic loads ``switchover/storage/migrations/``
by path (no ``__init__.py``), so those scripts are checked here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

MIGRATIONS = Path(__file__).resolve().parents[2] / "switchover" / "storage" / "migrations"
EDGE = ("botbuilder", "botframework", "aiohttp", "msrest", "bot", "api", "dialogs", "app")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


SCRIPTS = sorted(MIGRATIONS.rglob("*.py"))


def test_there_are_migrations_to_check() -> None:
    assert len(SCRIPTS) > 5


def test_migrations_are_not_a_package_import_linter_sees() -> None:
    # If they become one, lint-imports covers them and this module can go.
    assert not (MIGRATIONS / "__init__.py").exists()


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(MIGRATIONS)))
def test_migration_imports_no_transport(path: Path) -> None:
    offending = [(line, name) for line, name in _imports(path) if name.split(".")[0] in EDGE]
    assert not offending, f"{path.relative_to(MIGRATIONS.parents[2])} imports the transport: {offending}"
