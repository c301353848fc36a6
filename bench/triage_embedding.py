"""Would sentence embeddings help problem triage? Measured on the TUNE halves only.

Each area's description as the plan states it (name, description, keywords, the
legacy resources it owns) becomes sentence vectors with the shipped WordLlama
model (switchover/embedding.py); a report scores against each area by
cosine similarity. The script measures, over every example customer's TUNE half:

* the embedding alone (several ways of building an area's vectors);
* blends with the keyword triage (switchover/problems/triage.py): a gate
  (keywords decide when their confidence is at least C, the embedding otherwise)
  and a weighted sum (keyword score + W x scaled cosine), each with a cosine floor
  under which the report goes to the catch-all;
* leave-one-customer-out: parameters chosen on two customers' tune halves,
  checked on the third's tune half.

Held-out reports are never read unless ``--held-out MODE VARIANT P FLOOR`` is given (MODE
``gate`` with P the keyword confidence, or ``sum`` with P the weight; VARIANT as printed, e.g.
``top3``), and then only the total per customer is printed (no per-report result). What
triage ships is ``sum top3 7.5 0.5`` (switchover/problems/triage.py, MEANING_*).

Usage: python bench/triage_embedding.py [--held-out MODE VARIANT P FLOOR]
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from switchover.embedding import shipped_embedder  # noqa: E402
from switchover.plan.loader import load_plan  # noqa: E402
from switchover.plan.model import Plan  # noqa: E402
from switchover.problems.evaluate import HELD_OUT, TUNE, area_key_for, load_reports  # noqa: E402
from switchover.problems.triage import (  # noqa: E402
    _STOP,
    MIN_CONFIDENCE,
    MIN_SCORE,
    _unaccented,
    _with_legacy,
    area_scores,
)

EXAMPLES = REPO / "examples"
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str, *, stop: bool) -> list[str]:
    """Casefolded, unaccented words as the model knows them (no stemming); without stop words if asked."""
    ws = _WORD.findall(_unaccented(text.casefold().replace("’", "'").replace("'", "")))
    return [w for w in ws if not (stop and w in _STOP)]


@dataclass
class AreaVectors:
    keys: list[str]
    catch_all: str
    whole: np.ndarray  # one vector per area: every word of its description together
    phrases: list[np.ndarray]  # per area: one vector per phrase (name, description, each keyword)


def area_vectors(plan: Plan, *, stop: bool) -> AreaVectors:
    emb = shipped_embedder()
    legacy = plan.legacy + tuple(r for wave in plan.waves for r in wave.legacy)
    areas = _with_legacy(plan.areas, legacy)  # each area with its legacy resources' names among its keywords
    keys, whole, phrases = [], [], []
    for a in areas:
        # The catch-all's name and description say "anything else": no topic to be near.
        texts = [*a.keywords] if a.catch_all else [a.name, a.description, *a.keywords]
        keys.append(a.key)
        whole.append(emb.vector([w for t in texts for w in words(t, stop=stop)]))
        vs = [emb.vector(words(t, stop=stop)) for t in texts]
        phrases.append(np.stack([v for v in vs if v.any()]))
    return AreaVectors(keys, plan.catch_all_area.key, np.stack(whole), phrases)


def cosines(av: AreaVectors, text: str, how: str, *, stop: bool) -> np.ndarray:
    """Per area, how close the report is: to its whole description, or to its closest phrase(s)."""
    v = shipped_embedder().vector(words(text, stop=stop))
    if how == "whole":
        return av.whole @ v
    out = []
    for ph in av.phrases:
        c = np.sort(ph @ v)[::-1]
        out.append(c[0] if how == "max" else float(np.sum(c[:3])) / 3)  # fewer than 3 phrases: the rest count 0
    return np.array(out)


@dataclass
class Row:
    customer: str
    expected: str
    kw_area: str
    kw_conf: float
    kw_scores: dict[str, float]
    cos: dict[str, np.ndarray]  # by variant name


VARIANTS = [(how, stop) for how in ("whole", "max", "top3") for stop in (False, True)]


def rows_for(customer: str, split: str) -> list[Row]:
    plan = load_plan(EXAMPLES / customer / "plan.yaml")
    avs = {stop: area_vectors(plan, stop=stop) for stop in (False, True)}
    out = []
    for r in load_reports(EXAMPLES / customer / "labelled_reports.txt"):
        if r.split != split:
            continue  # the other half is never triaged here
        scores = area_scores(plan, r.text)  # the words alone, without the meaning triage now adds
        area, conf = decide(scores, plan.catch_all_area.key)
        cos = {f"{how}{'-stop' if stop else ''}": cosines(avs[stop], r.text, how, stop=stop) for how, stop in VARIANTS}
        out.append(Row(customer, area_key_for(plan, r.area), area, conf, scores, cos))
    return out


def customers() -> list[str]:
    return sorted(p.parent.name for p in EXAMPLES.glob("*/plan.yaml") if (p.parent / "labelled_reports.txt").exists())


def keys_of(customer: str) -> tuple[list[str], str]:
    plan = load_plan(EXAMPLES / customer / "plan.yaml")
    return [a.key for a in plan.areas], plan.catch_all_area.key


def embed_decide(row: Row, variant: str, keys: list[str], catch_all: str, floor: float) -> str:
    """The embedding's area: the closest one, or the catch-all when even that is below ``floor``."""
    c = row.cos[variant]
    i = int(np.argmax(c))
    return keys[i] if c[i] >= floor else catch_all


