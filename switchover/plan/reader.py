"""The plan's YAML reader: text to plain data, with each value's line and column kept for errors.

The file is read with PyYAML's safe composer only (no Python tags); the node tree
keeps each value's position in a :class:`ReadContext`, which is how every later
problem (a bad value, a dangling reference, a pydantic error) is reported at its
line and column. Also the plan's error types, :class:`PlanIssue` and :class:`PlanError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import yaml

__all__ = ["Loc", "PlanError", "PlanIssue", "ReadContext", "format_loc", "read_yaml", "type_name"]

Loc = tuple[str | int, ...]

# libyaml when present: the pure-Python scanner takes a third of a second on a real plan.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Guards against alias bombs ("billion laughs"): a real plan has a few thousand nodes.
_MAX_NODES = 50_000


@dataclass(frozen=True, slots=True)
class PlanIssue:
    """One thing wrong with a plan file.

    Attributes:
        source: the file name (or ``<string>``).
        line: 1-based line, or None when the problem is about the whole file.
        column: 1-based column, or None.
        field: the field path, e.g. ``waves[2].cutover.start`` (empty for the file itself).
        message: what is wrong and how to fix it.
    """

    source: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PlanError(ValueError):
    """A plan file that cannot be used; ``errors`` lists every problem found, in file order."""

    def __init__(self, errors: Iterable[PlanIssue]) -> None:
        self.errors: list[PlanIssue] = sorted(errors, key=lambda e: (e.line or 0, e.column or 0))
        count = len(self.errors)
        head = f"{count} problem{'s' if count != 1 else ''} in the plan:"
        super().__init__("\n".join([head, *(f"  {e}" for e in self.errors)]))


class ReadContext:
    """One reading of a plan file: where each value stood, and the problems found so far.

    Shared by the reader, the normaliser and the cross-checks; ``error`` reports a problem at
    the value's line and column, ``reported`` keeps one mistake from being reported twice.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.marks: dict[Loc, yaml.Mark] = {}
        self.raw: dict[Loc, str] = {}  # original text of scalars, for str fields YAML typed otherwise
        self.alias: dict[Loc, Loc] = {}  # model location prefix -> YAML location prefix (reshaped mappings)
        self.issues: list[PlanIssue] = []
        self.bad: set[Loc] = set()  # locations already reported, so pydantic does not repeat them
        self.zone: ZoneInfo | None = None
        # Parts of the file read in another zone than ``zone``: a wave's own (see ``zone_at``).
        self.zones: dict[Loc, ZoneInfo] = {}
        self.nodes = 0

    def zone_at(self, loc: Loc) -> ZoneInfo | None:
        """The zone local times at ``loc`` are read in: the innermost part's own, else the plan's."""
        for n in range(len(loc), 0, -1):
            zone = self.zones.get(loc[:n])
            if zone is not None:
                return zone
        return self.zone

    # -- positions ----------------------------------------------------------

    def _yaml_loc(self, loc: Loc) -> Loc:
        for n in range(len(loc), 0, -1):
            prefix = loc[:n]
            if prefix in self.alias:
                return self.alias[prefix] + loc[n:]
        return loc

    def mark_for(self, loc: Loc) -> yaml.Mark | None:
        yloc = self._yaml_loc(loc)
        for n in range(len(yloc), -1, -1):
            mark = self.marks.get(yloc[:n])
            if mark is not None:
                return mark
        return None

    def raw_text(self, loc: Loc) -> str | None:
        return self.raw.get(self._yaml_loc(loc))

    def error(self, loc: Loc, message: str, mark: yaml.Mark | None = None) -> None:
        mark = mark or self.mark_for(loc)
        self.issues.append(
            PlanIssue(
                source=self.source,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
                field=format_loc(self._yaml_loc(loc)),
                message=message,
            )
        )
        self.bad.add(loc)

    def reported(self, loc: Loc) -> bool:
        return any(loc[: len(b)] == b for b in self.bad)


