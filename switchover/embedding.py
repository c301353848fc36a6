"""Sentence vectors from a small static embedding model that ships inside its wheel (WordLlama).

A question's vector is the mean of its sub-word token vectors (WordLlama's
"l2_supercat", 256 dimensions, 32 MB): no network model, no GPU, a few
microseconds a question. It lets the FAQ see that "will my password stay the
same" asks "do I need a new password?" although they share one word only, and
problem triage see that a report is close to how the plan describes an area.
Shared by answers and problems, so it belongs to neither.

The model is read from the installed package's files only, so a missing file
is an error at start, never a network call.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

import numpy as np


class Embedder:
    """Unit-length sentence vectors of words (cosine similarity is then a dot product).

    The model's tokenizer never joins two words into one token, so a sentence's
    vector is the sum of its words' token vectors; each word's sum is computed once
    and remembered (the same words come back question after question).

    Args:
        table: one row per token id (float32).
        encode: one word -> its token ids.
    """

    def __init__(
        self,
        table: np.ndarray,
        encode,  # noqa: ANN001 - Callable[[str], list[int]]
        *,
        whole_words: frozenset[str] = frozenset(),
    ) -> None:
        self._table = table
        self._encode = encode
        self._whole_words = whole_words
        self._zero = np.zeros(table.shape[1], dtype=np.float32)
        self._word = lru_cache(maxsize=8192)(self._word_uncached)

    def _word_uncached(self, word: str) -> np.ndarray:
        ids = self._encode(word)
        return self._table[ids].sum(axis=0) if ids else self._zero

    def is_word(self, word: str) -> bool:
        """Whether ``word`` is one whole token of the model's vocabulary: a word common enough in
        the model's training text to have its own token ("call", "things", "afterwards"), as
        opposed to a typo or a rare name, which the tokenizer cuts into pieces ("calender")."""
        return word in self._whole_words

    def vector(self, words: Sequence[str]) -> np.ndarray:
        """The unit vector of a sentence given as its words (zeros when none has a token)."""
        if not words:
            return self._zero
        total = np.add.reduce([self._word(w) for w in words])
        norm = float(np.sqrt(total @ total))
        return total / norm if norm else self._zero

    def vectors(self, sentences: Sequence[Sequence[str]]) -> np.ndarray:
        """One unit vector per sentence (each given as its words), as rows."""
        return np.stack([self.vector(s) for s in sentences]) if sentences else np.zeros((0, len(self._zero)))


# WordLlama's default model as its wheel ships it (the package's own names for "l2_supercat", 256 dimensions).
_TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
_WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"


def _wheel_folder() -> Path:
    """Where the wordllama package is installed, found without importing it (its import takes a second)."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the wordllama package is not installed; it ships the FAQ's embedding model")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def shipped_embedder() -> Embedder:
    """WordLlama's default model, read from its wheel's files (once per process, read-only).

    Read with ``tokenizers`` and ``safetensors`` (wordllama's own dependencies) rather than
    ``WordLlama.load``: the same tokenizer and vectors, without importing the package's
    configuration models, and with no code path that could download anything.
    """
    from safetensors import safe_open
    from tokenizers import Tokenizer

    folder = _wheel_folder()
    tokenizer = Tokenizer.from_file(str(folder / _TOKENIZER))
    tokenizer.no_padding()
    with safe_open(str(folder / _WEIGHTS), framework="np") as weights:
        table = np.asarray(weights.get_tensor("embedding.weight"), dtype=np.float32)
    limit = table.shape[0] - 1

    def encode(word: str) -> list[int]:
        return [min(i, limit) for i in tokenizer.encode(word, add_special_tokens=False).ids]

    # SentencePiece marks a token that starts a word with "\u2581": those made only of letters
    # are the whole words the model knows.
    whole = frozenset(
        token[1:] for token in tokenizer.get_vocab() if token.startswith("\u2581") and token[1:].isalpha()
    )
    return Embedder(table, encode, whole_words=whole)
