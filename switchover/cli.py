"""The ``switchover`` command.

Subcommands come from modules listed in :data:`COMMAND_MODULES`. Each such module
defines::

    def add_parser(subparsers: argparse._SubParsersAction) -> None:
        parser = subparsers.add_parser("name", help="...")
        parser.add_argument(...)
        parser.set_defaults(func=run)   # run(args) -> int, or an async function returning int

To add a command, write that function in your feature's module and append the
module's dotted name to ``COMMAND_MODULES``. A module may add a command group
with its own sub-subparsers (as ``plan`` does here). Modules are imported only
when the command line is built, so importing this module is cheap.

Output is for people at a terminal, so this module prints.

Commands defined here:

- ``switchover plan check PATH [--roster CSV] [--database-url URL] [--strict]``: validate a plan file
  (and the readiness exports its ``readiness.sources`` name), then
  show each wave's title, cutover window and resolved member count, the plan's languages (what each
  translation lacks, how many people read each language: the roster's ``preferredLanguage``, the Teams
  languages the database keeps), the champions and
  the exceptions found in the roster, and warnings (rule values no one in the roster
  has, empty waves, missing translations, people who will read the plan in another language).
  Exit status 1 with every problem listed when the plan (or
  roster) is wrong; with ``--strict`` also on warnings and enabled users in no wave.
- ``switchover plan who PATH UPN... [--roster CSV]``: each person's wave, cutover
  window and the reason (rule, champion, moved, explicit; or disabled, guest, ...).
- ``switchover plan diff NEW [--plan PATH] [--roster CSV] [--database-url URL] [--json]``:
  what replacing the plan in use (``SWITCHOVER_PLAN``) with NEW would change, including the
  people who would change wave and the pending sends that would move, be added or be
  cancelled. Exit status 0 (``no changes`` or the changes), 2 when a plan does not load.
- ``switchover plan apply PATH [--by UPN]``: make a changed plan the one in force for the
  running app, without a restart (:mod:`switchover.plan_apply`).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from switchover.directory.base import DirectoryUser
    from switchover.plan.model import Plan
    from switchover.storage.db import Database

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

# Dotted names of modules that define ``add_parser(subparsers)``.
COMMAND_MODULES: list[str] = [
    "switchover.cli",  # plan check
    "switchover.answers.cli",  # faq gaps, answers eval, answers ask
    "switchover.manifest",  # manifest build
    "switchover.i18n.catalogs",  # i18n extract | update | check
    "switchover.playground",  # playground persona
    "switchover.privacy",  # privacy export, privacy erase
    "switchover.readiness.samples",  # readiness sample-exports
]


# ---------------------------------------------------------------------------
# plan check


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``plan`` and its subcommands."""
    plan = subparsers.add_parser("plan", help="work with migration plan files")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="SUBCOMMAND", required=True)
    check = plan_sub.add_parser(
        "check",
        help="validate a plan file and show waves with their resolved members",
        description="Validate a plan file and show each wave's cutover window and resolved member count.",
    )
    check.add_argument("path", type=Path, help="the plan YAML file")
    check.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="the users CSV (Entra 'Download users' export); default: roster.csv next to the plan",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1) on warnings too: rule values no one has, empty waves, enabled users in no wave",
    )
    check.add_argument(
        "--database-url",
        default=None,
        help="also count the Teams languages of the people the bot has talked to (conversation_refs.locale)",
    )
    check.set_defaults(func=plan_check)
    who = plan_sub.add_parser(
        "who",
        help="show which wave people are in, and why",
        description="Show the wave of each person (UPN, mail or Entra object id) and the reason.",
    )
    who.add_argument("path", type=Path, help="the plan YAML file")
    who.add_argument("people", nargs="+", metavar="UPN", help="UPN, mail or object id")
    who.add_argument("--roster", type=Path, default=None, help="the users CSV; default: roster.csv next to the plan")
    who.set_defaults(func=plan_who)
    diff = plan_sub.add_parser(
        "diff",
        help="show what a new version of the plan would change",
        description="Compare the plan in use (SWITCHOVER_PLAN, or --plan) with NEW: waves, people who would "
        "change wave, owners, calendar and the pending sends that would move, be added or be cancelled, FAQ "
        "and the rest. Nothing is changed.",
    )
    diff.add_argument("new", type=Path, metavar="NEW", help="the new plan YAML file")
    diff.add_argument("--plan", type=Path, default=None, help="the plan in use; default: SWITCHOVER_PLAN")
    diff.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="the users CSV; default: SWITCHOVER_ROSTER, the directory snapshot (SWITCHOVER_DIRECTORY=graph) "
        "or roster.csv next to the plan in use",
    )
    diff.add_argument(
        "--database-url",
        default=None,
        help="where the sent announcements are; default: DATABASE_URL, or the app's SQLite file if it exists",
    )
    diff.add_argument("--json", action="store_true", help="print the changes as JSON")
    diff.set_defaults(func=plan_diff)
    apply = plan_sub.add_parser(
        "apply",
        help="apply a changed plan to the running Switchover (no restart)",
        description=(
            "Validate a plan file and make it the plan in force for every running instance, in one "
            "transaction: the revision (who, when, what changed) and the announcement calendar. "
            "Uses SWITCHOVER_DATABASE_URL / SWITCHOVER_DATA_DIR like the app. A plan that fails to "
            "load or check changes nothing."
        ),
    )
    apply.add_argument("path", type=Path, help="the new plan YAML file")
    apply.add_argument("--by", default=None, metavar="UPN", help="who is applying it (recorded with the revision)")
    apply.set_defaults(func=plan_apply)


