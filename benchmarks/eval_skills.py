"""Evaluate technology extraction against hand labels (data/eval/skills_gold.jsonl); prints JSON metrics.

Usage: python benchmarks/eval_skills.py [--split test|train|all] [--datasets DIR] [--show-errors]
Compares the set of canonical technology labels per posting (case-insensitive) and reports micro P/R/F1
for the extractor and for an exact-dictionary baseline (O*NET examples matched verbatim), plus throughput.
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
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
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
