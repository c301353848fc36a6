"""An export as rows in batches, and the two ways it is written out: CSV for Excel, JSON for tools.

An :class:`Export` names its columns and yields its rows a batch at a time (each batch one short
database read), so a caller can write each batch out as it comes and never hold the whole export.
Rows are plain dicts of Python values (text, numbers, booleans, ``None``, aware datetimes, and in
JSON only, nested lists such as a problem report's timeline); the encoders below decide how each
value is written.

**CSV** (:func:`csv_header`, :func:`csv_rows`): UTF-8 with a byte order mark (Excel then reads the
accents of names right), CRLF line ends, a header row; times in UTC as ``YYYY-MM-DD HH:MM:SS``
(Excel reads that as a date and time); booleans ``yes`` / ``no``, unknown empty; lists joined with
``"; "``. A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
prefixed with ``'``: Excel would take it for a formula (CSV injection), and names and report texts
come from people.

**JSON** (:func:`json_start`, :func:`json_rows`, :func:`json_end`): one object,
``{"export": ..., "generated_at": ..., <about>, "rows": [...], "count": n}``, written in pieces;
times ISO 8601 in UTC.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncGenerator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500  # rows per database read (and per piece written)

Row = dict[str, Any]


@dataclass
class Export:
    """One export: its name (the file's), its columns in order, what it is about, and its rows.

    Attributes:
        name: The file name without extension (``deliveries-wave-3-one-week``).
        kind: What is exported (``deliveries``, ``readiness``, ``problems``, ``problem-events``).
        columns: The CSV columns, in order; JSON rows have the same keys (and may have more).
        about: What the export is of (the announcement, the filters), written into JSON's head.
        batches: The rows, a batch at a time.
    """

    name: str
    kind: str
    columns: tuple[str, ...]
    batches: AsyncGenerator[list[Row], None]
    about: Mapping[str, Any] = field(default_factory=dict)


def cell(value: Any) -> str:
    """One value as a CSV cell (see the module's notes)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return safe_text("; ".join(str(v) for v in value))
    return safe_text(str(value))


def safe_text(text: str) -> str:
    """``text``, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _lines(rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def csv_header(columns: Sequence[str]) -> bytes:
    """The byte order mark and the header row."""
    return (BOM + _lines([columns])).encode()


def csv_rows(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    """Rows as CSV lines, in the order of ``columns``."""
    return _lines([cell(row.get(name)) for name in columns] for row in rows).encode()


def _default(value: Any) -> Any:
    if isinstance(value, tuple | frozenset | set):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not exportable")


def _json(value: Any) -> bytes:
    return orjson.dumps(value, default=_default, option=orjson.OPT_UTC_Z)


def json_start(export: Export, generated_at: dt.datetime) -> bytes:
    """The head of the JSON object, up to the opening of ``rows``."""
    head = {"export": export.kind, "generated_at": generated_at, **export.about, "columns": list(export.columns)}
    return _json(head)[:-1] + b',"rows":['


def json_rows(rows: Sequence[Row], *, first: bool) -> bytes:
    """Rows as JSON array items (with the comma before them unless they are the first)."""
    body = b",".join(_json(row) for row in rows)
    return body if first or not body else b"," + body


def json_end(count: int) -> bytes:
    """The end of the JSON object: the closing of ``rows`` and the row count."""
    return b'],"count":' + str(count).encode() + b"}"
