"""Microsoft 365 Agents Playground personas: play a real roster user instead of the built-in "Alex Wilber".

The Playground reads ``.m365agentsplayground.yml`` from its working directory, or
the file named by ``M365_AGENTS_PLAYGROUND_CONFIG_PATH`` (format 0.1.1: a tenant,
the bot, the signed-in ``currentUser`` and exactly five other ``users``). It has
no time zone setting: every activity carries the time zone of the Playground's
own process, so the persona's zone is written as a ``# localTimezone:`` comment
that ``scripts/demo`` and the browser tests pass on as ``TZ``. Nor has it a language setting, and
every activity it sends says ``locale: en-US``: a persona's Teams language (``--locale es-US``) is a
``# locale:`` comment, from which ``scripts/demo`` and the browser tests pass the Playground's
activities to the bot through ``scripts/playground_relay.py`` (which sets that locale) and start
the Playground with ``LANG`` / ``LC_ALL`` (:func:`posix_locale`: its own process's language).
Without the comment, no relay: the Playground's en-US.

Everything customer-specific comes from the roster and the plan next to it
(``examples/NAME/``): the default persona (:func:`default_persona`), the five
colleagues around them (the plan's leads, sponsor, a champion, the Service Desk
and area owners), the team and channel (the plan's Service Desk channel) and
the time zones (:func:`time_zone_of`).

Also the ``switchover playground persona`` command (see :func:`add_parser`).
"""

from __future__ import annotations

import argparse
import csv
import re
import unicodedata
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from switchover.plan.model import Plan

__all__ = [
    "PLAYGROUND_TENANT_ID",
    "Persona",
    "PersonaError",
    "add_parser",
    "config_text",
    "default_persona",
    "find_person",
    "posix_locale",
    "read_locale",
    "read_time_zone",
    "time_zone_of",
]

# The Playground's own mock tenant, written to its config when the plan names no tenant (a plan
# that does is served to its tenant alone, so the config then says that tenant instead).
PLAYGROUND_TENANT_ID = "00000000-0000-0000-0000-0000000000001"
PLAYGROUND_BOT_ID = "00000000-0000-0000-0000-00000000000011"
PLAYGROUND_TEAM_GROUP_ID = "6f1c2d3e-4b5a-4968-8776-a5b4c3d2e1f0"
# A config file without a ``# localTimezone:`` comment (written by hand) is read in this zone.
PROJECT_TIME_ZONE = "America/Los_Angeles"
# Where a country spans several zones and the roster's city is not a zone's name: the zone of most
# of each state (the roster's ``state`` column), by ISO country code.
STATE_TIME_ZONES: dict[str, dict[str, str]] = {
    "US": {
        state: zone
        for zone, states in {
            "America/New_York": "CT DC DE FL GA IN KY MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV",
            "America/Chicago": "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI",
            "America/Denver": "CO MT NM UT WY",
            "America/Boise": "ID",
            "America/Phoenix": "AZ",
            "America/Los_Angeles": "CA NV OR WA",
            "America/Anchorage": "AK",
            "Pacific/Honolulu": "HI",
        }.items()
        for state in states.split()
    },
    "AU": {
        state: zone
        for zone, states in {
            "Australia/Sydney": "NSW ACT",
            "Australia/Melbourne": "VIC",
            "Australia/Brisbane": "QLD",
            "Australia/Adelaide": "SA",
            "Australia/Perth": "WA",
            "Australia/Hobart": "TAS",
            "Australia/Darwin": "NT",
        }.items()
        for state in states.split()
    },
}
_TIME_ZONE_COMMENT = "# localTimezone:"
_LOCALE_COMMENT = "# locale:"
# A BCP 47 language tag as Teams sends it (es-US, pl-PL, zh-Hant-TW): letters, digits and hyphens only,
# so the tag is safe on a shell's command line and in an environment variable.
_LOCALE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


