"""What text may look like on a card: the one policy for every value a template shows.

Teams renders a ``TextBlock``'s text (and a fact's value) as Markdown: a reporter who writes
``[https://microsoft.com](https://evil.example)`` would hand the owner a link that says one
place and goes to another, ``# URGENT`` would become a heading, and a right-to-left override or a
zero-width character can make ``exe.txt`` read as ``txt.exe`` or hide a word from a search.
``neutralise`` turns any text into plain text that shows what it is; ``clip`` bounds its size.
The renderer applies both to every value by default (``|tojson``), so a template cannot forget.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["clip", "invisible_removed", "neutralise", "utf16_units"]

# Line and paragraph separators Markdown (and Teams) treat as line breaks.
_NEWLINES = re.compile("\r\n|[\r\u0085\u2028\u2029]")
# Format (Cf: bidi embeddings, overrides and isolates, zero-width spaces and joiners, the BOM,
# invisible operators, tag characters), surrogates (Cs: not text, and not valid in JSON as UTF-8)
# and control characters (Cc) other than the line break, which text legitimately has.
# Planes 0 and 1 and the tags block of plane 14 hold every Cf, Cs and Cc character.
_PLANES = (range(0x20000), range(0xE0000, 0xE1000))
# An inline link or image: [label](target). Targets with balanced parentheses are caught by the
# second pass (the "](" that remains is split), so no link survives either way.
_INLINE_LINK = re.compile(r"!?\[([^\[\]]*)\]\(([^()]*)\)")
_LINK_JOIN = "]("
# What makes a line a block of Markdown: a heading, a quote, a list item, a thematic break or a
# setext underline, a fence, a table row, a link reference definition, HTML; and any indented line
# (an indented code block, or a marker after spaces).
_BLOCK_START = re.compile(r"[ \t]|[#>*+\-=_`~|\[<]|\d{1,9}[.)]")
# A no-break space is not white space to Markdown: a line that starts with one starts with text.
_INERT = "\u00a0"


def neutralise(text: str) -> str:
    """``text`` as plain words: what it says is what a reader sees, and a link shows where it goes.

    - Bidi controls, zero-width and other invisible format characters, control characters
      and lone surrogates are removed; tabs become spaces; any line separator becomes ``\\n``.
    - A Markdown link or image ``[label](target)`` becomes ``label (target)`` (just ``target``
      when the label says the same), so no link's label can differ from where it goes.
    - A line that Markdown would read as a heading, list item, quote, rule, fence, table or
      reference definition starts with a no-break space, which keeps it a line of text.
    """
    if text.isascii() and text.isprintable() and "[" not in text:
        return _unblock(text)  # the common case: nothing to remove and no link syntax
    text = invisible_removed(text)
    for _ in range(len(text)):  # each pass removes one "](" at least; usually one pass
        rewritten = _INLINE_LINK.sub(_plain_link, text)
        if rewritten == text:
            break
        text = rewritten
    return _unblock(text.replace(_LINK_JOIN, "] ("))


def invisible_removed(text: str) -> str:
    """``text`` without bidi, zero-width, other format and control characters (line breaks kept).

    What ``neutralise`` does first; alone, for values that are sent back rather than shown.
    """
    if text.isascii() and text.isprintable():
        return text
    return _NEWLINES.sub("\n", text).replace("\t", " ").translate(_invisible())


@lru_cache(maxsize=1)
def _invisible() -> dict[int, None]:
    return {
        code: None
        for plane in _PLANES
        for code in plane
        if code != ord("\n") and unicodedata.category(chr(code)) in ("Cf", "Cs", "Cc")
    }


def _plain_link(found: re.Match[str]) -> str:
    label, target = found.group(1).strip(), found.group(2).strip()
    if not target or label == target:
        return label or target
    if not label:
        return target
    return f"{label} ({target})"


def _unblock(text: str) -> str:
    if "\n" not in text:
        return _INERT + text if _BLOCK_START.match(text) else text
    return "\n".join(_INERT + line if _BLOCK_START.match(line) else line for line in text.split("\n"))


def utf16_units(text: str) -> int:
    """How many UTF-16 code units ``text`` takes (Teams measures messages in UTF-16)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clip(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` UTF-16 code units, ending in "…" when it was cut."""
    if len(text) <= units // 2 or utf16_units(text) <= units:
        return text
    room = max(units - 1, 0)
    if text.isascii():
        return text[:room].rstrip() + "…"
    # A pair cut in half at the end is dropped by "ignore".
    kept = text[:room].encode("utf-16-le", "surrogatepass")[: 2 * room].decode("utf-16-le", "ignore")
    return kept.rstrip() + "…"