def plan_check(args: argparse.Namespace) -> int:
    """Run ``switchover plan check``; returns the exit status."""
    from switchover.directory.roster import RosterDirectory, RosterError
    from switchover.membership import AssignmentReason, members_by_wave, resolve_wave
    from switchover.plan.loader import PlanError, load_plan
    from switchover.timefmt import format_window

    try:
        plan = load_plan(args.path)
    except PlanError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    roster_path: Path = args.roster or args.path.parent / "roster.csv"
    print(f"{plan.organisation.name}: plan OK ({args.path})")
    print(
        f"time zone {plan.organisation.time_zone}; {len(plan.people)} people, {len(plan.areas)} areas, "
        f"{len(plan.calendar)} calendar messages, {len(plan.faq)} FAQ entries"
    )

    roster = None
    if args.roster is not None or roster_path.exists():
        try:
            roster = RosterDirectory.from_csv(roster_path)
        except RosterError as exc:
            print(str(exc), file=sys.stderr)
            return 1
    else:
        print(f"no roster at {roster_path}; member counts skipped (use --roster)")

    if plan.readiness.sources.mfa or plan.readiness.sources.devices:
        from switchover.readiness.exports import ExportError, export_readiness

        try:
            exports = export_readiness(plan, args.path)
        except ExportError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        if exports is not None:
            found = [f"{len(e.by_upn)} people in {e.path.name}" for e in (exports.registrations, exports.devices) if e]
            missing = [p.name for p in (exports.mfa_path, exports.devices_path) if p and not p.exists()]
            print(f"readiness exports: {'; '.join(found) or 'none downloaded yet'}", end="")
            print(f" (not there yet: {', '.join(missing)})" if missing else "")

    users = roster.users if roster is not None else []
    members = members_by_wave(plan, users) if roster is not None else {}
    print()
    print("Waves:")
    for wave in plan.waves:
        count = f"{len(members[wave.key]):4d} members" if roster is not None else ""
        window = format_window(wave.cutover.start, wave.cutover.end, day="iso")
        print(f"  {wave.plan_title:<40} {window:<34} hypercare until {wave.hypercare_until}  {count}".rstrip())

    teams_locales: dict[str, str] = {}
    if args.database_url:
        try:
            teams_locales = asyncio.run(_teams_locales(args.database_url, plan.organisation.tenant_id))
        except Exception as exc:  # noqa: BLE001 - said to the operator, with what to do
            print(f"cannot read the Teams languages from the database ({type(exc).__name__}: {exc})", file=sys.stderr)
            return 1
    language_warnings = _print_languages(plan, users, teams_locales)

    if roster is None:
        if language_warnings:
            print()
            print("Warnings:")
            for w in language_warnings:
                print(f"  {w}")
        if args.strict and language_warnings:
            print(f"--strict: {len(language_warnings)} warning(s)", file=sys.stderr)
            return 1
        return 0
    assignments = {u.upn: resolve_wave(plan, u) for u in users}
    not_found = []

    print()
    print("Champions:")
    for champ in plan.champions:
        user = roster.lookup(champ.user)
        if user is None:
            not_found.append(champ.user)
            print(f"  {champ.user:<45} NOT IN ROSTER")
            continue
        a = assignments[user.upn]
        print(f"  {user.display_name:<25} {champ.site or '':<16} -> {a.wave.plan_title if a.wave else 'no wave'}")

    print()
    print("Exceptions:")
    for exc_ in plan.exceptions:
        user = roster.lookup(exc_.user)
        if user is None:
            not_found.append(exc_.user)
            print(f"  {exc_.user:<45} NOT IN ROSTER")
            continue
        print(f"  {user.display_name:<25} {assignments[user.upn].explain()}")
        if exc_.note:
            print(f"  {'':<25} note: {exc_.note}")  # internal: the lead's view only

    by_reason: dict[AssignmentReason, int] = {}
    for a in assignments.values():
        by_reason[a.reason] = by_reason.get(a.reason, 0) + 1
    in_waves = sum(len(v) for v in members.values())
    print()
    print(
        f"{len(users)} users in the roster: {in_waves} in a wave; not in any wave: "
        + ", ".join(
            f"{by_reason.get(r, 0)} {r.value}"
            for r in (
                AssignmentReason.DISABLED,
                AssignmentReason.GUEST,
                AssignmentReason.EXCLUDED,
                AssignmentReason.NO_RULE,
            )
        )
    )
    unmatched = [u for u in users if assignments[u.upn].reason is AssignmentReason.NO_RULE]
    for u in unmatched[:20]:
        print(f"  no rule matches {u.upn} (department {u.department!r}, office {u.office!r})")
    if len(unmatched) > 20:
        print(f"  ... and {len(unmatched) - 20} more")
    warnings = rule_warnings(plan, users) + language_warnings
    if warnings:
        print()
        print("Warnings:")
        for w in warnings:
            print(f"  {w}")
    if args.strict and (warnings or unmatched):
        print(f"--strict: {len(warnings)} warning(s), {len(unmatched)} enabled user(s) in no wave", file=sys.stderr)
        return 1
    if not_found:
        print(
            f"{len(not_found)} user(s) named in the plan are not in the roster: {', '.join(not_found)}", file=sys.stderr
        )
        return 1
    return 0


