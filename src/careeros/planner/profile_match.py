"""Resume / profile text -> ranked O*NET-SOC occupations with the evidence behind each score.

Signals (each a vector over occupations, combined linearly with ``DEFAULT_WEIGHTS``, tuned on the train
split of ``data/eval/resumes_gold.jsonl`` only, ``benchmarks/eval_profile_match.py --fit``):

- ``title``: candidate title lines (the headline under the name, "Title, Company (2019 - Present)",
  "Title | Company | dates", "Company — Title", lines near dates) are split into segments and run through
  the title normaliser; each line's matches count with a recency weight (resumes are reverse-chronological:
  the headline and the first dated role count fully, older roles decay);
- ``skills``: technologies, tools and ESCO skills extracted from the text, IDF-weighted cosine against the
  occupation's technology/tool/ESCO edges;
- ``text``: TF-IDF cosine between the resume and the occupation's title, alternate titles, description and
  task statements (the baseline on its own);
- ``prior``: the occupation's employment (log scale), which decides between occupations the text supports
  equally. Its weight 0.2 was read off the train splits (synthetic train, persona resumes outside test/dev2, the
  weak HN train texts): 0 -> 0.2 moved those from 0.955/0.879/0.089 to 0.955/0.897/0.156.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from careeros.evidence.resume_facts import RANGE, is_role_title, layout_lines
from careeros.planner.data import OccupationData

#: tuned on the train split (benchmarks/eval_profile_match.py --fit); skills ties on train at 0 and 0.3, kept
#: at 0.3 so technology-heavy texts without a recognisable title still rank
DEFAULT_WEIGHTS: dict[str, float] = {"title": 1.0, "skills": 0.3, "text": 0.6, "prior": 0.2}
#: the employment prior: log employment scaled to [0, 1] from this percentile of occupations up to the largest (a
#: text with no title line names tools many occupations share: Software Developers employ 1.6M, Blockchain
#: Engineers a few thousand)
PRIOR_FLOOR_PERCENTILE = 5
#: relative IDF scale of technology, tool and ESCO skill matches in the skills signal
SKILL_SCALE = (1.0, 0.5, 0.0)
SKILL_NORM_EXP = 0.5

_DATE = re.compile(
    r"\b(?:\d{1,2}/)?(?:19|20)\d\d\b|\bpresent\b|\bcurrent\b|\bnow\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:19|20)\d\d", re.IGNORECASE)
_PRESENT = re.compile(r"\b(?:present|current|now)\b", re.IGNORECASE)
_SECTION = re.compile(
    r"^\s*(?:professional\s+)?(?:experience|work history|work experience|employment|education|skills?|summary|"
    r"profile|projects?|certifications?|licen[cs]es?|languages?|references|portfolio|objective|"
    r"technical skills|awards|publications)\b\s*:?", re.IGNORECASE)
_NON_TITLE = re.compile(r"^(?:education|skills?|certifications?|licen[cs]es?|languages?|summary|portfolio|"
                        r"projects?)\b", re.IGNORECASE)
_CONTACT = re.compile(r"^(?:github|linkedin|email|e-mail|phone|tel)\b", re.IGNORECASE)
_SEG_SPLIT = re.compile(r"\s+[—–-]{1,2}\s+|\s*\|\s*|\s*,\s+|\s+at\s+|\s+@\s+|\s*\(|\)|\s*/\s+|:\s+")
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦]|\d+\.)\s+")
#: contact details on a line of the header ("St. Louis, MO | maria.lopez@example.com | (314) 555-0100")
_CONTACT_ANY = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|https?://\S+|www\.\S+|"
                          r"(?:linkedin|github)\.com\S*", re.IGNORECASE)


@dataclass
class TitleLine:
    """A line of the text that looks like a job title, with its recency weight."""

    line: str
    segment: str
    weight: float
    matches: list[tuple[str, str, float]] = field(default_factory=list)


@dataclass
class OccupationMatch:
    """One ranked occupation with its score and the evidence behind it."""

    soc_code: str
    title: str
    score: float
    evidence: dict[str, Any]


def _looks_like_name(text: str) -> bool:
    """Two to four capitalised words that are no job title ("Laura Fischer"; not "CHARGE NURSE" or "Data Analyst")."""
    words = text.split()
    return (1 < len(words) <= 4 and all(w[:1].isupper() and not w.isupper() for w in words)
            and not is_role_title(text))


def title_lines(text: str, max_lines: int = 12) -> list[tuple[str, list[str], float]]:
    """Candidate title lines: (line, segments, recency weight), most recent first."""
    lines = [ln.strip() for ln in layout_lines(text)]
    out: list[tuple[str, list[str], float]] = []
    dated_rank = 0
    nonempty = [i for i, ln in enumerate(lines) if ln]
    head = set(nonempty[1:3])  # the headline sits right under the name
    # a line of dates alone ("06/2018 - Present") heads the job below it: the employer and title lines that follow
    # it are that job's, as many resume builders lay a job out, when it starts a block (after a blank line, a bullet
    # or a heading); right under a job's own lines it closes that job ("Sales Manager" / "Acme" / "2021 - present")
    after_dates: set[int] = set()
    dates_only: set[int] = set()
    block_w: float | None = None
    for i, ln in enumerate(lines):
        if ln and _DATE.search(ln) and not re.search(r"[A-Za-z]{3,}", _DATE.sub(" ", RANGE.sub(" ", ln))):
            above = [j for j in nonempty if j < i][-1:]
            if above and not (i > 0 and not lines[i - 1]) and not _BULLET.match(lines[above[0]]) and not (
                    _SECTION.match(lines[above[0]]) and len(lines[above[0]]) < 40):
                continue  # it follows the job's own lines: it closes the job above
            dates_only.add(i)
            nxt = [j for j in nonempty if j > i][:2]
            after_dates.update(j for j in nxt if len(lines[j]) < 100 and not _BULLET.match(lines[j])
                               and not _DATE.search(lines[j]))
    for i, raw in enumerate(lines):
        if not raw or len(raw) > 140 or _BULLET.match(raw):
            continue
        # "Project Manager", "Education Coordinator", "Portfolio Manager" start like a heading but are titles
        roleish = is_role_title(_SEG_SPLIT.split(raw)[0])
        if _SECTION.match(raw) and len(raw) < 40 and not _DATE.search(raw) and not roleish:
            continue
        if (_CONTACT.match(raw) or _NON_TITLE.match(raw)) and not roleish:
            continue
        if _CONTACT_ANY.search(raw):  # contact details are no title; what else the line says may be one
            raw = _CONTACT_ANY.sub(" ", raw).strip(" ·•|,")
            if not re.search(r"[A-Za-z]{3,}", raw):
                continue
        name_line = False
        has_date = bool(_DATE.search(raw))
        near_date = i in after_dates or any(
            _DATE.search(lines[j]) and len(lines[j]) < 60 and not _BULLET.match(lines[j])
            for j in (i - 1, i + 1) if 0 <= j < len(lines))
        if i in head and not has_date:
            w = 1.0
        elif i in after_dates and block_w is not None:
            w = block_w  # a line of the job its dates line heads: that job's recency
        elif has_date or near_date:
            w = 1.0 / (1.0 + 0.8 * dated_rank)
            if _PRESENT.search(raw):
                w = max(w, 1.0)
            dated_rank += 1
            block_w = w if i in dates_only else None
        elif nonempty and i == nonempty[0] and re.search(r"\s[—–|-]\s|,\s", raw):
            w = 0.5  # the name line sometimes carries the title ("Tom Becker — Journeyman Electrician")
            name_line = True
        else:
            continue
        body = _DATE.sub(" ", RANGE.sub(" | ", raw))
        segs = [s.strip(" .;:-–—'\"") for s in _SEG_SPLIT.split(body)]
        if name_line and segs and _looks_like_name(segs[0]):
            segs = segs[1:]  # the person's name ("Laura Fischer, PMP" is not a fisher)
        segs = [s for s in segs if s and re.search(r"[A-Za-z]{3,}", s) and len(s) <= 80][:4]
        if segs:
            out.append((raw, segs, w))
        if len(out) >= max_lines:
            break
    return out


_TOKEN = re.compile(r"(?u)\b\w\w+\b")
#: bump when the occupation documents or the vectoriser settings change
TEXT_INDEX_VERSION = 1


@dataclass
class TextIndex:
    r"""The occupation documents' TF-IDF, fitted once with scikit-learn and cached per warehouse graph.

    ``transform`` repeats ``TfidfVectorizer.transform`` for these settings (lower-case, ``\w\w+`` tokens, English
    stop words, uni- and bigrams, sublinear tf, l2 norm) with numpy alone, so matching a resume does not import
    scikit-learn (about a second of a command's start-up).
    """

    vocabulary: dict[str, int]
    idf: np.ndarray
    stop_words: frozenset[str]
    occ_text: sp.csr_matrix

    @classmethod
    def fit(cls, docs: list[str]) -> TextIndex:
        """Fit scikit-learn's vectoriser on the occupation documents and keep what ``transform`` needs."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, max_df=0.5, ngram_range=(1, 2))
        occ = vec.fit_transform(docs).tocsr()
        return cls({str(k): int(v) for k, v in vec.vocabulary_.items()}, np.asarray(vec.idf_, dtype=np.float64),
                   frozenset(vec.get_stop_words() or ()), occ)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """The texts' l2-normalised TF-IDF rows over the fitted vocabulary (as ``TfidfVectorizer.transform``)."""
        rows, cols, vals = [], [], []
        for i, text in enumerate(texts):
            toks = [t for t in _TOKEN.findall(text.lower()) if t not in self.stop_words]
            counts: dict[int, int] = {}
            for term in [*toks, *(f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False))]:
                j = self.vocabulary.get(term)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            js = np.fromiter(counts, dtype=np.int64, count=len(counts))
            v = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[js]
            v /= np.sqrt(np.dot(v, v))
            rows += [i] * len(js)
            cols += js.tolist()
            vals += v.tolist()
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(self.vocabulary)))


