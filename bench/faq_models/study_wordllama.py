# ruff: noqa: E402, E731  (a study script: sys.path and monkeypatches before imports, one-off lambdas)
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
from common import fmt, load, study

from switchover.embedding import shipped_embedder

emb = shipped_embedder()
d = load()
enc_tok = lambda texts: np.stack([emb.vector(t.split()) for t in texts])
r = study(d, enc_tok, use_tokens=True, label="WordLlama l2_supercat (engine tokens)")
print(fmt(r))
import re

enc_raw = lambda texts: np.stack([emb.vector(re.findall(r"[a-z0-9']+", t.lower())) for t in texts])
print(fmt(study(d, enc_raw, use_tokens=False, label="WordLlama l2_supercat (raw text, lower-cased words)")))
# engine full ranking (coverage + rapidfuzz + meaning), on FAQ-labelled questions
pooled = {}
for name, c in d.items():
    per = {}
    for q in c["questions"]:
        if q["kind"] != "faq":
            continue
        a = per.setdefault(q["split"], [0, 0, 0])
        a[0] += q["engine_rank"][:1] == [q["faq"]]
        a[1] += q["faq"] in q["engine_rank"]
        a[2] += 1
    pooled[name] = per
print(
    fmt(
        {
            "label": "engine full ranking (0.6 coverage + 0.2 rapidfuzz + 0.2 WordLlama)",
            "res": pooled,
            "lat_median_ms": 0,
            "lat_p99_ms": 0,
        }
    )
)