def gate(row: Row, variant: str, keys: list[str], catch_all: str, conf: float, floor: float) -> str:
    """Keywords decide when they chose a real area with confidence >= conf; the embedding otherwise."""
    if row.kw_area != catch_all and row.kw_conf >= conf:
        return row.kw_area
    return embed_decide(row, variant, keys, catch_all, floor)


def decide(scores: dict[str, float], catch_all: str) -> tuple[str, float]:
    """The keyword triage's decision on per-area scores (switchover/problems/triage.py classify_area):
    the best area and a confidence; weak or ambiguous -> the catch-all."""
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, s1), s2 = ranked[0], ranked[1][1]
    if s1 <= 0:
        return catch_all, 0.5
    confidence = round((1.0 - math.exp(-s1 / 2.0)) * (0.5 + 0.5 * (s1 - s2) / s1), 3)
    if s1 < MIN_SCORE or confidence < MIN_CONFIDENCE:
        return catch_all, round(1.0 - confidence, 3) if s1 < MIN_SCORE else confidence
    return best, confidence


def weighted(row: Row, variant: str, keys: list[str], catch_all: str, weight: float, floor: float) -> str:
    """Keyword score + weight x 10 x (cosine above the floor), then the keyword triage's own decision."""
    c = row.cos[variant]
    total = {k: row.kw_scores.get(k, 0.0) + weight * 10 * max(0.0, float(c[i]) - floor) for i, k in enumerate(keys)}
    return decide(total, catch_all)[0]


MODES = {
    "gate": (gate, [0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]),
    "sum": (weighted, [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 20.0]),
}
FLOORS = [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]


def score(rows: list[Row], meta: dict[str, tuple[list[str], str]], fn, variant: str, p: float, floor: float) -> int:
    return sum(fn(r, variant, *meta[r.customer], p, floor) == r.expected for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", nargs=4, metavar=("MODE", "VARIANT", "P", "FLOOR"))
    args = parser.parse_args()
    names = customers()
    meta = {c: keys_of(c) for c in names}

    if args.held_out:
        mode, variant, p, floor = args.held_out[0], args.held_out[1], float(args.held_out[2]), float(args.held_out[3])
        fn = MODES[mode][0]
        for c in names:
            rows = rows_for(c, HELD_OUT)
            kw = sum(r.kw_area == r.expected for r in rows)
            blended = score(rows, meta, fn, variant, p, floor)
            n = len(rows)
            print(f"held-out {c}: keywords {kw}/{n}, {mode} {variant} p={p} floor={floor}: {blended}/{n}")
        return

    t0 = time.perf_counter()
    shipped_embedder()
    print(f"model load {time.perf_counter() - t0:.2f}s")
    tune = {c: rows_for(c, TUNE) for c in names}
    every = [r for c in names for r in tune[c]]
    print("TUNE halves:", {c: len(rs) for c, rs in tune.items()})
    print("keywords alone:", {c: sum(r.kw_area == r.expected for r in rs) for c, rs in tune.items()})
    variants = [f"{how}{'-stop' if stop else ''}" for how, stop in VARIANTS]
    print("embedding alone (best floor per variant, over all tune halves):")
    for v in variants:
        best = max(FLOORS, key=lambda f: sum(embed_decide(r, v, *meta[r.customer], f) == r.expected for r in every))
        per = {c: sum(embed_decide(r, v, *meta[c], best) == r.expected for r in rs) for c, rs in tune.items()}
        print(f"  {v:10} floor {best}: {per} = {sum(per.values())}/{len(every)}")

    # Leave one customer out: choose (variant, p, floor) on two tune halves, check on the third's.
    for mode, (fn, params) in MODES.items():
        grid = list(itertools.product(variants, params, FLOORS))
        print(f"{mode}: best on all tune halves together")
        results = {g: score(every, meta, fn, *g) for g in grid}
        top = max(results.values())
        plateau = [g for g, s in results.items() if s == top]
        print(f"  {top}/{len(every)} reached by {len(plateau)} of {len(grid)} settings, e.g. {plateau[:6]}")
        for held in names:
            train = [r for c in names if c != held for r in tune[c]]
            res = {g: score(train, meta, fn, *g) for g in grid}
            best = max(res.values())
            chosen = [g for g, s in res.items() if s == best]
            checks = [score(tune[held], meta, fn, *g) for g in chosen]
            kw = sum(r.kw_area == r.expected for r in tune[held])
            print(
                f"  leave out {held}: {len(chosen)} settings tie at {best}/{len(train)} on the others; "
                f"on {held}'s tune half they give {min(checks)}..{max(checks)}/{len(tune[held])} (keywords {kw})"
            )

    plan = load_plan(EXAMPLES / names[0] / "plan.yaml")
    av = area_vectors(plan, stop=False)
    texts = [r.text for r in load_reports(EXAMPLES / names[0] / "labelled_reports.txt") if r.split == TUNE]
    times = []
    for _ in range(5):
        for t in texts:
            s = time.perf_counter()
            cosines(av, t, "top3", stop=False)
            times.append(time.perf_counter() - s)
    times.sort()
    median, p99 = statistics.median(times) * 1e3, times[int(len(times) * 0.99)] * 1e3
    print(f"embedding per report: median {median:.3f} ms, p99 {p99:.3f} ms")


if __name__ == "__main__":
    main()
