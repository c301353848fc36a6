"""The bot's own words in the reader's language: gettext message catalogs (Babel), one language per turn.

Every string the bot writes for a person goes through :func:`gettext` (``_``), :func:`ngettext` or
:func:`pgettext`; card templates through Jinja's i18n extension (``{{ _("Before your move") }}``).
The language in force is a context variable: the bot edge sets it for a turn from the activity's
``locale`` (:func:`use`), a delivery sets it for each recipient, and everything below (answers, cards,
dates through :mod:`switchover.timefmt`) reads it, so domain functions need no language argument.

Catalogs live in ``switchover/locale/<lang>/LC_MESSAGES/<domain>.po``, one domain per part of the
product (``cards``, ``answers``, ``bot``...; see :data:`DOMAINS`), so parts can be translated and
reviewed apart. They are read from the ``.po`` text at first use (compiled in memory; no build step,
no ``.mo`` files in the repository). English is the source language: its catalog may reword a string
without a code change, and an empty translation falls back to the source text.

``qps-ploc`` is the pseudo-locale (Microsoft's name for it): every catalog string comes back
accented and bracketed (``⟦Ƀéƒöŕé ýöûŕ ɱöṽé⟧``), so a render in it shows at a glance, and a test
proves, which text never went through a catalog.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _gettext
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from cards import i18n as cards_i18n

__all__ = [
    "DEFAULT",
    "DOMAINS",
    "PSEUDO",
    "SUPPORTED",
    "Language",
    "N_",
    "current",
    "gettext",
    "language",
    "ngettext",
    "npgettext",
    "pgettext",
    "primary",
    "pseudo",
    "use",
]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

# Languages with complete catalogs. The first is the source language of the code and templates.
SUPPORTED: tuple[str, ...] = ("en", "es", "pl")
DEFAULT = "en"
PSEUDO = "qps-ploc"

# Catalog domains and the source folders each is extracted from (first match wins; see
# ``python -m switchover i18n``). A file belongs to exactly one domain.
DOMAINS: dict[str, tuple[str, ...]] = {
    "cards": ("cards/",),
    "questions": ("switchover/answers/lang/",),  # the reader's language in questions (word lists)
    "answers": ("switchover/answers/", "switchover/timefmt.py", "switchover/readiness/"),
    "dialogs": ("dialogs/",),
    "problems": ("switchover/problems/",),
    "people": (
        "bot/features/core.py",
        "bot/features/answers.py",
        "bot/features/freetext.py",
        "bot/features/problems.py",
    ),
    "announcements": ("switchover/announcements/", "switchover/delivery/", "bot/features/announcements.py"),
    "lead": (
        "bot/features/status.py",
        "bot/features/reach.py",
        "bot/features/readiness.py",
        "bot/features/digest.py",
        "switchover/status/",
        "switchover/digest/",
        "switchover/reach/",
        "bot/email_links.py",  # the e-mail acknowledgement page
    ),
    "plan": ("switchover/plan/",),
    "bot": ("bot/",),
    "switchover": ("switchover/",),
}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a string for the catalogs where it is defined (a module constant); translate it where
    it is shown, with :func:`gettext`."""
    return message


@dataclass(frozen=True, slots=True)
class Language:
    """A reader's language: which catalog (``code``) and which conventions for dates and numbers
    (``locale``, the Babel locale of the reader's own region: ``es-US`` reads 12-hour clocks, ``es-ES``
    24-hour ones, both from the Spanish catalog).

    ``asked`` is the tag Teams sent (for "this card is in English, your Teams is in Italian").
    """

    code: str
    locale: Locale
    asked: str | None = None

    @property
    def fell_back(self) -> bool:
        """Teams asked for a language there is no catalog for, so the reader gets the default one."""
        return bool(self.asked) and primary(self.asked) != self.code and self.code != PSEUDO

    @property
    def tag(self) -> str:
        """The BCP 47 tag of the reader's locale, as Teams writes it (``es-US``)."""
        return str(self.locale).replace("_", "-")


