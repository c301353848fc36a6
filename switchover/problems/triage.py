"""Triage: which area a problem report belongs to, how wide and how urgent it is.

Local and fast on purpose (no network, no GPU): each plan area gets a
weighted vocabulary built from the plan's own words (name, description,
keywords) plus a built-in lexicon of how people describe that kind of problem
after a Microsoft 365 cutover. A plan's legacy resources (drives, mailboxes, old
systems and sites) lend their names and aliases to the area that owns them. A report
scores against every area; typos of longer words are caught by edit distance
(rapidfuzz). Meaning adds to the words: a report whose sentence vector (the
static embedding model of ``switchover.embedding``) is very close to how the plan
describes an area gains points for that area, so a report worded unlike any
keyword can still find it. A weak or ambiguous score sends the report to the plan's
catch-all area, never nowhere.

Impact (just me / several people / whole site) and urgency (can't work /
degraded / question) are inferred from phrasing; each inference says whether
it is sure, so the dialog asks only about what it could not tell.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Generic, TypeVar

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from switchover.embedding import shipped_embedder
from switchover.plan.model import Area, Impact, LegacyResource, Plan, Priority, Urgency
from switchover.problems.lexicon import DESK, KIND_NAMES, LEXICON, OTHER_LANGUAGES

# -- text normalisation ----------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an and the of to in on for my our i me we is are was were it its it's this that with from at be been "
    "have has had do does did not no but or so any all can cant just get got im ive there their they them "
    "what when where which who how why will would could should up out into about as by".split()
)
# Spellings people use for the same thing, folded before matching.
_REWRITES = (
    (re.compile(r"\bone\s+drive\b"), "onedrive"),
    # A drive letter, however typed ("P:", "P:\\", "p: drive", "P drive", "p-drive"), is one
    # word ("pdrive"), the same as the plan's keyword for it. Not "a" or "i": "a drive"
    # and "I drive to the office" are English, not drives.
    (re.compile(r"\b([b-hj-z])\s*:\s*(?:[\\/]\s*)?(?:-?\s*drives?\b)?"), r" \1drive "),
    (re.compile(r"\b([b-hj-z])\s*-?\s*drives?\b"), r" \1drive "),
    (re.compile(r"\bshare\s*point\b"), "sharepoint"),
    (
        # "sign in", "signing in", "signed in", "log-in", "logged on", "logon": one word.
        re.compile(r"\bsign(?:ing|ed|s)?\s*-?\s*in\b|\blog(?:ging|ged|s)?\s*-?\s*(?:in|on)\b|\blogon\b"),
        " signin ",
    ),
    (re.compile(r"\bmulti\s*-?\s*factor\b|\b2fa\b|\btwo\s*-?\s*factor\b"), " mfa "),
    (re.compile(r"\be\s*-?\s*mail\b"), "email"),
    (re.compile(r"\bwin\s*11\b|\bwindows\s*11\b"), " windows11 "),
    # A mailbox's address ("orders@", "orders@example.com") is the mailbox, not the word: "the
    # orders channel" or "the printer in dispatch" says nothing of a shared mailbox.
    (re.compile(r"\b([a-z0-9][a-z0-9._-]*)@(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+)?"), r" \1 atmailbox "),
    (re.compile(r"\bcan'?t\b|\bcannot\b|\bcan not\b|\bunable to\b"), " cant "),
    (re.compile(r"\bwon'?t\b|\bwill not\b"), " wont "),
    (re.compile(r"\bdoesn'?t\b|\bdoes not\b|\bisn'?t\b|\bis not\b|\baren'?t\b|\bdon'?t\b"), " not "),
)


def _stem(word: str) -> str:
    # Crude but predictable: enough to make "printers"/"printing"/"printed" meet.
    if word.endswith("es") and not word.endswith(("ses", "xes", "zes", "ches", "shes")):
        # "licences", "invoices", "messages" are the plural of a word ending in "e"
        # ("licence"): only "boxes", "passes", "switches" lose their "es".
        word = word[:-1]
    if word.endswith(("ss", "us", "is")):
        return word  # "access", "status", "analysis": no plural "s" to lose
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            stem = word[: -len(suffix)]
            if suffix in ("ing", "ed") and stem[-1] == stem[-2] and stem[-1] not in "lsfz":
                stem = stem[:-1]  # "stopped", "logging", "planned" meet "stop", "log", "plan"
            return stem
    return word


# Letters Unicode does not decompose into a base letter and a mark ("ł" is not "l" + a stroke).
_UNDECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})


def _unaccented(text: str) -> str:
    """Without accents, so "Malmö" is one word ("malmo"), as plain as the keywords people type."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_UNDECOMPOSED)