def occupation_documents(data: OccupationData) -> list[str]:
    """Each occupation's text: title (twice), up to 40 alternate titles, description and task statements."""
    return [" ".join([t, t, *alts[:40], desc, tasks]) for t, alts, desc, tasks in
            zip(data.title, data.alt_titles, data.description, data.tasks, strict=True)]


def text_index(data: OccupationData) -> TextIndex:
    """The fitted occupation TF-IDF: from the cache directory when the warehouse graph is unchanged."""
    from careeros.planner.data import cached
    from careeros.settings import get_settings

    if data.graph_sha == "none":
        return TextIndex.fit(occupation_documents(data))
    got = cached(get_settings().cache_dir, data.graph_sha, f"matcher-text-v{TEXT_INDEX_VERSION}",
                 lambda: TextIndex.fit(occupation_documents(data)))
    return got if isinstance(got, TextIndex) else TextIndex.fit(occupation_documents(data))


class ProfileMatcher:
    """Ranks occupations for a text; built once from the occupation bundle, a title normaliser and an extractor."""

    def __init__(self, data: OccupationData, normalizer: Any = None, extractor: Any = None,
                 weights: dict[str, float] | None = None) -> None:
        """Fit the occupation-side TF-IDF and IDF-weighted skill matrices."""
        self.data = data
        self.normalizer = normalizer
        self.extractor = extractor
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        emp = np.nan_to_num(np.asarray(data.employment, dtype=float), nan=0.0)
        le = np.log1p(emp)
        lo = float(np.percentile(le[emp > 0], PRIOR_FLOOR_PERCENTILE)) if (emp > 0).any() else 0.0
        self.prior = np.clip((le - lo) / max(float(le.max()) - lo, 1e-9), 0.0, 1.0)
        self.tfidf = text_index(data)
        self.occ_text = self.tfidf.occ_text
        mats, ids = [], []
        for m, col_ids, scale in ((data.tech, data.tech_ids, 1.0), (data.tool, data.tool_ids, SKILL_SCALE[1]),
                                  (data.esco, data.esco_ids, SKILL_SCALE[2])):
            b = m.copy().tocsr()
            b.data = np.ones_like(b.data)
            df = np.asarray(b.sum(axis=0)).ravel()
            idf = np.log((b.shape[0] + 1) / (df + 1)) * scale
            mats.append(b @ sp.diags(idf))
            ids.extend(col_ids)
        x = sp.hstack(mats).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        # partial length normalisation: a full cosine punishes occupations with long technology lists
        # (Software Developers list hundreds), no normalisation lets those lists win everything
        self.occ_skill = (sp.diags(1.0 / norms ** SKILL_NORM_EXP) @ x).tocsr()
        self.skill_col = {s: j for j, s in enumerate(ids)}
        self._idf = np.concatenate([np.log((m.shape[0] + 1) / (np.asarray((m > 0).sum(axis=0)).ravel() + 1)) * s
                                    for m, s in zip((data.tech, data.tool, data.esco), SKILL_SCALE, strict=True)])

    # ------------------------------------------------------------------ signals
    def text_scores(self, text: str) -> np.ndarray:
        """TF-IDF cosine of the text with every occupation document."""
        q = self.tfidf.transform([text])
        return np.asarray((self.occ_text @ q.T).todense()).ravel()

    def skill_scores(self, text: str) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """IDF-weighted cosine of extracted skills with occupation skill edges; also the skills found."""
        n = len(self.data.soc)
        if self.extractor is None:
            return np.zeros(n), []
        found = [(m.skill_id, m.label) for m in self.extractor.extract(text)]
        cols = sorted({self.skill_col[s] for s, _ in found if s in self.skill_col})
        if not cols:
            return np.zeros(n), found
        q = np.zeros(self.occ_skill.shape[1])
        q[cols] = self._idf[cols]
        q /= np.linalg.norm(q) or 1.0
        return np.asarray(self.occ_skill @ q).ravel(), found

    def title_scores(self, text: str) -> tuple[np.ndarray, list[TitleLine]]:
        """Recency-weighted title-normaliser matches of the candidate title lines."""
        n = len(self.data.soc)
        s = np.zeros(n)
        if self.normalizer is None:
            return s, []
        cands = title_lines(text)
        flat = [(li, si, seg) for li, (_, segs, _) in enumerate(cands) for si, seg in enumerate(segs)]
        res = self.normalizer.normalize([seg for _, _, seg in flat], k=5, ties=True) if flat else []
        best: dict[int, tuple[float, int, list[Any]]] = {}
        for (li, si, _), matches in zip(flat, res, strict=True):
            if not matches:
                continue
            # the title usually comes first in its line; a later segment (company, place) must beat it clearly
            top = matches[0].score * (1.0 if si == 0 else 0.8)
            if li not in best or top > best[li][0]:
                best[li] = (top, si, matches)
        lines: list[TitleLine] = []
        idx = self.data.index
        for li, (_top, si, matches) in sorted(best.items()):
            raw, segs, w = cands[li]
            tl = TitleLine(raw, segs[si], w, [(m.soc_code, m.title, m.score) for m in matches])
            lines.append(tl)
            for r, m in enumerate(matches):
                j = idx.get(m.soc_code)
                if j is not None:
                    s[j] += w * m.score * (1.0 if r == 0 else 0.5)
        return s, lines

    # ------------------------------------------------------------------ ranking
    def signals(self, text: str) -> dict[str, Any]:
        """All raw signal vectors plus the evidence lists for a text."""
        t, lines = self.title_scores(text)
        sk, found = self.skill_scores(text)
        tx = self.text_scores(text)
        return {"title": t, "skills": sk, "text": tx, "_lines": lines, "_skills": found}

    def combine(self, sig: dict[str, Any], weights: dict[str, float] | None = None) -> np.ndarray:
        """Weighted sum of the signal vectors (text normalised by its max so weights are comparable)."""
        w = weights or self.weights
        tx = sig["text"] / (sig["text"].max() or 1.0)
        sk = sig["skills"] / (sig["skills"].max() or 1.0)
        ti = sig["title"] / max(sig["title"].max(), 1.0)
        return w.get("title", 0) * ti + w.get("skills", 0) * sk + w.get("text", 0) * tx + w.get("prior", 0) * self.prior

    def match(self, text: str, k: int = 5) -> list[OccupationMatch]:
        """Top-k occupations for a resume/profile text, each with its evidence."""
        sig = self.signals(text)
        score = self.combine(sig)
        order = np.argsort(-score, kind="stable")[:k]
        d = self.data
        found_ids = {s for s, _ in sig["_skills"]}
        out = []
        for j in order:
            soc = d.soc[j]
            titles = [{"line": tl.line, "matched": tl.segment, "score": round(sc, 3), "recency_weight": round(tl.weight, 3)}
                      for tl in sig["_lines"] for (c, _, sc) in tl.matches if c == soc]
            row = d.tech[j].indices.tolist() + [len(d.tech_ids) + t for t in d.tool[j].indices.tolist()]
            occ_ids = {d.tech_ids[c] if c < len(d.tech_ids) else d.tool_ids[c - len(d.tech_ids)] for c in row}
            occ_ids |= {d.esco_ids[c] for c in d.esco[j].indices.tolist()}
            skills = [lab for sid, lab in sig["_skills"] if sid in occ_ids and sid in found_ids]
            out.append(OccupationMatch(soc, d.title[j], round(float(score[j]), 4), {
                "titles": titles[:3], "skills": list(dict.fromkeys(skills))[:10],
                "signals": {"title": round(float(sig["title"][j]), 3), "skills": round(float(sig["skills"][j]), 3),
                            "text": round(float(sig["text"][j]), 3)},
            }))
        return out


