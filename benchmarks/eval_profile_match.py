"""Evaluate (and optionally tune) resume -> occupation matching, overall and by field (SOC major group).

Sets (gold = the occupation of the most recent role):
  synthetic  data/eval/resumes_gold.jsonl: 44 synthetic resumes written by the careeros team. Weights are tuned
             on its train split only (``--fit``); the old figure is kept.
  personas   data/eval/personas/*.yaml: 86 hand-written resumes across 11 fields, gold ``current_soc`` picked by
             reading O*NET occupation titles/descriptions (never tuned on).
  personas_dated the same resumes as many resume builders lay a job out (dates on a line of their own, then the
             employer, then the title): a robustness set, not counted in "all".
  personas_flat  the same resumes re-laid-out as text pulled from a PDF or a resume site arrives (one line, layout
             kept as runs of spaces, the title in capitals on top): a robustness set, not counted in "all".
  titles     resume-like one-job records built from the hand-labelled real posting titles of
             data/eval/titles_gold.csv (LinkedIn and USAJOBS rows): the title, the employer context the
             posting carries (LinkedIn industries and skill categories, USAJOBS department/agency). Split as in
             titles_gold.csv (the title model's label prior is learned on its train split: read test).
  hn_text    weakly labelled HN "Who is hiring" postings: the role in the header line mapped by the title
             normaliser with confidence >= 0.9 (frozen in data/eval/profile_match_weak.csv, ``--make-weak``
             redraws it), text = the posting body without its header, links, e-mails and employer
             boilerplate (duties and requirements only, the role string removed), stratified by occupation
             (at most 25 per O*NET-SOC), seeded 50/50 split.
The last three go through the CLI contract ``careeros profile match FILE --k 3`` (one call per run).

Usage:
  CAREEROS_HOME=/tmp/plan-home .venv/bin/python benchmarks/eval_profile_match.py [--fit] [--show]
      [--no-fields] [--make-weak] [--show-fields]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "data" / "eval" / "resumes_gold.jsonl"
PERSONAS = REPO / "data" / "eval" / "personas"
TITLES_GOLD = REPO / "data" / "eval" / "titles_gold.csv"
WEAK = REPO / "data" / "eval" / "profile_match_weak.csv"
HN_MIN_CONF = 0.9
HN_CAP_PER_SOC = 25

#: SOC 2018 major groups (first two digits of the code)
MAJOR_GROUPS = {
    "11": "Management", "13": "Business & financial", "15": "Computer & mathematical",
    "17": "Architecture & engineering", "19": "Life, physical & social science", "21": "Community & social service",
    "23": "Legal", "25": "Education", "27": "Arts, design, media", "29": "Healthcare practitioners",
    "31": "Healthcare support", "33": "Protective service", "35": "Food preparation", "37": "Building & grounds",
    "39": "Personal care", "41": "Sales", "43": "Office & admin support", "45": "Farming, fishing, forestry",
    "47": "Construction & extraction", "49": "Installation & repair", "51": "Production",
    "53": "Transportation & material moving",
}

#: sentences of a posting that are about the employer or the offer, not the job's duties or requirements
_BOILERPLATE = re.compile(
    r"https?://|www\.|@|\bapply\b|\bemail\b|\bsalary\b|\$\s?\d|\bequity\b|\bbenefits?\b|\bvisa\b|"
    r"\bremote\b|\bonsite\b|\bon-site\b|\bhybrid\b|\bfounded\b|\braised\b|\bseries [a-d]\b|\bbacked\b|"
    r"\binvestors?\b|\bfunding\b|\bcompensation\b|\b401k\b|\bpto\b|\binsurance\b|\bwe are\b|\bwe['’]re\b|"
    r"\bour (mission|team|company|customers)\b|\bjoin us\b|\bhiring\b|\blocation\b|\bfull[- ]time\b|\bcontact\b",
    re.IGNORECASE)


def _datasets() -> Path:
    from careeros.settings import get_settings

    return get_settings().resolve_datasets()


def _hn_posts(ds: Path) -> dict[str, str]:
    from careeros.market.skills import html_to_text

    out = {}
    with gzip.open(ds / "job-postings-hn-2026" / "hn_jobs_2026.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            out[str(r["id"])] = html_to_text(r["text_html"])
    return out


def _hn_role(text: str) -> str:
    """The role segment of an HN header line ("Company | Role | Location | ..."), or ""."""
    segs = [x.strip() for x in text.split("\n", 1)[0].split("|")]
    return segs[1] if len(segs) > 1 else ""


def hn_resume_text(text: str) -> str:
    """Duties and requirements of an HN posting as resume-like bullets: header, links, boilerplate and role removed."""
    role = _hn_role(text)
    body = text.split("\n", 1)[1] if "\n" in text else ""
    if role:
        body = re.sub(re.escape(role), " ", body, flags=re.IGNORECASE)
    sentences = [x.strip(" -*\u2022\t") for x in re.split(r"(?<=[.!?])\s+|\n+", body)]
    keep = [x for x in sentences if len(x) > 25 and not _BOILERPLATE.search(x)]
    return "Experience and skills\n" + "\n".join(f"- {x}" for x in keep)


def _split_of(key: str, seed: str = "careeros-profile-match") -> str:
    return "train" if int(hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:8], 16) % 2 == 0 else "test"


def make_weak(ds: Path) -> list[dict[str, str]]:
    """Draw the HN weak labels: role segment -> title normaliser top-1 with confidence >= HN_MIN_CONF."""
    from careeros.market.reference import load_normalizer

    posts = _hn_posts(ds)
    ids = sorted(posts, key=int)
    roles = [_hn_role(posts[i]) for i in ids]
    res = load_normalizer().normalize(roles, k=1)
    per_soc: dict[str, int] = defaultdict(int)
    rows = []
    for i, role, ms in zip(ids, roles, res, strict=True):
        if not role or not ms or ms[0].score < HN_MIN_CONF:
            continue
        if len(hn_resume_text(posts[i])) < 200 or per_soc[ms[0].soc_code] >= HN_CAP_PER_SOC:
            continue
        per_soc[ms[0].soc_code] += 1
        rows.append({"source": "hn", "id": i, "soc_code": ms[0].soc_code, "split": _split_of(i)})
    return rows


def _linkedin_context(ds: Path) -> dict[str, dict[str, Any]]:
    """LinkedIn title -> (first posting by job_id) company industry, posting industries, skill categories, level."""
    import polars as pl

    li = ds / "job-postings-linkedin-2023"
    jp = pl.read_csv(li / "job_postings.csv.gz", infer_schema=False).sort("job_id")
    skills = dict(pl.read_csv(li / "skills.csv.gz", infer_schema=False).iter_rows())
    inds = dict(pl.read_csv(li / "industries.csv.gz", infer_schema=False).iter_rows())
    js: dict[str, list[str]] = defaultdict(list)
    for jid, abr in pl.read_csv(li / "job_skills.csv.gz", infer_schema=False).iter_rows():
        js[jid].append(skills.get(abr, abr))
    ji: dict[str, list[str]] = defaultdict(list)
    for jid, iid in pl.read_csv(li / "job_industries.csv.gz", infer_schema=False).iter_rows():
        if iid in inds:
            ji[jid].append(inds[iid])
    out: dict[str, dict[str, Any]] = {}
    for r in jp.select("job_id", "title", "location", "formatted_experience_level").iter_rows(named=True):
        t = (r["title"] or "").strip()
        if t and t not in out:
            out[t] = {"skills": js.get(r["job_id"], []), "industries": ji.get(r["job_id"], []),
                      "location": r["location"] or "", "level": r["formatted_experience_level"] or ""}
    return out


def _usajobs_context(ds: Path) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    with gzip.open(ds / "job-postings-usajobs" / "usajobs_2024_2025_partial.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            t = (r.get("position_title") or "").strip()
            if t and t not in out:
                out[t] = {"department": r.get("department") or "", "agency": r.get("subagency") or r.get("agency") or ""}
    return out


def title_records(ds: Path) -> list[dict[str, str]]:
    """Resume-like one-job records from the hand-labelled LinkedIn/USAJOBS titles of titles_gold.csv."""
    li, us = _linkedin_context(ds), _usajobs_context(ds)
    out = []
    with TITLES_GOLD.open(encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f)):
            title, src = row["title"].strip(), row["source"]
            if row["split"] not in ("train", "test"):  # train2/test2 (added 2026-12-04) are the title model's alone
                continue
            if src == "linkedin":
                c = li.get(title, {})
                lines = ["EXPERIENCE", f"{title}" + (f" ({c['level']})" if c.get("level") else ""),
                         "Employer: " + (", ".join(c.get("industries", [])) or "private company")
                         + (f" - {c['location']}" if c.get("location") else ""), "2021 - present"]
                if c.get("skills"):
                    lines.append("Areas: " + ", ".join(c["skills"]))
            elif src == "usajobs":
                c = us.get(title, {})
                lines = ["EXPERIENCE", title, " - ".join(x for x in (c.get("agency"), c.get("department")) if x)
                         or "U.S. federal government", "2021 - present"]
            else:
                continue
            out.append({"set": "titles", "id": f"titles:{n}", "soc_code": row["soc_code"], "split": row["split"],
                        "text": "\n".join(lines)})
    return out


def persona_records() -> list[dict[str, str]]:
    """The persona resumes with their hand-picked current occupation."""
    import yaml

    out = []
    for p in sorted(PERSONAS.glob("*.yaml")):
        d = yaml.safe_load(p.read_text(encoding="utf-8"))
        out.append({"set": "personas", "id": d["id"], "soc_code": d["current_soc"], "split": d["split"],
                    "text": d["resume"], "field": d["field"]})
    return out


#: re-laid-out copies of the persona resumes: reported on their own, not counted in "all"
ROBUSTNESS_SETS = ("personas_flat", "personas_dated")


def flat_layout(resume: str, title: str) -> str:
    """A markdown resume as text pulled from a PDF or a resume site arrives: the title in capitals on the first line,
    then everything on one line with layout kept as runs of spaces (separators become gaps, dashes in ranges 'to')."""
    import re

    parts = [title.upper()]
    for line in resume.splitlines()[1:]:
        line = re.sub(r"^#+\s*|^[-*]\s+", "", line).replace("**", "").strip()
        line = line.replace(" — ", "     ").replace(" · ", "     ").replace(" | ", "     ").replace(" – ", "   to   ")
        if line:
            parts.append(line)
    return parts[0] + "\n" + "     ".join(parts[1:])


def flat_persona_records() -> list[dict[str, str]]:
    """The persona resumes re-laid-out by :func:`flat_layout` (a robustness set, kept out of 'all')."""
    import yaml

    out = []
    for p in sorted(PERSONAS.glob("*.yaml")):
        d = yaml.safe_load(p.read_text(encoding="utf-8"))
        out.append({"set": "personas_flat", "id": d["id"] + "#flat", "soc_code": d["current_soc"],
                    "split": d["split"], "text": flat_layout(d["resume"], d["current_titles"][0]),
                    "field": d["field"]})
    return out


def dated_layout(resume: str) -> str:
    """A markdown resume as many resume builders lay a job out: the dates on a line of their own, then the employer,
    then the title ("Jun 2018 - Present" / "Mercy Hospital, St. Louis, MO" / "Staff Nurse"), markdown removed."""
    import re

    head = re.compile(r"^\s*\*\*(?P<title>[^*]+)\*\*(?P<rest>.*)$")
    dates = re.compile(r"(?:[A-Z][a-z]{2,8}\.? )?(?:19|20)\d\d\s*[–—-]+\s*(?:(?:[A-Z][a-z]{2,8}\.? )?(?:19|20)\d\d|"
                       r"[Pp]resent|[Cc]urrent)")
    out = []
    for line in resume.splitlines():
        m = head.match(line)
        d = dates.search(m["rest"]) if m else None
        if m and d:
            emp = m["rest"].replace(d.group(), " ").replace("()", " ")
            emp = re.sub(r"\s*[·|—]\s*", ", ", emp).strip(" ,-–()")
            out += ["", d.group().replace("–", "-").replace("—", "-"), emp, m["title"].strip()]
            continue
        out.append(re.sub(r"^#+\s*", "", line).replace("**", ""))
    return "\n".join(out)


def dated_persona_records() -> list[dict[str, str]]:
    """The persona resumes re-laid-out by :func:`dated_layout` (a robustness set, kept out of 'all')."""
    import yaml

    out = []
    for p in sorted(PERSONAS.glob("*.yaml")):
        d = yaml.safe_load(p.read_text(encoding="utf-8"))
        out.append({"set": "personas_dated", "id": d["id"] + "#dated", "soc_code": d["current_soc"],
                    "split": d["split"], "text": dated_layout(d["resume"]), "field": d["field"]})
    return out


def hn_records(ds: Path) -> list[dict[str, str]]:
    """The frozen HN weak set (data/eval/profile_match_weak.csv) with its resume-like texts."""
    posts = _hn_posts(ds)
    out = []
    with WEAK.open(encoding="utf-8") as f:
        for row in csv.DictReader(ln for ln in f if not ln.startswith("#")):
            if row["id"] in posts:
                out.append({"set": "hn_text", "id": f"hn:{row['id']}", "soc_code": row["soc_code"],
                            "split": row["split"], "text": hn_resume_text(posts[row["id"]])})
    return out


def cli_match(records: list[dict[str, str]], k: int = 3) -> dict[str, list[str]]:
    """Run ``careeros profile match FILE --k K --no-evidence`` once over all records; id -> ranked SOC codes."""
    exe = Path(sys.executable).parent / "careeros"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.jsonl"
        path.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in records),
                        encoding="utf-8")
        proc = subprocess.run([str(exe) if exe.exists() else "careeros", "profile", "match", str(path), "--k", str(k),
                               "--no-evidence"], capture_output=True, text=True, check=False,
                              env={**os.environ, "TQDM_DISABLE": "1"})
    if proc.returncode != 0:
        raise RuntimeError(f"careeros profile match failed ({proc.returncode}): {proc.stderr[-1500:]}")
    out = {}
    for line in proc.stdout.splitlines():
        if line.strip():
            d = json.loads(line)
            out[str(d["id"])] = [m["soc_code"] for m in d.get("matches", [])]
    return out


def field_report(records: list[dict[str, str]], preds: dict[str, list[str]]) -> dict[str, Any]:
    """Top-1/top-3 per set x split, overall and by SOC major group."""
    def acc(rs: list[dict[str, str]]) -> dict[str, Any]:
        n = len(rs)
        t1 = sum(1 for r in rs if preds.get(r["id"], [])[:1] == [r["soc_code"]])
        t3 = sum(1 for r in rs if r["soc_code"] in preds.get(r["id"], [])[:3])
        return {"n": n, "top1": round(t1 / n, 4) if n else None, "top3": round(t3 / n, 4) if n else None}

    rep: dict[str, Any] = {}
    sets = sorted({r["set"] for r in records})
    for st in [*sets, "all"]:
        for split in ("train", "test", "all"):
            rs = [r for r in records if (r["set"] == st or (st == "all" and r["set"] not in ROBUSTNESS_SETS))
                  and (split == "all" or r["split"] == split)]
            by: dict[str, list[dict[str, str]]] = defaultdict(list)
            for r in rs:
                by[r["soc_code"][:2]].append(r)
            rep.setdefault(st, {})[split] = {"overall": acc(rs), "by_major_group": {
                f"{g} {MAJOR_GROUPS.get(g, '?')}": acc(v) for g, v in sorted(by.items())}}
    return rep


def print_field_report(rep: dict[str, Any]) -> None:
    """Per set: overall and per-major-group top-1/top-3 (test split, then all)."""
    for st, d in rep.items():
        for split in ("test", "all"):
            o = d[split]["overall"]
            if not o["n"]:
                continue
            print(f"\n[{st} / {split}] n={o['n']} top1={o['top1']:.3f} top3={o['top3']:.3f}")
            for g, a in d[split]["by_major_group"].items():
                print(f"  {g:<40} n={a['n']:>3} top1={a['top1']:.3f} top3={a['top3']:.3f}")


def topk_acc(scores: list[np.ndarray], gold: list[int], k: int) -> float:
    """Share of rows whose gold index is in the top k."""
    hits = [g in np.argsort(-s, kind="stable")[:k] for s, g in zip(scores, gold, strict=True)]
    return float(np.mean(hits)) if hits else 0.0


def main() -> None:
    """Print top-1/top-3 for the TF-IDF baseline, single signals and the combined matcher, per split."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--show", action="store_true", help="print misses on test")
    ap.add_argument("--no-fields", action="store_true", help="only the synthetic resumes (no CLI run)")
    ap.add_argument("--make-weak", action="store_true", help="redraw data/eval/profile_match_weak.csv and stop")
    args = ap.parse_args()
    if args.make_weak:
        rows = make_weak(_datasets())
        with WEAK.open("w", encoding="utf-8", newline="") as f:
            f.write(f"# HN postings whose header role maps to one O*NET-SOC with title-normaliser confidence >= "
                    f"{HN_MIN_CONF} (at most {HN_CAP_PER_SOC} per SOC); written by eval_profile_match.py --make-weak\n")
            w = csv.DictWriter(f, fieldnames=["source", "id", "soc_code", "split"])
            w.writeheader()
            w.writerows(rows)
        print(f"wrote {len(rows)} rows to {WEAK}", file=sys.stderr)
        return
    from careeros.planner.profile_match import load_matcher

    t0 = time.time()
    m = load_matcher()
    print(f"matcher ready in {time.time() - t0:.1f}s", file=sys.stderr)
    rows = [json.loads(ln) for ln in GOLD.read_text(encoding="utf-8").splitlines() if ln.strip()]
    t0 = time.time()
    sigs = [m.signals(r["text"]) for r in rows]
    print(f"{len(rows)} resumes scored in {time.time() - t0:.2f}s", file=sys.stderr)
    gold = [m.data.index[r["soc_code"]] for r in rows]
    split = [r["split"] for r in rows]

    def run(w: dict[str, float], which: str) -> tuple[float, float]:
        sel = [i for i, s in enumerate(split) if s == which]
        sc = [m.combine(sigs[i], w) for i in sel]
        g = [gold[i] for i in sel]
        return topk_acc(sc, g, 1), topk_acc(sc, g, 3)

    configs = {"tfidf_baseline": {"text": 1.0}, "title_only": {"title": 1.0}, "skills_only": {"skills": 1.0},
               "combined": m.weights}
    if args.fit:
        best, bw = -1.0, None
        for t, s, x in itertools.product([0.5, 1.0, 1.5, 2.0], [0, 0.1, 0.2, 0.3, 0.5, 0.8],
                                         [0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.5]):
            w = {"title": t, "skills": s, "text": x, "prior": m.weights.get("prior", 0.0)}
            a1, a3 = run(w, "train")
            obj = a1 + 0.25 * a3
            if obj > best + 1e-9:
                best, bw = obj, w
        print("fitted weights:", json.dumps(bw))
        configs["fitted"] = bw  # type: ignore[assignment]
    print(f"{'config':<16} {'train@1':>8} {'train@3':>8} {'test@1':>8} {'test@3':>8}")
    synthetic = {}
    for name, w in configs.items():
        tr, te = run(w, "train"), run(w, "test")
        synthetic[name] = {"train_top1": round(tr[0], 4), "train_top3": round(tr[1], 4),
                           "test_top1": round(te[0], 4), "test_top3": round(te[1], 4)}
        print(f"{name:<16} {tr[0]:>8.3f} {tr[1]:>8.3f} {te[0]:>8.3f} {te[1]:>8.3f}")
    print(f"(train {split.count('train')}, test {split.count('test')})")
    summary: dict[str, Any] = {"synthetic": synthetic}
    if not args.no_fields:
        ds = _datasets()
        records = persona_records() + flat_persona_records() + dated_persona_records() + title_records(ds) + \
            hn_records(ds)
        t0 = time.time()
        try:
            preds = cli_match(records)
        except RuntimeError as exc:
            print(str(exc), file=sys.stderr)
            summary["fields_error"] = str(exc)[-500:]
        else:
            print(f"{len(records)} field records matched through the CLI in {time.time() - t0:.1f}s", file=sys.stderr)
            rep = field_report(records, preds)
            print_field_report(rep)
            summary["fields"] = rep
            if args.show:
                for r in records:
                    if r["split"] == "test" and preds.get(r["id"], [])[:1] != [r["soc_code"]]:
                        print(f"MISS {r['set']} {r['id']}: gold {r['soc_code']} got {preds.get(r['id'], [])[:3]}")
    print(json.dumps(summary))
    if args.show:
        for i, r in enumerate(rows):
            sc = m.combine(sigs[i])
            top = int(np.argmax(sc))
            if top != gold[i]:
                print(f"MISS {r['split']} {r['id']}: gold {r['soc_code']} got {m.data.soc[top]} {m.data.title[top]}; "
                      f"lines={[(tl.segment, tl.matches[0][:2] if tl.matches else None) for tl in sigs[i]['_lines']][:3]}")


if __name__ == "__main__":
    main()