def normalise(text: str) -> list[str]:
    """Fold ``text`` into the stemmed word list triage matches on."""
    t = _unaccented(text.casefold().replace("’", "'"))
    for pattern, repl in _REWRITES:
        t = pattern.sub(repl, t)
    t = t.replace("'", "")
    return [_stem(w) for w in _TOKEN.findall(t)]


# -- the built-in lexicon (switchover/problems/lexicon.py) -------------------------

KINDS: tuple[str, ...] = tuple(LEXICON)

# How much one plan word counts: a keyword the plan's author listed for the area,
# a word of its name, a word of its description (context, not a claim on a topic).
# A keyword the built-in lexicon knows counts as much as the lexicon says, and at
# least KEYWORD_WEIGHT: listing "slow" or "permission" claims the word for the
# area, it does not make it as telling as "printer" or "Outlook".
KEYWORD_WEIGHT = 2.5
OWN_TERM_WEIGHT = 3.5  # a keyword that is in no built-in lexicon
NAME_WEIGHT = 2.0
# The catch-all's keywords are what the plan's author says belongs to no IT area
# ("training", "door", "parking"): an area must clearly outscore one to take the report.
CATCH_ALL_WEIGHT = 4.5
DESCRIPTION_WEIGHT = 1.0

# Ways people say a problem affects more than themselves.
_SITE = re.compile(
    r"\b(whole|entire|all of|everyone|everybody|nobody|no one|noone|all (the )?(staff|users|front desk|clinic|"
    r"office|site|department|dept|team)|the (whole )?(clinic|office|site|department|floor|building)|"
    r"all (\w+ )?(clinic|office|site)s?|clinic-wide|site-wide|office-wide|department-wide)\b"
)
_SEVERAL = re.compile(
    r"\b(we|us|several|a few|few of|some of|colleagues?|coworkers?|co-workers?|other people|"
    r"my team|two of|three of|both|a couple|me and|and me|also for|too)\b"
)
_CANT_WORK = re.compile(
    r"\b(cant|cannot|wont|unable|not work\w*|not (receiv|accept|detect|load|open|print|show)\w*|stopped|stuck|"
    r"unavailable|rejected|undeliverable|bounc\w*|not there|down|broken|locked out|missing|gone|lost|disappeared|"
    r"no access|blocked|fail|fails|failed|failing|error|crash|crashes|crashed|dead|urgent|asap|"
    r"patients? (are )?waiting|emergency|nothing works|blank)\b"
)
_DEGRADED = re.compile(
    r"\b(slow|sometimes|intermittent|intermittently|occasionally|keeps|laggy|lag|delayed|late|workaround|"
    r"for now|annoying|flaky|still can|takes (a )?(long|forever|ages)|twice|again and again|every time|"
    r"half|some of my|a few of my|partially|weird|wrong|odd)\b"
)
_QUESTION = re.compile(
    r"(\?\s*$|\b(how do i|how can i|how to|where (is|are|do|can)|is it possible|question|wondering|"
    r"should i|do i need|what is|whats|can i|cosmetic|just curious|not urgent|no rush|when will|is there a way)\b)"
)


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Inferred(Generic[T]):
    """A value triage proposes, and whether it is sure enough not to ask."""

    value: T
    sure: bool


