"""The plan's cross-checks: references between sections, and rules a single field cannot state.

Run on the normalised data before the model is built, so each problem is reported
at its line: people and waves named but not defined, a project lead, one owner
per area, cutovers that end after they start, a service level for each priority,
a complete priority matrix, calendar timings and working hours.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale

from switchover.countries import all_countries, country_code, country_code_aliased
from switchover.plan.model import Impact, Priority, Urgency
from switchover.plan.normalise import suggest
from switchover.plan.reader import Loc, ReadContext, format_loc

__all__ = ["cross_check"]


_PRIORITIES = [p.value for p in Priority]


def _items(data: dict[str, Any], field: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(field)
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]


# An Entra tenant (directory) id, as Teams sends it in channelData.tenant.id.
_TENANT_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _check_tenant(data: dict[str, Any], ctx: ReadContext) -> None:
    """``organisation.tenant_id`` is the tenant served, alone: a value Teams never sends would refuse everyone."""
    organisation = data.get("organisation")
    if not isinstance(organisation, dict) or organisation.get("tenant_id") is None:
        return
    tenant = organisation["tenant_id"]
    loc = ("organisation", "tenant_id")
    if not ctx.reported(loc) and not (isinstance(tenant, str) and _TENANT_ID.fullmatch(tenant.strip())):
        ctx.error(
            loc,
            f"{tenant!r} is not a tenant id: write the directory (tenant) id, a GUID such as "
            "6b1c7a5e-2f4d-4c1e-9a63-0f2d9c7e1a11 (Entra admin center > Overview > Tenant ID), not a domain name; "
            "only that tenant's users may use the bot",
        )


def cross_check(data: dict[str, Any], ctx: ReadContext) -> None:
    _check_tenant(data, ctx)
    people: set[str] = {p["key"] for _, p in _items(data, "people") if isinstance(p.get("key"), str)}
    waves: set[str] = {w["key"] for _, w in _items(data, "waves") if isinstance(w.get("key"), str)}

    def person_ref(key: Any, loc: Loc) -> None:
        if isinstance(key, str) and key not in people and not ctx.reported(loc):
            ctx.error(
                loc,
                f"unknown person {key!r}"
                + (suggest(key, people) or f"; add them under people (known: {', '.join(sorted(people)) or 'none'})"),
            )

    def wave_ref(key: Any, loc: Loc) -> None:
        if isinstance(key, str) and key not in waves and not ctx.reported(loc):
            ctx.error(
                loc,
                f"unknown wave {key!r}"
                + (suggest(key, waves) or f"; known waves: {', '.join(sorted(waves)) or 'none'}"),
            )

    # Duplicate keys among list items.
    for field in ("people", "waves", "areas", "calendar", "faq"):
        seen: dict[Any, int] = {}
        for i, item in _items(data, field):
            key = item.get("key")
            if isinstance(key, str):
                if key in seen:
                    ctx.error(
                        (field, i, "key"), f"{key!r} is used twice (also {field}[{seen[key]}]); keys must be unique"
                    )
                else:
                    seen[key] = i

    leads = data.get("project_leads")
    if isinstance(leads, list):
        if not leads and not ctx.reported(("project_leads",)):
            ctx.error(("project_leads",), "name at least one project lead (a person key)")
        for i, k in enumerate(leads):
            person_ref(k, ("project_leads", i))
    person_ref(data.get("sponsor"), ("sponsor",))
    desk = data.get("service_desk")
    if isinstance(desk, dict) and isinstance(desk.get("members"), list):
        for i, k in enumerate(desk["members"]):
            person_ref(k, ("service_desk", "members", i))

    # Areas: contacts and the single catch-all.
    catch_alls = []
    for i, area in _items(data, "areas"):
        for role in ("owner", "backup"):
            contact = area.get(role)
            if isinstance(contact, dict):
                has_person, has_channel = contact.get("person") is not None, contact.get("channel") is not None
                if has_person == has_channel and not ctx.reported(("areas", i, role)):
                    ctx.error(
                        ("areas", i, role),
                        'a contact is either a person key or {channel: "Team / Channel"}, not both and not neither',
                    )
                person_ref(contact.get("person"), ("areas", i, role, "person"))
        if area.get("catch_all") is True:
            catch_alls.append(i)
    if isinstance(data.get("areas"), list) and not ctx.reported(("areas",)):
        if not catch_alls:
            ctx.error(
                ("areas",), 'no catch-all area; mark exactly one area (e.g. "Anything else") with catch_all: true'
            )
        for i in catch_alls[1:]:
            ctx.error(
                ("areas", i, "catch_all"),
                f"more than one catch-all area (first is areas[{catch_alls[0]}]); keep catch_all: true on one only",
            )

    # Waves: unique numbers, windows in order.
    numbers: dict[int, int] = {}
    for i, wave in _items(data, "waves"):
        n = wave.get("number")
        if isinstance(n, int) and not isinstance(n, bool):
            if n in numbers:
                ctx.error(
                    ("waves", i, "number"),
                    f"wave number {n} is also used by waves[{numbers[n]}]; wave numbers must be unique",
                )
            else:
                numbers[n] = i
        cutover = wave.get("cutover")
        if isinstance(cutover, dict):
            start, end = cutover.get("start"), cutover.get("end")
            if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
                if end <= start:
                    ctx.error(
                        ("waves", i, "cutover", "end"),
                        f"cutover ends ({end:%Y-%m-%d %H:%M}) before it starts "
                        f"({start:%Y-%m-%d %H:%M}); the end must be later than the start",
                    )
                hypercare = wave.get("hypercare_until")
                if isinstance(hypercare, dt.date) and hypercare < end.date():
                    ctx.error(
                        ("waves", i, "hypercare_until"),
                        f"hypercare ends {hypercare} before the cutover "
                        f"finishes ({end:%Y-%m-%d}); hypercare must end after the cutover",
                    )
    if isinstance(data.get("waves"), list) and not data["waves"] and not ctx.reported(("waves",)):
        ctx.error(("waves",), "the plan has no waves; add at least one")

    _check_calendar(data, ctx)
    _check_sites(data, ctx)
    _check_wave_calendars(data, ctx)
    _check_legacy(data, ctx)
    _check_hours(data, ctx)
    _check_aliases(data, ctx, wave_ref)
    _check_desk(data, ctx)
    _check_languages(data, ctx)

    for i, champ in _items(data, "champions"):
        wave_ref(champ.get("wave"), ("champions", i, "wave"))
    for i, exc in _items(data, "exceptions"):
        wave_ref(exc.get("to_wave"), ("exceptions", i, "to_wave"))
        wave_ref(exc.get("from_wave"), ("exceptions", i, "from_wave"))
        if exc.get("kind") == "move" and exc.get("to_wave") is None and not ctx.reported(("exceptions", i)):
            ctx.error(("exceptions", i), "a move needs to_wave: the wave key the person moves to")
    users: dict[str, Loc] = {}
    for field in ("champions", "exceptions"):
        for i, item in _items(data, field):
            upn = item.get("user")
            if isinstance(upn, str):
                if upn.casefold() in users:
                    ctx.error(
                        (field, i, "user"),
                        f"{upn!r} also appears at {format_loc(users[upn.casefold()])}; "
                        "a person can have one champion or exception entry",
                    )
                else:
                    users[upn.casefold()] = (field, i)

    # Service levels: exactly P1..P4.
    levels = _items(data, "service_levels")
    if isinstance(data.get("service_levels"), list) and not ctx.reported(("service_levels",)):
        seen_p: dict[str, int] = {}
        for i, sl in levels:
            p = sl.get("priority")
            if isinstance(p, str):
                if p in seen_p:
                    ctx.error(("service_levels", i, "priority"), f"{p} has two service levels; keep one")
                seen_p[p] = i
        missing = [p for p in _PRIORITIES if p not in seen_p]
        if missing:
            ctx.error(
                ("service_levels",),
                f"no service level for {', '.join(missing)}; define one for each of " + ", ".join(_PRIORITIES),
            )

    matrix = data.get("priority_matrix")
    if isinstance(matrix, dict) and not ctx.reported(("priority_matrix",)):
        for impact in Impact:
            row = matrix.get(impact)
            if not isinstance(row, dict):
                if not ctx.reported(("priority_matrix", impact.value)):
                    ctx.error(
                        ("priority_matrix",),
                        f"missing impact row {impact.value!r}; the matrix needs rows "
                        f"{', '.join(i.value for i in Impact)}",
                    )
                continue
            absent = [u.value for u in Urgency if u not in row]
            if absent and not ctx.reported(("priority_matrix", impact.value)):
                ctx.error(
                    ("priority_matrix", impact.value),
                    f"no priority for urgency {', '.join(absent)}; "
                    f"each row needs {', '.join(u.value for u in Urgency)}",
                )


def _check_aliases(data: dict[str, Any], ctx: ReadContext, wave_ref: Any) -> None:
    aliases = data.get("aliases")
    if not isinstance(aliases, dict):
        return
    waves = aliases.get("waves")
    if isinstance(waves, dict):
        for key in waves:
            wave_ref(key, ("aliases", "waves", key))
    countries = aliases.get("countries")
    if isinstance(countries, dict):
        for name in countries:
            if (
                isinstance(name, str)
                and country_code(name) is None
                and not ctx.reported(("aliases", "countries", name))
            ):
                ctx.error(
                    ("aliases", "countries", name),
                    f"unknown country {name!r}"
                    + (
                        suggest(name, all_countries().values())
                        or "; write its English name or ISO code, e.g. Poland or PL"
                    ),
                )
    for table, value in aliases.items():
        if not isinstance(value, dict):
            continue
        for name, words in value.items():
            if isinstance(words, list) and any(not str(w).strip() for w in words):
                ctx.error(("aliases", table, name), "an alias is empty; remove it or write the word people use")


def _check_legacy(data: dict[str, Any], ctx: ReadContext) -> None:
    """Each legacy resource's read_only: exactly one way of saying when; names unique per list."""
    lists: list[tuple[Loc, Any]] = [(("legacy",), data.get("legacy"))]
    lists += [(("waves", i, "legacy"), wave.get("legacy")) for i, wave in _items(data, "waves")]
    for base, resources in lists:
        if not isinstance(resources, list):
            continue
        seen: dict[str, int] = {}
        for j, resource in enumerate(resources):
            if not isinstance(resource, dict):
                continue
            name = resource.get("name")
            if isinstance(name, str):
                if name.casefold() in seen and not ctx.reported((*base, j, "name")):
                    ctx.error(
                        (*base, j, "name"),
                        f"{name!r} is listed twice (also item {seen[name.casefold()]}); names must be unique",
                    )
                seen.setdefault(name.casefold(), j)
            when = resource.get("read_only")
            loc: Loc = (*base, j, "read_only")
            if not isinstance(when, dict) or ctx.reported(loc):
                continue
            relative = when.get("days") is not None or when.get("at") is not None
            modes = [relative, when.get("cutover") is not None, when.get("on") is not None]
            if sum(modes) != 1:
                ctx.error(
                    loc,
                    'give exactly one of: at with optional days (e.g. {days: -1, at: "17:30"}), '
                    'cutover: start, or on (e.g. {on: "2027-03-19 17:30"}); or write never',
                )
            elif relative and when.get("at") is None:
                ctx.error(loc, "missing 'at': say the local time, e.g. {days: -1, at: \"17:30\"}")