#: (graph sha, normaliser, extractor) -> matcher with the default weights; fitting its TF-IDF takes seconds
_MATCHERS: dict[tuple[str, int, int], ProfileMatcher] = {}


def shared_matcher(data: OccupationData, normalizer: Any, extractor: Any) -> ProfileMatcher:
    """A matcher with the default weights, fitted once per occupation bundle and reference models in a process."""
    key = (data.graph_sha, id(normalizer), id(extractor))
    if data.graph_sha == "none":
        return ProfileMatcher(data, normalizer, extractor)
    if key not in _MATCHERS:
        _MATCHERS.clear()
        _MATCHERS[key] = ProfileMatcher(data, normalizer, extractor)
    return _MATCHERS[key]


def load_matcher(weights: dict[str, float] | None = None) -> ProfileMatcher:
    """Matcher for the configured warehouse: cached bundle, title normaliser and skill extractor."""
    from careeros.market.reference import load_extractor, load_normalizer
    from careeros.planner.data import load_occupation_data

    if weights is None:
        return shared_matcher(load_occupation_data(), load_normalizer(), load_extractor())
    return ProfileMatcher(load_occupation_data(), load_normalizer(), load_extractor(), weights)


def read_document(path: Any) -> str:
    """Plain text of a .txt/.md, .pdf (pypdf) or .docx (python-docx) file."""
    from pathlib import Path

    p = Path(path)
    suf = p.suffix.lower()
    if suf == ".pdf":
        from pypdf import PdfReader

        return "\n".join((page.extract_text() or "") for page in PdfReader(str(p)).pages)
    if suf == ".docx":
        import docx

        doc = docx.Document(str(p))
        parts = [para.text for para in doc.paragraphs]
        for table in doc.tables:
            for row in table.rows:
                parts.append(" | ".join(c.text for c in row.cells))
        return "\n".join(parts)
    return p.read_text(encoding="utf-8", errors="replace")