@dataclass(frozen=True, slots=True)
class Triage:
    """What triage makes of one report text."""

    area: str  # plan area key
    confidence: float  # 0..1
    impact: Inferred[Impact]
    urgency: Inferred[Urgency]
    scores: dict[str, float] = field(default_factory=dict)  # area key -> score, for the audit trail

    def priority(self, plan: Plan) -> Priority:
        """Priority from the plan's impact x urgency matrix."""
        return plan.priority_for(self.impact.value, self.urgency.value)


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    phrases: dict[tuple[str, ...], float]
    singles: dict[str, tuple[str, ...]]  # single-word phrases by first letter, for catching typos
    longest: int = 0  # the most words in one phrase: the n-grams of a text worth looking up


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(normalise(text))


@lru_cache(maxsize=1)
def _lexicon_words() -> dict[tuple[str, ...], float]:
    """Every built-in phrase and its highest weight in any kind."""
    words: dict[tuple[str, ...], float] = {}
    for kind in KINDS:
        for p, w in _lexicon_phrases(kind):
            words[p] = max(words.get(p, 0.0), w)
    return words


def _keywords(area: Area) -> dict[tuple[str, ...], float]:
    # A keyword no built-in kind knows (a product, a mailbox, a drive letter) is the
    # customer's own word for this area: stronger evidence than a general one.
    known = _lexicon_words()
    return {
        p: max(KEYWORD_WEIGHT, known[p]) if p in known else OWN_TERM_WEIGHT
        for kw in area.keywords
        if (p := _phrase(kw))
    }


def _area_own_words(area: Area) -> dict[tuple[str, ...], float]:
    """The area's words from the plan: keywords, then name words, then description words."""
    words = _keywords(area)
    for text, weight in ((area.name, NAME_WEIGHT), (area.description, DESCRIPTION_WEIGHT)):
        for chunk in re.split(r"[,;&/()]| and ", text):
            for w in normalise(chunk):
                if w not in _STOP and len(w) > 1:
                    words.setdefault((w,), weight)
    return words


def kind_of(area: Area) -> str | None:
    """The built-in kind whose lexicon the area takes (None: the area's own words only).

    The plan's ``kind:`` wins (``none`` opts out). Otherwise the kind named by the
    area's key or name, else the kind whose lexicon overlaps the area's keywords
    most. The description is never read here: "Timesheets: the Outlook add-in"
    is not a mail area.
    """
    if area.kind is not None:
        return None if area.kind == "none" else area.kind
    if area.catch_all:
        return None
    named = set(_phrase(area.key.replace("-", " "))) | set(normalise(area.name))
    keywords = set(_keywords(area))
    best, best_score = None, 0.0
    for kind in KINDS:
        score = sum(w for p, w in _lexicon_phrases(kind) if p in keywords)
        score += 10.0 * sum(1 for n in KIND_NAMES[kind] if _phrase(n)[0] in named)
        if score > best_score:
            best, best_score = kind, score
    return best


@lru_cache(maxsize=16)
def _lexicon_phrases(kind: str) -> tuple[tuple[tuple[str, ...], float], ...]:
    words = {**LEXICON[kind], **OTHER_LANGUAGES.get(kind, {})}
    return tuple((_phrase(p), w) for p, w in words.items() if _phrase(p))


@lru_cache(maxsize=1)
def _desk_phrases() -> dict[tuple[str, ...], float]:
    return {p: w for text, w in DESK.items() if (p := _phrase(text))}


@lru_cache(maxsize=1)
def _other_language_words() -> frozenset[str]:
    """The built-in words of other languages: matched as written, never as a typo's target."""
    return frozenset(w for words in OTHER_LANGUAGES.values() for p in words for w in _phrase(p))


def _vocabularies(plan: Plan) -> dict[str, _Vocabulary]:
    legacy = plan.legacy + tuple(r for wave in plan.waves for r in wave.legacy)
    return _vocabularies_cached(plan.areas, legacy)


# The kind of area a legacy resource no area names belongs to.
_LEGACY_KINDS = {"drive": "files", "mailbox": "mail", "site": "intranet"}