# -- time zones and sites, per-wave calendar --


def _check_sites(data: dict[str, Any], ctx: ReadContext) -> None:
    """``sites:``: names unique, a known country, each site moved by some wave; a wave's sites listed there."""
    sites = _items(data, "sites")
    if not sites:
        return
    named: dict[str, int] = {}
    for i, site in sites:
        name = site.get("name")
        if not isinstance(name, str):
            continue
        folded = name.strip().casefold()
        if folded in named:
            ctx.error(("sites", i, "name"), f"{name!r} is listed twice (also sites[{named[folded]}]); keep one")
            continue
        named[folded] = i
        country = site.get("country")
        if isinstance(country, str) and country_code(country) is None and not ctx.reported(("sites", i, "country")):
            ctx.error(
                ("sites", i, "country"),
                f"unknown country {country!r}"
                + (
                    suggest(country, all_countries().values())
                    or "; write its English name or ISO code, e.g. Poland or PL"
                ),
            )
    moved: set[str] = set()
    for w, wave in _items(data, "waves"):
        names = wave.get("sites")
        for j, name in enumerate(names if isinstance(names, list) else []):
            if not isinstance(name, str):
                continue
            moved.add(name.strip().casefold())
            if name.strip().casefold() not in named and not ctx.reported(("waves", w, "sites", j)):
                ctx.error(
                    ("waves", w, "sites", j),
                    f"site {name!r} is not in sites:"
                    + (
                        suggest(name, [s["name"] for _, s in sites if isinstance(s.get("name"), str)])
                        or "; add it there with its time_zone"
                    ),
                )
    for folded, i in named.items():
        if folded not in moved and not ctx.reported(("sites", i)):
            ctx.error(
                ("sites", i, "name"),
                f"no wave moves site {sites[i][1]['name']!r}; add it to a wave's sites (or remove it here)",
            )


