"""Checks an HTML email or page with the standard library's parser: well formed (every element closed
in order, one document with a doctype and a language), nothing that loads or runs anything (no
script, image, stylesheet link, frame, object; no ``src``, no ``on...`` handler, no ``url(`` in a
style), and every link collected so a test can say which ones may be there."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"meta", "br", "hr", "img", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}
FORBIDDEN = {"script", "img", "link", "iframe", "frame", "object", "embed", "base", "video", "audio", "svg", "picture"}
# Elements a parser closes implicitly; we close them all explicitly anyway.


@dataclass
class CheckedHtml:
    """What the check found."""

    errors: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    forms: list[tuple[str, str]] = field(default_factory=list)  # (method, action)
    lang: str | None = None
    doctype: bool = False
    headings: list[tuple[str, str]] = field(default_factory=list)  # (tag, text)
    text: str = ""


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = CheckedHtml()
        self.stack: list[str] = []
        self._heading: tuple[str, list[str]] | None = None
        self._texts: list[str] = []
        self._in_style = False

    def handle_decl(self, decl: str) -> None:
        if decl.lower() == "doctype html":
            self.result.doctype = True
        else:
            self.result.errors.append(f"unexpected declaration {decl!r}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        r = self.result
        if tag in FORBIDDEN:
            r.errors.append(f"<{tag}> loads or runs something")
        for name, value in attrs:
            if name == "src" or name == "srcset":
                r.errors.append(f"<{tag} {name}> loads something")
            if name.startswith("on"):
                r.errors.append(f"<{tag} {name}> runs script")
            if name == "style" and value and "url(" in value.lower():
                r.errors.append(f"<{tag} style> loads something")
            if name == "href" and tag != "a":
                r.errors.append(f"<{tag} href> outside a link")
        values = dict(attrs)
        if tag == "html":
            r.lang = values.get("lang")
        if tag == "a":
            href = values.get("href")
            if not href:
                r.errors.append("<a> without href")
            else:
                r.links.append(href)
        if tag == "form":
            r.forms.append(((values.get("method") or "get").lower(), values.get("action") or ""))
        if tag in ("h1", "h2", "h3"):
            self._heading = (tag, [])
        if tag == "style":
            self._in_style = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.result.errors.append(f"end tag for void element </{tag}>")
            return
        if not self.stack or self.stack[-1] != tag:
            self.result.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if self._heading and self._heading[0] == tag:
            self.result.headings.append((tag, "".join(self._heading[1]).strip()))
            self._heading = None
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            if "url(" in data.lower() or "@import" in data.lower():
                self.result.errors.append("the style sheet loads something")
            return
        self._texts.append(data)
        if self._heading:
            self._heading[1].append(data)


def check_html(document: str) -> CheckedHtml:
    """Parse ``document`` and report what is wrong with it (``errors``) and what it links to."""
    checker = _Checker()
    checker.feed(document)
    checker.close()
    r = checker.result
    if checker.stack:
        r.errors.append(f"unclosed elements: {checker.stack}")
    if not r.doctype:
        r.errors.append("no <!DOCTYPE html>")
    if not r.lang:
        r.errors.append("no lang on <html>")
    if [t for t, _ in r.headings].count("h1") != 1:
        r.errors.append(f"not exactly one <h1>: {r.headings}")
    r.text = " ".join(" ".join(checker._texts).split())
    return r
