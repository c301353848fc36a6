"""Countries by name or ISO 3166 code, from the CLDR data Babel ships (offline, no lists of our own).

The roster says where people are twice: ``country`` (the address, a name such as
"Poland") and ``usageLocation`` (an ISO code such as ``PL``). :func:`country_code`
brings either to the code; :func:`country_names` gives the names people type for a
country: its English name and its name in each of its official languages
("Poland", "Polska"; "Mexico", "México").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages

__all__ = ["all_countries", "country_code", "country_code_aliased", "country_name", "country_names", "country_of"]


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def all_countries() -> dict[str, str]:
    """Every country's ISO 3166-1 alpha-2 code -> its English name (regions like "Europe" left out)."""
    return {code: name for code, name in Locale("en").territories.items() if len(code) == 2 and code.isalpha()}


@cache
def _by_name() -> dict[str, str]:
    return {_key(name): code for code, name in all_countries().items()}


def country_code(value: str | None) -> str | None:
    """The ISO code of a country written as a code (``pl``) or an English name ("Poland"), else None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if len(text) == 2 and text.upper() in all_countries():
        return text.upper()
    return _by_name().get(_key(text))


def country_code_aliased(value: str | None, aliases: Mapping[str, Iterable[str]]) -> str | None:
    """Like :func:`country_code`, also knowing a plan's ``aliases.countries`` (country -> the words people use):
    "Méjico" -> ``MX`` when the plan lists it as a word for Mexico. Case and accents do not matter."""
    code = country_code(value)
    if code is not None or not value:
        return code
    key = _key(value)
    for country, words in aliases.items():
        if any(_key(w) == key for w in words):
            return country_code(country)
    return None


def country_name(code: str) -> str:
    """The English name of the country with ISO code ``code`` (the code itself if unknown)."""
    return all_countries().get(code.upper(), code)


@cache
def country_names(code: str) -> tuple[str, ...]:
    """The names of a country: English first, then in each of its official languages."""
    code = code.upper()
    names = [country_name(code)]
    for language in get_official_languages(code, de_facto=True):
        try:
            native = Locale.parse(language).territories.get(code)
        except (UnknownLocaleError, ValueError):
            continue
        if native and native not in names:
            names.append(native)
    return tuple(names)


def country_of(country: str | None, usage_location: str | None) -> str | None:
    """Where a directory user is, as a country's English name: from the address's country, else the
    usage location; a country name no one can place is returned as written."""
    code = country_code(country) or country_code(usage_location)
    if code is not None:
        return country_name(code)
    return country.strip() if country and country.strip() else None
