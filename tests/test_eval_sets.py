"""Pure parts of the profile-match field evaluation and the blind skills labels (no product run)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import load_benchmark

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
EVAL = Path(__file__).resolve().parents[1] / "data" / "eval"



pm = load_benchmark("eval_profile_match")


def test_hn_resume_text_keeps_duties_and_drops_header_links_and_boilerplate() -> None:
    post = ("Acme | Senior Data Engineer | Remote | $150k\n"
            "We are a fast-growing startup backed by great investors.\n"
            "You will build batch and streaming pipelines in Spark and Airflow for our analytics team.\n"
            "As a Senior Data Engineer you will model the warehouse in dbt and Snowflake.\n"
            "Apply at https://acme.example/jobs or email jobs@acme.example")
    text = pm.hn_resume_text(post)
    assert "Spark and Airflow" in text and "dbt and Snowflake" in text
    assert "Senior Data Engineer" not in text and "Acme |" not in text
    assert "http" not in text and "@" not in text and "investors" not in text
    assert pm._hn_role(post) == "Senior Data Engineer"


def test_field_report_counts_top1_top3_per_major_group() -> None:
    recs = [{"set": "s", "id": "a", "soc_code": "29-1141.00", "split": "test", "text": ""},
            {"set": "s", "id": "b", "soc_code": "29-2061.00", "split": "test", "text": ""},
            {"set": "s", "id": "c", "soc_code": "15-1252.00", "split": "train", "text": ""}]
    preds = {"a": ["29-1141.00"], "b": ["29-1141.00", "29-2061.00"], "c": []}
    rep = pm.field_report(recs, preds)
    t = rep["s"]["test"]
    assert t["overall"] == {"n": 2, "top1": 0.5, "top3": 1.0}
    assert t["by_major_group"]["29 Healthcare practitioners"] == {"n": 2, "top1": 0.5, "top3": 1.0}
    assert rep["all"]["all"]["overall"]["n"] == 3 and rep["s"]["train"]["overall"]["top1"] == 0.0


def test_split_is_seeded_and_roughly_half() -> None:
    splits = [pm._split_of(str(i)) for i in range(400)]
    assert splits == [pm._split_of(str(i)) for i in range(400)]
    assert 160 < splits.count("train") < 240


def test_weak_and_blind_files_are_well_formed_and_disjoint_from_the_old_skills_gold() -> None:
    with (EVAL / "profile_match_weak.csv").open(encoding="utf-8") as f:
        weak = list(csv.DictReader(ln for ln in f if not ln.startswith("#")))
    assert weak and all(r["split"] in {"train", "test"} and len(r["soc_code"]) == 10 for r in weak)
    old = {json.loads(ln)["id"] for ln in (EVAL / "skills_gold.jsonl").read_text().splitlines() if ln.strip()}
    blind = [json.loads(ln) for ln in (EVAL / "skills_gold_blind.jsonl").read_text().splitlines() if ln.strip()]
    assert len(blind) >= 60 and len({r["id"] for r in blind}) == len(blind)
    assert not {r["id"] for r in blind} & old
    for r in blind:
        assert {"technologies", "concepts", "optional"} <= set(r)
        assert all(isinstance(x, str) and x.strip() for x in r["technologies"] + r["concepts"] + r["optional"])