def _check_wave_calendars(data: dict[str, Any], ctx: ReadContext) -> None:
    """A wave's ``calendar:``: each key overrides the plan's entry, or adds one with a title and timing."""
    keys = [m["key"] for _, m in _items(data, "calendar") if isinstance(m.get("key"), str)]
    for w, wave in _items(data, "waves"):
        seen: dict[str, int] = {}
        for j, entry in _items(wave, "calendar"):
            loc: Loc = ("waves", w, "calendar", j)
            key = entry.get("key")
            if isinstance(key, str):
                if key in seen:
                    ctx.error((*loc, "key"), f"{key!r} is used twice (also item {seen[key]}); keep one")
                seen.setdefault(key, j)
                if key not in keys and (entry.get("title") is None or entry.get("timing") is None):
                    hint = suggest(key, keys)
                    ctx.error(
                        (*loc, "key"),
                        f"{key!r} is not in the plan's calendar"
                        + (f"{hint} A new" if hint else f" (it has {', '.join(keys) or 'none'}); a new")
                        + " entry for this wave only needs a title and a timing",
                    )
            _check_message(entry, loc, ctx)


# -- end time zones and sites --


def _check_calendar(data: dict[str, Any], ctx: ReadContext) -> None:
    for i, message in _items(data, "calendar"):
        _check_message(message, ("calendar", i), ctx)


