"""Finding the best answer in the plan's FAQ for a paraphrased, misspelt question.

Each FAQ entry is indexed by its question, its alternates and its topics (and,
more weakly, its answer). Candidates are ranked by three signals: *coverage*,
the share of the question's informative words (weighted by inverse document
frequency) that the entry knows; rapidfuzz similarity to the nearest phrasing;
and *meaning*, the cosine of the question's sentence vector with the nearest
phrasing's (a small static embedding model, see ``embedding``), which sees that
"will my password stay the same" asks "do I need a new password?". A word no entry
knows ("wifi", "lunch") weighs heavily against coverage, and an answer needs
enough coverage, so an out-of-scope question sharing one word with an entry
("what's the wifi password") is not answered with that entry (it may still be offered
as a best match: a guess, which the asker can set aside).

Four outcomes, by calibrated thresholds: answer; a best match (the top entry offered as a best guess,
for the asker to confirm or set aside); suggest the two or three closest questions; or say nothing
matched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from rapidfuzz import fuzz, process

from switchover.answers.desk import is_about_desk
from switchover.answers.text import stem
from switchover.embedding import Embedder, shipped_embedder
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
    guys folks ok okay um uh like anymore too either
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
    "private": "personal",
    "beforehand": "before",
    "ready": "prepare",  # "get ready for the move"
    "docs": "documents",
    "doc": "document",
    "lost": "lose",  # "will anything get lost" asks "will I lose any emails?"
    # The move itself, in any of its names: every entry is about it, so no name of it is an unknown word.
    **dict.fromkeys(
        "switch switching switched switches switchover transition changeover".split(),
        "move",
    ),
}


# Two words that are one thing: "two factor" is MFA, "log in" is signing in (the thing is added to the words).
PHRASES = {
    ("two", "factor"): "mfa",
    ("multi", "factor"): "mfa",
    ("two", "step"): "mfa",
    ("2", "step"): "mfa",
    ("log", "in"): "sign",
    ("log", "on"): "sign",
    ("log", "into"): "sign",
    ("sign", "on"): "sign",
}


def _drive_letters(tokens: Sequence[str]) -> list[str]:
    """ "h drive" -> "h-drive": a drive is named by its letter, and "drive" alone says little (and
    the two-word names of :data:`PHRASES` add the one word they name)."""
    out: list[str] = []
    for token in tokens:
        if out and (out[-1], token) in PHRASES:
            # Both words stay (an entry may say them as they are) and the one thing they name joins them.
            out.extend((token, PHRASES[(out[-1], token)]))
        elif token in ("drive", "drives") and out and len(out[-1]) == 1 and out[-1].isalpha():
            out[-1] = f"{out[-1]}-drive"
        else:
            out.append(token)
    return out


# The synonyms by their stems, so any form of a word meets its synonym ("vanish", "vanishes", "vanishing").
_STEM_SYNONYMS = {stem(k): v for k, v in SYNONYMS.items() if stem(k) not in SYNONYMS}


def _synonym(token: str) -> str:
    said = SYNONYMS.get(token)
    return said if said is not None else _STEM_SYNONYMS.get(stem(token), token)


def content_words(tokens: Sequence[str]) -> list[str]:
    """Stemmed, synonym-mapped words that carry meaning."""
    return [stem(s) for t in _drive_letters(tokens) if t not in STOPWORDS and (s := _synonym(t)) not in STOPWORDS]


# Words that say which one of a thing ("a new laptop"): known alone, they say little of
# what the question is about, so they count for this share of a word in coverage ("when do I get a new
# laptop" is not about the entry "Do I need a new password?").
_MODIFIERS = frozenset(("new",))
MODIFIER_SHARE = 0.5

# What a word found only in an entry's answer counts for in coverage (one in its phrasings or topics: 1).
ANSWER_WORD_SHARE = 0.5

# The answer as evidence for meaning: the question's cosine with the nearest of the answer's sentences,
# counted at this share ("i literally have a flip phone" is close to an answer's "no smartphone? ..."
# sentence, not to any way of asking the entry). 0: phrasings only.
ANSWER_MEANING_SHARE = 0.8
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")

# Under this meaning (cosine), an entry that knows most but not all of the question's words must be this
# far ahead of the runner-up to be the answer.
WEAK_MEANING = 0.25
WEAK_MEANING_LEAD = 0.1

# How far ahead the best entry must be when the question is one word that the runner-up knows too.
VAGUE_MARGIN = 0.05

# The words of asking for help when something goes wrong, known to every entry about reaching the Service
# Desk ("who do I ring if it breaks").
DESK_WORDS = tuple(
    "call ring phone contact help helpdesk support number reach wrong break breaks broken problem trouble".split()
)

# Being away and being at work: an entry for people who are away ("I'm on vacation during my cutover")
# is no confident answer to someone who says they work then ("I work nights on the cutover weekend").
_AWAY = frozenset("vacation leave holiday holidays pto away off sick absent".split())
_AT_WORK = frozenset("work working works shift shifts night nights duty rota".split())


def _other_names(
    known: set[str],
    names: Sequence[tuple[str, Sequence[str]]],
    tokenize,  # noqa: ANN001 - Callable[[str], list[str]]
    everyday,  # noqa: ANN001 - Callable[[str], bool]
) -> list[str]:
    """The plan's own words ("projekte", not "folder") of every name of each thing an entry names: by its
    name's words, or all the words of one of its other names when that has two or more (one word, "drive",
    names nothing in particular)."""
    out: list[str] = []
    for name, aliases in names:
        typed = [tokenize(n) for n in (name, *aliases)]
        said = [set(content_words(t)) for t in typed]
        if any(words and words <= known and (i == 0 or len(words) > 1) for i, words in enumerate(said)):
            out.extend(content_words([w for t in typed for w in t if not everyday(w)]))
    return out


class FaqVerdict(StrEnum):
    ANSWER = "answer"  # confident: show the answer
    BEST_MATCH = "best_match"  # likely: show the top entry as a best guess, to confirm or set aside
    SUGGEST = "suggest"  # close: show the nearest questions as buttons
    NOTHING = "nothing"  # nothing close: say so, offer a problem report / the Service Desk


@dataclass(frozen=True, slots=True)
class FaqMatch:
    entry: FaqEntry
    score: float  # ranking score, 0..1
    coverage: float  # idf-weighted share of the question's words the entry knows, 0..1
    meaning: float = 0.0  # cosine of the question's sentence vector with the nearest phrasing's, 0..1
    words: int = 0  # how many different content words the question has
    similarity: float = 0.0  # rapidfuzz token-sort similarity to the nearest phrasing, 0..1
    unknown: float = 0.0  # idf-weighted share of the question's words that no entry knows, 0..1


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
    """Calibrated on the training split of every example customer's labelled questions together
    (see ``evaluate.calibrate_across``), and checked by leaving each customer out in turn."""

    answer: float = 0.44  # confidence at or above: answer
    margin: float = 0.005  # ... and ahead of the runner-up (a tie is never an answer)
    coverage: float = 0.3  # ... and the entry knows at least this share of the question's words
    # ... and, when it knows less than half of them, the question means nearly what one of its
    # phrasings says ("whats the wifi password" shares only "password" with the password entry)
    meaning: float = 0.7
    # Confidence at or above: suggest. Suggestions cost an out-of-scope asker a glance and save a FAQ asker
    # a second question, so this keeps the share of out-of-scope questions shown suggestions where the
    # ranking before answer sentences and the 0.6/0.15/0.25 weights had it at 0.3, and a little more:
    # on every customer's train and tuning questions, FAQ questions whose entry is among the three best
    # reach suggestions 480 of 508 times (465 before), out-of-scope ones get suggestions 52 of 200 (45).
    suggest: float = 0.28
    # Otherwise answer when the decision model (:data:`DECISION_WEIGHTS`) puts the chance that the top entry
    # is the right answer at or above this, and the top entry leads the runner-up by ``model_lead``;
    # above 1: never (the rules above alone).
    model: float = 0.86
    model_lead: float = 0.05
    # Otherwise offer the top entry as a best match (its answer, worded as a guess, with "Yes, that's it" /
    # "No, something else") when the decision model's chance is at or above this and the top entry leads the
    # runner-up by ``best_match_lead``; above 1: never. Chosen on the tuning sets alone, leaving each
    # customer out in turn (``evaluate.calibrate_best_match``, docs/answers.md "Best match").
    best_match: float = 0.52
    best_match_lead: float = 0.05


class FaqIndex:
    """Retrieval over one plan's FAQ.

    Args:
        entries: the plan's FAQ entries.
        tokenize: turns text into folded, typo-repaired words (the Understander's).
        thresholds: decision thresholds.
        weights: how the ranking score mixes coverage, rapidfuzz similarity and meaning
            (chosen by measuring the alternatives on every example customer's labelled
            questions, leaving each customer out in turn; see docs/answers.md).
        embedder: sentence vectors for meaning (default: the model shipped in its wheel).
        names: the plan's things by their names and other names (``("P: drive", ("project drive",
            "projekte"))``): an entry that names one of them knows all its names.
    """

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        tokenize,  # noqa: ANN001 - Callable[[str], list[str]]
        thresholds: FaqThresholds | None = None,
        *,
        weights: tuple[float, float, float] = (0.6, 0.15, 0.25),
        embedder: Embedder | None = None,
        names: Sequence[tuple[str, Sequence[str]]] = (),
    ) -> None:
        self.entries = tuple(entries)
        self.weights = weights
        self.thresholds = thresholds or FaqThresholds()
        self._tokenize = tokenize
        self._embedder = embedder or shipped_embedder()
        self._phrasings: list[list[str]] = []  # per entry: content-word strings of question + alternates
        # The same strings in one list (entry i's start at _phrasing_starts[i]), scored in one C call.
        self._flat_phrasings: list[str] = []
        self._phrasing_starts: list[int] = []
        self._away: list[bool] = []  # per entry: its phrasings speak of being away
        self._strong: list[set[str]] = []  # words of question, alternates, topics
        self._weak: list[set[str]] = []  # words of the answer
        phrasing_words: list[list[str]] = []  # every phrasing's words, for its sentence vector
        sentence_words: list[list[str]] = []  # every answer sentence's words (entry i's from _sentence_starts[i])
        self._sentence_starts: list[int] = []
        for entry in self.entries:
            phrasings = [entry.question, *entry.alternates]
            strong_words: list[str] = []
            texts = []
            away = False
            for phrasing in phrasings:
                typed = tokenize(phrasing)
                phrasing_words.append(typed)
                away = away or not _AWAY.isdisjoint(typed)
                cw = content_words(typed)
                texts.append(" ".join(cw))
                strong_words.extend(cw)
            for topic in entry.topics:
                strong_words.extend(content_words(tokenize(topic)))
            if is_about_desk(entry):
                # How anyone asks for the Service Desk, whatever words the plan's entry uses.
                strong_words.extend(content_words(DESK_WORDS))
            answer_words = content_words(tokenize(entry.answer))
            sentences = [typed for part in _SENTENCE_END.split(entry.answer) if (typed := tokenize(part))]
            self._sentence_starts.append(len(sentence_words))
            sentence_words.extend(sentences or [[]])
            self._phrasings.append(texts)
            self._flat_phrasings.extend(texts)
            self._phrasing_starts.append(len(self._flat_phrasings) - len(texts))
            self._away.append(away)
            self._strong.append(set(strong_words))
            self._weak.append(set(answer_words) - set(strong_words))
        # An entry that names one of the plan's things knows its other names' own words that no entry's
        # phrasings use ("projekte" for "P: drive"; not "folder" or "drive", which any entry may mean).
        phrased = set().union(*self._strong) if self._strong else set()
        for strong, weak in zip(self._strong, self._weak, strict=True):
            strong.update(w for w in _other_names(strong, names, tokenize, self._embedder.is_word) if w not in phrased)
            weak.difference_update(strong)
        # One row per phrasing (entry i's from _phrasing_starts[i]): a question's cosines are one product.
        self._phrasing_vectors = self._embedder.vectors(phrasing_words)
        self._sentence_vectors = self._embedder.vectors(sentence_words)
        n = len(self.entries)
        df: dict[str, int] = {}
        for strong, weak in zip(self._strong, self._weak, strict=True):
            for w in strong | weak:
                df[w] = df.get(w, 0) + 1
        self._idf = {w: math.log((n - c + 0.5) / (c + 0.5) + 1) for w, c in df.items()}
        self._oov_idf = math.log((n + 0.5) / 0.5 + 1)
        # Per known word, what each entry knows of it times its idf (1 in a phrasing or topic,
        # ANSWER_WORD_SHARE in the answer only): a question's coverage of every entry is then one sum of rows.
        self._known_rows: dict[str, np.ndarray] = {}
        for w, idf in self._idf.items():
            row = np.array(
                [
                    1.0 if w in strong else ANSWER_WORD_SHARE if w in weak else 0.0
                    for strong, weak in zip(self._strong, self._weak, strict=True)
                ]
            )
            self._known_rows[w] = row * idf

    def entry(self, key: str) -> FaqEntry | None:
        return next((e for e in self.entries if e.key == key), None)

    def _coverages(self, words: list[str]) -> tuple[np.ndarray, float]:
        """Per entry, the idf-weighted share of ``words`` it knows (a word no entry knows weighs most),
        and the share of the words' weight that no entry knows.

        The words are summed in sorted order and the shares rounded to 12 places, so a share is the same
        number in every process (a set's order changes with the hash seed, and the last bit of a sum with
        the order) and an entry that knows exactly half of the words' weight has coverage 0.5, not
        0.4999999999999999 (``decide()`` compares coverage with 0.5)."""
        total = unknown = 0.0
        rows = []
        for w in sorted(set(words)):
            row = self._known_rows.get(w)
            share = MODIFIER_SHARE if w in _MODIFIERS else 1.0
            if row is None:
                total += self._oov_idf * share
                unknown += self._oov_idf * share
            else:
                total += self._idf[w] * share
                rows.append(row * share if share != 1.0 else row)
        if not rows or not total:
            return np.zeros(len(self.entries)), 1.0 if total else 0.0
        return np.round(np.add.reduce(rows) / total, 12), round(unknown / total, 12)

    def rank(self, tokens: Sequence[str]) -> list[FaqMatch]:
        """Every entry scored against ``tokens`` (already folded and repaired), best first."""
        words = content_words(tokens)
        if not words or not self.entries:
            return []
        query = " ".join(words)
        # Every phrasing against the query at once, then the best per entry (entries have at least one).
        scores = process.cdist([query], self._flat_phrasings, scorer=fuzz.token_sort_ratio, dtype=np.float64)[0]
        best = np.maximum.reduceat(scores, self._phrasing_starts)
        # Meaning: the whole question as typed (function words too: "who do i ring" asks for a person).
        asked = self._embedder.vector(tokens)
        meaning = np.maximum.reduceat(self._phrasing_vectors @ asked, self._phrasing_starts)
        if ANSWER_MEANING_SHARE:
            told = np.maximum.reduceat(self._sentence_vectors @ asked, self._sentence_starts)
            meaning = np.maximum(meaning, ANSWER_MEANING_SHARE * told)
        coverages, unknown = self._coverages(words)
        meaning = np.maximum(meaning, 0.0)
        wc, ws, wm = self.weights
        scores = wc * coverages + (ws / 100) * best + wm * meaning
        distinct = len(set(words))
        matches = [
            FaqMatch(entry, score, coverage, near, distinct, similarity / 100, unknown)
            for entry, score, coverage, near, similarity in zip(
                self.entries, scores.tolist(), coverages.tolist(), meaning.tolist(), best.tolist(), strict=True
            )
        ]
        matches.sort(key=lambda m: m.score, reverse=True)
        return matches

    def search(self, tokens: Sequence[str]) -> FaqResult:
        """Decide: answer, best match, suggest or nothing."""
        ranked = self.rank(tokens)
        result = decide(ranked, self.thresholds)
        best = result.best
        stated = result.verdict in (FaqVerdict.ANSWER, FaqVerdict.BEST_MATCH)
        if stated and best is not None and self._at_work_not_away(tokens, best.entry):
            close = [*ranked[:2], *(m for m in ranked[2:3] if m.score >= self.thresholds.suggest * 0.8)]
            return FaqResult(FaqVerdict.SUGGEST, tuple(close), result.confidence)
        return result

    def _at_work_not_away(self, tokens: Sequence[str], entry: FaqEntry) -> bool:
        """The question says the asker works and not that they are away, and the entry is for people away."""
        said = set(tokens)
        return not _AT_WORK.isdisjoint(said) and _AWAY.isdisjoint(said) and self._away[self.entries.index(entry)]


# The decision model: the chance that the top entry of a ranking is the right answer, a logistic function
# of these features of the three best matches (1, 2, 3: best first). Fitted with numpy (L2-regularised
# logistic regression, ``evaluate.fit_decision``) on every example customer's train questions and tuning
# sets pooled, FAQ and out-of-scope questions the engine reads as FAQ questions; a question counts as right
# when its top entry is its labelled one. Regenerate with
# ``switchover answers eval --all --calibrate`` (it prints the tuple to paste here, and the chance to answer at).
DECISION_FEATURES = (
    "bias",
    "score",  # 1's score
    "lead",  # 1's score - 2's
    "coverage",  # 1's
    "meaning",  # 1's
    "similarity",  # 1's rapidfuzz similarity
    "unknown",  # share of the question's word weight that no entry knows
    "one_over_words",  # 1 / the question's content words
    "runner_up_coverage",  # 2's coverage
    "runner_up_meaning",  # 2's meaning
    "coverage_lead",  # 1's coverage - the best of 2's and 3's
    "meaning_lead",  # 1's meaning - the best of 2's and 3's
    "similarity_lead",  # 1's similarity - the best of 2's and 3's
    "lead_over_third",  # 1's score - 3's
    "known_words",  # coverage x words: about how many of the question's words 1 knows
    "words",  # the question's content words, at most 8
)
DECISION_WEIGHTS: tuple[float, ...] = (
    -3.4998,
    1.2757,
    1.3354,
    0.8778,
    2.3831,
    0.2792,
    -0.6388,
    -0.4514,
    1.3515,
    0.832,
    0.7813,
    2.5566,
    -0.7016,
    1.085,
    0.2089,
    0.1806,
)
_NO_MATCH = FaqMatch(entry=None, score=0.0, coverage=0.0)  # type: ignore[arg-type] - only its numbers are read


def decision_features(ranked: Sequence[FaqMatch]) -> list[float]:
    """The decision model's features (:data:`DECISION_FEATURES`) of a ranking, best first."""
    first, second, third = (*ranked[:3], *(_NO_MATCH,) * max(0, 3 - len(ranked)))
    words = max(first.words, 1)
    return [
        1.0,
        first.score,
        first.score - second.score,
        first.coverage,
        first.meaning,
        first.similarity,
        first.unknown,
        1.0 / words,
        second.coverage,
        second.meaning,
        first.coverage - max(second.coverage, third.coverage),
        first.meaning - max(second.meaning, third.meaning),
        first.similarity - max(second.similarity, third.similarity),
        first.score - third.score,
        first.coverage * words,
        float(min(words, 8)),
    ]


