"""Load a migration plan from YAML, with errors a project lead can act on.

The YAML file mirrors :mod:`switchover.plan.model` field for field, with a few
comforts for the people who edit it by hand:

- ``people`` may be a mapping keyed by the person's key (``dana.whitfield: {name: ...}``);
- ``service_levels`` may be a mapping keyed by priority (``P1: {acknowledge_within: ...}``);
- durations are text: ``15 minutes``, ``2 hours``, ``4 business hours``, ``1 business day``;
- datetimes are local times in ``organisation.time_zone`` (a wave's in the wave's zone:
  its ``time_zone``, else its sites' in ``sites:``): ``2027-01-16 08:00``;
  times are ``09:00``, dates ``2027-01-29``;
- a contact is a person key (``owner: luis.ortega``) or a channel
  (``owner: {channel: "Contoso IT / Service Desk"}``); a channel may be written
  ``"Team / Channel"`` anywhere a channel is expected.

Every problem found is reported at once in a :class:`PlanError`, each with the
file, line, column, the field path (``waves[2].cutover.start``), what is wrong and
how to fix it.

Three steps, each its own module: :mod:`switchover.plan.reader` (YAML to data with
positions), :mod:`switchover.plan.normalise` (the comfortable forms to the model's)
and :mod:`switchover.plan.checks` (cross-references); this module runs them, maps
pydantic's remaining complaints back to lines, and builds the :class:`Plan`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import ValidationError

from switchover.plan.checks import cross_check
from switchover.plan.model import Plan
from switchover.plan.normalise import INVALID, closest, keyed_to_list, normalise_model
from switchover.plan.reader import Loc, PlanError, PlanIssue, ReadContext, read_yaml

__all__ = ["PlanError", "PlanIssue", "load_plan", "parse_plan"]


def _pydantic_issues(exc: ValidationError, ctx: ReadContext) -> None:
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if ctx.reported(loc):
            continue
        kind = err["type"]
        if kind == "missing":
            message = f"missing required field {loc[-1]!r}" if loc else "missing required field"
        else:
            message = err["msg"]
            if isinstance(err.get("input"), str | int | float):
                message = f"{err['input']!r}: {message}"
        # Point "missing" at the mapping that lacks the field, named by the field's path.
        ctx.error(loc, message)


def _zone_hint(name: str) -> str:
    zones = available_timezones()
    best = closest(name, zones)
    if best is None:
        # "Los_Angles" alone: compare with the city part of each zone name.
        by_city = {z.rsplit("/", 1)[-1]: z for z in sorted(zones)}
        city = closest(name.rsplit("/", 1)[-1], by_city)
        best = by_city[city] if city else None
    return f" - did you mean {best!r}?" if best else "; use an IANA name like America/Los_Angeles"


def _zone(name: str, loc: Loc, ctx: ReadContext) -> ZoneInfo | None:
    name = name.strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        ctx.error(loc, f"unknown time zone {name!r}" + _zone_hint(name))
        return None


def _wave_zones(data: dict[str, Any], ctx: ReadContext) -> None:
    """Each wave's zone, before its cutover is read: its own ``time_zone``, else the one zone of
    its sites in ``sites:``; sites in different zones and no ``time_zone`` is an error."""
    site_zones: dict[str, tuple[str, ZoneInfo]] = {}
    sites = data.get("sites")
    for i, site in enumerate(sites if isinstance(sites, list) else []):
        if isinstance(site, dict) and isinstance(site.get("name"), str) and isinstance(site.get("time_zone"), str):
            zone = _zone(site["time_zone"], ("sites", i, "time_zone"), ctx)
            if zone is not None:
                site_zones.setdefault(site["name"].strip().casefold(), (site["name"].strip(), zone))
    waves = data.get("waves")
    for i, wave in enumerate(waves if isinstance(waves, list) else []):
        if not isinstance(wave, dict):
            continue
        if isinstance(wave.get("time_zone"), str):
            zone = _zone(wave["time_zone"], ("waves", i, "time_zone"), ctx)
            if zone is not None:
                ctx.zones[("waves", i)] = zone
            continue
        names = wave.get("sites")
        names = [names] if isinstance(names, str) else names if isinstance(names, list) else []
        found = [
            site_zones[n.strip().casefold()] for n in names if isinstance(n, str) and n.strip().casefold() in site_zones
        ]
        distinct = {z.key for _, z in found}
        if len(distinct) == 1:
            ctx.zones[("waves", i)] = found[0][1]
        elif len(distinct) > 1:
            which = ", ".join(f"{name}: {zone.key}" for name, zone in found)
            ctx.error(
                ("waves", i, "sites"),
                f"this wave's sites are in different time zones ({which}); say which one its cutover and "
                f"calendar times are in with time_zone: {found[0][1].key} (or another) on the wave",
            )


def parse_plan(text: str, source: str = "<string>") -> Plan:
    """Parse a plan from YAML text.

    Args:
        text: the YAML document.
        source: the file name to show in errors.

    Raises:
        PlanError: listing every problem found.
    """
    ctx = ReadContext(source)
    data = read_yaml(text, ctx)

    # The time zones first: every datetime in the file is read in one of them.
    org = data.get("organisation")
    if isinstance(org, dict) and isinstance(org.get("time_zone"), str):
        ctx.zone = _zone(org["time_zone"], ("organisation", "time_zone"), ctx)
    _wave_zones(data, ctx)

    keyed_to_list(data, "people", "key", ctx)
    keyed_to_list(data, "service_levels", "priority", ctx)
    areas = data.get("areas")
    if isinstance(areas, list):  # desk: an area's own service levels, keyed by priority like the plan's
        for i, area in enumerate(areas):
            if isinstance(area, dict):
                keyed_to_list(area, "service_levels", "priority", ctx, at=("areas", i))
    normalised = normalise_model(data, Plan, (), ctx)
    if normalised is INVALID:  # pragma: no cover - data is a dict here
        raise PlanError(ctx.issues)
    cross_check(normalised, ctx)
    try:
        plan = Plan.model_validate(normalised)
    except ValidationError as exc:
        _pydantic_issues(exc, ctx)
        plan = None
    if ctx.issues or plan is None:
        raise PlanError(ctx.issues)
    return plan


def load_plan(path: str | Path) -> Plan:
    """Load and check a plan file (synchronous file IO: call via ``asyncio.to_thread`` from async code).

    Raises:
        PlanError: listing every problem found, or that the file cannot be read.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlanError([PlanIssue(str(p), None, None, "", f"cannot read the plan: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError as exc:
        raise PlanError(
            [PlanIssue(str(p), None, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
        ) from None
    return parse_plan(text, source=str(p))