class PersonaError(LookupError):
    """No such person in the roster, or not enough people for the Playground."""


@dataclass(frozen=True)
class Persona:
    """One roster user as the Playground's config describes a user."""

    upn: str
    name: str
    given_name: str
    surname: str
    email: str
    aad_object_id: str
    state: str
    city: str = ""
    office: str = ""
    country: str = ""  # usageLocation: ISO 3166 code
    enabled: bool = True

    def names(self) -> set[str]:
        """Every way to name this person on the command line, casefolded."""
        addresses = {self.upn, self.email} - {""}
        names = addresses | {a.split("@")[0] for a in addresses} | {self.name, self.aad_object_id}
        return {n.casefold() for n in names}

    @property
    def time_zone(self) -> str:
        """The IANA zone this person's clocks show (see :func:`time_zone_of`), without a plan."""
        return time_zone_of(self)

    def as_config_user(self) -> dict[str, str]:
        """The Playground's user entry; the Teams user id is made from the object id, as Teams ids are per user."""
        return {
            "id": f"29:{self.aad_object_id}",
            "name": self.name,
            "userPrincipleName": self.upn,  # sic: the Playground's spelling
            "aadObjectId": self.aad_object_id,
            "givenName": self.given_name or self.name.split(" ")[0],
            "surname": self.surname or self.name.split(" ")[-1],
            "email": self.email or self.upn,
        }


def read_roster(path: Path) -> list[Persona]:
    """Every user in an Entra "Download users" CSV."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            Persona(
                upn=row["userPrincipalName"],
                name=row["displayName"],
                given_name=row.get("givenName", ""),
                surname=row.get("surname", ""),
                email=row.get("mail", ""),
                aad_object_id=row["id"],
                state=row.get("state", ""),
                city=row.get("city", ""),
                office=row.get("officeLocation", ""),
                country=row.get("usageLocation", ""),
                enabled=row.get("accountEnabled", "True").strip().casefold() != "false",
            )
            for row in csv.DictReader(handle)
        ]


def find_person(people: list[Persona], who: str) -> Persona:
    """The person whose UPN, mail, either before the @, display name or object id is ``who`` (any case).

    Raises:
        PersonaError: nobody, or more than one person, matches.
    """
    wanted = who.strip().casefold()
    found = [p for p in people if wanted in p.names()]
    if len(found) != 1:
        what = "nobody" if not found else f"{len(found)} people"
        example = people[0].upn.split("@")[0] if people else "first.last"
        raise PersonaError(f"{what} in the roster matches {who!r}; use a user principal name, e.g. {example}")
    return found[0]


# ---------------------------------------------------------------------------
# time zones


def _plain(text: str) -> str:
    """Casefolded, without accents, words joined by single spaces ("Malmö" -> "malmo")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_ = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", ascii_))


@cache
def _zones_by_city() -> dict[str, str]:
    """The tz database's zones by their city ("new york" -> America/New_York)."""
    out: dict[str, str] = {}
    for zone in sorted(zoneinfo.available_timezones()):
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "US/")):
            out.setdefault(_plain(zone.rsplit("/", 1)[1].replace("_", " ")), zone)
    return out


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """The zones of each country (ISO code), from the tz database's ``zone.tab`` where the system has one."""
    out: dict[str, list[str]] = {}
    for folder in zoneinfo.TZPATH:
        table = Path(folder) / "zone.tab"
        if table.is_file():
            for line in table.read_text(encoding="utf-8").splitlines():
                fields = line.split("\t")
                if len(fields) >= 3 and not line.startswith("#"):
                    out.setdefault(fields[0], []).append(fields[2])
            break
    return {country: tuple(zones) for country, zones in out.items()}


