# ruff: noqa: E402  (a study script: sys.path and monkeypatches before imports, one-off lambdas)
"""Run `answers eval --all` (and pooled train calibration) with the FAQ's meaning signal from another model's
vectors, precomputed per word sequence (record mode: write the sequences the FAQ embeds)."""

import os

STUDY = os.environ.get("FAQ_STUDY", "/tmp/faqstudy")  # scratch folder: exports, vectors, models
import json
import sys

import numpy as np

import switchover.answers.faq as faq
from switchover.embedding import shipped_embedder

mode = sys.argv[1]
real = shipped_embedder()


class Recorder:
    def __init__(self):
        self.seen = set()

    def vector(self, words):
        self.seen.add(" ".join(words))
        return real.vector(words)

    def vectors(self, sents):
        return np.stack([self.vector(s) for s in sents])


class Lookup:
    def __init__(self, table):
        self.t = table
        self.dim = len(next(iter(table.values())))

    def vector(self, words):
        return self.t[" ".join(words)]

    def vectors(self, sents):
        return np.stack([self.vector(s) for s in sents])


if mode == "record":
    emb = Recorder()
else:
    data = np.load(sys.argv[2])
    keys = json.load(open(STUDY + "/seen.json"))
    emb = Lookup({k: data[i].astype(np.float32) for i, k in enumerate(keys)})
faq.shipped_embedder = lambda: emb
import os

if os.environ.get("WEIGHTS"):
    faq.FaqIndex.__init__.__kwdefaults__["weights"] = tuple(map(float, os.environ["WEIGHTS"].split(",")))
if os.environ.get("THRESH"):
    a, c, m, *g = map(float, os.environ["THRESH"].split(","))
    _Real = faq.FaqThresholds
    faq.FaqThresholds = lambda: _Real(answer=a, coverage=c, meaning=m, margin=g[0] if g else 0.005)

from switchover.cli import main as entry

entry(["answers", "eval", "--all", *sys.argv[3:]])
if mode == "record":
    json.dump(sorted(emb.seen), open(STUDY + "/seen.json", "w"))
    print("recorded", len(emb.seen))