def _names(area: Area, phrase: tuple[str, ...]) -> int:
    """2: one of the area's keywords is ``phrase``; 1: its name or description says it; 0: neither."""
    if phrase in _keywords(area):
        return 2
    n = len(phrase)
    for text in (area.name, area.description):
        words = normalise(text)
        if any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1)):
            return 1
    return 0


def legacy_area(areas: tuple[Area, ...], resource: LegacyResource) -> str | None:
    """The area a legacy resource's problems belong to: the one whose keywords, else name or
    description, name it (by its name or an alias); else the first area of its kind (a drive
    goes to files, a mailbox to mail, a site to the intranet); None if none fits."""
    phrases = [p for text in (resource.name, *resource.aliases) if (p := _phrase(text))]
    candidates = [a for a in areas if not a.catch_all]
    best, best_rank = None, 0
    for area in candidates:
        rank = max((_names(area, p) for p in phrases), default=0)
        if rank > best_rank:
            best, best_rank = area.key, rank
    if best is not None:
        return best
    kind = _LEGACY_KINDS.get(resource.kind)
    return next((a.key for a in candidates if kind is not None and kind_of(a) == kind), None)


def _with_legacy(areas: tuple[Area, ...], legacy: tuple[LegacyResource, ...]) -> tuple[Area, ...]:
    """The areas, each with the names and aliases of the legacy resources it owns among its keywords."""
    extra: dict[str, list[str]] = {}
    for resource in legacy:
        key = legacy_area(areas, resource)
        if key is not None:
            extra.setdefault(key, []).extend((resource.name, *resource.aliases))
    return tuple(
        a.model_copy(update={"keywords": (*a.keywords, *extra[a.key])}) if a.key in extra else a for a in areas
    )


def vocabulary(
    areas: tuple[Area, ...], legacy: tuple[LegacyResource, ...] = ()
) -> dict[str, dict[tuple[str, ...], float]]:
    """Each area's phrases and weights: its own words from the plan over its kind's lexicon.

    An area's own words are its keywords, the names and aliases of the plan's legacy
    resources it owns (see :func:`legacy_area`), its name and its description. A
    lexicon phrase another area lists among its keywords is left to that area,
    and an area's own keyword always counts at least as much as any built-in kind counts it. The
    catch-all area has its keywords only (none: it is not scored, it is the fallback).
    """
    areas = _with_legacy(areas, legacy)
    claimed: dict[tuple[str, ...], set[str]] = {}
    for area in areas:
        for p in _keywords(area):
            claimed.setdefault(p, set()).add(area.key)
    result: dict[str, dict[tuple[str, ...], float]] = {}
    for area in areas:
        if area.catch_all:
            # Its name and description say "anything else": its keywords are evidence, and
            # questions about who does what ("who do I talk to", "where do I send").
            result[area.key] = {
                **_desk_phrases(),
                **{p: max(w, CATCH_ALL_WEIGHT) for p, w in _keywords(area).items()},
            }
            continue
        phrases = _area_own_words(area)
        kind = kind_of(area)
        if kind is not None:
            for p, w in _lexicon_phrases(kind):
                owners = claimed.get(p)
                if owners is None or area.key in owners:
                    phrases[p] = max(phrases.get(p, 0.0), w)
        result[area.key] = phrases
    return result


@lru_cache(maxsize=8)
def _vocabularies_cached(areas: tuple[Area, ...], legacy: tuple[LegacyResource, ...]) -> dict[str, _Vocabulary]:
    vocab: dict[str, _Vocabulary] = {}
    foreign = _other_language_words()
    for key, phrases in vocabulary(areas, legacy).items():
        singles: dict[str, list[str]] = {}
        for p in sorted(phrases):
            if len(p) == 1 and len(p[0]) >= 5 and p[0] not in foreign:
                singles.setdefault(p[0][0], []).append(p[0])
        vocab[key] = _Vocabulary(
            phrases, {c: tuple(ws) for c, ws in singles.items()}, max((len(p) for p in phrases), default=0)
        )
    return vocab