def _check_message(message: dict[str, Any], base: Loc, ctx: ReadContext) -> None:
    """One calendar entry (the plan's or a wave's): its timing said one way, its buttons complete."""
    timing = message.get("timing")
    loc: Loc = (*base, "timing")
    if isinstance(timing, dict) and not ctx.reported(loc):
        relative = timing.get("days") is not None or timing.get("at") is not None
        modes = [relative, timing.get("cutover") is not None, timing.get("manual") is True]
        if sum(modes) != 1:
            ctx.error(
                loc,
                'give exactly one of: days and at (e.g. {days: -7, at: "09:00"}), cutover: start|end, or manual: true',
            )
        elif relative and (timing.get("days") is None or timing.get("at") is None):
            missing = "at" if timing.get("at") is None else "days"
            ctx.error(
                loc,
                f"missing {missing!r}: a relative timing needs both days (from the cutover day) "
                'and at (local time), e.g. {days: -7, at: "09:00"}',
            )
    buttons = message.get("buttons")
    if isinstance(buttons, list):
        for j, button in enumerate(buttons):
            if isinstance(button, dict) and button.get("action") == "open_url" and not button.get("url"):
                ctx.error((*base, "buttons", j), "an open_url button needs a url")


def _check_hours(data: dict[str, Any], ctx: ReadContext) -> None:
    hours = data.get("business_hours")
    if not isinstance(hours, dict):
        return
    ranges: list[tuple[Loc, Any]] = [(("business_hours", "weekly", i), r) for i, r in _items(hours, "weekly")]
    if isinstance(hours.get("cutover_weekends"), dict):
        ranges.append((("business_hours", "cutover_weekends"), hours["cutover_weekends"]))
    for loc, r in ranges:
        start, end = r.get("start"), r.get("end")
        if isinstance(start, dt.time) and isinstance(end, dt.time) and end <= start:
            ctx.error(
                (*loc, "end"),
                f"ends at {end:%H:%M}, not after it starts ({start:%H:%M}); hours must end later the same day",
            )


# -- desk (begin): desks per site or country, cutover cover, area hours and levels, countries in rules --


