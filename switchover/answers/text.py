"""Turning what people type into comparable words: folding, chat spellings, typo repair.

Typo repair is vocabulary-driven: a word the migration's own vocabulary (the
plan, its FAQ, the intent cue words) does not know is replaced by the closest
word it does know, if rapidfuzz finds one close enough. Common English words
are left alone, so "loose" becomes "lose" only because the FAQ says "lose" and
not "loose".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN
from rapidfuzz import fuzz, process

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
# Letters Unicode does not decompose into a base letter and a mark ("ł" is not "l" + a stroke).
_UNDECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# A single letter before one of these is a drive letter ("U drive", "R: drive"), not chat ("u" = "you").
_DRIVE_WORDS = frozenset(("drive", "drives", "disk", "share", "laufwerk"))

# Chat spellings and contractions, mapped before typo repair.
CHAT = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "im": "i am",
    "i'm": "i am",
    "ive": "i have",
    "i've": "i have",
    "i'll": "i will",
    "we'll": "we will",
    "we're": "we are",
    "we've": "we have",
    "id": "i would",
    "dont": "do not",
    "don't": "do not",
    "doesnt": "does not",
    "doesn't": "does not",
    "cant": "can not",
    "can't": "can not",
    "cannot": "can not",
    "wont": "will not",
    "won't": "will not",
    "isnt": "is not",
    "isn't": "is not",
    "whats": "what is",
    "what's": "what is",
    "whens": "when is",
    "when's": "when is",
    "wheres": "where is",
    "where's": "where is",
    "hows": "how is",
    "how's": "how is",
    "whos": "who is",
    "who's": "who is",
    "wats": "what is",
    "wat": "what",
    "wil": "will",
    "yr": "your",
    "abt": "about",
    "wen": "when",
    "whn": "when",
    "b4": "before",
    "e-mail": "email",
    "emails": "email",
    "mails": "mail",
    "2fa": "mfa",
    "pw": "password",
    "pwd": "password",
    "passwd": "password",
    "pc's": "pc",
    "pcs": "pc",
    "2morrow": "tomorrow",
    "tmrw": "tomorrow",
    "wk": "week",
    "wknd": "weekend",
    "hq": "hq",
    # Everyday shorthand for the things a move touches (any organisation's).
    "sig": "signature",
    "sigs": "signatures",
    "appt": "appointment",
    "appts": "appointments",
    "acct": "account",
    "accts": "accounts",
    "acc": "account",
    "mgr": "manager",
    "cal": "calendar",
    "msg": "message",
    "msgs": "messages",
    "mtg": "meeting",
    "mtgs": "meetings",
    "pics": "pictures",
    "pic": "picture",
    "ppl": "people",
    "yrs": "years",
    "convo": "conversation",
    "txt": "text",
    "txts": "texts",
    "info": "information",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "tho": "though",
    "prob": "probably",
    "idk": "i do not know",
    "gotta": "have to",
    "ya": "you",
    "ye": "you",
    "w/o": "without",
    "thru": "through",
    "dunno": "do not know",
}

STOPWORDS = frozenset(STOPWORDS_EN) | {"please", "thanks", "hi", "hello", "hey", "bot", "switchover", "ok", "okay"}

# Words too common in English to be "corrected" into migration words.
_PROTECTED = frozenset(
    """
    a an the and or but if then so to of in on at by for from with about as into over after before
    i me my mine ours yours we us our you your he she they them their it its this that these those there here
    is am are was were be been being do does did done have has had will would can could should
    shall may might must not no yes what when where which who whom why how all any some every
    each many much more most other same own just also than too very up down out off again once
    get got go going gone come came make made take took see saw know knew think tell said say
    need want like able still yet work working day week time new old first last next good bad right left
    thing things stuff hour hours minute minutes
    zero one two three four five six seven eight nine ten second third fourth
    """.split()
)


def _plain(text: str) -> str:
    """Lower case without accents: "Malmö" and "Malmo" (and "MALMÖ") become "malmo"."""
    lowered = text.casefold().translate(_APOSTROPHES)
    if lowered.isascii():  # most questions: nothing to decompose (the same result, without the walk)
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_UNDECOMPOSED)


def fold(text: str) -> str:
    """Lower-case, drop accents, unify apostrophes, and drop everything but words."""
    return " ".join(_WORD.findall(_plain(text)))


def words(text: str) -> list[str]:
    """Folded words with chat spellings and contractions expanded."""
    out: list[str] = []
    folded = _WORD.findall(_plain(text).replace("e-mail", "email"))
    for i, word in enumerate(folded):
        nxt = folded[i + 1] if i + 1 < len(folded) else ""
        if len(word) == 1 and nxt in _DRIVE_WORDS:
            out.append(word)  # "U drive" is a drive, not "you drive"
            continue
        out.extend(CHAT.get(word, word).split())
    # "wave's" is "wave" (possessive or "is"), not "waves".
    return [w.removesuffix("'s").replace("'", "") for w in out]


def stem(word: str) -> str:
    """A deliberately light stemmer: plural and verb endings, then a final "e".

    Enough to make "emails"/"email", "moving"/"moves"/"move", "migrated"/
    "migrate" meet (all become the same stem); a full Porter stemmer would add a
    dependency for little gain on questions this short.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + keep
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


class Speller:
    """Repairs typos against a known vocabulary with rapidfuzz (Levenshtein ratio).

    Args:
        vocabulary: words to repair towards (the plan's and the FAQ's words).
        keep: words never repaired and never repaired towards.
        cutoff: minimum rapidfuzz ratio (0-100) to accept a repair.
    """

    def __init__(self, vocabulary: Iterable[str], *, cutoff: float = 80.0, keep: Iterable[str] = ()) -> None:
        self._known = frozenset(w for w in vocabulary if w)
        # Words left as typed but never repaired towards (names of places nobody in the plan is at).
        self._keep = frozenset(keep)
        self._choices = sorted(w for w in self._known if len(w) >= 3)
        self._cutoff = cutoff
        self._repair = lru_cache(maxsize=4096)(self._repair_uncached)

    @property
    def known(self) -> frozenset[str]:
        return self._known

    def _repair_uncached(self, word: str) -> str:
        if word in self._known or word in self._keep or word in _PROTECTED or len(word) < 4 or word.isdigit():
            return word
        hit = process.extractOne(word, self._choices, scorer=fuzz.ratio, score_cutoff=self._cutoff)
        return hit[0] if hit else word

    def repair(self, word: str) -> str:
        """``word`` itself if known or common, else the closest known word, else ``word``."""
        return self._repair(word)

    def repair_all(self, tokens: Iterable[str]) -> list[str]:
        return [self.repair(t) for t in tokens]


def is_common_word(word: str) -> bool:
    """An everyday English word ("it", "us", "may"): a name spelt like one is matched only in capitals."""
    return word in _PROTECTED or word in STOPWORDS
