"""The renderer's words in the reader's language, without the renderer knowing where languages live.

Cards sit below the domain, so they cannot import :mod:`switchover.i18n`; that module installs its
gettext functions here when it is imported (:func:`install`). Until then (a card rendered by a tool
that never touched the domain) the source text is shown. Templates get the same functions through
Jinja's i18n extension, looked up at each call, so the language in force is the one of the turn.
"""

from __future__ import annotations

from collections.abc import Callable

_gettext: Callable[[str], str] = lambda message: message  # noqa: E731
_ngettext: Callable[[str, str, int], str] = lambda singular, plural, n: singular if n == 1 else plural  # noqa: E731
_pgettext: Callable[[str, str], str] = lambda context, message: message  # noqa: E731


def install(
    gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str], pgettext: Callable[[str, str], str]
) -> None:
    """Translate the renderer's words with these functions (called by switchover.i18n)."""
    global _gettext, _ngettext, _pgettext
    _gettext, _ngettext, _pgettext = gettext, ngettext, pgettext


def gettext(message: str) -> str:
    return _gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a constant for the catalogs; translate it where it is shown."""
    return message
