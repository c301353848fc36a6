# ruff: noqa: B905, E402  (a study script: sys.path and monkeypatches before imports, one-off lambdas)
"""Top-1 / top-3 retrieval of each FAQ-labelled question over its customer's FAQ (max cosine over an entry's
question + alternates), per customer and split, for any encoder."""

import os

STUDY = os.environ.get("FAQ_STUDY", "/tmp/faqstudy")  # scratch folder: exports, vectors, models
import json
import time

import numpy as np


def load(path=STUDY + "/export.json"):
    return json.load(open(path))


def _unit(m):
    m = np.asarray(m, dtype=np.float32)
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1
    return m / n


def study(data, encode, *, use_tokens, label):
    """encode: list[str] -> (n, d) array. Returns {customer: {split: (top1, top3, n)}} and latency."""
    res = {}
    lat = []
    for name, c in data.items():
        texts, owner = [], []
        for i, e in enumerate(c["entries"]):
            for raw, tok in zip(e["phrasings"], e["tokens"]):
                texts.append(" ".join(tok) if use_tokens else raw)
                owner.append(i)
        owner = np.array(owner)
        P = _unit(encode(texts))
        keys = [e["key"] for e in c["entries"]]
        per = {}
        for q in c["questions"]:
            if q["kind"] != "faq":
                continue
            t = " ".join(q["tokens"]) if use_tokens else q["text"]
            s = time.perf_counter()
            v = _unit(encode([t]))[0]
            lat.append(time.perf_counter() - s)
            cos = P @ v
            best = np.full(len(keys), -9.0)
            np.maximum.at(best, owner, cos)
            order = [keys[i] for i in np.argsort(-best)]
            r = per.setdefault(q["split"], [0, 0, 0])
            r[0] += order[0] == q["faq"]
            r[1] += q["faq"] in order[:3]
            r[2] += 1
        res[name] = per
    lat.sort()
    return {
        "label": label,
        "res": res,
        "lat_median_ms": 1000 * lat[len(lat) // 2],
        "lat_p99_ms": 1000 * lat[int(len(lat) * 0.99)],
    }


def fmt(r):
    out = [
        f"## {r['label']}  (encode latency per query: median {r['lat_median_ms']:.3f} ms, p99 {r['lat_p99_ms']:.3f} ms)"
    ]
    pooled = {"train": [0, 0, 0], "held-out": [0, 0, 0]}
    for name, per in r["res"].items():
        cells = []
        for sp in ("train", "held-out"):
            a = per.get(sp, [0, 0, 0])
            for k in range(3):
                pooled[sp][k] += a[k]
            cells.append(f"{sp} top1 {a[0]}/{a[2]} {100 * a[0] / a[2]:.1f} top3 {a[1]}/{a[2]} {100 * a[1] / a[2]:.1f}")
        out.append(f"  {name:<10} " + " | ".join(cells))
    out.append(
        "  pooled     "
        + " | ".join(
            f"{sp} top1 {a[0]}/{a[2]} {100 * a[0] / a[2]:.1f} top3 {a[1]}/{a[2]} {100 * a[1] / a[2]:.1f}"
            for sp, a in pooled.items()
        )
    )
    return "\n".join(out)
