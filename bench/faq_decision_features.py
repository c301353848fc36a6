# ruff: noqa: T201 - a benchmark prints its figures
"""Candidate evidence for the FAQ decision model, measured by leaving each customer out.

Every example customer's *train* FAQ and out-of-scope questions and all its tuning sets (what
``switchover answers eval --all --calibrate`` pools; never a held-out question) are ranked once, keeping
the whole ranking. For each candidate feature (or group), the decision model is refitted with the
shipped features plus the candidate on the other customers, thresholded on them
(``evaluate.model_threshold``'s rule: no more confident wrong answers than the rules alone), and
measured on the customer left out: right / confidently wrong, beside the shipped features alone.
A candidate is worth keeping when it gains right answers in total with at most one more confident
wrong answer than the shipped features for any customer left out.

Usage: python bench/faq_decision_features.py   (last line: JSON of every candidate's LOCO totals)
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from switchover import i18n
from switchover.answers.cli import customer_files, tuning_files
from switchover.answers.engine import AnswerEngine
from switchover.answers.evaluate import (
    DECISION_REGULARISATION,
    RULES_ONLY,
    LabelledQuestion,
    fit_logistic,
    load_questions,
    roster_domain,
)
from switchover.answers.faq import (
    FaqIndex,
    FaqMatch,
    FaqThresholds,
    FaqVerdict,
    content_words,
    decide,
    decision_features,
)
from switchover.answers.understanding import Intent
from switchover.clock import ManualClock
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan

CUSTOMERS = ("fabrikam", "trey", "wideworld")


@dataclass
class Row:
    customer: str
    question: LabelledQuestion
    ranking: list[FaqMatch]  # every entry, best first
    tokens: list[str]
    index: FaqIndex

    @property
    def right(self) -> bool:
        return self.question.kind == "faq" and self.ranking[0].entry.key == self.question.faq


async def _rank(customer: str) -> list[Row]:
    plan_path, roster_path, questions_path = customer_files(customer)
    plan, roster = load_plan(plan_path), RosterDirectory.from_csv(roster_path)
    domain = roster_domain(roster.users)
    questions = [q for q in load_questions(questions_path, domain=domain) if q.split == "train"]
    for path in tuning_files(questions_path):
        questions += load_questions(path, domain=domain)
    questions = [q for q in questions if q.kind in ("faq", "out_of_scope")]
    engine = AnswerEngine(plan, roster, ManualClock(questions[0].now))
    await engine.prepare()
    rows = []
    for q in questions:
        with i18n.use(q.locale):
            understander, index = engine.reader(i18n.current().code)
            understood = understander.read(q.text, today=q.now.date())
            if understood.intent is not Intent.FAQ:
                continue
            ranking = index.rank(understood.tokens)
            if ranking:
                rows.append(Row(customer, q, ranking, list(understood.tokens), index))
    return rows


# --- candidate features: each maps a row to one or more numbers -------------------------------------------


def signal_ranks(row: Row) -> list[float]:
    """The top entry's rank (0: first) under coverage, rapidfuzz similarity and meaning, each at most 5."""
    first = row.ranking[0]
    return [
        float(min(5, sum(getattr(m, signal) > getattr(first, signal) for m in row.ranking)))
        for signal in ("coverage", "similarity", "meaning")
    ]


def signals_agree(row: Row) -> list[float]:
    """1 when the best entry under each signal is the top entry, per signal, and all three."""
    ranks = signal_ranks(row)
    return [float(all(r == 0 for r in ranks)), float(sum(r == 0 for r in ranks))]


def _faq_centroid(index: FaqIndex) -> np.ndarray:
    c = index._phrasing_vectors.mean(axis=0)  # noqa: SLF001 - measurement
    return c / (np.linalg.norm(c) or 1.0)


_CENTROIDS: dict[int, np.ndarray] = {}