def _check_desk(data: dict[str, Any], ctx: ReadContext) -> None:
    aliases = data.get("aliases")
    words = aliases.get("countries") if isinstance(aliases, dict) else None
    country_words: dict[str, Any] = words if isinstance(words, dict) else {}

    def country(value: Any, loc: Loc) -> str | None:
        if not isinstance(value, str) or ctx.reported(loc):
            return None
        code = country_code_aliased(value, {k: v for k, v in country_words.items() if isinstance(v, list)})
        if code is None:
            ctx.error(
                loc,
                f"unknown country {value!r}"
                + (
                    suggest(value, all_countries().values())
                    or "; write its English name or ISO code (e.g. Mexico or MX), or a word from aliases.countries"
                ),
            )
        return code

    desk = data.get("service_desk")
    contacts = desk.get("contacts") if isinstance(desk, dict) else None
    if isinstance(contacts, list):
        sites: dict[str, int] = {}
        codes: dict[str, int] = {}
        for i, contact in enumerate(contacts):
            if not isinstance(contact, dict):
                continue
            loc: Loc = ("service_desk", "contacts", i)
            if not contact.get("sites") and not contact.get("countries") and not ctx.reported(loc):
                ctx.error(
                    loc,
                    "say whom this desk serves: sites (office locations or cities) and/or countries; "
                    "the plain service_desk fields are already the desk for everyone else",
                )
            for j, site in enumerate(contact.get("sites") or ()):
                if isinstance(site, str):
                    folded = site.strip().casefold()
                    if folded in sites and sites[folded] != i:
                        ctx.error(
                            (*loc, "sites", j),
                            f"{site!r} is also served by service_desk.contacts[{sites[folded]}]; a site has one desk",
                        )
                    sites.setdefault(folded, i)
            for j, value in enumerate(contact.get("countries") or ()):
                code = country(value, (*loc, "countries", j))
                if code is not None:
                    if code in codes and codes[code] != i:
                        ctx.error(
                            (*loc, "countries", j),
                            f"{value!r} is also served by service_desk.contacts[{codes[code]}]; "
                            "a country has one desk (give a site its own desk by listing it under sites)",
                        )
                    codes.setdefault(code, i)
            _check_working_hours(contact.get("hours"), (*loc, "hours"), ctx)

    for i, wave in _items(data, "waves"):
        rules = wave.get("include")
        if isinstance(rules, list):
            for j, rule in enumerate(rules):
                if isinstance(rule, dict):
                    for k, value in enumerate(rule.get("countries") or ()):
                        country(value, ("waves", i, "include", j, "countries", k))

    for i, area in _items(data, "areas"):
        _check_working_hours(area.get("hours"), ("areas", i, "hours"), ctx, area=True)
        seen: dict[str, int] = {}
        for j, level in _items(area, "service_levels"):
            p = level.get("priority")
            if isinstance(p, str):
                if p in seen:
                    ctx.error(("areas", i, "service_levels", j, "priority"), f"{p} has two service levels; keep one")
                seen[p] = j

    hours = data.get("business_hours")
    covers = hours.get("cutover") if isinstance(hours, dict) else None
    if isinstance(covers, list):
        for i, cover in enumerate(covers):
            if isinstance(cover, dict):
                _check_cover(cover, ("business_hours", "cutover", i), ctx)