def _print_languages(plan: Plan, users: list[DirectoryUser], teams_locales: dict[str, str]) -> list[str]:
    """Print the plan's languages, what each lacks and how many people read it; return the warnings.

    A person's language is their Teams language when the bot has talked to them (``teams_locales``, by
    Entra object id or UPN, casefolded), else the directory's ``preferredLanguage``.
    """
    from switchover import i18n
    from switchover.plan.languages import describe_missing, language_name, language_reports, wave_mismatches

    known: dict[str, str] = {}
    for u in users:
        if u.enabled and u.preferred_language:
            known[u.id.casefold() or u.upn.casefold()] = u.preferred_language
    by_upn = {u.upn.casefold(): u.id.casefold() or u.upn.casefold() for u in users}
    for who, tag in teams_locales.items():
        known[by_upn.get(who, who)] = tag
    reports = language_reports(plan, known.values())
    own = plan.organisation.language
    print()
    translated = [r.language for r in reports if r.in_plan]
    print(
        f"Languages: the plan is written in {own} ({language_name(own)}); "
        f"translations: {', '.join(translated) or 'none'}; the bot speaks {', '.join(i18n.SUPPORTED)}"
    )
    for r in reports:
        if r.complete:
            status = "complete"
        elif r.in_plan:
            status = f"{describe_missing(r.missing)} missing"
        elif r.bot_speaks:
            status = (
                f"no translations: its readers get the bot's words in {language_name(r.language)}, "
                f"the plan's in {language_name(own)}"
            )
        else:
            status = f"neither the plan nor the bot has it: read in {language_name(own)}"
        readers = f"; {r.readers} {'person reads' if r.readers == 1 else 'people read'} it" if r.readers else ""
        print(f"  {r.language} ({language_name(r.language)}): {status}{readers}")
    if known:
        sources = "the directory's preferredLanguage" + (" and Teams" if teams_locales else "")
        own_readers = sum(1 for tag in known.values() if i18n.primary(tag) == own)
        print(f"  {len(known)} people's language known ({sources}); {own_readers} read {language_name(own)}")
    return [w for r in reports for w in r.warnings(own)] + wave_mismatches(plan)