def primary(tag: str | None) -> str:
    """The language of a BCP 47 or POSIX tag, lower case: ``es-US``, ``es_MX`` and ``ES`` are ``es``
    ("" for none). Every part of the product that keys by language reads a tag through this."""
    return re.split(r"[-_]", (tag or "").strip(), maxsplit=1)[0].lower()


def _babel_locale(tag: str, fallback: str) -> Locale:
    try:
        return Locale.parse(tag.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(fallback)


@lru_cache(maxsize=512)  # keyed by what activities send: bounded
def language(tag: str | None, default: str = DEFAULT) -> Language:
    """The language a reader with Teams locale ``tag`` reads: its catalog when there is one
    (``es-US``, ``es-MX`` and ``es`` all read Spanish), else ``default``'s (with English's
    conventions for a tag Babel does not know)."""
    if tag and tag.strip().lower() == PSEUDO:
        return Language(PSEUDO, Locale.parse("en"), tag)
    code = primary(tag) if tag else ""
    if code in SUPPORTED:
        return Language(code, _babel_locale(tag or code, code), tag)
    if default not in SUPPORTED:  # a plan written in a language the bot has no catalog for
        default = DEFAULT
    return Language(default, Locale.parse(default), tag or None)


_current: contextvars.ContextVar[Language] = contextvars.ContextVar("switchover_language")


def current() -> Language:
    """The language of the text being written now (the default language outside any :func:`use`)."""
    try:
        return _current.get()
    except LookupError:
        return language(None)


@contextlib.contextmanager
def use(lang: Language | str | None) -> Iterator[Language]:
    """Write in ``lang`` (a :class:`Language` or a Teams locale tag) inside the block."""
    chosen = lang if isinstance(lang, Language) else language(lang)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


# -- catalogs --


def _compile(po_path: Path, locale: str) -> Translations:
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=locale, domain=po_path.stem)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=po_path.stem)


@cache
def translations(code: str) -> _gettext.NullTranslations:
    """Every domain's catalog of language ``code``, merged (the pseudo-locale's is generated)."""
    if code == PSEUDO:
        return _PseudoTranslations()
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    merged: Translations | None = None
    for po_path in sorted(folder.glob("*.po")) if folder.is_dir() else ():
        compiled = _compile(po_path, code)
        if merged is None:
            merged = compiled
        else:
            merged.merge(compiled)
    return merged if merged is not None else _gettext.NullTranslations()


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return translations(current().code).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language (Polish has three)."""
    return translations(current().code).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, told apart from the same words elsewhere by ``context``."""
    found = translations(current().code)
    if isinstance(found, _gettext.GNUTranslations):
        # Babel's own pgettext predates Python 3.11 (it reads a removed ``_output_charset`` and would
        # return bytes): the standard library's reads the same catalog correctly.
        return _gettext.GNUTranslations.pgettext(found, context, message)
    return found.pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    found = translations(current().code)
    if isinstance(found, _gettext.GNUTranslations):  # see pgettext
        return _gettext.GNUTranslations.npgettext(found, context, singular, plural, n)
    return found.npgettext(context, singular, plural, n)


_ = gettext

# The card renderer sits below the domain: it gets these functions rather than importing them.
cards_i18n.install(gettext, ngettext, pgettext)


# -- the pseudo-locale --

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķĺɱñöþʠŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
# Placeholders keep their letters: ``{name}``, ``%(count)s``, ``%s``, markdown links' targets.
_PLACEHOLDER = re.compile(r"(\{[^{}]*\}|%\([^)]*\)[sdifr]|%[sdifr]|\]\([^)]*\))")
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"


def pseudo(message: str) -> str:
    """``message`` as the pseudo-locale shows it: letters accented, placeholders kept, bracketed."""
    parts = _PLACEHOLDER.split(message)
    shown = "".join(p if i % 2 else p.translate(_ACCENTED) for i, p in enumerate(parts))
    return f"{PSEUDO_OPEN}{shown}{PSEUDO_CLOSE}"


class _PseudoTranslations(_gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)
