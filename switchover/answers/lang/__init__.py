"""Question words by the reader's language: how a question in another language is read.

Each language with its own words has a module here (``es``, ``pl``) whose ``gloss(text)`` says the question's
words in the English the understander reads, leaving names as typed. English needs none. The seam is
:func:`gloss_for`, keyed by a language code (``i18n.current().code``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

from switchover import i18n

# Languages whose question words are here (a module of that name with a ``gloss``).
LANGUAGES = ("es", "pl")


@cache
def gloss_for(code: str | None) -> Callable[[str], str] | None:
    """The function that reads a question in language ``code`` as English words; None for English or a
    language without words here (its questions are read as they are)."""
    base = i18n.primary(code)
    if base not in LANGUAGES:
        return None
    return importlib.import_module(f"{__name__}.{base}").gloss
