"""The typed-target titles set's shape (no product run)."""

from __future__ import annotations

import re

from conftest import load_benchmark

ett = load_benchmark("eval_typed_targets")


def test_the_typed_titles_are_distinct_with_well_formed_soc_prefixes() -> None:
    gold = ett.load_gold()
    assert len(gold) >= 150
    assert len({t.lower() for t, _ in gold}) == len(gold)
    for title, accepted in gold:
        assert title and accepted, title
        assert all(re.fullmatch(r"\d{2}-\d{1,4}", a) for a in accepted), (title, accepted)