def _check_working_hours(hours: Any, loc: Loc, ctx: ReadContext, *, area: bool = False) -> None:
    if not isinstance(hours, dict) or ctx.reported(loc):
        return
    name = hours.get("time_zone")
    if isinstance(name, str):
        try:
            ZoneInfo(name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            best = suggest(name, available_timezones())
            ctx.error(
                (*loc, "time_zone"), f"unknown time zone {name!r}" + (best or "; use an IANA name like Europe/Lisbon")
            )
    weekly = hours.get("weekly")
    if hours.get("always") is True:
        if weekly:
            ctx.error((*loc, "weekly"), "round-the-clock hours (always) take no weekly ranges; remove one or the other")
        return
    if not weekly:
        hint = "; or write hours: always (round the clock) or business (the Service Desk's)" if area else ""
        ctx.error(
            loc,
            'no weekly ranges: add weekly: [{days: [mon, tue, wed, thu, fri], start: "08:00", end: "17:00"}]' + hint,
        )
        return
    for i, r in _items(hours, "weekly"):
        _check_range(r, (*loc, "weekly", i), ctx)


def _check_range(r: dict[str, Any], loc: Loc, ctx: ReadContext) -> None:
    start, end = r.get("start"), r.get("end")
    if isinstance(start, dt.time) and isinstance(end, dt.time) and end <= start:
        ctx.error(
            (*loc, "end"),
            f"ends at {end:%H:%M}, not after it starts ({start:%H:%M}); hours must end later the same day",
        )


def _check_cover(cover: dict[str, Any], loc: Loc, ctx: ReadContext) -> None:
    ends: list[tuple[int, dt.time] | None] = []
    for side in ("from", "to"):
        moment = cover.get(side)
        where: Loc = (*loc, side)
        if not isinstance(moment, dict) or ctx.reported(where):
            ends.append(None)
            continue
        relative = moment.get("days") is not None or moment.get("at") is not None
        anchored = moment.get("cutover") is not None
        margin = moment.get("before") is not None or moment.get("after") is not None
        if relative == anchored:
            ctx.error(
                where,
                'give exactly one of: at with optional days (e.g. {days: -1, at: "18:00"}) '
                'or cutover: start|end (e.g. {cutover: end, after: "4 hours"})',
            )
        elif margin and not anchored:
            ctx.error(where, "before/after go with cutover: start|end; with days and at, move the time instead")
        elif relative and moment.get("at") is None:
            ctx.error(where, "missing 'at': say the local time, e.g. {days: -1, at: \"18:00\"}")
        elif moment.get("before") is not None and moment.get("after") is not None:
            ctx.error(where, "give before or after, not both")
        elif any(
            isinstance(m, dict) and (m.get("business") or m.get("business_days"))
            for m in (moment.get("before"), moment.get("after"))
        ):
            ctx.error(where, 'a margin is wall-clock time: write e.g. "2 hours", not business hours')
        else:
            at = moment.get("at")
            ends.append((moment.get("days") or 0, at) if relative and isinstance(at, dt.time) else None)
            continue
        ends.append(None)
    start, end = ends
    if start is not None and end is not None and end <= start:
        ctx.error(
            (*loc, "to"),
            f"the cover ends (day {end[0]}, {end[1]:%H:%M}) before it starts (day {start[0]}, {start[1]:%H:%M}); "
            "'to' must be later than 'from'",
        )


# -- desk (end) --


# -- languages: the plan's own and its translations' (see "Languages" in docs/plan-format.md) --

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def _language_names() -> dict[str, str]:
    """Language names (English, Spanish and Polish ones: "Spanish", "español", "hiszpański") -> code."""
    names: dict[str, str] = {}
    for shown_in in ("en", "es", "pl"):
        for code, name in Locale.parse(shown_in).languages.items():
            if _LANGUAGE_CODE.fullmatch(code):
                names.setdefault(name.casefold(), code)
    return names


def _language_problem(value: Any) -> str | None:
    """What is wrong with ``value`` as a language code (None: nothing), with the code to write instead."""
    if not isinstance(value, str):
        return None  # the model reports a value of the wrong type
    text = value.strip()
    known = Locale.parse("en").languages
    if _LANGUAGE_CODE.fullmatch(text):
        if text in known:
            return None
        return f"{value!r} is not a known language code; write its ISO 639 code, e.g. en, es or pl"
    primary = re.split(r"[-_]", text, maxsplit=1)[0].lower()
    if primary in known and _LANGUAGE_CODE.fullmatch(primary):
        if text.lower() == primary:
            return f"{value!r}: write the code in lower case: {primary!r}"
        return f"{value!r}: write the language alone: {primary!r} (readers in every region get it)"
    code = _language_names().get(text.casefold())
    if code is not None:
        return f"{value!r} is a language's name; write its code: {code!r}"
    return f"{value!r} is not a language code; write its ISO 639 code, e.g. en, es or pl"


def _check_languages(data: dict[str, Any], ctx: ReadContext) -> None:
    """Language codes where the plan names a language, and translated points and buttons one for one."""
    organisation = data.get("organisation")
    if isinstance(organisation, dict) and "language" in organisation:
        loc: Loc = ("organisation", "language")
        problem = _language_problem(organisation["language"])
        if problem and not ctx.reported(loc):
            ctx.error(loc, problem)
    for field in ("faq", "calendar", "areas", "exceptions"):
        for i, item in _items(data, field):
            translations = item.get("translations")
            if not isinstance(translations, dict):
                continue
            for lang, words in translations.items():
                loc = (field, i, "translations", lang)
                problem = _language_problem(lang)
                if problem and not ctx.reported(loc):
                    ctx.error(loc, problem)
                if field == "calendar" and isinstance(words, dict):
                    _check_translated_lists(item, words, loc, ctx)


def _check_translated_lists(message: dict[str, Any], words: dict[str, Any], base: Loc, ctx: ReadContext) -> None:
    """A translation's points and buttons: one for each of the message's, in the same order."""
    for part, one, many in (("points", "point", "points"), ("buttons", "button title", "button titles")):
        given, original = words.get(part), message.get(part)
        if not isinstance(given, list):
            continue
        expected = len(original) if isinstance(original, list) else 0
        loc: Loc = (*base, part)
        if len(given) == expected or ctx.reported(loc):
            continue
        if expected == 0:
            ctx.error(loc, f"the message has no {part}; remove these {len(given)} or add the {part} to the message")
            continue
        ctx.error(
            loc,
            f"{len(given)} {one if len(given) == 1 else many} here but the message has {expected} "
            f"{part[:-1] if expected == 1 else part}: write {expected}, one for each, in the same order",
        )
