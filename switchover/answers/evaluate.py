"""Accuracy of the answer engine on a labelled question set, per kind, with the confusions.

A labelled set (``examples/NAME/questions.yaml``) says for each
question who asks, in which zone, at what moment, and what a right answer is.
Questions are split into *train* and *held-out* by a hash of their text, so the
split is nobody's choice; thresholds are calibrated on train only (see
:func:`calibrate`) and both figures are reported.

Run it: ``switchover answers eval`` (``--wrong`` lists every miss); ``--customer NAME`` or
``--all`` for the example customers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from switchover import i18n
from switchover.answers.engine import AnswerEngine
from switchover.answers.faq import (
    DECISION_FEATURES,
    FaqMatch,
    FaqThresholds,
    FaqVerdict,
    decide,
    decision_features,
)
from switchover.answers.model import Answer, AnswerKind, Who
from switchover.answers.understanding import Intent
from switchover.clock import ManualClock
from switchover.directory.base import Directory, DirectoryUser
from switchover.plan.model import Plan

KINDS = ("personal", "group", "faq", "out_of_scope")
# The labelled "expect" values, grouped into the four kinds the issue asks accuracy for.
EXPECTS = ("personal", "no_wave", "unknown_person", "group", "whats_on", "faq", "out_of_scope")
KIND_OF = {
    "personal": "personal",
    "no_wave": "personal",
    "unknown_person": "personal",
    "group": "group",
    "whats_on": "group",
    "faq": "faq",
    "out_of_scope": "out_of_scope",
}
HELD_OUT_SHARE = 30  # percent
SPLITS: tuple[str | None, ...] = (None, "train", "held-out")  # None: all questions
UNKNOWN_ASKER = "nobody.known@example.invalid"


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    text: str
    asker: str | None
    time_zone: str | None
    now: dt.datetime
    expect: str
    wave: str | None = None
    waves: tuple[str, ...] | None = None
    faq: str | None = None
    facet: str | None = None
    locale: str | None = None  # the asker's Teams locale ("es-US"); None: the default language

    @property
    def kind(self) -> str:
        return KIND_OF[self.expect]

    @property
    def split(self) -> str:
        digest = hashlib.sha1(self.text.encode() + (self.asker or "").encode()).digest()  # noqa: S324 - not security
        return "held-out" if digest[0] * 100 // 256 < HELD_OUT_SHARE else "train"


class QuestionsError(ValueError):
    """A labelled set that cannot be read as it stands (a short asker and no domain to complete it)."""


def load_questions(path: str | Path, *, domain: str | None = None) -> list[LabelledQuestion]:
    """Read the labelled set (see the file's header for the format).

    An asker written without ``@`` is completed with the set's own ``domain:``
    (in ``defaults:`` or on the question), else with ``domain`` (the caller's:
    usually :func:`roster_domain`).

    Raises:
        QuestionsError: a short asker and no domain to complete it.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    defaults = data.get("defaults", {})
    out = []
    for number, row in enumerate(data["questions"], start=1):
        merged = {**defaults, **row}
        asker = merged.get("as")
        if asker == "unknown":
            asker = UNKNOWN_ASKER
        elif asker and "@" not in asker:
            completion = merged.get("domain") or domain
            if not completion:
                raise QuestionsError(
                    f"{path}: question {number} ({merged['q']!r}) is asked by {asker!r} without a domain; "
                    "write the whole UPN or add domain: to defaults:"
                )
            asker = f"{asker}@{completion}"
        tz = merged.get("tz")
        out.append(
            LabelledQuestion(
                text=str(merged["q"]),
                asker=asker,
                time_zone=None if tz in (None, "none") else tz,
                now=dt.datetime.fromisoformat(str(merged["now"])),
                expect=merged["expect"],
                wave=merged.get("wave"),
                waves=tuple(merged["waves"]) if "waves" in merged else None,
                faq=merged.get("faq"),
                facet=merged.get("facet"),
                locale=merged.get("locale"),
            )
        )
    return out


def judge(q: LabelledQuestion, a: Answer) -> tuple[bool, str]:
    """Whether ``a`` is right for ``q``, and a short label of what was answered (for confusions)."""
    got = a.kind.value
    if a.kind is AnswerKind.PERSONAL:
        got = f"personal:{a.wave_key}"
    elif a.kind is AnswerKind.FAQ and a.faq is not None:
        got = f"faq:{a.faq.key}"
    elif a.kind is AnswerKind.BEST_MATCH and a.faq is not None:
        got = f"best_match:{a.faq.key}"
    elif a.kind is AnswerKind.GROUP:
        got = "group:" + ",".join(sorted({s.wave_key for g in a.groups for s in g.waves}))
    elif a.kind is AnswerKind.WHATS_ON:
        got = "whats_on:" + ",".join(sorted({e.wave_key for e in a.events}))
    if q.expect == "personal":
        ok = a.kind is AnswerKind.PERSONAL and a.wave_key == q.wave and (q.facet is None or a.facet.value == q.facet)
    elif q.expect in ("no_wave", "unknown_person"):
        ok = a.kind.value == q.expect
    elif q.expect == "group":
        ok = a.kind is AnswerKind.GROUP and got == "group:" + ",".join(sorted(q.waves or ()))
    elif q.expect == "whats_on":
        ok = a.kind is AnswerKind.WHATS_ON and got == "whats_on:" + ",".join(sorted(q.waves or ()))
    elif q.expect == "faq":
        # A best match is a stated answer: right on the labelled entry, wrong on any other.
        ok = a.kind in (AnswerKind.FAQ, AnswerKind.BEST_MATCH) and a.faq is not None and a.faq.key == q.faq
    else:  # out of scope: anything but a stated answer (an FAQ answer, a best match) is right
        ok = a.kind in (AnswerKind.NOTHING, AnswerKind.SUGGESTIONS, AnswerKind.GREETING)
    return ok, got


@dataclass
class Outcome:
    question: LabelledQuestion
    answer: Answer
    ok: bool
    got: str
    seconds: float


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def accuracy(
        self, kind: str | None = None, split: str | None = None, *, expect: str | None = None
    ) -> tuple[int, int]:
        """(right, asked) for one kind or one labelled ``expect`` value, and one split (``None``: all)."""
        rows = [
            o
            for o in self.outcomes
            if (kind is None or o.question.kind == kind)
            and (expect is None or o.question.expect == expect)
            and (split is None or o.question.split == split)
        ]
        return sum(o.ok for o in rows), len(rows)

    def ratio(self, kind: str | None = None, split: str | None = None) -> float:
        right, total = self.accuracy(kind, split)
        return right / total if total else 0.0

    @property
    def wrong(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def confusions(self) -> Counter[tuple[str, str]]:
        """(expected kind, what was answered) for every miss."""
        out: Counter[tuple[str, str]] = Counter()
        for o in self.wrong:
            expected = o.question.expect
            if o.question.faq:
                expected += f":{o.question.faq}"
            if o.question.wave:
                expected += f":{o.question.wave}"
            out[(expected, o.got)] += 1
        return out

    def suggested_right(self) -> int:
        """FAQ questions answered with suggestions that include the right entry (a near miss)."""
        return sum(
            1
            for o in self.wrong
            if o.question.expect == "faq"
            and o.answer.kind is AnswerKind.SUGGESTIONS
            and any(s.key == o.question.faq for s in o.answer.suggestions)
        )

    def best_matches(self, split: str | None = None) -> tuple[int, int]:
        """(right, wrong) among the questions answered with a best match (``split``: one split only)."""
        rows = [
            o
            for o in self.outcomes
            if o.answer.kind is AnswerKind.BEST_MATCH and (split is None or o.question.split == split)
        ]
        return sum(o.ok for o in rows), sum(not o.ok for o in rows)

    def table(self, splits: tuple[str | None, ...] = SPLITS) -> list[str]:
        """Accuracy per kind, and under each kind per labelled ``expect`` value, in all / train / held-out
        (``splits``: which of those columns; ``(None,)``: all only, for a set that is all tuning)."""
        lines = [f"{'kind':<18}" + "".join(f"{split or 'all':>16}" for split in splits)]
        for kind in (*KINDS, None):
            lines.append(self._row(kind or "overall", splits, kind=kind))
            expects = [e for e in EXPECTS if KIND_OF[e] == kind] if kind else []
            if len(expects) > 1:
                lines += [self._row(f"  {e}", splits, expect=e) for e in expects]
        return lines

    def _row(
        self, label: str, splits: tuple[str | None, ...], *, kind: str | None = None, expect: str | None = None
    ) -> str:
        return f"{label:<18}" + "".join(f"{cell(*self.accuracy(kind, split, expect=expect)):>16}" for split in splits)

    def format(self, *, show_wrong: bool = False, splits: tuple[str | None, ...] = SPLITS) -> str:
        lines = self.table(splits)
        lines.append(f"FAQ questions answered with suggestions that include the right one: {self.suggested_right()}")
        right, wrong = self.best_matches()
        lines.append(f"best matches: {right} right, {wrong} wrong (included in the figures above)")
        if self.confusions():
            lines.append("confusions (expected -> answered: count):")
            for (expected, got), n in self.confusions().most_common():
                lines.append(f"  {expected} -> {got}: {n}")
        if show_wrong:
            lines.append("misses:")
            for o in self.wrong:
                split = f"[{o.question.split}] " if "train" in splits else ""
                lines.append(f"  {split}{o.question.text!r} ({o.question.asker}) -> {o.got}")
        return "\n".join(lines)


def cell(right: int, total: int) -> str:
    """``right/total pct%``, as the tables show it."""
    return f"{right}/{total} {100 * right / total:5.1f}%" if total else "0/0      -"


def summary(reports: dict[str, Report]) -> str:
    """One line per customer and an overall line (every customer's questions pooled)."""
    pooled = Report([o for r in reports.values() for o in r.outcomes])
    width = max([18, *(len(name) + 2 for name in reports)])
    lines = [f"{'customer':<{width}}{'all':>16}{'train':>16}{'held-out':>16}"]
    for name, report in (*reports.items(), ("overall", pooled)):
        lines.append(
            f"{name:<{width}}" + "".join(f"{cell(*report.accuracy(split=s)):>16}" for s in (None, "train", "held-out"))
        )
    return "\n".join(lines)


def roster_domain(users: Iterable[DirectoryUser]) -> str | None:
    """The domain most of the roster's members' UPNs are in (what a short asker in a labelled set means)."""
    domains = Counter(u.upn.rsplit("@", 1)[1].casefold() for u in users if "@" in u.upn and "#EXT#" not in u.upn)
    return domains.most_common(1)[0][0] if domains else None


async def evaluate(
    plan: Plan,
    directory: Directory,
    questions: list[LabelledQuestion],
    *,
    thresholds: FaqThresholds | None = None,
    engine: AnswerEngine | None = None,
) -> Report:
    """Answer every labelled question and judge the answers."""
    clock = ManualClock(questions[0].now if questions else dt.datetime.now(dt.UTC))
    if engine is None:
        engine = AnswerEngine(plan, directory, clock, thresholds=thresholds)
    else:
        engine.clock = clock
    await engine.prepare()
    report = Report()
    for q in questions:
        clock.set(q.now)
        who = Who(upn=q.asker, time_zone=q.time_zone)
        started = time.perf_counter()
        with i18n.use(q.locale):
            answer = await engine.answer(q.text, who)
        seconds = time.perf_counter() - started
        ok, got = judge(q, answer)
        report.outcomes.append(Outcome(q, answer, ok, got, seconds))
    return report


# A confident wrong answer (a wrong entry, or an answer to an out-of-scope question) costs as much
# as this many questions answered with suggestions: the asker is misled instead of asked to pick.
WRONG_ANSWER_COST = 3
Ranked = list[tuple[LabelledQuestion, list[FaqMatch] | None]]


async def rank_train(
    plan: Plan,
    directory: Directory,
    questions: list[LabelledQuestion],
    *,
    engine: AnswerEngine | None = None,
    every: bool = False,
) -> Ranked:
    """Each *train* FAQ or out-of-scope question with the FAQ's ranking (None: the engine reads it
    as something else, so no threshold can make it right). ``every``: every question, whatever its
    split (a tuning set, which is all for tuning)."""
    train = [q for q in questions if (every or q.split == "train") and q.kind in ("faq", "out_of_scope")]
    if not train:
        return []
    engine = engine or AnswerEngine(plan, directory, ManualClock(train[0].now))
    await engine.prepare()
    assert engine.faq is not None and engine.understander is not None
    ranked: Ranked = []
    for q in train:
        with i18n.use(q.locale):
            lang = i18n.current().code
            understander, index = engine.reader(lang)
            understood = understander.read(q.text, today=q.now.date())
            ranked.append((q, index.rank(understood.tokens)[:3] if understood.intent is Intent.FAQ else None))
    return ranked


# A decision-model threshold above 1: the model never answers (the grid calibrates the rules alone).
RULES_ONLY = 1.01
# A best-match threshold above 1: never a best match (the answer thresholds are calibrated without them).
NO_BEST_MATCH = 1.01


# How strongly the decision model is held towards no opinion (L2, on standardised features): chosen by
# leaving each customer out in turn (fitted on the others, measured on it), the setting with most right
# answers across the three and at most one more confident wrong answer than the rules on any of them
# (0.3 to 300 measured: 30 gives 453 right / 10 wrong against the rules' 426 / 9; 1 gives 450 / 11).
DECISION_REGULARISATION = 30.0


def _grid() -> list[FaqThresholds]:
    return [
        FaqThresholds(answer=a / 100, margin=m, coverage=c, meaning=mean, model=RULES_ONLY, best_match=NO_BEST_MATCH)
        for a in range(30, 86, 2)
        for m in (0.005, 0.03, 0.06, 0.1)  # never 0: a tie is never an answer
        for c in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
        for mean in (0.0, 0.6, 0.65, 0.7, 0.75, 1.01)  # 1.01: under half the words known is never enough
    ]


def _score(ranked: Ranked, t: FaqThresholds, weights: tuple[float, ...] | None = None) -> tuple[int, int]:
    """(right, confidently wrong) under ``t`` (and the decision model's ``weights``; default the shipped)."""
    right = wrong = 0
    for q, ranking in ranked:
        if ranking is None:
            continue
        result = decide(ranking, t, weights)
        # A best match is a stated answer, right or wrong like any other.
        answered = result.verdict in (FaqVerdict.ANSWER, FaqVerdict.BEST_MATCH) and result.best is not None
        ok = (answered and result.best.entry.key == q.faq) if q.kind == "faq" else not answered  # type: ignore[union-attr]
        right += ok
        wrong += answered and not ok
    return right, wrong


def calibrate_rankings(ranked: Ranked, grid: list[FaqThresholds] | None = None) -> dict[str, Any]:
    """The thresholds that do best on ``ranked``: most right, each confident wrong answer costing
    :data:`WRONG_ANSWER_COST`; ties go to the stricter setting (higher answer threshold, then
    coverage, meaning, margin)."""
    best: dict[str, Any] = {"key": None}
    for t in grid or _grid():
        right, wrong = _score(ranked, t)
        key = (right - (WRONG_ANSWER_COST - 1) * wrong, t.answer, t.coverage, t.meaning, t.margin)
        if best["key"] is None or key > best["key"]:
            best = {"key": key, "thresholds": t, "right": right, "wrong": wrong}
    total = len(ranked)
    return {
        "thresholds": best.get("thresholds"),
        "accuracy": best.get("right", 0) / total if total else 0.0,
        "wrong": best.get("wrong", 0),
        "questions": total,
    }


async def calibrate(
    plan: Plan, directory: Directory, questions: list[LabelledQuestion], *, engine: AnswerEngine | None = None
) -> dict[str, Any]:
    """Grid-search the FAQ thresholds on one customer's *train* split; the best and its accuracy there.

    Held-out questions never influence the choice. Only questions the engine sends to the FAQ
    are affected by the thresholds, so each is ranked once and decided per grid point.
    """
    return calibrate_rankings(await rank_train(plan, directory, questions, engine=engine))


def fit_logistic(x: np.ndarray, y: np.ndarray, *, regularisation: float = DECISION_REGULARISATION) -> np.ndarray:
    """Logistic regression of ``y`` (0/1) on the rows of ``x`` (column 0 the bias, 1.0), L2-regularised on
    standardised features (the bias is not held), by Newton's method; weights on the features' own scale."""
    mean, spread = x[:, 1:].mean(axis=0), x[:, 1:].std(axis=0) + 1e-9
    z = np.hstack([x[:, :1], (x[:, 1:] - mean) / spread])
    penalty = regularisation * np.diag([0.0, *([1.0] * (z.shape[1] - 1))])
    b = np.zeros(z.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(z @ b)))
        step = np.linalg.solve((z * (p * (1 - p))[:, None]).T @ z + penalty, z.T @ (p - y) + penalty @ b)
        b -= step
        if np.abs(step).max() < 1e-10:
            break
    return np.concatenate([[b[0] - np.sum(b[1:] * mean / spread)], b[1:] / spread])


def fit_decision(ranked: Ranked, *, regularisation: float = DECISION_REGULARISATION) -> tuple[float, ...]:
    """The decision model's weights (:data:`~switchover.answers.faq.DECISION_FEATURES`) fitted on ``ranked``:
    logistic regression of "the top entry is the labelled one" (an out-of-scope question: never) on the
    ranking's features, L2-regularised on standardised features (Newton's method, numpy only), returned
    on the features' own scale."""
    rows = [(decision_features(r), q.kind == "faq" and r[0].entry.key == q.faq) for q, r in ranked if r]
    if not rows:
        return (0.0,) * len(DECISION_FEATURES)
    x = np.array([f for f, _ in rows])
    y = np.array([float(ok) for _, ok in rows])
    weights = fit_logistic(x, y, regularisation=regularisation)
    return tuple(round(float(w), 4) for w in weights)


def model_threshold(ranked: Ranked, weights: tuple[float, ...], t: FaqThresholds | None = None) -> float:
    """The lowest chance (0.50 to 0.99) at which the decision model may answer on ``ranked`` with no more
    confident wrong answers than the rules alone; ties (as many right) go to the stricter. Best matches are
    left out (they are chosen afterwards, on top of the answers: :func:`calibrate_best_match`)."""
    t = replace(t or FaqThresholds(), best_match=NO_BEST_MATCH)
    _, rules_wrong = _score(ranked, replace(t, model=RULES_ONLY), weights)
    best: tuple[int, float] | None = None
    for chance in range(99, 49, -1):
        right, wrong = _score(ranked, replace(t, model=chance / 100), weights)
        if wrong > rules_wrong:
            break
        if best is None or right > best[0]:
            best = (right, chance / 100)
    return best[1] if best else RULES_ONLY


def calibrate_decision(ranked: dict[str, Ranked]) -> dict[str, Any]:
    """The decision model fitted on every customer's questions together, with its threshold; and for each
    customer, the model fitted and thresholded on the *others* measured on its questions, beside the
    rules alone and the shipped model (how well the decision carries to a customer nobody tuned on)."""
    every = [row for rows in ranked.values() for row in rows]
    weights = fit_decision(every)
    # The model's confident answers alone: best matches are measured by calibrate_best_match.
    answers = replace(FaqThresholds(), best_match=NO_BEST_MATCH)
    rules = replace(answers, model=RULES_ONLY)
    left_out: dict[str, dict[str, Any]] = {}
    for name, rows in ranked.items():
        others = [row for other, r in ranked.items() if other != name for row in r]
        fitted = fit_decision(others)
        chance = model_threshold(others, fitted)
        left_out[name] = {
            "questions": len(rows),
            "chance": chance,
            "model": _score(rows, replace(answers, model=chance), fitted),
            "rules": _score(rows, rules),
            "shipped": _score(rows, answers),
        }
    return {
        "weights": weights,
        "chance": model_threshold(every, weights),
        "questions": len(every),
        "rules": _score(every, rules),
        "model": _score(every, replace(answers, model=model_threshold(every, weights)), weights),
        "left_out": left_out,
    }


def calibrate_across(ranked: dict[str, Ranked]) -> dict[str, Any]:
    """Thresholds for every customer at once: the best on all customers' train questions together,
    and, for each customer, how the thresholds chosen on the *other* customers do on its questions
    (how well a calibration carries to a customer it has never seen)."""
    grid = _grid()
    pooled = calibrate_rankings([row for rows in ranked.values() for row in rows], grid)
    left_out: dict[str, dict[str, Any]] = {}
    for name, rows in ranked.items():
        others = calibrate_rankings([row for other, r in ranked.items() if other != name for row in r], grid)
        right, wrong = _score(rows, others["thresholds"])
        shipped_right, shipped_wrong = _score(rows, replace(FaqThresholds(), best_match=NO_BEST_MATCH))
        left_out[name] = {
            "thresholds": others["thresholds"],
            "right": right,
            "wrong": wrong,
            "questions": len(rows),
            "shipped_right": shipped_right,
            "shipped_wrong": shipped_wrong,
        }
    return {"pooled": pooled, "left_out": left_out}


def _best_match_grid() -> list[FaqThresholds]:
    shipped = FaqThresholds()
    return [
        replace(shipped, best_match=chance / 100, best_match_lead=lead)
        for chance in range(30, 88, 2)
        for lead in (0.005, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15)  # never 0: a tie is never a best match
    ]


def calibrate_best_match_rankings(ranked: Ranked, grid: list[FaqThresholds] | None = None) -> dict[str, Any]:
    """The best-match threshold and lead that do best on ``ranked``, on top of the shipped answer thresholds
    and decision model: most right, each stated wrong answer (a wrong entry, or a best match or answer to
    an out-of-scope question) costing :data:`WRONG_ANSWER_COST`, as for the answer thresholds; ties go to
    the stricter setting (higher chance, then longer lead). No best match at all is a candidate too."""
    off = replace(FaqThresholds(), best_match=NO_BEST_MATCH)
    best: dict[str, Any] = {"key": None}
    for t in [off, *(grid or _best_match_grid())]:
        right, wrong = _score(ranked, t)
        key = (right - (WRONG_ANSWER_COST - 1) * wrong, t.best_match, t.best_match_lead)
        if best["key"] is None or key > best["key"]:
            best = {"key": key, "thresholds": t, "right": right, "wrong": wrong}
    right, wrong = _score(ranked, off)
    return {
        "best_match": best["thresholds"].best_match,
        "lead": best["thresholds"].best_match_lead,
        "right": best["right"],
        "wrong": best["wrong"],
        "without": (right, wrong),
        "questions": len(ranked),
    }


def calibrate_best_match(ranked: dict[str, Ranked]) -> dict[str, Any]:
    """The best-match threshold and lead chosen on every customer's rows together (meant for the tuning
    sets alone), and for each customer, the ones chosen on the *others* measured on its rows, beside no
    best match and the shipped setting (how well the choice carries to a customer it has never seen)."""
    grid = _best_match_grid()
    pooled = calibrate_best_match_rankings([row for rows in ranked.values() for row in rows], grid)
    left_out: dict[str, dict[str, Any]] = {}
    for name, rows in ranked.items():
        others = calibrate_best_match_rankings([row for other, r in ranked.items() if other != name for row in r], grid)
        chosen = replace(FaqThresholds(), best_match=others["best_match"], best_match_lead=others["lead"])
        left_out[name] = {
            "best_match": others["best_match"],
            "lead": others["lead"],
            "questions": len(rows),
            "chosen": _score(rows, chosen),
            "without": _score(rows, replace(FaqThresholds(), best_match=NO_BEST_MATCH)),
            "shipped": _score(rows, FaqThresholds()),
        }
    return {"pooled": pooled, "left_out": left_out}