def faq_centroid_cosine(row: Row) -> list[float]:
    """The question's cosine with the mean of the plan's phrasing vectors."""
    key = id(row.index)
    if key not in _CENTROIDS:
        _CENTROIDS[key] = _faq_centroid(row.index)
    v = row.index._embedder.vector(row.tokens)  # noqa: SLF001
    return [float(v @ _CENTROIDS[key])]


def generic_share(row: Row) -> list[float]:
    """Of the weight the top entry knows of the question: the share from words in a third or more of the
    entries, and the share from words the entry knows only from its answer."""
    index, first = row.index, row.ranking[0]
    i = index.entries.index(first.entry)
    strong, weak = index._strong[i], index._weak[i]  # noqa: SLF001
    n = len(index.entries)
    df = {
        w: sum(w in s or w in k for s, k in zip(index._strong, index._weak, strict=True))
        for w in set(content_words(row.tokens))
    }  # noqa: SLF001
    known = generic = answer_only = 0.0
    for w, c in df.items():
        idf = index._idf.get(w)  # noqa: SLF001
        if idf is None:
            continue
        if w in strong:
            known += idf
            generic += idf if c >= n / 3 else 0.0
        elif w in weak:
            known += idf * 0.5
            answer_only += idf * 0.5
            generic += idf * 0.5 if c >= n / 3 else 0.0
    return [generic / known if known else 0.0, answer_only / known if known else 0.0]


def unknown_to_embedder(row: Row) -> list[float]:
    """Of the question's content words no entry knows: the share the embedder knows as whole words
    (everyday English, likely off topic) vs not (typos, names)."""
    index = row.index
    words = set(content_words(row.tokens))
    unknown = [w for w in words if w not in index._idf]  # noqa: SLF001
    everyday = sum(index._embedder.is_word(w) for w in unknown)  # noqa: SLF001
    return [everyday / max(len(words), 1), (len(unknown) - everyday) / max(len(words), 1)]


_ENGLISH: dict[int, np.ndarray] = {}


def english_contrast(row: Row) -> list[float]:
    """The question's cosine with the plan's FAQ centroid minus its cosine with a general-English centroid
    (the mean of the embedder's whole-word vectors)."""
    emb = row.index._embedder  # noqa: SLF001
    if id(emb) not in _ENGLISH:
        table = emb._table  # noqa: SLF001
        c = table.mean(axis=0)
        _ENGLISH[id(emb)] = c / np.linalg.norm(c)
    v = emb.vector(row.tokens)
    return [faq_centroid_cosine(row)[0] - float(v @ _ENGLISH[id(emb)])]


def vectors(rows: list[Row]) -> np.ndarray:
    return np.stack([r.index._embedder.vector(r.tokens) for r in rows])  # noqa: SLF001


CANDIDATES: dict[str, Callable[[Row], list[float]]] = {
    "signal_ranks": signal_ranks,
    "signals_agree": signals_agree,
    "faq_centroid_cosine": faq_centroid_cosine,
    "generic_share": generic_share,
    "unknown_to_embedder": unknown_to_embedder,
    "english_contrast": english_contrast,
}


# --- the LOCO measurement ------------------------------------------------------------------------------------


def fit(x: np.ndarray, y: np.ndarray, regularisation: float = DECISION_REGULARISATION) -> np.ndarray:
    """``evaluate.fit_decision``'s fit (column 0 the bias), on a feature matrix."""
    return fit_logistic(x, y, regularisation=regularisation)


@dataclass
class Table:
    """Per row what the rules decide and whether the model may answer (a lead), and the label."""

    rules_answer: np.ndarray
    may: np.ndarray
    right_top: np.ndarray
    faq: np.ndarray

    def score(self, chance: np.ndarray, at: float) -> tuple[int, int]:
        answered = self.rules_answer | (self.may & (chance >= at)) if at <= 1 else self.rules_answer
        ok = np.where(self.faq, answered & self.right_top, ~answered)
        return int(ok.sum()), int((answered & ~ok).sum())

    def subset(self, mask: np.ndarray) -> Table:
        return Table(self.rules_answer[mask], self.may[mask], self.right_top[mask], self.faq[mask])

    def threshold(self, chance: np.ndarray) -> float:
        _, rules_wrong = self.score(chance, 2.0)
        best: tuple[int, float] | None = None
        for c in range(99, 49, -1):
            right, wrong = self.score(chance, c / 100)
            if wrong > rules_wrong:
                break
            if best is None or right > best[0]:
                best = (right, c / 100)
        return best[1] if best else 2.0


