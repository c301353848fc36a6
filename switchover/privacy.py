# ruff: noqa: T201 - the command-line part prints for the person at the terminal
"""One person's data (export, erase) and the retention period after which old data is purged.

What Switchover keeps about a person, by table (every feature registers its tables on
``Base.metadata``; this module reads them by name, so it depends on storage only):

- ``conversation_refs``: their 1:1 chat (Teams id, UPN, name, time zone);
- ``directory_users``, ``directory_readiness``: their directory snapshot and readiness;
- ``problem_reports`` (and ``problem_events``): what they reported;
- ``problem_drafts``, ``problem_screenshots``: reports they were confirming, pictures they attached;
- ``announcement_acks``: the announcements they acknowledged;
- ``announcement_chasers``: the activity-feed nudges sent to them (reminders are in the outbox);
- ``answers_feedback``, ``answers_gaps``, ``answers_picks``: the questions they asked the FAQ
  (and the suggestions they picked);
- ``delivery_outbox``: every message sent to them (its card is stored);
- ``email_outbox``: every email sent to them (address and HTML);
- ``bot_state``: their dialog state (keys carry their conversation or user id).

``erase`` deletes all of it except their problem reports, which others worked on and count:
those keep their area, priority and dates, and lose the reporter and the words.

``purge`` (an hourly job; ``SWITCHOVER_RETENTION_DAYS``) deletes resolved reports resolved
before the retention period (and their pictures), and drafts, dialog state, sent messages and
FAQ questions older than it.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import logging
from collections.abc import Coroutine, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from switchover.storage.base import Base
from switchover.storage.db import Database, rowcount

log = logging.getLogger(__name__)

ERASED = "[erased at the reporter's request]"
# Deliveries still to be sent (or being sent) are never purged.
_SETTLED_DELIVERIES = ("sent", "failed", "unreachable", "cancelled", "recalled")

__all__ = ["PersonalData", "add_parser"]


def _table(name: str) -> sa.Table:
    if name not in Base.metadata.tables:
        from switchover.storage.migrate import import_all_models  # noqa: PLC0415 - registers every table

        import_all_models()
    return Base.metadata.tables[name]


def _plain(row: sa.Row[Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in row._mapping.items()}


def _value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, bytes | memoryview):
        return {"base64": base64.b64encode(bytes(v)).decode()}  # a picture they attached
    return v


class PersonalData:
    """What is kept about one person, and how long anything is kept.

    Args:
        db: The database (migrated).
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _ids(
        self, c: AsyncConnection, upn: str, tenant_id: str | None, known: Iterable[str] = ()
    ) -> tuple[set[str], set[str]]:
        """The person's Entra object ids and Teams ids/conversation ids, from everything that names their UPN."""
        refs, users, reports = _table("conversation_refs"), _table("directory_users"), _table("problem_reports")
        key = upn.strip().lower()
        object_ids: set[str] = set(known)
        other_ids: set[str] = set()

        def tenant(table: sa.Table) -> list[Any]:
            return [table.c.tenant_id == tenant_id] if tenant_id else []

        for row in await c.execute(sa.select(refs).where(sa.func.lower(refs.c.upn) == key, *tenant(refs))):
            object_ids |= {row.aad_object_id} - {None}
            other_ids |= {row.user_id, row.conversation_id} - {None}
        for row in await c.execute(sa.select(users.c.user_id).where(sa.func.lower(users.c.upn) == key, *tenant(users))):
            object_ids.add(row.user_id)
        query = sa.select(reports.c.reporter_id).where(sa.func.lower(reports.c.reporter_upn) == key, *tenant(reports))
        object_ids |= {row.reporter_id for row in await c.execute(query)}
        if object_ids:
            query = sa.select(refs.c.user_id, refs.c.conversation_id).where(
                refs.c.aad_object_id.in_(object_ids), refs.c.kind == "personal", *tenant(refs)
            )
            for row in await c.execute(query):
                other_ids |= {row.user_id, row.conversation_id} - {None}
        other_ids |= {f"29:{i}" for i in object_ids}
        return object_ids, other_ids

    def _selections(
        self, upn: str, object_ids: set[str], other_ids: set[str], tenant_id: str | None
    ) -> dict[str, tuple[sa.Table, Any]]:
        """Per table, the condition that picks this person's rows."""
        key = upn.strip().lower()
        t = {
            name: _table(name)
            for name in (
                "conversation_refs",
                "directory_users",
                "directory_readiness",
                "problem_reports",
                "problem_drafts",
                "problem_screenshots",
                "announcement_acks",
                "announcement_chasers",
                "answers_feedback",
                "answers_gaps",
                "answers_picks",
                "delivery_outbox",
                "email_outbox",
                "bot_state",
            )
        }
        ids = object_ids | other_ids
        state_key = t["bot_state"].c.key
        conditions: dict[str, Any] = {
            "conversation_refs": sa.or_(
                sa.func.lower(t["conversation_refs"].c.upn) == key,
                t["conversation_refs"].c.aad_object_id.in_(object_ids),
            ),
            "directory_users": sa.or_(
                sa.func.lower(t["directory_users"].c.upn) == key, t["directory_users"].c.user_id.in_(object_ids)
            ),
            "directory_readiness": t["directory_readiness"].c.user_id.in_(object_ids),
            "problem_reports": sa.or_(
                sa.func.lower(t["problem_reports"].c.reporter_upn) == key,
                t["problem_reports"].c.reporter_id.in_(object_ids),
            ),
            "problem_drafts": t["problem_drafts"].c.reporter_id.in_(object_ids),
            "problem_screenshots": t["problem_screenshots"].c.reporter_id.in_(object_ids),
            "announcement_acks": t["announcement_acks"].c.user_id.in_(object_ids),
            "announcement_chasers": t["announcement_chasers"].c.user_id.in_(object_ids),
            "answers_feedback": t["answers_feedback"].c.asker_id.in_(ids),
            "answers_gaps": t["answers_gaps"].c.asker_id.in_(ids),
            "answers_picks": t["answers_picks"].c.asker_id.in_(ids),
            "delivery_outbox": sa.and_(
                t["delivery_outbox"].c.recipient_kind == "user", t["delivery_outbox"].c.recipient_key.in_(ids)
            ),
            "email_outbox": sa.or_(
                t["email_outbox"].c.person_id.in_(object_ids), sa.func.lower(t["email_outbox"].c.to_address) == key
            ),
            "bot_state": sa.or_(sa.false(), *(state_key.contains(i, autoescape=True) for i in sorted(ids))),
        }
        if tenant_id:
            conditions = {name: sa.and_(cond, t[name].c.tenant_id == tenant_id) for name, cond in conditions.items()}
        return {name: (t[name], cond) for name, cond in conditions.items()}

    async def export(
        self, upn: str, *, tenant_id: str | None = None, object_ids: Iterable[str] = ()
    ) -> dict[str, list[dict[str, Any]]]:
        """Every row kept about the person with this UPN, by table (problem reports with their timeline).

        ``object_ids``: their Entra object ids, when the database may not know their UPN (a
        roster directory keeps no copy, and Teams does not always send it).
        """
        async with self.db.begin(read_only=True) as c:
            object_ids, other_ids = await self._ids(c, upn, tenant_id, object_ids)
            found: dict[str, list[dict[str, Any]]] = {}
            for name, (table, condition) in self._selections(upn, object_ids, other_ids, tenant_id).items():
                found[name] = [_plain(row) for row in await c.execute(sa.select(table).where(condition))]
            events = _table("problem_events")
            report_ids = [r["id"] for r in found["problem_reports"]]
            found["problem_events"] = [
                _plain(row)
                for row in await c.execute(
                    sa.select(events).where(events.c.report_id.in_(report_ids)).order_by(events.c.id)
                )
            ]
        return found

    async def erase(self, upn: str, *, tenant_id: str | None = None, object_ids: Iterable[str] = ()) -> dict[str, int]:
        """Delete what is kept about the person; their problem reports lose the reporter and the words.

        Returns:
            Rows deleted (or, for problem reports, made anonymous) per table.
        """
        counts: dict[str, int] = {}
        async with self.db.begin(immediate=True) as c:
            object_ids, other_ids = await self._ids(c, upn, tenant_id, object_ids)
            selections = self._selections(upn, object_ids, other_ids, tenant_id)
            reports, condition = selections.pop("problem_reports")
            mine = [row.id for row in await c.execute(sa.select(reports.c.id).where(condition))]
            names = {row.reporter_name for row in await c.execute(sa.select(reports.c.reporter_name).where(condition))}
            counts["problem_reports"] = rowcount(
                await c.execute(
                    sa.update(reports)
                    .where(reports.c.id.in_(mine))
                    .values(
                        reporter_id="erased",
                        reporter_name=None,
                        reporter_upn=None,
                        text=ERASED,
                        site=None,
                        department=None,
                        screenshot_url=None,
                    )
                )
            )
            events = _table("problem_events")
            counts["problem_events"] = rowcount(
                await c.execute(
                    sa.update(events)
                    .where(events.c.report_id.in_(mine), events.c.actor.in_(names - {None}))
                    .values(actor=None, detail=None)
                )
            )
            for name, (table, cond) in selections.items():
                counts[name] = rowcount(await c.execute(sa.delete(table).where(cond)))
        log.warning("personal data erased", extra={"counts": counts})
        return counts

    async def purge(self, retention: dt.timedelta, now: dt.datetime) -> dict[str, int]:
        """Delete resolved reports, dialog state, sent messages and FAQ questions older than ``retention``."""
        cutoff = now - retention
        reports, events, cards, owed = (
            _table(n) for n in ("problem_reports", "problem_events", "problem_cards", "problem_replies_owed")
        )
        deliveries, state = _table("delivery_outbox"), _table("bot_state")
        drafts, shots = _table("problem_drafts"), _table("problem_screenshots")
        feedback, gaps, picks = _table("answers_feedback"), _table("answers_gaps"), _table("answers_picks")
        counts: dict[str, int] = {}
        async with self.db.begin(immediate=True) as c:
            old = sa.select(reports.c.id).where(reports.c.status == "resolved", reports.c.resolved_at < cutoff)
            old_ids = [row.id for row in await c.execute(old)]
            for chunk in _chunks(old_ids, 500):
                counts["problem_events"] = counts.get("problem_events", 0) + rowcount(
                    await c.execute(sa.delete(events).where(events.c.report_id.in_(chunk)))
                )
                counts["problem_cards"] = counts.get("problem_cards", 0) + rowcount(
                    await c.execute(sa.delete(cards).where(cards.c.report_id.in_(chunk)))
                )
                await c.execute(sa.delete(owed).where(owed.c.report_id.in_(chunk)))
                counts["problem_reports"] = counts.get("problem_reports", 0) + rowcount(
                    await c.execute(sa.delete(reports).where(reports.c.id.in_(chunk)))
                )
            # A message still referred to by a kept report's card stays: its card is updated in place.
            kept_cards = sa.select(cards.c.delivery_id)
            counts["delivery_outbox"] = rowcount(
                await c.execute(
                    sa.delete(deliveries).where(
                        deliveries.c.status.in_(_SETTLED_DELIVERIES),
                        deliveries.c.updated_at < cutoff,
                        deliveries.c.id.not_in(kept_cards),
                    )
                )
            )
            emails = _table("email_outbox")
            counts["email_outbox"] = rowcount(
                await c.execute(
                    sa.delete(emails).where(
                        emails.c.status.in_(("sent", "failed", "cancelled")), emails.c.updated_at < cutoff
                    )
                )
            )
            # A picture goes with its report: kept while a report still shows it.
            shown = sa.select(reports.c.id).where(
                reports.c.screenshot_url.is_not(None), reports.c.screenshot_url.endswith(shots.c.token)
            )
            counts["problem_screenshots"] = rowcount(
                await c.execute(sa.delete(shots).where(shots.c.created_at < cutoff, ~sa.exists(shown)))
            )
            counts["problem_drafts"] = rowcount(await c.execute(sa.delete(drafts).where(drafts.c.created_at < cutoff)))
            counts["bot_state"] = rowcount(await c.execute(sa.delete(state).where(state.c.updated_at < cutoff)))
            counts["answers_feedback"] = rowcount(
                await c.execute(sa.delete(feedback).where(feedback.c.created_at < cutoff))
            )
            counts["answers_gaps"] = rowcount(await c.execute(sa.delete(gaps).where(gaps.c.created_at < cutoff)))
            counts["answers_picks"] = rowcount(await c.execute(sa.delete(picks).where(picks.c.created_at < cutoff)))
        if any(counts.values()):
            log.info("old data purged", extra={"counts": counts, "cutoff": cutoff.isoformat()})
        return counts


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ---------------------------------------------------------------------------
# switchover privacy export|erase UPN


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``privacy`` command group."""
    privacy = subparsers.add_parser("privacy", help="one person's data: export it, erase it")
    sub = privacy.add_subparsers(dest="privacy_command", metavar="SUBCOMMAND", required=True)
    export = sub.add_parser(
        "export",
        help="print everything kept about a person, as JSON",
        description="Print every row Switchover keeps about the person with this UPN, by table, as JSON.",
    )
    erase = sub.add_parser(
        "erase",
        help="delete everything kept about a person",
        description="Delete what Switchover keeps about the person with this UPN. Their problem reports are kept "
        "for the figures, without the reporter or the words.",
    )
    for parser in (export, erase):
        parser.add_argument("upn", help="the person's user principal name (as in the directory)")
        parser.add_argument("--tenant", default=None, help="only this tenant id")
        parser.add_argument("--database-url", default=None, help="default: DATABASE_URL / the app's settings")
        parser.add_argument(
            "--object-id",
            action="append",
            default=[],
            help="the person's Entra object id too (repeatable): for someone the database knows only by id",
        )
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    export.set_defaults(func=_export)
    erase.set_defaults(func=_erase)


def _database(args: argparse.Namespace) -> Database:
    from switchover.settings import Settings, async_database_url  # noqa: PLC0415 - the CLI loads lazily

    url = async_database_url(args.database_url) if args.database_url else Settings().async_database_url  # type: ignore[call-arg]
    return Database(url)


async def _export(args: argparse.Namespace) -> int:
    db = _database(args)
    try:
        await db.migrate()
        found = await PersonalData(db).export(args.upn, tenant_id=args.tenant, object_ids=args.object_id)
    finally:
        await db.dispose()
    print(json.dumps({"upn": args.upn, "tables": found}, indent=2, ensure_ascii=False, default=str))
    return 0


def _erase(args: argparse.Namespace) -> int | Coroutine[Any, Any, int]:
    if not args.yes:
        try:
            answer = input(f"Erase everything kept about {args.upn}? Type the UPN again to confirm: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != args.upn.strip().lower():
            print("Not erased: the UPN typed did not match (or use --yes).")
            return 1
    return _erase_now(args)


async def _erase_now(args: argparse.Namespace) -> int:
    db = _database(args)
    try:
        await db.migrate()
        counts = await PersonalData(db).erase(args.upn, tenant_id=args.tenant, object_ids=args.object_id)
    finally:
        await db.dispose()
    if not any(counts.values()):
        print(f"Nothing is kept about {args.upn}.")
        return 0
    for table, n in counts.items():
        if n:
            print(f"{table:<22} {n}")
    return 0