def time_zone_of(person: Persona, organisation_zone: str = PROJECT_TIME_ZONE) -> str:
    """The IANA zone a person's clocks show, from where the roster says they work.

    In this order: a zone named after their city or a word of their office ("Lisbon Office");
    their state's zone where the country has several (:data:`STATE_TIME_ZONES`); the
    organisation's zone if it is one of their country's (or they have no country); and
    otherwise their country's first zone in the tz database's ``zone.tab``.
    """
    by_city = _zones_by_city()
    for place in (person.city, person.office):
        words = _plain(place).split()
        # Longest run of words first, so "los angeles" wins over "angeles".
        for size in range(len(words), 0, -1):
            for i in range(len(words) - size + 1):
                zone = by_city.get(" ".join(words[i : i + size]))
                if zone is not None and _in_country(zone, person.country):
                    return zone
    state_zone = STATE_TIME_ZONES.get(person.country, {}).get(person.state.strip().upper())
    if state_zone:
        return state_zone
    zones = _zones_by_country().get(person.country, ())
    if zones and organisation_zone not in zones:
        return zones[0]  # zone.tab lists the zone of most of a country first
    return organisation_zone


def _in_country(zone: str, country: str) -> bool:
    """Whether ``zone`` is one of ``country``'s (taken at its word without a country or a zone.tab)."""
    table = _zones_by_country()
    return not country or not table or zone in table.get(country, ())


# ---------------------------------------------------------------------------
# who plays, and who is around them


def _load_plan(path: Path | None) -> Plan | None:
    from switchover.plan.loader import load_plan

    return load_plan(path) if path is not None and path.is_file() else None


def default_persona(plan: Plan, roster: Path) -> str:
    """The UPN of an ordinary member of staff to play: someone the demo's answers are typical for.

    The rule: the largest wave (by people placed there by its membership rules); its most
    common department; and there, the first enabled member in roster order whom the plan
    does not name (leads, owners, champions and exceptions are not ordinary).

    Raises:
        PersonaError: no wave has such a member.
    """
    from switchover.directory.roster import RosterDirectory
    from switchover.membership import AssignmentReason, resolve_wave

    named = {p.upn.casefold() for p in plan.people} | {c.user.casefold() for c in plan.champions}
    named |= {e.user.casefold() for e in plan.exceptions}
    by_wave: dict[str, list] = {}
    for user in RosterDirectory.from_csv(roster).users:
        placed = resolve_wave(plan, user)
        if placed.wave is not None and placed.reason is AssignmentReason.RULE and user.upn.casefold() not in named:
            by_wave.setdefault(placed.wave.key, []).append(user)
    if not by_wave:
        raise PersonaError("no one in the roster is placed in a wave by the plan's rules; name a persona")
    order = [w.key for w in plan.waves]
    largest = max(by_wave, key=lambda key: (len(by_wave[key]), -order.index(key)))
    members = by_wave[largest]
    department = Counter(u.department or "" for u in members).most_common(1)[0][0]
    return next(u.upn for u in members if (u.department or "") == department)


def _companions(plan: Plan | None, people: list[Persona], me: Persona) -> list[Persona]:
    """Five others for the Playground's chats: the plan's project leads and sponsor, the champion of
    ``me``'s site, an area owner on the staff (not a guest), a Service Desk member; then the other
    owners and backups, and anyone enabled in the roster."""
    by_name = {n: p for p in people for n in p.names()}

    def found(names: list[str]) -> list[Persona]:
        return [by_name[n.casefold()] for n in names if n.casefold() in by_name]

    wanted: list[Persona] = []
    if plan is not None:
        upn = {p.key: p.upn for p in plan.people}
        champions = sorted(plan.champions, key=lambda c: _plain(c.site or "") != _plain(me.office))
        contacts = [a.owner for a in plan.areas] + [a.backup for a in plan.areas]
        owners = found([upn.get(c.person, c.person) for c in contacts if c.person])
        wanted += found([upn.get(k, k) for k in (*plan.project_leads, plan.sponsor)])
        wanted += found([c.user for c in champions[:1]])
        wanted += [o for o in owners if "#EXT#" not in o.upn][:1]
        wanted += found([upn.get(k, k) for k in plan.service_desk.members[:1]])
        wanted += owners
    others: list[Persona] = []
    for person in [*wanted, *(p for p in people if p.enabled)]:
        if person.upn != me.upn and person not in others:
            others.append(person)
    return others[:5]