def table(rows: list[Row]) -> Table:
    t = FaqThresholds()
    rules = replace(t, model=RULES_ONLY)
    return Table(
        rules_answer=np.array([decide(r.ranking, rules).verdict is FaqVerdict.ANSWER for r in rows]),
        may=np.array(
            [len(r.ranking) < 2 or r.ranking[0].score - r.ranking[1].score >= max(t.model_lead, t.margin) for r in rows]
        ),
        right_top=np.array([r.right for r in rows]),
        faq=np.array([r.question.kind == "faq" for r in rows]),
    )


CONTESTED: list[float] = []  # per customer left out: AUC of the chance on the rows the model decides
TAIL: list[tuple[int, int]] = []  # ... and how many right answers rank above its first and its second wrong


def _before_wrong(chance: np.ndarray, right: np.ndarray) -> tuple[int, int]:
    # Ties (the same chance to 9 places) put the wrong ones first: the ordering a threshold could not split.
    ordered = right[np.lexsort((right, -np.round(chance, 9)))]
    wrong_at = np.flatnonzero(~ordered)
    return tuple(int(ordered[: wrong_at[k]].sum()) if len(wrong_at) > k else int(ordered.sum()) for k in (0, 1))


def loco(rows: list[Row], x: np.ndarray) -> dict[str, tuple[int, int]]:
    """Per customer left out: (right, confidently wrong) of the model fitted and thresholded on the others;
    and "rules" per customer."""
    customers = np.array([r.customer for r in rows])
    y = np.array([r.right for r in rows], dtype=float)
    out = {}
    for name in CUSTOMERS:
        train, test = customers != name, customers == name
        w = fit(x[train], y[train])
        tab_train, tab_test = (
            table([r for r, m in zip(rows, train, strict=True) if m]),
            table([r for r, m in zip(rows, test, strict=True) if m]),
        )
        chance = 1 / (1 + np.exp(-np.clip(x @ w, -50, 50)))
        at = tab_train.threshold(chance[train])
        out[name] = tab_test.score(chance[test], at)
        contested = test & ~np.concatenate([tab_train.rules_answer, tab_test.rules_answer])[_order(customers, train)]
        contested &= np.concatenate([tab_train.may, tab_test.may])[_order(customers, train)]
        CONTESTED.append(_auc(chance[contested], y[contested].astype(bool)))
        TAIL.append(_before_wrong(chance[contested], y[contested].astype(bool)))
    return out


