import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from careeros.market.landing import land_raw, new_versions, upsert_postings
from careeros.market.sources import GenericFeedSource, HNSource, raw_frame
from careeros.warehouse.db import connect
from careeros.warehouse.provenance import Provenance

PROV = Provenance("feed", "1", "0" * 64, "run-1", datetime(2026, 2, 1, tzinfo=UTC))


def write_feed(path: Path, records: list[dict]) -> GenericFeedSource:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return GenericFeedSource(path)


RECORDS = [
    {
        "id": "a1",
        "title": "Data Engineer",
        "company": "Acme",
        "salary_min": 100000,
        "posted_at": "2026-01-05",
    },
    {"id": "a2", "title": "Senior Backend Engineer", "company": "Acme", "location": "Remote (US)"},
    {"id": "a3", "title": "Product Designer", "company": "Beta", "salary": "€60–80k"},
]


def test_new_versions_pure():
    raw = pl.DataFrame(
        {"source": ["s", "s", "s"], "source_record_id": ["1", "2", "2"], "raw_sha256": ["x", "y", "y"]}
    )
    existing = pl.DataFrame({"source": ["s"], "source_record_id": ["1"], "raw_sha256": ["x"]})
    assert new_versions(existing, raw)["source_record_id"].to_list() == ["2"]
    assert new_versions(existing.clear(), raw).height == 2


def test_relanding_adds_nothing_and_change_adds_version(tmp_path):
    src = write_feed(tmp_path / "feed.jsonl", RECORDS)
    raws = list(src.iter_raw())
    res = src.parse_batch(raws)
    with connect(tmp_path / "w.duckdb") as con:
        assert land_raw(con, raw_frame(raws), run_id="run-1") == 3
        assert land_raw(con, raw_frame(raws), run_id="run-2") == 0
        assert upsert_postings(con, res.frame(), provenance=PROV) == {"inserted": 3, "flipped": 0}
        assert upsert_postings(con, res.frame(), provenance=PROV) == {"inserted": 0, "flipped": 0}
        assert con.execute("SELECT count(*) FROM posting_raw").fetchall()[0][0] == 3

        changed = [RECORDS[0], {**RECORDS[1], "title": "Staff Backend Engineer"}, RECORDS[2]]
        src2 = write_feed(tmp_path / "feed.jsonl", changed)
        raws2 = list(src2.iter_raw())
        assert land_raw(con, raw_frame(raws2), run_id="run-3") == 1
        assert upsert_postings(con, src2.parse_batch(raws2).frame(), provenance=PROV) == {
            "inserted": 1,
            "flipped": 1,
        }
        rows = con.sql(
            "SELECT title, is_current, experience_level FROM posting "
            "WHERE source_record_id = 'a2' ORDER BY title"
        ).fetchall()
        assert rows == [
            ("Senior Backend Engineer", False, "senior"),
            ("Staff Backend Engineer", True, "lead"),
        ]
        assert con.execute("SELECT count(*) FROM posting WHERE is_current").fetchall()[0][0] == 3
        assert (
            con.execute("SELECT count(*) FROM posting_raw WHERE source_record_id = 'a2'").fetchall()[0][0]
            == 2
        )
        # re-landing the old version makes it current again, without new rows
        assert land_raw(con, raw_frame(raws), run_id="run-4") == 0
        assert upsert_postings(con, res.frame(), provenance=PROV) == {"inserted": 0, "flipped": 2}
        assert con.sql(
            "SELECT title FROM posting WHERE source_record_id = 'a2' AND is_current"
        ).fetchall() == [("Senior Backend Engineer",)]
        prov_cols = con.sql("SELECT DISTINCT _run_id, _source FROM posting").fetchall()
        assert prov_cols == [("run-1", "feed")]


def test_changed_multi_role_post_retires_dropped_roles(tmp_path):
    def line(text: str) -> str:
        return json.dumps(
            {
                "id": 7,
                "source": "who_is_hiring",
                "posted_unix": 1767369853,
                "run_date": "2026-01-01",
                "text_html": text,
            }
        )

    path = tmp_path / "hn.jsonl"
    path.write_text(
        line("Acme | Backend Engineer, ML Engineer, Product Designer | Remote (US)<p>Join us.") + "\n"
    )
    src = HNSource(path)
    with connect(tmp_path / "w.duckdb") as con:
        raws = list(src.iter_raw())
        land_raw(con, raw_frame(raws), run_id="r1")
        assert upsert_postings(con, src.parse_batch(raws).frame(), provenance=PROV)["inserted"] == 3
        path.write_text(line("Acme | Backend Engineer, ML Engineer | Remote (US)<p>Join us.") + "\n")
        raws = list(src.iter_raw())
        assert land_raw(con, raw_frame(raws), run_id="r2") == 1
        assert upsert_postings(con, src.parse_batch(raws).frame(), provenance=PROV) == {
            "inserted": 2,
            "flipped": 3,
        }
        current = con.sql("SELECT posting_id FROM posting WHERE is_current ORDER BY posting_id").fetchall()
        assert current == [("hn:7:0",), ("hn:7:1",)]
