# ruff: noqa: ASYNC230, E402  (a study script: sys.path and monkeypatches before imports, one-off lambdas)
"""Per FAQ/out-of-scope question read as FAQ: every entry's score, coverage, meaning, and the shipped verdict."""

import os

STUDY = os.environ.get("FAQ_STUDY", "/tmp/faqstudy")  # scratch folder: exports, vectors, models
import asyncio
import json
import sys

import numpy as np

import switchover.answers.faq as faq
from switchover.answers.cli import customer_files, customers
from switchover.answers.engine import AnswerEngine
from switchover.answers.evaluate import load_questions, roster_domain
from switchover.answers.understanding import Intent
from switchover.clock import ManualClock
from switchover.directory.roster import RosterDirectory
from switchover.plan.loader import load_plan

if len(sys.argv) > 2:
    data = np.load(sys.argv[2])
    keys = json.load(open(STUDY + "/seen.json"))
    table = {k: data[i].astype(np.float32) for i, k in enumerate(keys)}

    class Lookup:
        def vector(self, words):
            return table[" ".join(words)]

        def vectors(self, sents):
            return np.stack([self.vector(s) for s in sents])

    faq.shipped_embedder = lambda: Lookup()


async def main():
    out = []
    for name in customers():
        p, r, qp = customer_files(name)
        plan, roster = load_plan(p), RosterDirectory.from_csv(r)
        qs = load_questions(qp, domain=roster_domain(roster.users))
        eng = AnswerEngine(plan, roster, ManualClock(qs[0].now))
        await eng.prepare()
        for q in qs:
            if q.kind not in ("faq", "out_of_scope"):
                continue
            und = eng.understander.read(q.text, today=q.now.date())
            if und.intent is not Intent.FAQ:
                continue
            rank = eng.faq.rank(und.tokens)
            res = eng.faq.search(und.tokens)
            out.append(
                {
                    "customer": name,
                    "text": q.text,
                    "split": q.split,
                    "kind": q.kind,
                    "faq": q.faq,
                    "verdict": res.verdict.value,
                    "best": res.best.entry.key if res.best else None,
                    "keys": [m.entry.key for m in rank],
                    "score": [m.score for m in rank],
                    "coverage": [m.coverage for m in rank],
                    "meaning": [m.meaning for m in rank],
                    "words": rank[0].words if rank else 0,
                }
            )
    json.dump(out, open(sys.argv[1], "w"))


asyncio.run(main())
