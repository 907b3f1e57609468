"""The title-requirements gold set's shape and the benchmark's summary (no product run)."""

from __future__ import annotations

from collections import Counter

from conftest import load_benchmark

etr = load_benchmark("eval_title_requirements")


def test_the_gold_holds_blind_titles_across_fields_split_in_halves() -> None:
    gold = etr.load_gold()
    assert len(gold) >= 100
    assert len({g["title"].lower() for g in gold}) == len(gold)
    splits = Counter(g["split"] for g in gold)
    assert set(splits) == {"train", "test"} and min(splits.values()) >= 0.35 * len(gold)
    assert len({g["field"] for g in gold}) >= 10
    for g in gold:
        assert 7 <= len(g["must"]) <= 10, g["title"]
        assert all(e and all(isinstance(x, str) and x.strip() for x in e) for e in g["must"]), g["title"]


def test_the_summary_is_a_macro_mean_per_split_and_field() -> None:
    rows = [{"title": "A", "field": "x", "split": "train", "recall": 1.0},
            {"title": "B", "field": "x", "split": "test", "recall": 0.5},
            {"title": "C", "field": "y", "split": "test", "recall": 0.0}]
    got = etr.summarise(rows)
    assert got["recall_macro"] == 0.5 and got["titles"] == 3
    assert got["by_split"]["test"] == {"recall_macro": 0.25, "titles": 2}
    assert got["by_field"]["x"] == {"recall_macro": 0.75, "titles": 2}
