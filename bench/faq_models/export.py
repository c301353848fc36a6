# ruff: noqa: ASYNC230  (a study script: sys.path and monkeypatches before imports, one-off lambdas)
"""Export each customer's FAQ phrasings and labelled FAQ / out-of-scope questions (with the engine's tokens)."""

import asyncio
import json
import sys

from switchover.answers.cli import customer_files, customers
from switchover.answers.engine import AnswerEngine
from switchover.answers.evaluate import load_questions, roster_domain
from switchover.answers.understanding import Intent
from switchover.clock import ManualClock
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan


async def main():
    out = {}
    for name in customers():
        p, r, qp = customer_files(name)
        plan, roster = load_plan(p), RosterDirectory.from_csv(r)
        qs = load_questions(qp, domain=roster_domain(roster.users))
        eng = AnswerEngine(plan, roster, ManualClock(qs[0].now))
        await eng.prepare()
        u = eng.understander
        entries = []
        for e in plan.faq:
            ph = [e.question, *e.alternates]
            entries.append({"key": e.key, "phrasings": ph, "tokens": [u.tokens(x) for x in ph]})
        rows = []
        for q in qs:
            if q.kind not in ("faq", "out_of_scope"):
                continue
            und = u.read(q.text, today=q.now.date())
            rank = eng.faq.rank(und.tokens)
            rows.append(
                {
                    "text": q.text,
                    "split": q.split,
                    "kind": q.kind,
                    "faq": q.faq,
                    "tokens": list(und.tokens),
                    "intent_faq": und.intent is Intent.FAQ,
                    "engine_rank": [m.entry.key for m in rank[:3]],
                }
            )
        out[name] = {"entries": entries, "questions": rows}
    json.dump(out, open(sys.argv[1], "w"), indent=1)


asyncio.run(main())