# A typo keeps the first letter and is one slip: a letter missing or extra in a short
# word, also a letter wrong or two swapped in a longer one, two slips in a long one
# ("outlok", "calender", "sharepiont"). Looser matching took other words for ones it
# knows ("older" for "folder", "black" for "block", "portal" for "portatil").
TYPO_LONG = 8
TYPO_SHORT = 6
TYPO_WEIGHT = 0.7  # a typo's word counts this much of the word it is a slip for


def _typo_of(word: str, candidates: tuple[str, ...]) -> str | None:
    if not candidates:
        return None
    if len(word) < TYPO_SHORT:
        hit = process.extractOne(word, candidates, scorer=Indel.distance, score_cutoff=1)
    else:
        limit = 2 if len(word) >= TYPO_LONG else 1
        hit = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=limit)
    return None if hit is None else hit[0]


def _spans(words: list[str], vocab: _Vocabulary) -> list[tuple[int, int, tuple[str, ...]]]:
    """Where the vocabulary's phrases occur in ``words``: (start, end, phrase)."""
    # Look the text's n-grams up in the vocabulary (a message has few; an area has
    # hundreds of phrases).
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    for n in range(1, min(vocab.longest, len(words)) + 1):
        for i in range(len(words) - n + 1):
            gram = tuple(words[i : i + n])
            if gram in vocab.phrases:
                spans.append((i, i + n, gram))
    return spans


def _score(
    words: list[str],
    vocab: _Vocabulary,
    spans: list[tuple[int, int, tuple[str, ...]]],
    longer: Iterable[tuple[int, int]] = (),
) -> float:
    """The area's score from its phrases' ``spans`` in ``words``, each phrase counted once.

    A phrase inside a longer one that matched there, in this area or in ``longer`` (the spans
    other areas matched), is that phrase's evidence, not its own: "new outlook" is no more
    Outlook, and "canteen menu" or "new phone" claim "canteen" and "phone" for the area that
    names the longer phrase.
    """
    score = 0.0
    covers = [(a, b) for a, b, _ in spans] + list(longer)
    matched = {gram for i, j, gram in spans if not any(a <= i and j <= b and b - a > j - i for a, b in covers)}
    for phrase in matched:
        # Longer phrases are stronger evidence than their words apart.
        score += vocab.phrases[phrase] * (1.0 + 0.25 * (len(phrase) - 1))
    known = {p[0] for p in matched if len(p) == 1}
    for w in set(words):
        if len(w) < 5 or w in known or (w,) in vocab.phrases:
            continue
        hit = _typo_of(w, vocab.singles.get(w[0], ()))
        if hit is not None and hit not in known:
            known.add(hit)
            score += TYPO_WEIGHT * vocab.phrases[(hit,)]
    return score


def area_scores(plan: Plan, text: str) -> dict[str, float]:
    """Each area's score for ``text`` (higher is more likely); the catch-all only if it has keywords."""
    words = normalise(text)
    vocabularies = _vocabularies(plan)
    spans = {key: _spans(words, v) for key, v in vocabularies.items()}
    multi = {key: [(i, j) for i, j, _ in found if j - i > 1] for key, found in spans.items()}
    return {
        key: _score(words, v, spans[key], [s for other, found in multi.items() if other != key for s in found])
        for key, v in vocabularies.items()
    }


# -- meaning: how close a report is to the plan's own description of an area ------------

# An area's description as the plan states it is a handful of phrases: its name, its
# description and each keyword (the names and aliases of the legacy resources it owns among
# them); the catch-all's keywords only (its name and description say "anything else").
# A report's nearness to an area is its mean cosine with the area's NEAREST_PHRASES closest
# (an area with fewer counts the missing ones as 0).
# Only nearness above MEANING_FLOOR counts, MEANING_POINTS a unit of cosine: 0.55 adds 3.75
# points, as much as a keyword. Chosen on every example customer's tune half together
# (bench/triage_embedding.py: below a cosine of 0.5 the model's closest area is often not the
# labelled one, above it almost always is); measured, it changed one held-out report in 174.
NEAREST_PHRASES = 3
MEANING_FLOOR = 0.5
MEANING_POINTS = 75.0

