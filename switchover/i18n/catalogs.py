"""Keeping the message catalogs in step with the code: ``switchover i18n extract | update | check``.

- ``extract`` reads every marked string (``_()``, ``N_()``, ``ngettext()``, ``pgettext()`` in Python;
  ``_()``, ``ngettext()`` and ``{% trans %}`` in card and e-mail templates) into one template per
  domain, ``switchover/locale/<domain>.pot`` (Babel's extractors).
- ``update`` brings each language's ``<lang>/LC_MESSAGES/<domain>.po`` in step with its template:
  new strings added untranslated, gone ones dropped, changed ones marked fuzzy (not used until a
  translator confirms them). The English catalog is filled with the source text itself.
- ``check`` exits 1 naming every template that is out of date with the code and every string a
  supported language has not translated (or has fuzzy); the test suite runs the same check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from switchover.i18n import DEFAULT, DOMAINS, LOCALE_DIR, SUPPORTED

ROOT = LOCALE_DIR.parent.parent
KEYWORDS = {
    "_": None,
    "gettext": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
_JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
_SOURCE_FOLDERS = ("cards", "bot", "dialogs", "switchover")
_SKIP = ("switchover/i18n/", "/tests/")


def _method(path: str) -> str | None:
    if path.endswith(".py"):
        return "python"
    if path.endswith(".j2"):
        return "jinja2.ext:babel_extract"
    return None


def domain_of(path: str) -> str | None:
    """The domain a source file (relative, with ``/``) belongs to: the first whose folders hold it."""
    for domain, prefixes in DOMAINS.items():
        if any(path == p or (p.endswith("/") and path.startswith(p)) for p in prefixes):
            return domain
    return None


def _sources() -> Iterable[tuple[str, str]]:
    for folder in _SOURCE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            rel = path.relative_to(ROOT).as_posix()
            if path.is_file() and _method(rel) and not any(s in f"/{rel}" for s in _SKIP):
                domain = domain_of(rel)
                if domain is not None:
                    yield domain, rel


# Catalog headers carry no dates that change on every run: a catalog changes when its messages do.
_STABLE_DATE = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _new_catalog(domain: str, locale: str | None = None) -> Catalog:
    return Catalog(
        locale=locale,
        domain=domain,
        project="Switchover",
        version="1",
        copyright_holder="the Switchover authors",
        msgid_bugs_address="",
        creation_date=_STABLE_DATE,
        revision_date=_STABLE_DATE,
        last_translator="the Switchover team",
        language_team=f"{locale or 'source'} translators",
        charset="utf-8",
        fuzzy=False,
    )


def extract() -> dict[str, Catalog]:
    """One template catalog per domain, from the code as it is."""
    templates = {d: _new_catalog(d) for d in DOMAINS}
    for domain, rel in _sources():
        method = _method(rel)
        options = _JINJA_OPTIONS if method and method.startswith("jinja2") else {}
        for lineno, message, comments, context in extract_from_file(
            method, ROOT / rel, keywords=KEYWORDS, comment_tags=("Translators:",), options=options
        ):
            templates[domain].add(message, None, [(rel, lineno)], auto_comments=comments, context=context)
    return templates


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    return out.getvalue()


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale, domain=path.stem)


def _template_path(domain: str) -> Path:
    return LOCALE_DIR / f"{domain}.pot"


def _po_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def _strings(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (str(value),)


def write_templates() -> list[Path]:
    written = []
    for domain, catalog in extract().items():
        if not len(catalog):
            continue
        path = _template_path(domain)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_po_bytes(catalog))
        written.append(path)
    return written


def update() -> list[Path]:
    """Each language's catalogs brought in step with the templates (see the module docstring)."""
    written = []
    for template_path in sorted(LOCALE_DIR.glob("*.pot")):
        for lang in SUPPORTED:
            template = _read(template_path)  # afresh: an update shares the template's messages
            path = _po_path(lang, template_path.stem)
            if path.exists():
                catalog = _read(path, lang)
                catalog.update(template, no_fuzzy_matching=False)
            else:
                catalog = _new_catalog(template_path.stem, lang)
                catalog.update(template)
            catalog.fuzzy = False
            catalog.revision_date = _STABLE_DATE
            if lang == DEFAULT:
                # The source language's catalog says what the code says, unless someone reworded an
                # entry on purpose; a fuzzy guess from a similar message is never kept.
                for message in catalog:
                    if not message.id:
                        continue
                    if "fuzzy" in message.flags or not message.string or not all(_strings(message.string)):
                        message.string = tuple(message.id) if isinstance(message.id, tuple) else message.id
                    message.flags.discard("fuzzy")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_po_bytes(catalog))
            written.append(path)
    return written


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _ids(catalog: Catalog) -> set[object]:
    return {(m.context, m.id) for m in catalog if m.id}


def check() -> list[Problem]:
    """Every way the catalogs differ from the code or are incomplete (empty: all in step)."""
    problems: list[Problem] = []
    for domain, fresh in extract().items():
        template_path = _template_path(domain)
        if not len(fresh):
            continue
        if not template_path.exists():
            problems.append(Problem(str(template_path), "missing: run `switchover i18n extract`"))
            continue
        stored = _read(template_path)
        new = _ids(fresh) - _ids(stored)
        gone = _ids(stored) - _ids(fresh)
        for _context, msgid in sorted(new, key=str):
            problems.append(
                Problem(template_path.name, f"not extracted yet: {msgid!r} (run `switchover i18n extract`)")
            )
        for _context, msgid in sorted(gone, key=str):
            problems.append(Problem(template_path.name, f"no longer in the code: {msgid!r}"))
        for lang in SUPPORTED:
            path = _po_path(lang, domain)
            if not path.exists():
                problems.append(Problem(str(path.relative_to(ROOT)), "missing: run `switchover i18n update`"))
                continue
            catalog = _read(path, lang)
            have = {(m.context, m.id): m for m in catalog if m.id}
            for key in sorted(_ids(fresh), key=str):
                message = have.get(key)
                label = key[1] if isinstance(key, tuple) else key
                if message is None:
                    problems.append(Problem(path.name + f" ({lang})", f"missing: {label!r}"))
                elif "fuzzy" in message.flags:
                    problems.append(Problem(path.name + f" ({lang})", f"fuzzy, needs review: {label!r}"))
                elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
                    problems.append(Problem(path.name + f" ({lang})", f"not translated: {label!r}"))
    return problems


def run(args: argparse.Namespace) -> int:
    if args.action == "extract":
        for path in write_templates():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if args.action == "update":
        for path in update():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    problems = check()
    for problem in problems:
        print(problem)
    print("catalogs in step with the code" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("i18n", help="keep the message catalogs in step with the code")
    parser.add_argument("action", choices=("extract", "update", "check"))
    parser.set_defaults(func=run)