def _order(customers: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Maps rows to positions in (train rows, test rows) concatenated."""
    pos = np.empty(len(customers), dtype=int)
    pos[np.flatnonzero(train)] = np.arange(train.sum())
    pos[np.flatnonzero(~train)] = train.sum() + np.arange((~train).sum())
    return pos


def direction_feature(rows: list[Row], vecs: np.ndarray, name: str, regularisation: float = 10.0) -> np.ndarray:
    """The "about the move at all" score of the left-out customer's questions: their vectors projected on a
    direction fitted (L2 logistic regression, FAQ vs out-of-scope) on the other customers' questions only."""
    customers = np.array([r.customer for r in rows])
    faq = np.array([r.question.kind == "faq" for r in rows], dtype=float)
    train = customers != name
    x = np.hstack([np.ones((len(rows), 1)), vecs])
    w = fit(x[train], faq[train], regularisation=regularisation)
    return x @ w


def loco_with_direction(rows: list[Row], base: np.ndarray, regularisation: float) -> dict[str, tuple[int, int]]:
    """As :func:`loco`, with the in-scope direction fitted on the other customers only (the decision model
    is then fitted on their rows' scores, as it would be shipped, and measured on the left-out one's)."""
    customers = np.array([r.customer for r in rows])
    y = np.array([r.right for r in rows], dtype=float)
    vecs = vectors(rows)
    out = {}
    for name in CUSTOMERS:
        score = direction_feature(rows, vecs, name, regularisation)[:, None]
        x = np.hstack([base, score])
        train, test = customers != name, customers == name
        w = fit(x[train], y[train])
        tab_train = table([r for r, m in zip(rows, train, strict=True) if m])
        tab_test = table([r for r, m in zip(rows, test, strict=True) if m])
        chance = 1 / (1 + np.exp(-np.clip(x @ w, -50, 50)))
        at = tab_train.threshold(chance[train])
        out[name] = tab_test.score(chance[test], at)
    return out


def main() -> None:
    rows = [row for c in CUSTOMERS for row in asyncio.run(_rank(c))]
    print(f"{len(rows)} ranked questions (train + tuning), {sum(r.right for r in rows)} with the right entry first")
    base = np.array([decision_features(r.ranking) for r in rows])
    y = np.array([r.right for r in rows])
    results: dict[str, dict[str, tuple[int, int]]] = {}
    tab = table(rows)
    results["rules"] = {
        c: tab.subset(np.array([r.customer == c for r in rows])).score(np.zeros(0), 2.0) for c in CUSTOMERS
    }
    results["shipped features"] = loco(rows, base)
    print("  shipped features:")
    _print_ordering()
    extra = {name: np.array([f(r) for r in rows]) for name, f in CANDIDATES.items()}
    for name, values in extra.items():
        # How well the candidate alone separates a right top entry from the rest (rank AUC per column).
        aucs = [_auc(values[:, j], y) for j in range(values.shape[1])]
        print(f"  {name}: AUC alone {', '.join(f'{a:.3f}' for a in aucs)}")
        CONTESTED.clear()
        TAIL.clear()
        results[name] = loco(rows, np.hstack([base, values]))
        _print_ordering()
    vecs = vectors(rows)
    customers = np.array([r.customer for r in rows])
    faq = np.array([r.question.kind == "faq" for r in rows])
    for l2 in (1.0, 10.0, 100.0, 1000.0):
        # How well the direction alone tells FAQ from out-of-scope questions of the customer left out.
        aucs = [_auc(direction_feature(rows, vecs, c, l2)[customers == c], faq[customers == c]) for c in CUSTOMERS]
        print(
            f"  in-scope direction, L2 {l2:g}: FAQ vs out of scope AUC, left out {', '.join(f'{a:.3f}' for a in aucs)}"
        )
        results[f"in-scope direction, L2 {l2:g}"] = loco_with_direction(rows, base, l2)
    results["all but direction"] = loco(rows, np.hstack([base, *extra.values()]))
    print(f"{'candidate':<36}" + "".join(f"{c:>14}" for c in CUSTOMERS) + f"{'total':>14}")
    summary = {}
    for name, per in results.items():
        total = (sum(v[0] for v in per.values()), sum(v[1] for v in per.values()))
        summary[name] = {"total": total, **per}
        print(f"{name:<36}" + "".join(f"{f'{r}/{w}':>14}" for r, w in per.values()) + f"{f'{total[0]}/{total[1]}':>14}")
    sys.stdout.flush()
    print(json.dumps(summary))


def _print_ordering() -> None:
    print(
        "    left out, where the model decides: AUC "
        + ", ".join(f"{a:.3f}" for a in CONTESTED)
        + "; right before the 1st/2nd wrong "
        + ", ".join(f"{a}/{b}" for a, b in TAIL)
    )


def _auc(score: np.ndarray, y: np.ndarray) -> float:
    """The chance that a right row scores above a wrong one (ties: half), by average ranks."""
    values, inverse, counts = np.unique(np.round(score, 9), return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2)[inverse]
    pos = y.sum()
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * (len(y) - pos))) if pos and pos < len(y) else 0.5


if __name__ == "__main__":
    main()
