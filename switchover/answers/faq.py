"""Finding the best answer in the plan's FAQ for a paraphrased, misspelt question.

Each FAQ entry is indexed by its question, its alternates and its topics (and,
more weakly, its answer). Candidates are ranked by BM25 (``bm25s``) and
rapidfuzz similarity to the nearest phrasing; the *confidence* is the share of
the question's informative words (weighted by inverse document frequency) that
the entry knows. A word no entry knows ("wifi", "lunch") weighs heavily
against confidence, so an out-of-scope question sharing one word with an entry
("what's the wifi password") is not answered with that entry.

Three outcomes, by calibrated thresholds: answer, suggest the two or three
closest questions, or say nothing matched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from switchover.answers.text import stem
from switchover.plan.model import FaqEntry

# Function words that carry no meaning for retrieval. Negations and
# direction words ("not", "new", "down", "before") stay: they change answers.
STOPWORDS = frozenset(
    """
    a an and or but if then so to of in on at by for from with about as into onto is am are was were be been being
    do does did doing have has had will would can could should shall may might must i me my mine myself we us our you
    your it its this that these those the what when where which who whom how why there here any some just also get
    gets got please thanks thank hi hello hey anyone someone going gonna wanna need know tell
    anything something stuff thing things now all over really still ever actually exactly currently
    guys folks ok okay um uh like
    """.split()
)

# Everyday words mapped to the FAQ's words before matching.
SYNONYMS = {
    "iphone": "phone",
    "android": "phone",
    "cell": "phone",
    "mobile": "phone",
    "cellphone": "phone",
    "smartphone": "phone",
    "computer": "pc",
    "laptop": "pc",
    "desktop": "pc",
    "workstation": "pc",
    "machine": "pc",
    "2fa": "mfa",
    "missing": "gone",
    "disappeared": "gone",
    "vanished": "gone",
    "holiday": "vacation",
    "leave": "vacation",
    "pto": "vacation",
    "away": "vacation",
    "off": "vacation",
    "mails": "email",
    "mail": "email",
    "inbox": "email",
    "e": "email",
    "passcode": "password",
    "login": "password",
    "replaced": "replace",
    "swapped": "replace",
    "swap": "replace",
    "setup": "set",
    "upgraded": "replace",
}


def _drive_letters(tokens: Sequence[str]) -> list[str]:
    """ "h drive" -> "h-drive": a drive is named by its letter, and "drive" alone says little."""
    out: list[str] = []
    for token in tokens:
        if token in ("drive", "drives") and out and len(out[-1]) == 1 and out[-1].isalpha():
            out[-1] = f"{out[-1]}-drive"
        else:
            out.append(token)
    return out


def content_words(tokens: Sequence[str]) -> list[str]:
    """Stemmed, synonym-mapped words that carry meaning."""
    return [
        stem(SYNONYMS.get(t, t))
        for t in _drive_letters(tokens)
        if t not in STOPWORDS and SYNONYMS.get(t, t) not in STOPWORDS
    ]


class FaqVerdict(StrEnum):
    ANSWER = "answer"  # confident: show the answer
    SUGGEST = "suggest"  # close: show the nearest questions as buttons
    NOTHING = "nothing"  # nothing close: say so, offer a problem report / the Service Desk


@dataclass(frozen=True, slots=True)
class FaqMatch:
    entry: FaqEntry
    score: float  # ranking score, 0..1
    coverage: float  # idf-weighted share of the question's words the entry knows, 0..1


@dataclass(frozen=True, slots=True)
class FaqResult:
    verdict: FaqVerdict
    matches: tuple[FaqMatch, ...]  # best first (up to 3)
    confidence: float

    @property
    def best(self) -> FaqMatch | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True, slots=True)
class FaqThresholds:
    """Calibrated on the training split of the labelled questions (see ``evaluate``)."""

    answer: float = 0.64  # confidence at or above: answer
    margin: float = 0.04  # ... and at least this much ahead of the runner-up
    coverage: float = 0.5  # ... and the entry knows at least this share of the question's words
    suggest: float = 0.35  # confidence at or above: suggest


class FaqIndex:
    """Retrieval over one plan's FAQ.

    Args:
        entries: the plan's FAQ entries.
        tokenize: turns text into folded, typo-repaired words (the Understander's).
        thresholds: decision thresholds.
        weights: how the ranking score mixes coverage, rapidfuzz similarity and BM25
            (chosen by measuring the alternatives on the labelled set; see the README).
    """

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        tokenize,  # noqa: ANN001 - Callable[[str], list[str]]
        thresholds: FaqThresholds | None = None,
        *,
        weights: tuple[float, float, float] = (0.5, 0.3, 0.2),
    ) -> None:
        self.entries = tuple(entries)
        self.weights = weights
        self.thresholds = thresholds or FaqThresholds()
        self._tokenize = tokenize
        self._phrasings: list[list[str]] = []  # per entry: content-word strings of question + alternates
        # The same strings in one list (entry i's start at _phrasing_starts[i]), scored in one C call.
        self._flat_phrasings: list[str] = []
        self._phrasing_starts: list[int] = []
        self._strong: list[set[str]] = []  # words of question, alternates, topics
        self._weak: list[set[str]] = []  # words of the answer
        docs: list[list[str]] = []
        for entry in self.entries:
            phrasings = [entry.question, *entry.alternates]
            strong_words: list[str] = []
            texts = []
            for phrasing in phrasings:
                cw = content_words(tokenize(phrasing))
                texts.append(" ".join(cw))
                strong_words.extend(cw)
            for topic in entry.topics:
                strong_words.extend(content_words(tokenize(topic)))
            answer_words = content_words(tokenize(entry.answer))
            self._phrasings.append(texts)
            self._flat_phrasings.extend(texts)
            self._phrasing_starts.append(len(self._flat_phrasings) - len(texts))
            self._strong.append(set(strong_words))
            self._weak.append(set(answer_words) - set(strong_words))
            # Phrasings count twice: they are what people ask; the answer is what we say.
            docs.append(strong_words * 2 + answer_words)
        n = len(self.entries)
        df: dict[str, int] = {}
        for strong, weak in zip(self._strong, self._weak, strict=True):
            for w in strong | weak:
                df[w] = df.get(w, 0) + 1
        self._idf = {w: math.log((n - c + 0.5) / (c + 0.5) + 1) for w, c in df.items()}
        self._oov_idf = math.log((n + 0.5) / 0.5 + 1)
        self._bm25 = bm25s.BM25()
        # BM25 scores per (word, entry), dense: a question's scores are then one row sum
        # (bm25s keeps them sparse, and its per-query setup costs more than the sum itself
        # for an FAQ of tens of entries).
        self._bm25_rows: dict[str, np.ndarray] = {}
        if docs:
            self._bm25.index(docs, show_progress=False)
            scores = self._bm25.scores
            indptr, indices, data = scores["indptr"], scores["indices"], scores["data"]
            for word, token in self._bm25.vocab_dict.items():
                if token + 1 >= len(indptr):  # bm25s's placeholder for unknown words has no scores
                    continue
                row = np.zeros(n, dtype=float)
                row[indices[indptr[token] : indptr[token + 1]]] = data[indptr[token] : indptr[token + 1]]
                self._bm25_rows[word] = row

    def entry(self, key: str) -> FaqEntry | None:
        return next((e for e in self.entries if e.key == key), None)

    def _coverage(self, words: list[str], i: int) -> float:
        if not words:
            return 0.0
        total = known = 0.0
        for w in set(words):
            idf = self._idf.get(w, self._oov_idf)
            total += idf
            if w in self._strong[i]:
                known += idf
            elif w in self._weak[i]:
                known += 0.5 * idf
        return known / total if total else 0.0

    def rank(self, tokens: Sequence[str]) -> list[FaqMatch]:
        """Every entry scored against ``tokens`` (already folded and repaired), best first."""
        words = content_words(tokens)
        if not words or not self.entries:
            return []
        rows = [self._bm25_rows[w] for w in words if w in self._bm25_rows]
        bm25 = np.sum(rows, axis=0) if rows else np.zeros(len(self.entries))
        top = float(bm25.max()) if bm25.size else 0.0
        query = " ".join(words)
        # Every phrasing against the query at once, then the best per entry (entries have at least one).
        scores = process.cdist([query], self._flat_phrasings, scorer=fuzz.token_sort_ratio, dtype=np.float64)[0]
        best = np.maximum.reduceat(scores, self._phrasing_starts)
        matches = []
        for i, entry in enumerate(self.entries):
            coverage = self._coverage(words, i)
            similarity = float(best[i]) / 100
            relative_bm25 = float(bm25[i]) / top if top > 0 else 0.0
            wc, ws, wb = self.weights
            score = wc * coverage + ws * similarity + wb * relative_bm25
            matches.append(FaqMatch(entry, score, coverage))
        matches.sort(key=lambda m: m.score, reverse=True)
        return matches

    def search(self, tokens: Sequence[str]) -> FaqResult:
        """Decide: answer, suggest or nothing."""
        return decide(self.rank(tokens), self.thresholds)


def decide(ranked: Sequence[FaqMatch], t: FaqThresholds) -> FaqResult:
    """Answer, suggest or nothing, from a ranking (kept separate so calibration ranks once)."""
    if not ranked:
        return FaqResult(FaqVerdict.NOTHING, (), 0.0)
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    confidence = best.score
    if confidence >= t.answer and confidence - runner_up >= t.margin and best.coverage >= t.coverage:
        return FaqResult(FaqVerdict.ANSWER, (best,), confidence)
    if confidence >= t.suggest:
        # Two closest always (a choice needs two), a third when it is nearly as close.
        close = [*ranked[:2], *(m for m in ranked[2:3] if m.score >= t.suggest * 0.8)]
        return FaqResult(FaqVerdict.SUGGEST, tuple(close), confidence)
    return FaqResult(FaqVerdict.NOTHING, (), confidence)
