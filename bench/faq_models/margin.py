# ruff: noqa: UP031  (a study script: sys.path and monkeypatches before imports, one-off lambdas)
"""Step 3: on top of the shipped decision, also answer when the ranking's top entry is the top of both the
lexical (coverage) and the meaning rankings, leads the runner-up by >= L, and its meaning is >= M.
Grid on pooled train; held-out reported once for the best."""

import json
import sys

d = json.load(open(sys.argv[1]))


def f(q):
    n = len(q["keys"])
    mi = max(range(n), key=lambda i: q["meaning"][i])
    ci = max(range(n), key=lambda i: q["coverage"][i])
    return mi == 0 and ci == 0, q["score"][0] - q["score"][1], q["meaning"][0], q["coverage"][0], q["score"][0]


def outcome(q, L, M, C, S):
    agree, lead, mean, cov, s = f(q)
    ans = q["verdict"] == "answer"
    top = q["best"]
    if not ans and agree and lead >= L and mean >= M and cov >= C and s >= S:
        ans = True
        top = q["keys"][0]
    ok = (ans and top == q["faq"]) if q["kind"] == "faq" else not ans
    return ok, ans and not ok


def total(qs, *p):
    r = w = 0
    for q in qs:
        ok, bad = outcome(q, *p)
        r += ok
        w += bad
    return r, w


train = [q for q in d if q["split"] == "train"]
base = total(train, 9, 9, 9, 9)
grid = [
    (L, M, C, S)
    for L in (0.1, 0.15, 0.2, 0.25, 0.3)
    for M in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
    for C in (0.2, 0.25, 0.3)
    for S in (0.3, 0.35, 0.4, 0.45)
]
best = max(grid, key=lambda p: (lambda rw: (rw[0] - 2 * rw[1], p[1], p[0], p[2], p[3]))(total(train, *p)))
print(sys.argv[1], "shipped decision on pooled train:", base, "(right, confidently wrong)")
print("best agreement rule on pooled train: L=%s M=%s C=%s S=%s" % best, total(train, *best))
for name in ("fabrikam", "trey", "wideworld"):
    for sp in ("train", "held-out"):
        qs = [q for q in d if q["customer"] == name and q["split"] == sp]
        print(f"  {name} {sp}: shipped {total(qs, 9, 9, 9, 9)} -> with rule {total(qs, *best)}")
