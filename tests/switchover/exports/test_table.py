"""How an export is written: CSV that Excel opens as it should (BOM, no formulas from people's text, dates it
reads) and JSON that a tool parses, whatever the text in the rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import orjson
from hypothesis import given
from hypothesis import strategies as st

from switchover.exports.table import Export, cell, csv_header, csv_rows, json_end, json_rows, json_start

COLUMNS = ("name", "at", "flag", "n", "methods")


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark: Excel reads accents right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_cells_excel_reads_as_meant() -> None:
    at = dt.datetime(2027, 2, 13, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    data = csv_header(COLUMNS) + csv_rows(
        COLUMNS,
        [
            {"name": 'Zoë Øberg, "the" lead', "at": at, "flag": True, "n": 3, "methods": ["app", "sms"]},
            {"name": "=SUM(A1:A9)", "at": None, "flag": False, "n": -1, "methods": []},
            {"name": "@cmd", "flag": None},
            {"name": "+1 555", "methods": ["-x"]},
            {"name": "-2+3"},
            {"name": "\tTAB"},
            {"name": "line one\nline two"},
        ],
    )
    assert b"\r\n" in data  # CRLF line ends
    header, *rows = parse(data)
    assert header == list(COLUMNS)
    assert rows[0] == ['Zoë Øberg, "the" lead', "2027-02-13 15:00:00", "yes", "3", "app; sms"]  # UTC, Excel's form
    assert rows[1] == ["'=SUM(A1:A9)", "", "no", "-1", ""]  # a number stays a number
    assert rows[2][0] == "'@cmd" and rows[2][2] == ""  # unknown is empty
    assert rows[3][0] == "'+1 555" and rows[3][4] == "'-x"
    assert rows[4][0] == "'-2+3" and rows[5][0] == "'\tTAB"
    assert rows[6][0] == "line one\nline two"


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_no_text_becomes_a_formula_or_breaks_the_columns(texts: list[str]) -> None:
    rows = [{"name": t, "at": None, "flag": None, "n": 0, "methods": [t]} for t in texts]
    parsed = parse(csv_header(COLUMNS) + csv_rows(COLUMNS, rows))[1:]
    assert len(parsed) == len(texts)
    for text, row in zip(texts, parsed, strict=True):
        assert len(row) == len(COLUMNS)
        assert not row[0].startswith(("=", "+", "-", "@", "\t", "\r"))
        assert row[0] in (text, "'" + text) and row[0] == cell(text)


@given(st.lists(st.text(), max_size=6))
def test_json_pieces_make_one_document(texts: list[str]) -> None:
    async def none():  # pragma: no cover - never iterated here
        yield []

    export = Export("x", "problems", ("name",), none(), about={"filters": {"wave": "wave-2"}})
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    body = json_start(export, now)
    for i in range(0, len(texts), 2):
        body += json_rows([{"name": t, "at": now} for t in texts[i : i + 2]], first=i == 0)
    body += json_end(len(texts))
    doc = orjson.loads(body)
    assert doc["export"] == "problems" and doc["filters"] == {"wave": "wave-2"} and doc["columns"] == ["name"]
    assert [r["name"] for r in doc["rows"]] == texts and doc["count"] == len(texts)
    assert doc["generated_at"] == "2027-01-01T00:00:00Z"
    assert all(r["at"] == "2027-01-01T00:00:00Z" for r in doc["rows"])
