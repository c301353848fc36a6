"""Which language a question is written in, when it clearly is not the reader's Teams language.

Many people keep Teams in English and write in their own language ("¿cuándo es mi migración?"). Such a
question is read, and answered, in the language it is written in when the evidence is clear; otherwise
in the Teams language, as before. A question in English from a Teams in another language is read as
English words already (a glosser leaves words it does not know as typed) and answered in the Teams
language: whoever chose Spanish for Teams reads Spanish, and many write to a bot in English only because
they expect it to read nothing else.

The evidence is counted in words, cheaply (set look-ups; this runs on every question):

- each language of :data:`switchover.answers.lang.LANGUAGES` has its distinctive words: the module's
  ``QUESTION_WORDS`` ("cuándo", "qué", "dónde"), weight 1.5, ``MARKERS`` (other function words: "es",
  "de", "para"...), weight 1, and ``SHARED``
  (words that are also English or begin place names: "mi", "la", "el", "con"), weight one half; and the
  glosser's own vocabulary (``VOCABULARY``, else the keys of its ``WORDS`` and ``PHRASES``, and its
  ``knows(word)`` for words known by stem and ending: "migracji"): a known word of four letters or more
  that is not English ("migración", "correo", "contraseña") weighs 1;
- a word of the language that is written with the language's own letters (``LETTERS``: "á", "ñ"; "ł",
  "ś") weighs a half more; the language's own punctuation ("¿", "¡") weighs 1, once;
- English has its function words (:data:`ENGLISH`: "when", "is", "my", "the", "will").

Names are not evidence: a capitalised word inside the sentence ("when is Valparaíso moving", "the San
José clinic", "Łódź") or a run of capitalised words ("La Paz office") counts for no language.

A question switches language only when another language has at least :data:`MIN_EVIDENCE` points from
at least two words (or one word and its punctuation), more than twice the English words, and more than
the Teams language's own. A short English question with a loanword or a place name ("mi", "when is el paso moving")
never switches.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from bm25s.stopwords import STOPWORDS_EN_PLUS

from switchover import i18n
from switchover.answers.lang import LANGUAGES
from switchover.answers.text import fold

ENGLISH_CODE = "en"
# Points another language needs before a question is read in it.
MIN_EVIDENCE = 2.0

# English function and question words (NLTK's list, which bm25s ships, without its one- and two-letter
# fragments of contractions, and without words other languages write too).
_AMBIGUOUS = frozenset({"a", "o", "y", "me", "no", "d", "s", "t", "m", "ll", "re", "ve", "ma", "won", "don", "ain"})
ENGLISH: frozenset[str] = (frozenset(w for w in STOPWORDS_EN_PLUS if "'" not in w) - _AMBIGUOUS) | frozenset(
    "will would could get gets getting gonna wanna happen happens please thanks im ill dont whats".split()
)

# English words a glosser may know because people say them in its language too ("el laptop", "mis
# emails"): never evidence of the other language.
LOANWORDS = frozenset(
    """
    laptop laptops apps app doctor email emails mail mails red lap use usa via area agenda extra factor
    move prepare final total normal plan plans hotel once son sin con pan come fin ola ser hay ven dos
    vale login logout password drive teams outlook online chat link backup data halo wifi okej problem
    """.split()
)

_NOT_EVIDENCE = ENGLISH | LOANWORDS
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True, slots=True)
class _Evidence:
    """One language's words, read once from its module."""

    code: str
    questions: frozenset[str]
    markers: frozenset[str]
    shared: frozenset[str]
    vocabulary: frozenset[str]
    knows: Callable[[str], bool] | None  # a word known otherwise (by its stem and ending)
    letters: str
    punctuation: str


def _vocabulary(module: ModuleType) -> frozenset[str]:
    """The glosser's words that say its language: four letters or more, and neither English nor a word
    its own glosses write ("service" and "desk" glossed as themselves are English said in Polish)."""
    said = getattr(module, "VOCABULARY", None)
    if said is None:
        said = {*getattr(module, "WORDS", {}), *(w for p in getattr(module, "PHRASES", {}) for w in p.split())}
    glossed = {
        w
        for table in (getattr(module, "WORDS", {}), getattr(module, "PHRASES", {}))
        for english in table.values()
        for w in english.split()
    }
    return frozenset(w for w in said if len(w) >= 4 and w not in ENGLISH and w not in LOANWORDS and w not in glossed)