async def _teams_locales(url: str, tenant_id: str | None) -> dict[str, str]:
    """Each person's Teams language as the bot last saw it, by Entra object id and UPN (casefolded)."""
    import sqlalchemy as sa

    from switchover.settings import async_database_url
    from switchover.storage.conversations import ConversationRef
    from switchover.storage.db import Database

    db = Database(async_database_url(url))
    c_ = ConversationRef.__table__.c
    query = sa.select(c_.aad_object_id, c_.upn, c_.locale).where(c_.kind == "personal", c_.locale.is_not(None))
    if tenant_id:
        query = query.where(c_.tenant_id == tenant_id)
    out: dict[str, str] = {}
    try:
        async with db.begin(read_only=True) as c:
            for row in await c.execute(query.order_by(c_.last_seen)):
                who = row.aad_object_id or row.upn
                if who:
                    out[who.casefold()] = row.locale
    except sa.exc.DBAPIError as exc:
        text = str(exc.orig).lower()
        if "no such table" in text or "does not exist" in text or "no such column" in text:
            return {}  # a database the app has not set up (or migrated) yet: no one's Teams language is known
        raise
    finally:
        await db.dispose()
    return out


async def plan_apply(args: argparse.Namespace) -> int:
    """Run ``switchover plan apply``; returns the exit status (1: nothing applied, every problem listed)."""
    from switchover.plan.reader import PlanError
    from switchover.plan_apply import apply_plan_text
    from switchover.settings import Settings
    from switchover.storage.db import Database

    path: Path = args.path
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot read the plan: {exc}\nNothing was applied.", file=sys.stderr)
        return 1
    settings = Settings()
    db = Database(settings.async_database_url)
    try:
        await db.migrate()
        result = await apply_plan_text(db, text, name=str(path), by=args.by or _whoami(), start_file=settings.plan_path)
    except PlanError as exc:
        print(f"{exc}\nNothing was applied.", file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    print("\n".join(result.lines))
    return 0


def _whoami() -> str | None:
    import getpass

    try:
        return f"{getpass.getuser()} (command line)"
    except (OSError, KeyError):
        return None


def plan_who(args: argparse.Namespace) -> int:
    """Run ``switchover plan who``; exit status 1 if someone is not in the roster."""
    from switchover.directory.roster import RosterDirectory, RosterError
    from switchover.membership import resolve_wave
    from switchover.plan.loader import PlanError, load_plan
    from switchover.timefmt import format_window

    try:
        plan = load_plan(args.path)
        roster = RosterDirectory.from_csv(args.roster or args.path.parent / "roster.csv")
    except (PlanError, RosterError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    status = 0
    for who in args.people:
        user = roster.lookup(who)
        if user is None:
            print(f"{who}: not in the roster", file=sys.stderr)
            status = 1
            continue
        a = resolve_wave(plan, user)
        if a.wave is None:
            print(f"{user.display_name} <{user.upn}>: no wave ({a.explain()})")
        else:
            window = format_window(a.wave.cutover.start, a.wave.cutover.end, day="iso")
            print(f"{user.display_name} <{user.upn}>: {a.wave.plan_title}, {window} ({a.explain()})")
    return status


async def plan_diff(args: argparse.Namespace) -> int:
    """Run ``switchover plan diff``: 0 with the changes (or ``no changes``), 2 when a plan does not load."""
    import json

    from switchover.clock import SystemClock
    from switchover.directory.roster import RosterDirectory, RosterError
    from switchover.membership import people_moved
    from switchover.plan.diff import diff_plans
    from switchover.plan.loader import PlanError, load_plan
    from switchover.settings import Settings, async_database_url

    settings = Settings()  # type: ignore[call-arg]
    old_path = args.plan or settings.plan_path
    if old_path is None:
        print("no plan in use to compare with: set SWITCHOVER_PLAN or pass --plan PATH", file=sys.stderr)
        return 2
    try:
        new = await asyncio.to_thread(load_plan, args.new)
    except PlanError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        old = await asyncio.to_thread(load_plan, old_path)
    except PlanError as exc:
        print(f"the plan in use ({old_path}) does not load, so there is nothing to compare with:", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return 2

    db = None
    if args.database_url or settings.database_url or (settings.data_dir / "switchover.db").exists():
        from switchover.storage.db import Database

        db = Database(async_database_url(args.database_url) if args.database_url else settings.async_database_url)
    try:
        users = None
        roster_path = args.roster or settings.roster_path
        if roster_path is None and settings.directory_source == "graph" and db is not None:
            users = await _snapshot_users(db, settings.graph_tenant_id or old.organisation.tenant_id or "default")
            if users is None:
                print("no directory snapshot in the database: people's waves are not compared", file=sys.stderr)
        elif roster_path is not None or (old_path.parent / "roster.csv").exists():
            try:
                users = RosterDirectory.from_csv(roster_path or old_path.parent / "roster.csv").users
            except RosterError as exc:
                print(str(exc), file=sys.stderr)
                return 2
        else:
            print(
                f"no roster at {old_path.parent / 'roster.csv'}: people's waves are not compared (use --roster)",
                file=sys.stderr,
            )
        sent: frozenset[str] = frozenset()
        now = None
        if db is not None:
            try:
                sent = await _sent_calendar_ids(db, old.organisation.tenant_id)
            except Exception as exc:  # noqa: BLE001 - said to the operator, with what to do
                print(
                    f"cannot read the sent announcements from the database ({type(exc).__name__}: {exc}); "
                    "check DATABASE_URL or pass --database-url",
                    file=sys.stderr,
                )
                return 1
            now = SystemClock().now()
    finally:
        if db is not None:
            await db.dispose()
    changes = diff_plans(
        old, new, people=people_moved(old, new, users) if users is not None else (), now=now, sent=sent
    )
    print(json.dumps(changes.as_json(), indent=2, ensure_ascii=False) if args.json else changes.render())
    return 0


async def _snapshot_users(db: Database, tenant_id: str) -> list[DirectoryUser] | None:
    """The users of the last directory snapshot kept in the database (None: none kept)."""
    from switchover.directory.store import DirectoryStore

    snapshot = await DirectoryStore(db).load(tenant_id)
    return list(snapshot.users) if snapshot is not None else None


async def _sent_calendar_ids(db: Database, tenant_id: str | None) -> frozenset[str]:
    """Ids of the calendar announcements no longer pending (sent, going, cancelled, recalled, missed):
    a new plan does not touch them. ``tenant_id``: the plan's, if it names one."""
    import sqlalchemy as sa

    from switchover.announcements.model import AnnouncementStatus
    from switchover.announcements.tables import announcements

    c_ = announcements.c
    query = sa.select(c_.id).where(
        c_.kind == "calendar",
        c_.status.not_in((AnnouncementStatus.SCHEDULED.value, AnnouncementStatus.MANUAL.value)),
    )
    if tenant_id:
        query = query.where(c_.tenant_id == tenant_id)
    try:
        async with db.begin(read_only=True) as c:
            return frozenset(r.id for r in await c.execute(query))
    except sa.exc.DBAPIError as exc:
        text = str(exc.orig).lower()
        if "no such table" in text or "does not exist" in text:
            return frozenset()  # a database the app has not set up yet: nothing was sent
        raise


def rule_warnings(plan: Plan, users: list[DirectoryUser]) -> list[str]:
    """Rule values no one in the roster has (usually a typo), exceptions whose ``from_wave``
    is not what the rules give, and waves nobody is in."""
    from switchover.membership import members_by_wave, rule_wave
    from switchover.plan.normalise import closest

    seen: dict[str, dict[str, str]] = {"departments": {}, "offices": {}, "cities": {}, "groups": {}}
    for u in users:
        for field, value in (("departments", u.department), ("offices", u.office), ("cities", u.city)):
            if value:
                seen[field].setdefault(value.strip().casefold(), value.strip())
        for g in u.groups:
            seen["groups"].setdefault(g.strip().casefold(), g.strip())
    out = []
    for wave in plan.waves:
        for i, rule in enumerate(wave.include):
            for field in ("departments", "offices", "cities", "groups"):
                for value in getattr(rule, field):
                    if value.strip().casefold() in seen[field]:
                        continue
                    best = closest(value, seen[field].values())
                    hint = f" - did you mean {best!r}?" if best else ""
                    out.append(f"{wave.key} include[{i}].{field}: no one in the roster has {value!r}{hint}")
    by_upn = {u.upn.casefold(): u for u in users} | {u.mail.casefold(): u for u in users if u.mail}
    for exc in plan.exceptions:
        user = by_upn.get(exc.user.casefold())
        if user is not None and exc.from_wave:
            ruled = rule_wave(plan, user)
            if ruled is None or ruled.key != exc.from_wave:
                given = ruled.key if ruled else "no wave"
                out.append(f"exception for {exc.user}: from_wave is {exc.from_wave} but the rules give {given}")
    for key, members in members_by_wave(plan, users).items():
        if not members:
            out.append(f"{key}: no one in the roster is in this wave")
    out += _alias_warnings(plan, seen)
    return out


def _alias_warnings(plan: Plan, seen: dict[str, dict[str, str]]) -> list[str]:
    """Aliases given to a site or department that neither the plan nor the roster has (usually a typo)."""
    from switchover.plan.normalise import closest

    sites = {**seen["offices"], **seen["cities"]}
    departments = dict(seen["departments"])
    for wave in plan.waves:
        sites.update({s.strip().casefold(): s for s in wave.sites})
        for rule in wave.include:
            sites.update({s.strip().casefold(): s for s in (*rule.offices, *rule.cities)})
            departments.update({d.strip().casefold(): d for d in rule.departments})
    out = []
    for table, known in (("sites", sites), ("departments", departments)):
        for name in getattr(plan.aliases, table):
            if name.strip().casefold() not in known:
                best = closest(name, known.values())
                hint = f" - did you mean {best!r}?" if best else ""
                out.append(f"aliases.{table}: neither the plan nor the roster has {name!r}{hint}")
    return out


# ---------------------------------------------------------------------------
# entry point


def build_parser() -> argparse.ArgumentParser:
    """The full command line, with every registered module's subcommands."""
    parser = argparse.ArgumentParser(prog="switchover", description="Switchover: keep people informed while they move.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        module = sys.modules[__name__] if name == __name__ else importlib.import_module(name)
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns (and, as a console script, exits with) the status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        result = args.func(args)
        if inspect.isawaitable(result):
            result = asyncio.run(result)  # type: ignore[arg-type]
    except BrokenPipeError:
        # Output piped into `head` and friends: stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
