"""The official Adaptive Cards 1.5 schema, read from the shared folder beside the repository."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

SCHEMA_NAME = "adaptive-card-1.5.0.json"


def _schema_path() -> Path:
    # shared/ sits beside the repository (a fresh clone, the main checkout) or above its
    # parent (a worktree under wt/): the nearest one upwards.
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "schemas" / SCHEMA_NAME
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"the Adaptive Cards schema {SCHEMA_NAME} was not found in a shared/schemas/ folder above {here}"
    )


@lru_cache(maxsize=1)
def validator() -> Draft6Validator:
    """A validator for Adaptive Cards 1.5."""
    schema = json.loads(_schema_path().read_text(encoding="utf-8"))
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def schema_errors(card: dict[str, Any]) -> list[str]:
    """What makes ``card`` invalid against the schema (empty: valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(card)]