def _slug(text: str) -> str:
    return _plain(text).replace(" ", "-") or "team"


def config_text(
    who: str | None = None,
    roster: Path | None = None,
    tenant_id: str | None = None,
    *,
    plan: Path | None = None,
    locale: str | None = None,
) -> str:
    """The Playground config (YAML) that signs in as ``who`` with five colleagues around them.

    ``plan`` defaults to ``plan.yaml`` next to the roster, the roster to ``roster.csv`` next to the
    plan (one of the two is needed); ``who`` to :func:`default_persona`; ``tenant_id`` to the
    plan's ``organisation.tenant_id``, else the Playground's own mock tenant. ``locale`` is the
    persona's Teams language (a BCP 47 tag, ``es-US``), written as a ``# locale:`` comment;
    ``None`` writes none (the Playground's own language).

    Raises:
        PersonaError: no such person, too few people, no plan or roster, or ``locale`` is not a language tag.
    """
    if roster is None and plan is None:
        raise PersonaError("give the plan (--plan) or the roster (--roster)")
    if locale is not None and not _LOCALE_TAG.fullmatch(locale):
        raise PersonaError(f"{locale!r} is not a language tag; use one like es-US or pl-PL")
    roster = roster if roster is not None else plan.parent / "roster.csv"  # type: ignore[union-attr]
    plan_path = plan if plan is not None else roster.parent / "plan.yaml"
    the_plan = _load_plan(plan_path)
    if tenant_id is None:
        planned = the_plan.organisation.tenant_id if the_plan is not None else None
        tenant_id = planned or PLAYGROUND_TENANT_ID
    people = read_roster(roster)
    if who is None:
        if the_plan is None:
            raise PersonaError(f"no plan at {plan_path} to choose a persona by; name one")
        who = default_persona(the_plan, roster)
    me = find_person(people, who)
    others = _companions(the_plan, people, me)
    if len(others) != 5:
        raise PersonaError("the Playground needs five other users")
    organisation_zone = the_plan.organisation.time_zone if the_plan is not None else PROJECT_TIME_ZONE
    team, channel = (
        (the_plan.service_desk.channel.team, the_plan.service_desk.channel.channel)
        if the_plan is not None
        else ("IT", "Service Desk")
    )
    q = yaml_quote

    def user(person: Persona, indent: str) -> list[str]:
        entry = person.as_config_user()
        lines = [f"{indent}{key}: {q(value)}" for key, value in entry.items()]
        return lines

    lines = [
        "# Microsoft 365 Agents Playground: who you are in the demo. Made by `switchover playground persona`;",
        "# switch persona with ./scripts/demo --as <user>, see README.md.",
        f"{_TIME_ZONE_COMMENT} {time_zone_of(me, organisation_zone)}",
        *([f"{_LOCALE_COMMENT} {locale}"] if locale is not None else []),
        'version: "0.1.1"',
        f"tenantId: {q(tenant_id)}",
        "bot:",
        f"  id: {q(PLAYGROUND_BOT_ID)}",
        '  name: "Switchover"',
        "currentUser:",
        *user(me, "  "),
        "users:",
    ]
    for person in others:
        first, *rest = user(person, "    ")
        lines += ["  - " + first.strip(), *rest]
    lines += [
        "personalChat:",
        '  id: "personal-chat"',
        "groupChat:",
        '  id: "group-chat"',
        '  name: "Move questions"',
        "team:",
        f"  id: {q(f'19:{_slug(team)}-general@thread.tacv2')}",
        f"  name: {q(team)}",
        f"  aadGroupId: {q(PLAYGROUND_TEAM_GROUP_ID)}",
        "  channels:",
        f"    - id: {q(f'19:{_slug(team)}-{_slug(channel)}@thread.tacv2')}",
        f"      name: {q(channel)}",
    ]
    return "\n".join(lines) + "\n"


