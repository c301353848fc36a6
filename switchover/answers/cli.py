# ruff: noqa: T201 - a command-line tool prints for the person at the terminal
"""``switchover faq gaps``, ``switchover faq learn``, ``switchover answers eval`` and ``switchover answers ask``.

Output is for people at a terminal, so this module prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from switchover.settings import REPO_ROOT

# Every example customer keeps its labelled questions next to its plan (examples/NAME/questions.yaml).
EXAMPLES = REPO_ROOT / "examples"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``faq`` and ``answers`` command groups."""
    faq = subparsers.add_parser("faq", help="what the FAQ could not answer")
    faq_sub = faq.add_subparsers(dest="faq_command", metavar="SUBCOMMAND", required=True)
    gaps = faq_sub.add_parser(
        "gaps",
        help="unanswered and unhelpful questions, and suggestions picked, with counts, newest first",
        description="List questions users asked that the FAQ did not answer, or whose answer they found unhelpful, "
        "and the suggested questions they picked (question -> entry).",
    )
    gaps.add_argument("--tenant", default=None, help="only this tenant id")
    gaps.add_argument("--limit", type=int, default=50)
    gaps.add_argument("--database-url", default=None, help="default: DATABASE_URL / the app's settings")
    gaps.set_defaults(func=faq_gaps)
    learn = faq_sub.add_parser(
        "learn",
        help="phrasings people picked from suggestions, as alternates to paste into the plan",
        description="Per FAQ entry, the phrasings people used to reach it through a suggestion that the plan's FAQ "
        "does not yet answer with it, as a YAML fragment of alternates (a phrasing in another language under the "
        "entry's translations). Picks whose answer was then voted not helpful are left out.",
    )
    _plan_args(learn)
    learn.add_argument("--customer", default=None, metavar="NAME", help="an example customer's plan: examples/NAME/")
    learn.add_argument("--min-count", type=int, default=1, help="only phrasings picked at least this often")
    learn.add_argument("--tenant", default=None, help="only this tenant id")
    learn.add_argument("--database-url", default=None, help="default: DATABASE_URL / the app's settings")
    learn.set_defaults(func=faq_learn)

    answers = subparsers.add_parser("answers", help="the question-answering engine")
    answers_sub = answers.add_subparsers(dest="answers_command", metavar="SUBCOMMAND", required=True)
    ev = answers_sub.add_parser(
        "eval",
        help="accuracy per kind on the labelled questions, and the confusions",
        description="Answer every labelled question and print accuracy per kind (train, held-out) and confusions. "
        "By default the plan's (--plan, SWITCHOVER_PLAN) questions; --customer NAME or --all for the example "
        "customers in examples/.",
    )
    _plan_args(ev)
    ev.add_argument("--questions", type=Path, default=None, help="default: questions.yaml next to the plan")
    which = ev.add_mutually_exclusive_group()
    which.add_argument(
        "--customer",
        default=None,
        metavar="NAME",
        help="an example customer: examples/NAME/plan.yaml, roster.csv and questions.yaml",
    )
    which.add_argument("--all", action="store_true", help="every example customer, and all of them together")
    ev.add_argument(
        "--examples", type=Path, default=EXAMPLES, help="where the example customers are (default: %(default)s)"
    )
    ev.add_argument("--wrong", action="store_true", help="list every miss")
    ev.add_argument(
        "--calibrate",
        action="store_true",
        help="grid-search FAQ thresholds on the train split and every tuning*.yaml beside the questions",
    )
    ev.add_argument(
        "--tuning",
        action="store_true",
        help="also answer every tuning*.yaml beside the questions and report it apart (tuning, not accuracy)",
    )
    ev.add_argument(
        "--blind",
        action="store_true",
        help="also answer every blind*.yaml beside the questions (sets nobody tuning has read) and report "
        "their accuracy per kind only: never their misses, so they stay blind",
    )
    ev.set_defaults(func=answers_eval)

    ask = answers_sub.add_parser("ask", help="answer one question as someone, and show what the engine made of it")
    _plan_args(ask)
    ask.add_argument("question")
    ask.add_argument("--as", dest="asker", default=None, help="UPN or Entra object id of the asker")
    ask.add_argument("--tz", default=None, help="the asker's IANA time zone (as Teams sends localTimezone)")
    ask.add_argument("--now", default=None, help="ISO datetime to answer at (default: now)")
    ask.add_argument("--customer", default=None, metavar="NAME", help="an example customer's plan: examples/NAME/")
    ask.set_defaults(func=answers_ask)


