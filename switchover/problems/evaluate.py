"""Triage accuracy against a customer's hand-labelled problem reports.

A labelled file has one report a line, ``area | impact | urgency | text`` (``#``
starts a comment). The area is the plan's area key; older sets name it by topic
(``signin`` for ``sign-in``, ``printing`` for ``printing-apps``), resolved by
:func:`area_key_for`.

Reports are split into *tune* and *held-out* halves by a hash of their text, so
the split is nobody's choice: word lists are tuned on the tune half only, and
accuracy is reported for both.
"""

from __future__ import annotations

import collections
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from switchover.plan.model import Plan
from switchover.problems.triage import triage

HELD_OUT = "held-out"
TUNE = "tune"


@dataclass(frozen=True, slots=True)
class LabelledReport:
    """One hand-labelled problem report."""

    area: str  # the label as written (a plan area key, or an older topic name)
    impact: str
    urgency: str
    text: str

    @property
    def split(self) -> str:
        """``tune`` or ``held-out``, from a hash of the text (about half each)."""
        digest = hashlib.sha1(self.text.encode()).digest()  # noqa: S324 - not security
        return HELD_OUT if digest[0] % 2 else TUNE


def load_reports(path: str | Path) -> list[LabelledReport]:
    """Read a labelled report file."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            area, impact, urgency, text = (part.strip() for part in line.split("|", 3))
            rows.append(LabelledReport(area, impact, urgency, text))
    return rows


def _bare(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def area_key_for(plan: Plan, label: str) -> str:
    """The plan area a label names: its key, or the area whose key or name begins with the label."""
    keys = [a.key for a in plan.areas]
    if label in keys:
        return label
    bare = _bare(label)
    for area in plan.areas:
        if _bare(area.key).startswith(bare) or _bare(area.name).startswith(bare):
            return area.key
    if label == "other":
        return plan.catch_all_area.key
    raise KeyError(f"no plan area for label {label!r}")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What triage made of one labelled report."""

    report: LabelledReport
    expected: str  # plan area key
    got: str

    @property
    def right(self) -> bool:
        return self.expected == self.got


def run(plan: Plan, reports: list[LabelledReport]) -> list[Outcome]:
    """Triage every report against ``plan``."""
    return [Outcome(r, area_key_for(plan, r.area), triage(plan, r.text).area) for r in reports]


def accuracy(outcomes: list[Outcome], split: str | None = None) -> tuple[int, int]:
    """(right, total), over one split or all."""
    chosen = [o for o in outcomes if split is None or o.report.split == split]
    return sum(o.right for o in chosen), len(chosen)


def accuracy_by_area(outcomes: list[Outcome], split: str | None = None) -> dict[str, tuple[int, int]]:
    """(right, total) per expected area key, over one split or all."""
    hits: collections.Counter[str] = collections.Counter()
    totals: collections.Counter[str] = collections.Counter()
    for o in outcomes:
        if split is None or o.report.split == split:
            totals[o.expected] += 1
            hits[o.expected] += o.right
    return {a: (hits[a], totals[a]) for a in totals}
