"""Render HTML emails (and the small pages their links open) from Jinja2 templates.

``cards/email/*.html.j2``, HTML-escaped by Jinja's autoescape (text can never become markup),
every shown string cleared of invisible and bidi characters (``cards.text.invisible_removed``),
no external resources: styles are inline in the document, there are no images, and the only links
are the ones the view hands in (the bot's own signed links, and links the plan gives).

The templates' own words go through the catalogs in the language in force (``switchover.i18n``):
``{{ _("What you can do") }}``, ``{{ _("Sent by ... of %(organisation)s.", organisation=...) }}``; the
values put into a translated sentence are escaped and cleared like every other value.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
import markupsafe

from cards import i18n
from cards.text import invisible_removed


def _finalize(value: Any) -> Any:
    # Markup is the templates' own (a macro's output), already escaped: only values are cleaned.
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return invisible_removed(value)
    return value


def _translated(text: str, variables: dict[str, Any]) -> markupsafe.Markup:
    # The catalog's words are ours (markup-safe); each value is cleared, then escaped by Markup's %.
    return markupsafe.Markup(text) % {k: _finalize(v) for k, v in variables.items()}


def _gettext(message: str, **variables: Any) -> markupsafe.Markup:
    return _translated(i18n.gettext(message), variables)


def _ngettext(singular: str, plural: str, num: int, **variables: Any) -> markupsafe.Markup:
    variables.setdefault("num", num)
    return _translated(i18n.ngettext(singular, plural, num), variables)


def _pgettext(context: str, message: str, **variables: Any) -> markupsafe.Markup:
    return _translated(i18n.pgettext(context, message), variables)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cards", "email"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    # Not Jinja's newstyle callables: theirs would put a value into a sentence without _finalize.
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext)
    return env


def render_email(name: str, **view: Any) -> str:
    """The HTML document of template ``cards/email/<name>.html.j2`` for ``view``."""
    return _environment().get_template(f"{name}.html.j2").render(**view)


def email_templates() -> list[str]:
    """Every email template's name (without ``.html.j2``; partials starting with ``_`` left out)."""
    return sorted(
        n.removesuffix(".html.j2") for n in _environment().list_templates(extensions=["j2"]) if not n.startswith("_")
    )
