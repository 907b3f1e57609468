"""Evaluate technology extraction against hand labels; prints JSON metrics.

Usage: python benchmarks/eval_skills.py [--split test|train|all] [--datasets DIR] [--show-errors]
                                        [--gold FILE | --blind]
Default gold (data/eval/skills_gold.jsonl): compares the set of canonical technology labels per posting
(case-insensitive) and reports micro P/R/F1 for the extractor and for an exact-dictionary baseline (O*NET examples
matched verbatim), plus throughput. Its labels were written against the extractor's alias file, so a technology
outside that file can never count as a miss.

``--blind`` (data/eval/skills_gold_blind.jsonl): 60 other HN postings labelled without looking at the alias file
or the extractor: ``technologies`` (every named tool, language, framework, platform a human would extract, as free
text), ``concepts`` (concept-level skills: "machine learning", "incident response" ...) and ``optional`` (names
that are fine either way: implied or incidental mentions). Predicted labels are matched one-to-one to gold
names with the normalising matcher of benchmarks/labelmatch.py (exact after normalisation first, then word-boundary
containment); a prediction matching an ``optional`` name is ignored; a gold name the extractor does not know is a
miss. Reported: technologies (extractor technology labels), concepts (recall over every extractor label), and all
skills (technologies + concepts against every label).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from labelmatch import normalise, phrases_match  # noqa: E402

from careeros.graph.tech_labels import canonical_technology  # noqa: E402
from careeros.market.skills import SkillExtractor, html_to_text  # noqa: E402
from careeros.taxonomy.esco import read_esco  # noqa: E402
from careeros.taxonomy.onet import read_onet  # noqa: E402

#: A common trend vocabulary of developer technologies (used for a second, restricted score).
TREND_VOCAB = {
    v.lower() for v in (
        "TypeScript JavaScript Python Go Rust Java Kotlin Swift C++ C# Ruby PHP Scala Elixir React Next.js Vue "
        "Angular Svelte Node.js Django FastAPI Rails Spring Laravel GraphQL gRPC PostgreSQL MySQL MongoDB Redis "
        "Elasticsearch Cassandra SQLite Cloudflare Kubernetes Docker Terraform Kafka RabbitMQ "
        "Pub/Sub PyTorch TensorFlow LangChain iOS Android Flutter"
    ).split()
} | {"amazon web services", "google cloud platform", "microsoft azure", "github actions", "react native", "hugging face", "openai api", "amazon sqs"}


def micro(gold: list[set[str]], pred: list[set[str]], vocab: set[str] | None = None) -> dict[str, float]:
    """Micro precision/recall/F1 over per-posting label sets (optionally restricted to a vocabulary)."""
    tp = fp = fn = 0
    for g, p in zip(gold, pred, strict=True):
        if vocab is not None:
            g, p = g & vocab, p & vocab
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def match_one_to_one(gold: list[str], pred: list[str],
                     optional: list[str] | None = None) -> tuple[int, int, int, list[str], list[str]]:
    """(tp, fp, fn, missed gold, unmatched predictions): exact normalised pairs first, then containment pairs.

    Containment pairs are taken greedily closest first (smallest length difference), so "Spanner" pairs with
    "Google Cloud Spanner" before "Google Cloud" can. Predictions that match no gold name but match an
    ``optional`` name are dropped (neither tp nor fp).
    """
    g_left = list(dict.fromkeys(gold))
    p_left = list(dict.fromkeys(pred))
    tp = 0
    for p in list(p_left):
        g = next((g for g in g_left if normalise(g) == normalise(p)), None)
        if g is not None:
            tp += 1
            g_left.remove(g)
            p_left.remove(p)
    pairs = sorted((abs(len(normalise(g)) - len(normalise(p))), i, j) for i, g in enumerate(g_left)
                   for j, p in enumerate(p_left) if phrases_match(g, p))
    used_g: set[int] = set()
    used_p: set[int] = set()
    for _, i, j in pairs:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
    tp += len(used_g)
    g_left = [g for i, g in enumerate(g_left) if i not in used_g]
    p_left = [p for j, p in enumerate(p_left) if j not in used_p]
    p_left = [p for p in p_left if not any(phrases_match(o, p) for o in optional or [])]
    return tp, len(p_left), len(g_left), g_left, p_left


def micro_matched(gold: list[list[str]], pred: list[list[str]], optional: list[list[str]]) -> dict[str, float]:
    """Micro precision/recall/F1 with ``match_one_to_one`` per posting."""
    tp = fp = fn = 0
    for g, p, o in zip(gold, pred, optional, strict=True):
        a, b, c, _, _ = match_one_to_one(g, p, o)
        tp, fp, fn = tp + a, fp + b, fn + c
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def blind_report(rows: list[dict], tech_pred: list[list[str]], all_pred: list[list[str]],
                 base_pred: list[list[str]], show_errors: bool = False) -> dict[str, object]:
    """Scores against the blind labels: technologies, concepts (recall) and all skills."""
    tech = [r["technologies"] for r in rows]
    conc = [r["concepts"] for r in rows]
    opt = [r.get("optional", []) for r in rows]
    both = [t + c for t, c in zip(tech, conc, strict=True)]
    out = {
        "gold_technologies": sum(map(len, tech)), "gold_concepts": sum(map(len, conc)),
        "technologies": micro_matched(tech, tech_pred, [o + c for o, c in zip(opt, conc, strict=True)]),
        "technologies_exact_dictionary_baseline": micro_matched(tech, base_pred,
                                                                [o + c for o, c in zip(opt, conc, strict=True)]),
        "concepts_recall": micro_matched(conc, all_pred, [o + t for o, t in zip(opt, tech, strict=True)])["recall"],
        "all_skills": micro_matched(both, all_pred, opt),
    }
    if show_errors:
        for r, g, p, o in zip(rows, tech, tech_pred, opt, strict=True):
            _, _, _, missed, extra = match_one_to_one(g, p, o + r["concepts"])
            if missed or extra:
                print(r["id"], "FN:", missed, "FP:", extra, file=sys.stderr)
        for r, g, p, o in zip(rows, both, all_pred, opt, strict=True):
            _, _, _, _, extra = match_one_to_one(g, p, o)
            if extra:
                print(r["id"], "all skills FP:", extra, file=sys.stderr)
    return out


def baseline_extractor(examples: list[str]):
    """Exact dictionary: every O*NET example matched verbatim (case-sensitive, word boundaries)."""
    import ahocorasick

    auto = ahocorasick.Automaton()
    for ex in examples:
        auto.add_word(ex, ex)
    auto.make_automaton()
    labels = {ex: canonical_technology(ex)[0] for ex in examples}

    def run(text: str) -> set[str]:
        out = set()
        for end, ex in auto.iter(text):
            s, e = end - len(ex) + 1, end + 1
            if (s > 0 and text[s - 1].isalnum()) or (e < len(text) and (text[e].isalnum() or text[e] in "+#")):
                continue
            out.add(labels[ex].lower())
        return out

    return run


def main() -> None:
    """Entry point."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="test", choices=["test", "train", "all"])
    ap.add_argument("--datasets", default=str(ROOT.parent / "shared" / "datasets"))
    ap.add_argument("--gold", default=str(ROOT / "data" / "eval" / "skills_gold.jsonl"))
    ap.add_argument("--blind", action="store_true", help="score data/eval/skills_gold_blind.jsonl")
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    if args.blind:
        args.gold = str(ROOT / "data" / "eval" / "skills_gold_blind.jsonl")
    ds = Path(args.datasets)
    gold_rows = [json.loads(line) for line in Path(args.gold).read_text().splitlines() if line.strip()]
    if args.split != "all":
        gold_rows = [r for r in gold_rows if r["split"] == args.split]
    posts = {}
    with gzip.open(ds / "job-postings-hn-2026" / "hn_jobs_2026.jsonl.gz", "rt") as f:
        for line in f:
            r = json.loads(line)
            posts[r["id"]] = r["text_html"]
    onet = read_onet(ds / "onet-29.3").tables
    esco = read_esco(ds / "esco-1.2.0").tables
    t0 = time.perf_counter()
    ext = SkillExtractor.build(onet["onet_technology"], onet["onet_tool"], esco["esco_skill"],
                               postings_sample=list(posts.values()))
    build_s = time.perf_counter() - t0
    texts = [posts[r["id"]] for r in gold_rows]
    if gold_rows and "concepts" in gold_rows[0]:  # blind labels: free-text names, matched with the normaliser
        found = ext.extract_many(texts)
        tech_pred = [[m.label for m in ms if m.kind == "technology"] for ms in found]
        all_pred = [[m.label for m in ms] for ms in found]
        base = baseline_extractor(sorted(set(onet["onet_technology"]["example"].to_list())))
        base_pred = [sorted(base(html_to_text(t))) for t in texts]
        out = {"gold": Path(args.gold).name, "split": args.split, "postings": len(gold_rows),
               **blind_report(gold_rows, tech_pred, all_pred, base_pred, args.show_errors),
               "build_s": round(build_s, 2)}
        print(json.dumps(out, indent=2))
        return
    gold = [{t.lower() for t in r["technologies"]} for r in gold_rows]
    pred = [{m.label.lower() for m in ms if m.kind == "technology"} for ms in ext.extract_many(texts)]
    base = baseline_extractor(sorted(set(onet["onet_technology"]["example"].to_list())))
    base_pred = [base(html_to_text(t)) for t in texts]
    allposts = list(posts.values())
    t0 = time.perf_counter()
    ext.extract_many(allposts)
    rate = len(allposts) / (time.perf_counter() - t0)
    out = {
        "split": args.split, "postings": len(gold_rows), "gold_labels": sum(len(g) for g in gold),
        "extractor": micro(gold, pred), "exact_dictionary_baseline": micro(gold, base_pred),
        "extractor_trend_vocab": micro(gold, pred, TREND_VOCAB),
        "baseline_trend_vocab": micro(gold, base_pred, TREND_VOCAB),
        "postings_per_s": round(rate, 1), "build_s": round(build_s, 2), "throughput_postings": len(allposts),
    }
    print(json.dumps(out, indent=2))
    if args.show_errors:
        for r, g, p in zip(gold_rows, gold, pred, strict=True):
            if g != p:
                print(r["id"], "FN:", sorted(g - p), "FP:", sorted(p - g), file=sys.stderr)


if __name__ == "__main__":
    main()
