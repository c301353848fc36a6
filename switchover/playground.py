"""Microsoft 365 Agents Playground personas: play a real roster user instead of the built-in "Alex Wilber".

The Playground reads ``.m365agentsplayground.yml`` from its working directory, or
the file named by ``M365_AGENTS_PLAYGROUND_CONFIG_PATH`` (format 0.1.1: a tenant,
the bot, the signed-in ``currentUser`` and exactly five other ``users``). It has
no time zone setting: every activity carries the time zone of the Playground's
own process, so the persona's zone is written as a ``# localTimezone:`` comment
that ``scripts/demo`` and the browser tests pass on as ``TZ``.

Also the ``switchover playground persona`` command (see :func:`add_parser`).
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

from switchover.settings import REPO_ROOT

__all__ = [
    "DEFAULT_PERSONA",
    "PLAYGROUND_TENANT_ID",
    "Persona",
    "PersonaError",
    "add_parser",
    "config_text",
    "find_person",
    "read_time_zone",
]

DEFAULT_ROSTER = REPO_ROOT / "examples" / "fabrikam" / "roster.csv"
# A Wave 2 Tacoma Clinic user: the demo's default.
DEFAULT_PERSONA = "nora.abbott"
# The Playground's own mock tenant; the demo plan accepts any tenant.
PLAYGROUND_TENANT_ID = "00000000-0000-0000-0000-0000000000001"
PLAYGROUND_BOT_ID = "00000000-0000-0000-0000-00000000000011"
# Fabrikam's time zones by US state of the roster's address; the project's zone otherwise.
STATE_TIME_ZONES = {"WA": "America/Los_Angeles", "OR": "America/Los_Angeles", "ID": "America/Boise"}
PROJECT_TIME_ZONE = "America/Los_Angeles"
# The other people in the Playground's group chat and team: the project's lead, sponsor,
# a champion and two owners (the Playground wants exactly five).
COMPANIONS = (
    "dana.whitfield",
    "robert.kim",
    "grace.okafor",
    "luis.ortega",
    "kevin.obrien",
    "ana.silva",
)
_TIME_ZONE_COMMENT = "# localTimezone:"


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

    def names(self) -> set[str]:
        """Every way to name this person on the command line, casefolded."""
        addresses = {self.upn, self.email} - {""}
        names = addresses | {a.split("@")[0] for a in addresses} | {self.name, self.aad_object_id}
        return {n.casefold() for n in names}

    @property
    def time_zone(self) -> str:
        """The IANA zone this person's clocks show."""
        return STATE_TIME_ZONES.get(self.state, PROJECT_TIME_ZONE)

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


def read_roster(path: Path = DEFAULT_ROSTER) -> list[Persona]:
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
        raise PersonaError(f"{what} in the roster matches {who!r}; use a user principal name, e.g. {DEFAULT_PERSONA}")
    return found[0]


def config_text(
    who: str = DEFAULT_PERSONA, roster: Path = DEFAULT_ROSTER, tenant_id: str = PLAYGROUND_TENANT_ID
) -> str:
    """The Playground config (YAML) that signs in as ``who``, with five Fabrikam colleagues around them."""
    people = read_roster(roster)
    me = find_person(people, who)
    others = [p for p in (find_person(people, c) for c in COMPANIONS) if p.upn != me.upn][:5]
    if len(others) != 5:
        raise PersonaError("the Playground needs five other users")
    q = yaml_quote

    def user(person: Persona, indent: str) -> list[str]:
        entry = person.as_config_user()
        lines = [f"{indent}{key}: {q(value)}" for key, value in entry.items()]
        return lines

    lines = [
        "# Microsoft 365 Agents Playground: who you are in the demo. Made by `switchover playground persona`;",
        "# switch persona with ./scripts/demo --as <user>, see README.md.",
        f"{_TIME_ZONE_COMMENT} {me.time_zone}",
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
        '  id: "19:fabrikam-it-general@thread.tacv2"',
        '  name: "Fabrikam IT"',
        '  aadGroupId: "6f1c2d3e-4b5a-4968-8776-a5b4c3d2e1f0"',
        "  channels:",
        '    - id: "19:fabrikam-it-service-desk@thread.tacv2"',
        '      name: "Service Desk"',
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
    persona.add_argument("who", nargs="?", default=DEFAULT_PERSONA, help="UPN, UPN before the @, or display name")
    persona.add_argument("--roster", type=Path, default=DEFAULT_ROSTER, help="the users CSV")
    persona.add_argument("--out", type=Path, default=None, help="file to write (default: print it)")
    persona.set_defaults(func=playground_persona)


def playground_persona(args: argparse.Namespace) -> int:
    """Run ``switchover playground persona``; returns the exit status."""
    import sys

    try:
        text = config_text(args.who, args.roster)
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