def yaml_quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: no name can change the file's structure.

    Characters YAML may not carry as they are (controls, BOM, U+FFFE/U+FFFF) are escaped.
    """
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif (
            0x20 <= code <= 0x7E
            or 0xA0 <= code <= 0xD7FF
            or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
            or code >= 0x10000
        ):
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def read_time_zone(config: Path) -> str:
    """The ``# localTimezone:`` a config file asks for, or the project's zone."""
    for line in config.read_text(encoding="utf-8").splitlines():
        if line.startswith(_TIME_ZONE_COMMENT):
            return line.removeprefix(_TIME_ZONE_COMMENT).strip() or PROJECT_TIME_ZONE
    return PROJECT_TIME_ZONE


def read_locale(config: Path) -> str | None:
    """The ``# locale:`` a config file asks for (a language tag such as ``es-US``), or ``None``.

    A comment that is not a language tag counts as none, so a hand-edited file cannot put anything
    else into the Playground's environment.
    """
    for line in config.read_text(encoding="utf-8").splitlines():
        if line.startswith(_LOCALE_COMMENT):
            tag = line.removeprefix(_LOCALE_COMMENT).strip()
            return tag if _LOCALE_TAG.fullmatch(tag) else None
    return None


def posix_locale(tag: str) -> str:
    """The ``LANG`` value that gives a Node.js process the language ``tag`` (``es-US`` -> ``es_US.UTF-8``).

    Node's ``Intl`` takes its default language from ``LC_ALL`` / ``LANG`` whether or not the
    system has that locale installed.
    """
    language, *rest = tag.split("-")
    region = next((part.upper() for part in rest if len(part) == 2 and part.isalpha()), "")
    return f"{language.lower()}{'_' + region if region else ''}.UTF-8"


# ---------------------------------------------------------------------------
# switchover playground persona


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``playground persona`` to the ``switchover`` command."""
    playground = subparsers.add_parser("playground", help="set up the Microsoft 365 Agents Playground")
    sub = playground.add_subparsers(dest="playground_command", metavar="SUBCOMMAND", required=True)
    persona = sub.add_parser(
        "persona",
        help="write a Playground config that signs in as a roster user",
        description="Write a Playground config (.m365agentsplayground.yml format) signed in as a roster user.",
    )
    persona.add_argument(
        "who",
        nargs="?",
        default=None,
        help="UPN, UPN before the @, or display name (default: an ordinary member of the largest wave)",
    )
    persona.add_argument(
        "--roster", type=Path, default=None, help="the users CSV (default: roster.csv next to the plan)"
    )
    persona.add_argument(
        "--plan", type=Path, default=None, help="the plan (default: SWITCHOVER_PLAN, or plan.yaml next to the roster)"
    )
    persona.add_argument(
        "--locale",
        default=None,
        help="the persona's Teams language, a language tag such as es-US (default: the Playground's own)",
    )
    persona.add_argument("--out", type=Path, default=None, help="file to write (default: print it)")
    persona.set_defaults(func=playground_persona)


def playground_persona(args: argparse.Namespace) -> int:
    """Run ``switchover playground persona``; returns the exit status."""
    import sys

    try:
        plan = args.plan
        if plan is None and args.roster is None:
            from switchover.settings import Settings

            plan = Settings().plan_path  # type: ignore[call-arg]
        text = config_text(args.who, args.roster, plan=plan, locale=args.locale)
    except (PersonaError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return 1
    if args.out is None:
        sys.stdout.write(text)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)  # noqa: T201 - CLI output
    return 0