def answer_chance(ranked: Sequence[FaqMatch], weights: Sequence[float] = DECISION_WEIGHTS) -> float:
    """The decision model's chance that the top entry of ``ranked`` is the right answer, 0..1."""
    z = sum(w * f for w, f in zip(weights, decision_features(ranked), strict=True))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def decide(ranked: Sequence[FaqMatch], t: FaqThresholds, weights: Sequence[float] | None = None) -> FaqResult:
    """Answer, best match, suggest or nothing, from a ranking (kept separate so calibration ranks once);
    ``weights``: the decision model's (default :data:`DECISION_WEIGHTS`)."""
    if not ranked:
        return FaqResult(FaqVerdict.NOTHING, (), 0.0)
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    confidence = best.score
    understood = best.coverage >= max(t.coverage, 0.5) or (best.coverage >= t.coverage and best.meaning >= t.meaning)
    # One word that the runner-up knows as well ("email?", "what happens") does not pick an entry
    # unless the wording sets it clearly apart.
    vague = best.words <= 1 and len(ranked) > 1 and ranked[1].coverage >= best.coverage
    if vague and confidence - runner_up < VAGUE_MARGIN:
        understood = False
    # Words the entry knows but a sentence meaning nothing like any of its phrasings ("when do I get a new
    # laptop" against "How do I sign in on the shared kiosk PCs?") picks it only well ahead of the next.
    if best.meaning < WEAK_MEANING and best.coverage < 0.9 and confidence - runner_up < WEAK_MEANING_LEAD:
        understood = False
    if confidence >= t.answer and confidence - runner_up >= t.margin and understood:
        return FaqResult(FaqVerdict.ANSWER, (best,), confidence)
    # A tie is never an answer: the model's answers, and its best matches, need a lead too.
    lead = confidence - runner_up
    chance: float | None = None
    if t.model <= 1.0 and lead >= max(t.model_lead, t.margin):
        chance = answer_chance(ranked, DECISION_WEIGHTS if weights is None else weights)
        if chance >= t.model:
            return FaqResult(FaqVerdict.ANSWER, (best,), confidence)
    if t.best_match <= 1.0 and lead >= max(t.best_match_lead, t.margin):
        if chance is None:
            chance = answer_chance(ranked, DECISION_WEIGHTS if weights is None else weights)
        if chance >= t.best_match:
            # The entry, then the others close enough to be suggested (what "No, something else" offers).
            return FaqResult(
                FaqVerdict.BEST_MATCH, (best, *(m for m in ranked[1:3] if m.score >= t.suggest)), confidence
            )
    if confidence >= t.suggest:
        # Two closest always (a choice needs two), a third when it is nearly as close.
        close = [*ranked[:2], *(m for m in ranked[2:3] if m.score >= t.suggest * 0.8)]
        return FaqResult(FaqVerdict.SUGGEST, tuple(close), confidence)
    return FaqResult(FaqVerdict.NOTHING, (), confidence)