def format_loc(loc: Loc) -> str:
    """``("waves", 2, "cutover", "start")`` -> ``waves[2].cutover.start``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _IDENT.match(str(part)):
            out += f"[{str(part)!r}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _to_data(node: yaml.Node, loc: Loc, ctx: ReadContext, stack: set[int]) -> Any:
    ctx.nodes += 1
    if ctx.nodes > _MAX_NODES:
        raise _TooBig
    ctx.marks.setdefault(loc, node.start_mark)
    if not node.tag.startswith("tag:yaml.org,2002:") or node.tag.startswith("tag:yaml.org,2002:python/"):
        # Safe loading ignores such tags anyway; saying so beats silently dropping what the author meant.
        ctx.error(loc, f"YAML tags like {node.tag!r} are not allowed in a plan; remove the tag")
        return None
    if isinstance(node, yaml.ScalarNode):
        ctx.raw[loc] = node.value
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return node.value.lower() in ("yes", "true", "on", "y")
        if tag == "tag:yaml.org,2002:int":
            # "10:00" is a base-60 integer in YAML 1.1; people mean a time.
            if ":" in node.value:
                return node.value
            try:
                return int(node.value.replace("_", ""), 0)
            except ValueError:
                return node.value
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(node.value.replace("_", ""))
            except ValueError:
                return node.value
        # Timestamps stay text: dates and local times are read in the plan's own time zone.
        return node.value
    if id(node) in stack:
        ctx.error(loc, "an alias refers to itself; remove the recursive anchor")
        return None
    stack.add(id(node))
    try:
        if isinstance(node, yaml.SequenceNode):
            return [_to_data(child, (*loc, i), ctx, stack) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    ctx.marks.setdefault((*loc, "<<"), key_node.start_mark)
                    ctx.error((*loc, "<<"), "merge keys (<<) are not supported; write the fields out")
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    ctx.marks.setdefault((*loc, "?"), key_node.start_mark)
                    ctx.error((*loc, "?"), "a key must be plain text, not a list or mapping")
                    continue
                key = key_node.value
                if key in out:
                    first = ctx.marks.get((*loc, key))
                    where = f" (first at line {first.line + 1})" if first else ""
                    ctx.error((*loc, key), f"duplicate key {key!r}{where}; keep only one", mark=key_node.start_mark)
                    continue
                ctx.marks[(*loc, key)] = key_node.start_mark
                out[key] = _to_data(value_node, (*loc, key), ctx, stack)
            return out
    finally:
        stack.discard(id(node))
    return None  # pragma: no cover - composer only yields the three node kinds


class _TooBig(Exception):
    pass


def type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return "text"


def read_yaml(text: str, ctx: ReadContext) -> dict[str, Any]:
    """The YAML document as plain data (mappings, lists, text, numbers), positions noted in ``ctx``.

    Problems inside the document (tags, merge keys, duplicate keys) are noted in ``ctx``;
    a document that cannot be read at all raises.

    Raises:
        PlanError: not YAML, empty, too big, or not a mapping of sections.
    """
    source = ctx.source
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{exc.context}, {problem}"
        raise PlanError(
            [
                PlanIssue(
                    source,
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                    "",
                    f"not valid YAML: {problem}",
                )
            ]
        ) from None
    except (yaml.YAMLError, ValueError) as exc:  # ReaderError (control characters) and friends
        raise PlanError([PlanIssue(source, None, None, "", f"not valid YAML: {exc}")]) from None
    if root is None:
        raise PlanError([PlanIssue(source, None, None, "", "the file is empty; a plan starts with organisation:")])
    try:
        data = _to_data(root, (), ctx, set())
    except _TooBig:
        raise PlanError(
            [PlanIssue(source, None, None, "", "the file expands to too many values (alias loop?)")]
        ) from None
    if not isinstance(data, dict):
        mark = root.start_mark
        raise PlanError(
            [
                PlanIssue(
                    source,
                    mark.line + 1,
                    mark.column + 1,
                    "",
                    f"a plan is a mapping of sections (organisation:, people:, waves: ...), not {type_name(data)}",
                )
            ]
        )
    return data