def _plan_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", type=Path, default=None, help="default: SWITCHOVER_PLAN")
    parser.add_argument("--roster", type=Path, default=None, help="default: roster.csv next to the plan")


class CustomerError(LookupError):
    """No such example customer, or one without labelled questions."""


def customer_files(name: str, examples: Path = EXAMPLES) -> tuple[Path, Path, Path]:
    """The plan, roster and labelled questions of the example customer ``name``.

    Raises:
        CustomerError: no ``examples/NAME/plan.yaml``, or no labelled questions for it.
    """
    folder = examples / name
    plan = folder / "plan.yaml"
    if not plan.is_file():
        known = ", ".join(customers(examples)) or "none"
        raise CustomerError(f"no example customer {name!r} (no {plan}); known: {known}")
    questions = folder / "questions.yaml"
    if not questions.is_file():
        raise CustomerError(f"example customer {name!r} has no labelled questions ({folder / 'questions.yaml'})")
    return plan, folder / "roster.csv", questions


def language_files(questions: Path) -> list[tuple[str, Path]]:
    """The labelled sets in other languages next to ``questions``: ``questions.es.yaml`` as ("es", path)."""
    found = []
    for path in questions.parent.glob(f"{questions.stem}.*{questions.suffix}"):
        lang = path.name[len(questions.stem) + 1 : -len(questions.suffix)]
        if lang.isalpha() and 2 <= len(lang) <= 3:
            found.append((lang.lower(), path))
    return sorted(found)


def blind_files(questions: Path) -> list[tuple[str, Path]]:
    """The blind sets next to ``questions``: ``blind.yaml`` as ("en", path), ``blind.es.yaml`` as ("es", path).

    A blind set is written from the plan and roster alone by someone who saw neither the engine nor any
    other set, and is only ever answered for its totals: no tuning reads it, and the report never lists
    its misses (docs/answers.md, "Blind sets")."""
    found = []
    for path in questions.parent.glob(f"blind*{questions.suffix}"):
        middle = path.name[len("blind") : -len(questions.suffix)]
        lang = middle[1:] if middle.startswith(".") else ("en" if not middle else "")
        if lang.isalpha() and 2 <= len(lang) <= 3:
            found.append((lang.lower(), path))
    return sorted(found)


def tuning_files(questions: Path) -> list[Path]:
    """The tuning sets next to ``questions`` (``tuning.yaml``, ``tuning.es.yaml``): labelled questions that are
    all for tuning, never reported as accuracy."""
    return sorted(questions.parent.glob(f"tuning*{questions.suffix}"))


def customers(examples: Path = EXAMPLES) -> list[str]:
    """The example customers (folders with a plan.yaml), by name."""
    return sorted(p.parent.name for p in examples.glob("*/plan.yaml"))


