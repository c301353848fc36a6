# confident-wrong FAQ answers per customer/split from an eval --all --wrong output
import re
import sys

cust = None
out = {}
for line in open(sys.argv[1]):
    m = re.match(r"^(\w+): .* labelled questions", line)
    if m:
        cust = m.group(1)
    m = re.match(r"^  \[(train|held-out)\] '(.*)' \((.*)\) -> faq:(\S+)", line)
    if m and cust:
        out.setdefault((cust, m.group(1)), []).append(m.group(4))
for k, v in sorted(out.items()):
    print("confident FAQ answer that is wrong:", k, len(v), v)
