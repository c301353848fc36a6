"""Sentence vectors from a small static embedding model that ships inside its wheel (WordLlama).

A question's vector is the mean of its sub-word token vectors (WordLlama's
"l2_supercat", 256 dimensions, 32 MB): no network model, no GPU, a few
microseconds a question. It lets the FAQ see that "who do I ring if it goes
wrong" is near "who do I contact" although they share no content word.

The model is loaded from the installed package only; downloads are switched
off, so a missing file is an error at start, never a network call.
"""

from __future__ import annotations

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

    def __init__(self, table: np.ndarray, encode) -> None:  # noqa: ANN001 - Callable[[str], list[int]]
        self._table = table
        self._encode = encode
        self._zero = np.zeros(table.shape[1], dtype=np.float32)
        self._word = lru_cache(maxsize=8192)(self._word_uncached)

    def _word_uncached(self, word: str) -> np.ndarray:
        ids = self._encode(word)
        return self._table[ids].sum(axis=0) if ids else self._zero

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


@cache
def shipped_embedder() -> Embedder:
    """WordLlama's default model, from its own wheel (loaded once per process, read-only)."""
    import wordllama
    from wordllama import WordLlama

    # WordLlama looks for its bundled tokenizer under "tokenizer/" while the wheel has it under
    # "tokenizers/"; its cache layout matches the wheel's, so the package folder is named as the
    # cache. Downloads are off: nothing is fetched at run time.
    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    tokenizer = model.tokenizer
    limit = model.embedding.shape[0] - 1

    tokenizer.no_padding()

    def encode(word: str) -> list[int]:
        return [min(i, limit) for i in tokenizer.encode(word, add_special_tokens=False).ids]

    return Embedder(np.asarray(model.embedding, dtype=np.float32), encode)