def _load(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from switchover.directory.roster import RosterDirectory
    from switchover.plan.loader import load_plan

    plan_path, roster_path = _paths(args)
    return load_plan(plan_path), RosterDirectory.from_csv(roster_path)


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    from switchover.settings import Settings

    customer = getattr(args, "customer", None)
    if customer and not args.plan:
        return EXAMPLES / customer / "plan.yaml", args.roster or EXAMPLES / customer / "roster.csv"
    plan_path = args.plan or Settings().plan_path  # type: ignore[call-arg]
    if plan_path is None:
        raise SystemExit("error: no plan: give --plan or --customer NAME, or set SWITCHOVER_PLAN")
    return plan_path, args.roster or plan_path.parent / "roster.csv"


def _database(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from switchover.settings import Settings, async_database_url
    from switchover.storage import Database

    url = async_database_url(args.database_url) if args.database_url else Settings().async_database_url  # type: ignore[call-arg]
    return Database(url)


async def faq_gaps(args: argparse.Namespace) -> int:
    """Print the gaps table, the votes per entry and the suggestions picked."""
    from switchover.answers.store import AnswerStore

    db = _database(args)
    try:
        await db.migrate()
        store = AnswerStore(db)
        gaps = await store.gaps(tenant_id=args.tenant, limit=args.limit)
        tallies = await store.tallies(tenant_id=args.tenant)
        picks = await store.picks(tenant_id=args.tenant, limit=args.limit)
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
    if picks:
        print()
        print("Picked from suggestions (question -> entry), by entry, newest first:")
        print(f"{'count':>5}  {'last picked (UTC)':<17}  {'lang':<4}  question -> entry")
        key = None
        for pick in picks:
            if pick.faq_key != key:
                key = pick.faq_key
                print(f"  {key}")
            question = " ".join(pick.question.split())
            print(f"{pick.count:>5}  {pick.last_picked:%Y-%m-%d %H:%M}   {pick.language:<4}  {question[:100]} -> {key}")
        print("(`switchover faq learn` offers these phrasings as alternates for the plan.)")
    return 0


async def faq_learn(args: argparse.Namespace) -> int:
    """Print, per FAQ entry, the picked phrasings the engine does not answer with it, as YAML alternates."""
    from switchover.answers.engine import AnswerEngine
    from switchover.answers.learn import as_yaml, faq_lines, learn
    from switchover.answers.store import AnswerStore
    from switchover.clock import SystemClock
    from switchover.directory.roster import RosterDirectory
    from switchover.plan.loader import load_plan

    if args.min_count < 1:
        print("--min-count is at least 1", file=sys.stderr)
        return 2
    plan_path, roster_path = _paths(args)
    plan = load_plan(plan_path)
    # The roster gives the engine the plan's groups, as the app reads questions; without one, the plan alone.
    roster = RosterDirectory.from_csv(roster_path) if roster_path.is_file() else RosterDirectory([])
    db = _database(args)
    try:
        await db.migrate()
        picks = await AnswerStore(db).picks(tenant_id=args.tenant, limit=None, min_count=args.min_count, unvoted=True)
    finally:
        await db.dispose()
    engine = AnswerEngine(plan, roster, SystemClock())
    learned = await learn(engine, picks, faq_lines(plan_path.read_text(encoding="utf-8-sig"), str(plan_path)))
    if learned.offers:
        print(as_yaml(learned, plan_path.name), end="")
    else:
        print(f"# Nothing to add: no picked phrasing (picked at least {args.min_count}x) the FAQ does not answer.")
    if learned.answered or learned.listed:
        print(
            f"# Left out: {learned.answered} phrasing(s) the FAQ now answers with the entry picked, "
            f"{learned.listed} already among the entry's phrasings."
        )
    for key in learned.gone:
        print(f"# Entry {key!r} was picked but is no longer in {plan_path.name}.")
    return 0


async def answers_eval(args: argparse.Namespace) -> int:
    """Print accuracy per kind and the confusions: for one plan, one example customer, or all of them."""
    from switchover.answers.evaluate import QuestionsError, Report, cell, summary

    if args.customer or args.all:
        if args.plan or args.roster or (args.questions and not args.customer):
            print(
                "--customer and --all take the plan and roster from examples/ (--customer NAME --questions PATH: "
                "another labelled set of that customer)",
                file=sys.stderr,
            )
            return 2
        runs = []
        for name in [args.customer] if args.customer else customers(args.examples):
            try:
                plan_path, roster_path, questions_path = customer_files(name, args.examples)
                runs.append((name, plan_path, roster_path, args.questions or questions_path))
            except CustomerError as exc:
                print(f"{'error' if args.customer else 'skipped'}: {exc}", file=sys.stderr)
                if args.customer:
                    return 2
        if not runs:
            print(f"error: no example customers in {args.examples}", file=sys.stderr)
            return 2
    else:
        plan_path, roster_path = _paths(args)
        runs = [(None, plan_path, roster_path, args.questions or plan_path.parent / "questions.yaml")]
    reports: dict[str, Report] = {}
    by_language: dict[str, dict[str, Report]] = {}  # language -> run -> report (the plan's own set: "en")
    ranked: dict[str, Any] = {}
    for name, plan_path, roster_path, questions_path in runs:
        # The same questions in other languages live next to them (questions.es.yaml), unless a set was named.
        sets = [("en", questions_path)]
        if args.questions is None:
            sets += language_files(questions_path)
        for lang, path in sets:
            if reports:
                print()
            label = name or str(plan_path)
            try:
                report = await _eval_one(
                    f"{name} [{lang}]" if name and lang != "en" else name,
                    plan_path,
                    roster_path,
                    path,
                    args,
                    ranked if lang == "en" else None,
                )
            except QuestionsError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            if lang == "en":
                reports[label] = report
            by_language.setdefault(lang, {})[label] = report
    if args.all:
        print()
        print("all customers together, per kind:")
        print("\n".join(Report([o for r in reports.values() for o in r.outcomes]).table()))
        print()
        print("per customer:")
        print(summary(reports))
    if len(by_language) > 1:
        print()
        print("per language (every customer's set in that language):")
        print(f"{'language':<18}{'all':>16}{'train':>16}{'held-out':>16}")
        for lang, runs_ in by_language.items():
            pooled = Report([o for r in runs_.values() for o in r.outcomes])
            print(
                f"{lang:<18}" + "".join(f"{cell(*pooled.accuracy(split=s)):>16}" for s in (None, "train", "held-out"))
            )
    if args.blind and args.questions is None:
        blind: dict[str, dict[str, Report]] = {}  # customer -> language -> report
        for name, plan_path, roster_path, questions_path in runs:
            label = name or str(plan_path)
            for lang, path in blind_files(questions_path):
                blind.setdefault(label, {})[lang] = await _blind_one(label, lang, plan_path, roster_path, path)
        if blind:
            print()
            print("BLIND sets, per customer and language (accuracy; misses never listed):")
            print(f"{'customer':<18}{'language':<10}{'questions':>10}{'right':>16}")
            for label, sets in blind.items():
                for lang, report in sets.items():
                    right, total = report.accuracy()
                    print(f"{label:<18}{lang:<10}{total:>10}{cell(right, total):>16}")
    tuning: dict[str, Any] = {}  # customer -> its tuning sets' rankings (the best match is chosen on these alone)
    if (args.tuning or args.calibrate) and args.questions is None:
        for name, plan_path, roster_path, questions_path in runs:
            label = name or str(plan_path)
            for path in tuning_files(questions_path):
                rows = await _tuning_one(label, plan_path, roster_path, path, show=args.tuning, wrong=args.wrong)
                if args.calibrate:
                    ranked.setdefault(label, []).extend(rows)
                    tuning.setdefault(label, []).extend(rows)
    if args.calibrate and len(ranked) > 1:
        from switchover.answers.evaluate import calibrate_across

        across = calibrate_across(ranked)
        pooled = across["pooled"]
        print()
        print(
            f"best FAQ thresholds on every customer's train and tuning questions together: {pooled['thresholds']} "
            f"(accuracy {pooled['accuracy']:.3f}, {pooled['wrong']} confidently wrong of {pooled['questions']})"
        )
        print(
            "each customer left out (train + tuning FAQ and out-of-scope questions), with the thresholds "
            "the others choose, and with the shipped ones:"
        )
        for name, row in across["left_out"].items():
            print(
                f"  {name}: {row['right']}/{row['questions']} right, {row['wrong']} confidently wrong "
                f"({row['thresholds']}); shipped: {row['shipped_right']} right, {row['shipped_wrong']} wrong"
            )
        from switchover.answers.evaluate import calibrate_decision

        model = calibrate_decision(ranked)
        print()
        print(
            f"decision model on every customer's train and tuning questions together ({model['questions']}): "
            f"answers at chance >= {model['chance']:.2f}; right / confidently wrong: rules alone "
            f"{model['rules'][0]} / {model['rules'][1]}, with the model {model['model'][0]} / {model['model'][1]}"
        )
        print(f"DECISION_WEIGHTS = {model['weights']!r}")
        print("each customer left out (the model fitted and thresholded on the others), right / confidently wrong:")
        for name, row in model["left_out"].items():
            print(
                f"  {name} ({row['questions']}): rules alone {row['rules'][0]} / {row['rules'][1]}, "
                f"model at {row['chance']:.2f} {row['model'][0]} / {row['model'][1]}, "
                f"shipped {row['shipped'][0]} / {row['shipped'][1]}"
            )
    if args.calibrate and len(tuning) > 1:
        _print_best_match(tuning)
    return 0


def _print_best_match(tuning: dict[str, Any]) -> None:
    """The best-match threshold and lead chosen on the tuning sets alone, and each customer left out."""
    from switchover.answers.evaluate import calibrate_best_match
    from switchover.answers.faq import FaqThresholds

    chosen = calibrate_best_match(tuning)
    pooled, shipped = chosen["pooled"], FaqThresholds()
    print()
    print(
        f"best match on every customer's tuning sets together ({pooled['questions']} FAQ and out-of-scope "
        f"questions): chance >= {pooled['best_match']:.2f}, lead >= {pooled['lead']}; right / stated wrong: "
        f"without best matches {pooled['without'][0]} / {pooled['without'][1]}, "
        f"with {pooled['right']} / {pooled['wrong']} (shipped: {shipped.best_match:.2f}, {shipped.best_match_lead})"
    )
    print("each customer left out (chosen on the other customers' tuning sets), right / stated wrong:")
    for name, row in chosen["left_out"].items():
        print(
            f"  {name} ({row['questions']}): chance >= {row['best_match']:.2f}, lead >= {row['lead']}: "
            f"{row['chosen'][0]} / {row['chosen'][1]}; without best matches {row['without'][0]} / "
            f"{row['without'][1]}; shipped {row['shipped'][0]} / {row['shipped'][1]}"
        )


async def _tuning_one(
    label: str, plan_path: Path, roster_path: Path, path: Path, *, show: bool, wrong: bool
) -> list[Any]:
    """Answer one tuning set (and print its figures, labelled as tuning, when ``show``); its FAQ and
    out-of-scope questions ranked for calibration."""
    from switchover.answers.evaluate import evaluate, load_questions, rank_train, roster_domain
    from switchover.directory.roster import RosterDirectory
    from switchover.plan.loader import load_plan

    plan, roster = load_plan(plan_path), RosterDirectory.from_csv(roster_path)
    questions = load_questions(path, domain=roster_domain(roster.users))
    if show:
        report = await evaluate(plan, roster, questions)
        print()
        print(f"{label}: TUNING SET, not accuracy: {len(questions)} questions ({path})")
        print(report.format(show_wrong=wrong, splits=(None,)))
    return await rank_train(plan, roster, questions, every=True)


async def _blind_one(label: str, lang: str, plan_path: Path, roster_path: Path, path: Path):  # type: ignore[no-untyped-def]
    """Answer one blind set and print its accuracy per kind, and nothing that names a question or an entry."""
    from switchover.answers.evaluate import evaluate, load_questions, roster_domain
    from switchover.directory.roster import RosterDirectory
    from switchover.plan.loader import load_plan

    plan, roster = load_plan(plan_path), RosterDirectory.from_csv(roster_path)
    questions = load_questions(path, domain=roster_domain(roster.users))
    report = await evaluate(plan, roster, questions)
    print()
    print(f"{label} [{lang}]: BLIND set, {len(questions)} questions ({path})")
    print("\n".join(report.table(splits=(None,))))
    return report


async def _eval_one(
    name: str | None,
    plan_path: Path,
    roster_path: Path,
    questions_path: Path,
    args: argparse.Namespace,
    ranked: dict[str, Any] | None = None,
):  # type: ignore[no-untyped-def]
    from switchover.answers.evaluate import calibrate_rankings, evaluate, load_questions, rank_train, roster_domain
    from switchover.directory.roster import RosterDirectory
    from switchover.plan.loader import load_plan

    plan, roster = load_plan(plan_path), RosterDirectory.from_csv(roster_path)
    questions = load_questions(questions_path, domain=roster_domain(roster.users))
    report = await evaluate(plan, roster, questions)
    heading = f"{name}: {plan.organisation.name}, " if name else ""
    print(f"{heading}{len(questions)} labelled questions ({questions_path})")
    print(report.format(show_wrong=args.wrong))
    times = sorted(o.seconds for o in report.outcomes)
    if times:
        median = times[len(times) // 2] * 1000
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
        print(f"answer time in process: median {median:.2f} ms, p99 {p99:.2f} ms")
    if args.calibrate:
        rows = await rank_train(plan, roster, questions)
        if ranked is not None:
            ranked[name or str(plan_path)] = rows
        best = calibrate_rankings(rows)
        print(
            f"best FAQ thresholds on train: {best['thresholds']} "
            f"(accuracy {best['accuracy']:.3f}, {best['wrong']} confidently wrong)"
        )
    return report


async def answers_ask(args: argparse.Namespace) -> int:
    """Answer one question and show the reading and the answer."""
    from switchover.answers.engine import AnswerEngine
    from switchover.answers.model import Who
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
    if answer.kind.value == "best_match" and answer.faq is not None:
        print(f"  best match: {answer.faq.question}")
    for entry in answer.suggestions:
        print(f"  {'or else' if answer.kind.value == 'best_match' else 'did you mean'}: {entry.question}")
    return 0
