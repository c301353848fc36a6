"""The domain never imports the transport: botbuilder, botframework or aiohttp stay at the edge."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "switchover"
EDGE = ("botbuilder", "botframework", "aiohttp", "msrest")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


MODULES = sorted(DOMAIN.rglob("*.py"))


def test_there_is_a_domain_to_check() -> None:
    assert len(MODULES) > 20


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_imports_no_transport(path: Path) -> None:
    offending = [(line, name) for line, name in _imports(path) if name.split(".")[0] in EDGE]
    assert not offending, f"{path.relative_to(DOMAIN.parent)} imports the transport: {offending}"