_PLAIN_WORD = re.compile(r"[a-z0-9]+")
# A keyword naming a shared mailbox by its address ("orders@") means the mailbox, not the word.
_MAILBOX_KEYWORD = re.compile(r"^\s*([\w.-]+)@\s*$")


def _plain_words(text: str) -> list[str]:
    """Words as the embedding model knows them: casefolded and unaccented, not stemmed."""
    return _PLAIN_WORD.findall(_unaccented(text.casefold().replace("’", "'").replace("'", "")))


@dataclass(frozen=True, slots=True)
class _Descriptions:
    keys: tuple[str, ...]
    phrases: np.ndarray  # (areas, most phrases, dimensions): one unit row per phrase, zero rows pad
    real: np.ndarray  # (areas, most phrases): which rows are phrases, not padding


@lru_cache(maxsize=8)
def _descriptions(areas: tuple[Area, ...], legacy: tuple[LegacyResource, ...]) -> _Descriptions:
    """Each area's phrases (see above) as sentence vectors, in one array: a report's cosines
    with every phrase of every area are then one product."""
    embedder = shipped_embedder()
    per_area = []
    for area in _with_legacy(areas, legacy):
        keywords = tuple(_MAILBOX_KEYWORD.sub(r"\1 mailbox", k) for k in area.keywords)
        texts = keywords if area.catch_all else (area.name, area.description, *keywords)
        per_area.append((area.key, [v for t in texts if (v := embedder.vector(_plain_words(t))).any()]))
    most = max((len(rows) for _, rows in per_area), default=0)
    dimensions = len(embedder.vector([]))  # the zero vector: as long as any
    phrases = np.zeros((len(per_area), most, dimensions), dtype=np.float32)
    real = np.zeros((len(per_area), most), dtype=bool)
    for i, (_, rows) in enumerate(per_area):
        if rows:
            phrases[i, : len(rows)] = rows
            real[i, : len(rows)] = True
    return _Descriptions(tuple(key for key, _ in per_area), phrases, real)


def nearness(plan: Plan, text: str) -> dict[str, float]:
    """Per area, how close ``text`` is in meaning to the plan's description of it (cosine, -1..1;
    0 for an area with no phrase, or a text with no word the model knows)."""
    legacy = plan.legacy + tuple(r for wave in plan.waves for r in wave.legacy)
    described = _descriptions(plan.areas, legacy)
    report = shipped_embedder().vector(_plain_words(text))
    if not report.any() or not described.real.any():
        return dict.fromkeys(described.keys, 0.0)
    cosines = np.where(described.real, described.phrases @ report, -np.inf)
    nearest = np.sort(cosines, axis=1)[:, -NEAREST_PHRASES:]
    # Over NEAREST_PHRASES whatever the area has: one bare name ("Teams & calls") is near any
    # report that names the product, it says too little of the area to be sure.
    means = np.where(np.isfinite(nearest), nearest, 0.0).sum(axis=1) / NEAREST_PHRASES
    return dict(zip(described.keys, means.tolist(), strict=True))


MIN_SCORE = 2.0
MIN_CONFIDENCE = 0.45


def classify_area(plan: Plan, text: str) -> tuple[str, float, dict[str, float]]:
    """The area key for ``text``, a confidence in 0..1 and the per-area scores.

    An area's score is its words' (:func:`area_scores`) plus its meaning's (:func:`nearness`
    above :data:`MEANING_FLOOR`). Falls back to the catch-all area when the best score is
    weak or another area scores almost as high.
    """
    near = nearness(plan, text)
    scores = {
        key: s + MEANING_POINTS * max(0.0, near.get(key, 0.0) - MEANING_FLOOR)
        for key, s in area_scores(plan, text).items()
    }
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    catch_all = plan.catch_all_area.key
    if not ranked or ranked[0][1] <= 0:
        return catch_all, 0.5, scores
    (best, s1), s2 = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    # Strength grows with evidence; margin falls when a second area competes.
    strength = 1.0 - math.exp(-s1 / 2.0)
    margin = (s1 - s2) / s1
    confidence = round(strength * (0.5 + 0.5 * margin), 3)
    if s1 < MIN_SCORE or confidence < MIN_CONFIDENCE:
        return catch_all, round(1.0 - confidence, 3) if s1 < MIN_SCORE else confidence, scores
    return best, confidence, scores


