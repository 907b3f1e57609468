"""Occupation transitions: ranked related occupations with a score and an explanation.

O*NET's curated Related Occupations list is not available, so relatedness is derived from several signals,
each an (n_occ x n_occ) similarity matrix computed once with numpy:

- ``skill``: cosine of O*NET skill+knowledge importance vectors, centred per element (mean removed) so the
  shared baseline everyone rates (Reading Comprehension...) does not make all occupations alike;
- ``skill_raw``: the plain cosine of the same vectors (the baseline);
- ``tech`` / ``tool``: IDF-weighted cosine of O*NET technology / tool example sets;
- ``dwa``: IDF-weighted cosine of detailed work activity (DWA) sets linked through tasks;
- ``esco``: IDF-weighted cosine of ESCO skills reached through the ESCO->O*NET crosswalk;
- ``text``: TF-IDF cosine of title + description + task statements;
- ``title``: TF-IDF cosine of title + alternate titles (light-stemmed word n-grams);
- same SOC broad / minor group bonuses, job-zone distance and wage-ratio penalties, and a penalty on
  residual "All Other" targets (they carry no data of their own).

The weights (``DEFAULT_WEIGHTS``) were tuned on the train split of ``data/eval/transitions_gold.csv``
only (``benchmarks/eval_transitions.py --fit``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from careeros.planner.data import OccupationData

SIGNALS = ("skill", "skill_raw", "tech", "tool", "dwa", "esco", "text", "title")

#: tuned on the train split of data/eval/transitions_gold.csv (see benchmarks/eval_transitions.py)
DEFAULT_WEIGHTS: dict[str, float] = {
    "skill": 0.0, "skill_raw": 2.0, "tech": 0.6, "tool": 0.3, "dwa": 0.5, "esco": 0.6, "text": 1.5,
    "title": 0.6, "broad": 0.1, "minor": 0.0, "major": 0.0, "jz": 0.025, "wage": 0.05, "residual": 0.2,
}


def _l2rows(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return m / n


def _cos_dense(m: np.ndarray) -> np.ndarray:
    x = _l2rows(m)
    return (x @ x.T).astype(np.float32)


def _idf_cos(m: sp.csr_matrix, binary: bool = True) -> np.ndarray:
    m = m.copy().tocsr()
    if binary:
        m.data = np.ones_like(m.data)
    df = np.asarray((m > 0).sum(axis=0)).ravel()
    n = m.shape[0]
    idf = np.log((n + 1) / (df + 1)) + 1.0
    x = m @ sp.diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x = sp.diags(1.0 / norms) @ x
    return np.asarray((x @ x.T).todense(), dtype=np.float32)


_SUFFIX = re.compile(r"(ations?|ists?|ers?|ors?|ing|ies|es|s)$")


def _title_grams(text: str) -> list[str]:
    words = [_SUFFIX.sub("", w) if len(w) > 4 else w for w in re.findall(r"[a-z0-9+#]+", text.lower())]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def compute_signals(d: OccupationData) -> dict[str, np.ndarray]:
    """All similarity matrices (float32, n x n) for the bundle ``d``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    imp = d.importance.copy()
    rated = imp.sum(axis=1) > 0
    centred = imp - imp[rated].mean(axis=0, keepdims=True)
    centred[~rated] = 0.0
    out: dict[str, np.ndarray] = {
        "skill": _cos_dense(centred),
        "skill_raw": _cos_dense(imp),
        "tech": _idf_cos(d.tech),
        "tool": _idf_cos(d.tool),
        "dwa": _idf_cos(d.dwa),
        "esco": _idf_cos(d.esco, binary=False),
    }
    texts = [f"{t}. {desc} {tasks}" for t, desc, tasks in zip(d.title, d.description, d.tasks, strict=True)]
    tv = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, max_df=0.5, ngram_range=(1, 2))
    x = tv.fit_transform(texts)
    out["text"] = np.asarray((x @ x.T).todense(), dtype=np.float32)
    titles = [" ; ".join([t, *alts[:60]]) for t, alts in zip(d.title, d.alt_titles, strict=True)]
    tv2 = TfidfVectorizer(analyzer=_title_grams, sublinear_tf=True, min_df=2, max_df=0.3)
    y = tv2.fit_transform(titles)
    out["title"] = np.asarray((y @ y.T).todense(), dtype=np.float32)
    return out


def structural(d: OccupationData) -> dict[str, np.ndarray]:
    """Group-membership indicators and job-zone / wage distances (n x n)."""
    soc = np.array(d.soc)
    broad = np.array([s[:6] for s in soc])
    minor = np.array([s[:5] for s in soc])
    major = np.array([s[:2] for s in soc])
    jz = d.job_zone.copy()
    jz_fill = np.where(np.isnan(jz), np.nanmean(jz), jz)
    w = np.where(np.isnan(d.wage) | (d.wage <= 0), np.nanmedian(d.wage), d.wage)
    lw = np.log(w)
    residual = np.array([("All Other" in t) or s.endswith("99.00") and "All Other" in t for s, t in
                         zip(d.soc, d.title, strict=True)])
    return {
        "broad": (broad[:, None] == broad[None, :]).astype(np.float32),
        "minor": (minor[:, None] == minor[None, :]).astype(np.float32),
        "major": (major[:, None] == major[None, :]).astype(np.float32),
        "jz": np.abs(jz_fill[:, None] - jz_fill[None, :]).astype(np.float32),
        "wage": np.abs(lw[:, None] - lw[None, :]).astype(np.float32),
        "residual": np.broadcast_to(residual[None, :].astype(np.float32), (len(soc), len(soc))).copy(),
    }