@cache
def _languages() -> tuple[_Evidence, ...]:
    out = []
    for code in LANGUAGES:
        module = importlib.import_module(f"switchover.answers.lang.{code}")
        shared = frozenset(getattr(module, "SHARED", ()))
        out.append(
            _Evidence(
                code=code,
                questions=frozenset(getattr(module, "QUESTION_WORDS", ())) - shared - ENGLISH,
                markers=frozenset(getattr(module, "MARKERS", ())) - shared - ENGLISH,
                shared=shared,
                vocabulary=_vocabulary(module),
                knows=getattr(module, "knows", None),
                letters=getattr(module, "LETTERS", ""),
                punctuation=getattr(module, "PUNCTUATION", ""),
            )
        )
    return tuple(out)


def _fold(word: str) -> str:
    # The same folding the glossers key their words by, for one word ("Cuándo" -> "cuando").
    return fold(word).replace(" ", "")


def _words(text: str) -> list[tuple[str, str]]:
    """(as typed, folded) for every word that could be evidence: names (capitalised inside the sentence,
    or a run of capitalised words) are left out."""
    typed = _WORD.findall(text)
    out = []
    for i, word in enumerate(typed):
        capital = word[:1].isupper() and not word.isupper()
        if capital and i > 0:
            continue  # a name: "when is Valparaíso moving", "the San José clinic"
        if capital and i + 1 < len(typed) and typed[i + 1][:1].isupper():
            continue  # a name first: "La Paz office", "Los Angeles when"
        out.append((word, _fold(word)))
    return out


@dataclass(frozen=True, slots=True)
class Reading:
    """What a question's words say about its language: points per language code (English's are its
    function words)."""

    points: dict[str, float]
    words: dict[str, int]  # how many words gave a language its points

    def clearly(self, turn: str) -> str | None:
        """The language of :data:`LANGUAGES` the question is clearly written in when that is not ``turn``
        (a language code); None when it is ``turn``'s, English, or unclear."""
        english = self.points.get(ENGLISH_CODE, 0.0)
        best = max((c for c in self.points if c != ENGLISH_CODE), key=lambda c: self.points[c], default=None)
        if best is not None and best != turn:
            score = self.points[best]
            enough_words = self.words.get(best, 0) >= 2
            if score >= MIN_EVIDENCE and enough_words and score > 2 * english and score > self.points.get(turn, 0):
                return best
        return None


def read(text: str) -> Reading:
    """Count the evidence of each language in ``text``."""
    points: dict[str, float] = {ENGLISH_CODE: 0.0}
    counted: dict[str, int] = {ENGLISH_CODE: 0}
    words = _words(text)
    for _typed, folded in words:
        if folded in ENGLISH:
            points[ENGLISH_CODE] += 1
            counted[ENGLISH_CODE] += 1
    for lang in _languages():
        score, n = 0.0, 0
        for typed, folded in words:
            if folded in lang.questions:
                weight = 1.5
            elif folded in lang.markers or folded in lang.vocabulary:
                weight = 1.0
            elif lang.knows is not None and len(folded) >= 4 and folded not in _NOT_EVIDENCE and lang.knows(folded):
                weight = 1.0
            elif folded in lang.shared:
                weight = 0.5
            else:
                continue
            n += 1
            if lang.letters and any(c in lang.letters for c in typed.casefold()):
                weight += 0.5
            score += weight
        if lang.punctuation and any(c in lang.punctuation for c in text):
            score += 1.0
            n += 1
        points[lang.code], counted[lang.code] = score, n
    return Reading(points, counted)


def written_in(text: str, turn: str | None) -> str | None:
    """The language code ``text`` is clearly written in when it is another supported language than
    ``turn`` (a language code or Teams locale tag); None to read it in ``turn``'s."""
    code = read(text).clearly(i18n.primary(turn) or ENGLISH_CODE)
    return code if code in i18n.SUPPORTED else None


def reading_language(text: str, turn: i18n.Language | None = None) -> i18n.Language:
    """The language to read and answer ``text`` in: the turn's (``turn``, else the one in force) unless the
    question is clearly written in another supported language; then that one, with the turn's region
    where the language is spoken there ("es-US" for an en-US Teams), else the language's own."""
    turn = turn or i18n.current()
    code = written_in(text, turn.code)
    if code is None:
        return turn
    region = turn.locale.territory
    if region:
        regional = i18n.language(f"{code}-{region}")
        if str(regional.locale) == f"{code}_{region}":
            return regional
    return i18n.language(code)