def infer_impact(text: str) -> Inferred[Impact]:
    """Who is affected, from the wording; unsure when nothing in the text says."""
    t = _flat(text)
    if _SITE.search(t):
        return Inferred(Impact.SITE, True)
    if _SEVERAL.search(t):
        return Inferred(Impact.SEVERAL, True)
    return Inferred(Impact.ME, False)


def infer_urgency(text: str) -> Inferred[Urgency]:
    """How badly work is stopped, from the wording; unsure when the text does not say."""
    t = _flat(text)
    question = bool(_QUESTION.search(t))
    cant = bool(_CANT_WORK.search(t))
    degraded = bool(_DEGRADED.search(t))
    if cant and not degraded:
        return Inferred(Urgency.CANT_WORK, True)
    if degraded:
        return Inferred(Urgency.DEGRADED, not cant)
    if question:
        return Inferred(Urgency.QUESTION, True)
    return Inferred(Urgency.DEGRADED, False)


def _flat(text: str) -> str:
    t = text.casefold().replace("’", "'")
    for pattern, repl in _REWRITES[-3:]:  # the negation rewrites only
        t = pattern.sub(repl, t)
    return " ".join(t.replace("'", "").split())


def triage(plan: Plan, text: str) -> Triage:
    """Area (with confidence), impact and urgency for a report text."""
    area, confidence, scores = classify_area(plan, text)
    return Triage(area, confidence, infer_impact(text), infer_urgency(text), scores)


_PROBLEM_SIGNS = re.compile(
    r"\b(cant|wont|not work\w*|not (open|load|sync|send|receiv|print|connect)\w*|stopped|broken|missing|gone|"
    r"lost|disappeared|error|fail\w*|crash\w*|locked out|blocked|down|problem|issue|bug|wrong|not showing|"
    r"keeps|frozen|freez\w*|stuck|blank|empty|bounc\w*|denied)\b"
)
_QUESTION_SIGNS = re.compile(
    r"(\b(how do i|how can i|how to|what is|whats|when (is|does|do|will)|will i|do i need|should i|what happens|"
    r"where (do|can|will)|why do)\b)"
)


AREA_WEIGHT = 0.35  # the most the area vocabulary adds to looks_like_problem


def looks_like_problem(plan: Plan, text: str) -> float:
    """How likely ``text`` reports something broken (0..1) rather than asks a question.

    The free-text fallback routes a message to problem reporting when this is
    at least :data:`PROBLEM_THRESHOLD`.
    """
    t = _flat(text)
    signs = len(_PROBLEM_SIGNS.findall(t))
    questions = len(_QUESTION_SIGNS.findall(t))
    asks = t.rstrip().endswith("?")

    def total(area: float) -> float:
        score = 0.0
        score += min(signs, 2) * 0.3
        score += area
        score -= questions * 0.35
        if asks:
            score -= 0.1
        return score + (0.1 if signs else 0.0)

    if total(AREA_WEIGHT) <= 0.0:
        # Even the strongest area evidence could not lift it above zero ("when is my
        # migration?"): the answer is 0 without scoring every area's vocabulary.
        return 0.0
    catch_all = plan.catch_all_area.key
    best = max((s for key, s in area_scores(plan, text).items() if key != catch_all), default=0.0)
    return round(min(1.0, max(0.0, total(min(best, 6.0) / 6.0 * AREA_WEIGHT))), 3)


PROBLEM_THRESHOLD = 0.6


def words_of(texts: Iterable[str]) -> list[list[str]]:
    """Normalised word lists, for callers comparing reports with each other."""
    return [normalise(t) for t in texts]