def combine(signals: dict[str, np.ndarray], struct: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Weighted score matrix; the diagonal is set to -inf (an occupation is never related to itself)."""
    shape = next(iter(signals.values())).shape
    s = np.zeros(shape, dtype=np.float32)
    for k in SIGNALS:
        w = weights.get(k, 0.0)
        if w:
            s += np.float32(w) * signals[k]
    for k in ("broad", "minor", "major"):
        w = weights.get(k, 0.0)
        if w:
            s += np.float32(w) * struct[k]
    for k in ("jz", "wage", "residual"):
        w = weights.get(k, 0.0)
        if w:
            s -= np.float32(w) * struct[k]
    if shape[0] == shape[1]:
        np.fill_diagonal(s, -np.inf)
    return s


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best columns per row, best first."""
    k = min(k, scores.shape[1] - 1)
    part = np.argpartition(-scores, kth=k - 1, axis=1)[:, :k]
    order = np.take_along_axis(scores, part, axis=1)
    return np.take_along_axis(part, np.argsort(-order, axis=1, kind="stable"), axis=1)


@dataclass
class Related:
    """One related occupation with its score and an explanation."""

    soc_code: str
    title: str
    score: float
    explanation: dict[str, object]


class TransitionModel:
    """Precomputed related-occupation scores over all occupations of a bundle."""

    def __init__(self, data: OccupationData, weights: dict[str, float] | None = None,
                 signals: dict[str, np.ndarray] | None = None) -> None:
        """Compute (or reuse) the signal matrices and the combined score matrix."""
        self.data = data
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        self.signals = signals if signals is not None else compute_signals(data)
        self.struct = structural(data)
        self.scores = combine(self.signals, self.struct, self.weights)

    def related_indices(self, k: int) -> np.ndarray:
        """Top-k related occupation indices for every occupation (n x k)."""
        return top_k(self.scores, k)

    def explain(self, i: int, j: int, n_skills: int = 5) -> dict[str, object]:
        """Why j is related to i: shared/missing skills and technologies, wage ratio, job-zone step."""
        d = self.data
        imp_i, imp_j = d.importance[i], d.importance[j]
        important_j = imp_j >= 3.0
        shared = np.where(important_j & (imp_i >= 3.0))[0]
        shared = shared[np.argsort(-(imp_i[shared] + imp_j[shared]))][:n_skills]
        missing = np.where(important_j & (imp_i < 3.0))[0]
        missing = missing[np.argsort(-(imp_j[missing] - imp_i[missing]))][:n_skills]
        ti = set(d.tech[i].indices.tolist())
        tj = d.tech[j].indices.tolist()
        wj = dict(zip(d.tech[j].indices.tolist(), d.tech[j].data.tolist(), strict=True))
        # hot / in-demand technologies carry the larger edge weights: they are the telling ones
        shared_tech = [d.tech_ids[t] for t in sorted((t for t in tj if t in ti), key=lambda t: -wj[t])][:n_skills]
        missing_tech_ix = sorted((t for t in tj if t not in ti), key=lambda t: -wj[t])
        missing_tech = [d.tech_ids[t] for t in missing_tech_ix]
        wi, wj_ = d.wage[i], d.wage[j]
        ratio = float(wj_ / wi) if np.isfinite(wi) and np.isfinite(wj_) and wi > 0 else None
        jzi, jzj = d.job_zone[i], d.job_zone[j]
        step = int(jzj - jzi) if np.isfinite(jzi) and np.isfinite(jzj) else None
        return {
            "shared_skills": [d.elem_labels[e] for e in shared],
            "missing_skills": [d.elem_labels[e] for e in missing],
            "shared_technologies": [d.skill_labels.get(t, t) for t in shared_tech],
            "missing_technologies": [d.skill_labels.get(t, t) for t in missing_tech[:n_skills]],
            "wage_ratio": None if ratio is None else round(ratio, 3),
            "job_zone_step": step,
            "signals": {k: round(float(self.signals[k][i, j]), 3) for k in SIGNALS if self.weights.get(k)},
            "same_broad_group": bool(self.struct["broad"][i, j]),
        }

    def related(self, soc_code: str, k: int = 10, explain: bool = True) -> list[Related]:
        """Ranked related occupations of one SOC code (best first, never itself)."""
        i = self.data.index.get(soc_code)
        if i is None:
            raise KeyError(soc_code)
        row = self.scores[i]
        kk = min(k, len(row) - 1)
        idx = np.argpartition(-row, kth=kk - 1)[:kk]
        idx = idx[np.argsort(-row[idx], kind="stable")]
        return [Related(self.data.soc[j], self.data.title[j], round(float(row[j]), 4),
                        self.explain(i, int(j)) if explain else {}) for j in idx]


def recall_at_k(pred: dict[str, list[str]], gold: dict[str, list[str]], k: int = 10) -> float:
    """Mean over gold rows of |top-k ∩ gold| / min(k, |gold|)."""
    vals = []
    for s, g in gold.items():
        if s not in pred or not g:
            continue
        p = set(pred[s][:k])
        vals.append(len(p & set(g)) / min(k, len(g)))
    return float(np.mean(vals)) if vals else 0.0


def load_model(weights: dict[str, float] | None = None, con: Any = None) -> TransitionModel:
    """Transition model for the configured warehouse, or the open connection ``con`` on it (cached by graph sha)."""
    from careeros.planner.data import cached, load_occupation_data
    from careeros.settings import get_settings

    d = load_occupation_data(con=con)
    signals = cached(get_settings().cache_dir, d.graph_sha, "transition-signals", lambda: compute_signals(d))
    return TransitionModel(d, weights=weights, signals=signals)
