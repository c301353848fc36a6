# ruff: noqa: T201 - a command-line tool prints for the person at the terminal
"""``switchover faq gaps``, ``switchover answers eval`` and ``switchover answers ask``.

Output is for people at a terminal, so this module prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from switchover.settings import REPO_ROOT

DEFAULT_QUESTIONS = REPO_ROOT / "tests" / "switchover" / "answers" / "questions.yaml"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``faq`` and ``answers`` command groups."""
    faq = subparsers.add_parser("faq", help="what the FAQ could not answer")
    faq_sub = faq.add_subparsers(dest="faq_command", metavar="SUBCOMMAND", required=True)
    gaps = faq_sub.add_parser(
        "gaps",
        help="unanswered and unhelpful questions, with counts, newest first",
        description="List questions users asked that the FAQ did not answer, or whose answer they found unhelpful.",
    )
    gaps.add_argument("--tenant", default=None, help="only this tenant id")
    gaps.add_argument("--limit", type=int, default=50)
    gaps.add_argument("--database-url", default=None, help="default: DATABASE_URL / the app's settings")
    gaps.set_defaults(func=faq_gaps)

    answers = subparsers.add_parser("answers", help="the question-answering engine")
    answers_sub = answers.add_subparsers(dest="answers_command", metavar="SUBCOMMAND", required=True)
    ev = answers_sub.add_parser(
        "eval",
        help="accuracy per kind on the labelled questions, and the confusions",
        description="Answer every labelled question and print accuracy per kind (train, held-out) and confusions.",
    )
    _plan_args(ev)
    ev.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ev.add_argument("--wrong", action="store_true", help="list every miss")
    ev.add_argument("--calibrate", action="store_true", help="grid-search FAQ thresholds on the train split")
    ev.set_defaults(func=answers_eval)

    ask = answers_sub.add_parser("ask", help="answer one question as someone, and show what the engine made of it")
    _plan_args(ask)
    ask.add_argument("question")
    ask.add_argument("--as", dest="asker", default=None, help="UPN or Entra object id of the asker")
    ask.add_argument("--tz", default=None, help="the asker's IANA time zone (as Teams sends localTimezone)")
    ask.add_argument("--now", default=None, help="ISO datetime to answer at (default: now)")
    ask.set_defaults(func=answers_ask)


def _plan_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", type=Path, default=None, help="default: SWITCHOVER_PLAN / the Fabrikam example")
    parser.add_argument("--roster", type=Path, default=None, help="default: roster.csv next to the plan")


def _load(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from switchover.directory.roster import RosterDirectory
    from switchover.plan.loader import load_plan
    from switchover.settings import Settings

    plan_path = args.plan or Settings().plan_path  # type: ignore[call-arg]
    roster_path = args.roster or plan_path.parent / "roster.csv"
    return load_plan(plan_path), RosterDirectory.from_csv(roster_path)


async def faq_gaps(args: argparse.Namespace) -> int:
    """Print the gaps table."""
    from switchover.answers.store import AnswerStore
    from switchover.settings import Settings, async_database_url
    from switchover.storage import Database

    url = async_database_url(args.database_url) if args.database_url else Settings().async_database_url  # type: ignore[call-arg]
    db = Database(url)
    try:
        await db.migrate()
        store = AnswerStore(db)
        gaps = await store.gaps(tenant_id=args.tenant, limit=args.limit)
        tallies = await store.tallies(tenant_id=args.tenant)
    finally:
        await db.dispose()
    if not gaps:
        print("No unanswered or unhelpful questions recorded.")
    else:
        print(f"{'count':>5}  {'kind':<10}  {'last asked (UTC)':<16}  {'faq':<16}  question")
        for gap in gaps:
            question = " ".join(gap.question.split())
            print(
                f"{gap.count:>5}  {gap.kind.value:<10}  {gap.last_asked:%Y-%m-%d %H:%M}  "
                f"{gap.faq_key or '-':<16}  {question[:100]}"
            )
    if tallies:
        print()
        print("Votes per FAQ entry (helpful / not helpful):")
        for t in tallies:
            print(f"  {t.faq_key:<20} {t.helpful:>4} / {t.unhelpful}")
    return 0


async def answers_eval(args: argparse.Namespace) -> int:
    """Print accuracy per kind and the confusions."""
    from switchover.answers.evaluate import calibrate, evaluate, load_questions

    plan, roster = _load(args)
    questions = load_questions(args.questions)
    report = await evaluate(plan, roster, questions)
    print(f"{len(questions)} labelled questions ({args.questions})")
    print(report.format(show_wrong=args.wrong))
    times = sorted(o.seconds for o in report.outcomes)
    median = times[len(times) // 2] * 1000
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
    print(f"answer time in process: median {median:.2f} ms, p99 {p99:.2f} ms")
    if args.calibrate:
        best = await calibrate(plan, roster, questions)
        print(f"best FAQ thresholds on train: {best['thresholds']} (accuracy {best['accuracy']:.3f})")
    return 0


async def answers_ask(args: argparse.Namespace) -> int:
    """Answer one question and show the reading and the answer."""
    from switchover.answers.engine import AnswerEngine, Who
    from switchover.clock import ManualClock

    plan, roster = _load(args)
    now = dt.datetime.fromisoformat(args.now) if args.now else dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        print("--now needs a UTC offset, e.g. 2027-01-11T09:00-08:00", file=sys.stderr)
        return 2
    engine = AnswerEngine(plan, roster, ManualClock(now))
    asker = args.asker or ""
    who = Who(aad_object_id=asker if asker and "@" not in asker else None, upn=asker or None, time_zone=args.tz)
    answer = await engine.answer(args.question, who)
    assert engine.understander is not None
    understood = engine.understander.read(args.question, today=now.date())
    print(f"read as: {understood.intent.value} ({understood.facet.value}); tokens {' '.join(understood.tokens)}")
    slots = {
        k: v
        for k, v in {
            "waves": understood.waves,
            "sites": understood.sites,
            "departments": understood.departments,
            "services": understood.services,
            "dates": understood.dates,
        }.items()
        if v
    }
    if slots:
        print(f"slots: {slots}")
    print(f"answer: {answer.kind.value} (confidence {answer.confidence:.2f})")
    print(answer.headline)
    for note in answer.notes:
        print(f"  note: {note}")
    for entry in answer.suggestions:
        print(f"  did you mean: {entry.question}")
    return 0
