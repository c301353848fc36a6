# ruff: noqa: B007, E402  (a study script: sys.path and monkeypatches before imports, one-off lambdas)
"""Meaning-only decision ceiling: answer when the top entry's cosine >= T and leads the next entry by >= L."""

import os

STUDY = os.environ.get("FAQ_STUDY", "/tmp/faqstudy")  # scratch folder: exports, vectors, models
import json

import numpy as np

d = json.load(open(STUDY + "/export.json"))
seen = json.load(open(STUDY + "/seen.json"))


def run(vecs, label):
    V = {k: vecs[i] / (np.linalg.norm(vecs[i]) or 1) for i, k in enumerate(seen)}
    rows = {"train": [], "held-out": []}
    for name, c in d.items():
        P, owner = [], []
        for i, e in enumerate(c["entries"]):
            for t in e["tokens"]:
                P.append(V[" ".join(t)])
                owner.append(i)
        P = np.array(P)
        owner = np.array(owner)
        keys = [e["key"] for e in c["entries"]]
        for q in c["questions"]:
            if not q["intent_faq"]:
                continue
            k = " ".join(q["tokens"])
            if k not in V:
                continue
            cos = P @ V[k]
            best = np.full(len(keys), -9.0)
            np.maximum.at(best, owner, cos)
            o = np.argsort(-best)
            rows[q["split"]].append((name, q["kind"], q["faq"], keys[o[0]], best[o[0]], best[o[0]] - best[o[1]]))

    def score(rs, T, L):
        right = wrong = 0
        for n, kind, label_, top, s, lead in rs:
            ans = s >= T and lead >= L
            ok = (ans and top == label_) if kind == "faq" else not ans
            right += ok
            wrong += ans and not ok
        return right, wrong

    best = max(
        (
            (score(rows["train"], T, L), T, L)
            for T in np.arange(0.3, 0.95, 0.01)
            for L in (0, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2)
        ),
        key=lambda x: (x[0][0] - 2 * x[0][1], x[1]),
    )
    (r, w), T, L = best
    print(f"{label}: best on pooled train T={T:.2f} L={L}: train {r}/{len(rows['train'])} right, {w} confidently wrong")
    for name in d:
        for sp in ("train", "held-out"):
            rs = [x for x in rows[sp] if x[0] == name]
            r2, w2 = score(rs, T, L)
            print(f"   {name} {sp}: {r2}/{len(rs)} right, {w2} wrong")


run(np.load(STUDY + "/vec_minilm.npy"), "MiniLM meaning only")
from switchover.embedding import shipped_embedder

e = shipped_embedder()
run(np.stack([e.vector(s.split()) for s in seen]), "WordLlama meaning only")
