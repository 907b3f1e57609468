import gzip
import json
from datetime import UTC, datetime

import polars as pl
import pytest

from careeros.market.sources import (
    POSTING_SCHEMA,
    GenericFeedSource,
    HNSource,
    LinkedInSource,
    Rejected,
    USAJobsSource,
)
from careeros.market.sources.hn import parse_hn_post, split_roles
from careeros.market.sources.parsing import (
    experience_from_gs_grade,
    experience_from_title,
    html_to_text,
    parse_location,
    parse_salary,
)

# ------------------------------------------------------------------ salary / location / level tables


@pytest.mark.parametrize(
    ("text", "lo", "hi", "cur", "period"),
    [
        ("$150k-$200k", 150_000, 200_000, "USD", "year"),
        ("150,000 - 180,000 USD", 150_000, 180_000, "USD", "year"),
        ("€60–80k", 60_000, 80_000, "EUR", "year"),
        ("£70k", 70_000, 70_000, "GBP", "year"),
        ("$65/hr", 65 * 2080, 65 * 2080, "USD", "hour"),
        ("120-160K + equity", 120_000, 160_000, None, "year"),
        ("up to $200k", None, 200_000, "USD", "year"),
        ("CAD 120k", 120_000, 120_000, "CAD", "year"),
        ("C$60-80k", 60_000, 80_000, "CAD", "year"),
        ("$300–$600K AUD", 300_000, 600_000, "AUD", "year"),
        ("$173,500 – $331,050 base (US)", 173_500, 331_050, "USD", "year"),
        ("$150k+", 150_000, None, "USD", "year"),
        ("€5,000/month", 60_000, 60_000, "EUR", "month"),
        ("$500/day", 130_000, 130_000, "USD", "day"),
        ("$70–110/hr", 70 * 2080, 110 * 2080, "USD", "hour"),
        ("60.000 - 80.000 EUR", 60_000, 80_000, "EUR", "year"),
        ("£75-100k base + meaningful equity", 75_000, 100_000, "GBP", "year"),
    ],
)
def test_parse_salary(text, lo, hi, cur, period):
    s = parse_salary(text)
    assert (s.min, s.max, s.currency, s.period) == (lo, hi, cur, period)
    assert s.warnings == []


@pytest.mark.parametrize(
    "text",
    [
        "8+ years experience",
        "Visa + €10k Signing Bonus",
        "$24B lending market",
        "Series B | 16M Funding",
        "401K",
        "REMOTE (EU ±3h)",
        "$2",
        "",
    ],
)
def test_not_a_salary(text):
    assert not parse_salary(text).found


def test_absurd_salary_rejected_with_warning():
    s = parse_salary("$1,000,000,000")
    assert not s.found and s.warnings and "out of range" in s.warnings[0]
    low = parse_salary("$0.50/hr")
    assert not low.found and "out of range" in low.warnings[0]


@pytest.mark.parametrize(
    ("text", "loc", "country", "remote"),
    [
        ("Remote (US)", "US", "United States", "remote"),
        ("REMOTE", None, None, "remote"),
        ("Hybrid - NYC", "NYC", "United States", "hybrid"),
        ("Onsite in SF", "SF", "United States", "onsite"),
        ("Remote-first", None, None, "remote"),
        ("ONSITE (Milan, Italy)", "Milan, Italy", "Italy", "onsite"),
        ("Scottsdale, AZ (Hybrid — 2 days/week onsite)", "Scottsdale, AZ", "United States", "hybrid"),
        ("London, UK", "London, UK", "United Kingdom", None),
        ("No remote, Berlin", "Berlin", "Germany", "onsite"),
    ],
)
def test_parse_location(text, loc, country, remote):
    assert parse_location(text) == (loc, country, remote)


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Senior Backend Engineer", "senior"),
        ("Staff SWE", "lead"),
        ("Software Engineering Intern", "intern"),
        ("Principal Engineer", "principal"),
        ("Director of Engineering", "director"),
        ("CTO", "executive"),
        ("Junior Developer", "junior"),
        ("Software Engineer", None),
    ],
)
def test_experience_from_title(title, level):
    assert experience_from_title(title) == level


def test_gs_grades():
    assert [experience_from_gs_grade(g, "GS") for g in ("05", "09", "12", "14", "15")] == [
        "junior",
        "mid",
        "senior",
        "lead",
        "principal",
    ]
    assert (
        experience_from_gs_grade("00", "VM") is None and experience_from_gs_grade(None, "ES") == "executive"
    )


def test_html_to_text():
    html = (
        'Acme | Eng<p>See <a href="https:&#x2F;&#x2F;x.io&#x2F;jobs" rel="nofollow">'
        "https:&#x2F;&#x2F;x.io...</a> &amp; apply"
    )
    assert html_to_text(html) == "Acme | Eng\nSee https://x.io/jobs & apply"


# ------------------------------------------------------------------ HN


def hn(text: str, rid: int = 1) -> list:
    return parse_hn_post({"id": rid, "posted_unix": 1767369853, "text_html": text}, "sha")


def test_hn_multi_role_header():
    rows = hn(
        "Acme | Hiring: Senior Backend Engineer, ML Engineer, Product Designer | Remote (US) | $150k-$200k"
    )
    assert [r.title for r in rows] == ["Senior Backend Engineer", "ML Engineer", "Product Designer"]
    assert [r.posting_id for r in rows] == ["hn:1:0", "hn:1:1", "hn:1:2"]
    assert {(r.company, r.remote, r.country, r.salary_min, r.salary_max) for r in rows} == {
        ("Acme", "remote", "United States", 150_000, 200_000)
    }
    assert rows[0].experience_level == "senior" and rows[0].posted_at == datetime.fromtimestamp(
        1767369853, UTC
    )


def test_hn_roles_in_body_and_other_separators():
    rows = hn(
        "Acme — Multiple roles — Berlin (Hybrid)<p>Open roles:<p>- Staff Data Engineer<p>"
        "- Frontend Developer (React)<p>We love tea."
    )
    assert [r.title for r in rows] == ["Staff Data Engineer", "Frontend Developer"]
    assert rows[0].company == "Acme" and rows[0].remote == "hybrid" and rows[0].country == "Germany"
    assert split_roles("Staff, Fullstack & Frontend Software Engineers") == [
        "Staff Software Engineer",
        "Fullstack Software Engineer",
        "Frontend Software Engineer",
    ]
    rows = hn("Senior Data Analyst at P2P.org, the largest staking provider | Remote | Full-time")
    assert (rows[0].company, rows[0].title) == ("P2P.org", "Senior Data Analyst")


def test_hn_bad_records_are_rejected(tmp_path):
    good = {"id": 1, "source": "who_is_hiring", "posted_unix": 1767369853, "text_html": "Acme | SRE | Remote"}
    path = tmp_path / "hn.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(json.dumps(good) + "\n")
        fh.write('{"id": 2, "text_html": "broken\n')
        fh.write(json.dumps({"id": 3, "text_html": "[flagged]"}) + "\n")
        fh.write(json.dumps({"id": 4}) + "\n")
        fh.write("[1, 2]\n")
    src = HNSource(path)
    res = src.parse_batch(src.iter_raw())
    assert [p.posting_id for p in res.postings] == ["hn:1:0"]
    reasons = {r.source_record_id: r.reason for r in res.rejected}
    assert all(isinstance(r, Rejected) for r in res.rejected)
    assert reasons["2"].startswith("invalid JSON")
    assert reasons["3"].startswith("not a job post")
    assert reasons["4"] == "missing or empty text_html"
    assert reasons["line-5"].startswith("expected a JSON object")


@pytest.fixture(scope="module")
def hn_result(datasets):
    src = HNSource.from_datasets(datasets)
    raws = list(src.iter_raw())
    return raws, src.parse_batch(raws)


def test_hn_real_first_200(hn_result):
    raws, res = hn_result
    first = [r.source_record_id for r in raws[:200]]
    ok = {p.source_record_id for p in res.postings if p.company and p.title}
    assert sum(rid in ok for rid in first) >= 180  # >= 90% of the first 200 posts
    assert len(raws) == 1720 and len(res.rejected) < 100
    assert len(res.postings) > len(raws)  # multi-role posts
    temporal = [p for p in res.postings if p.source_record_id == "46466124"]
    assert len(temporal) >= 3 and all(p.company == "Temporal Technologies" for p in temporal)
    frame = res.frame()
    assert frame.schema == pl.Schema(POSTING_SCHEMA)
    assert frame["posting_id"].is_unique().all()
    assert frame["salary_min"].drop_nulls().min() >= 3000


# ------------------------------------------------------------------ LinkedIn / USAJOBS


def test_linkedin_real(datasets):
    src = LinkedInSource.from_datasets(datasets)
    raws = list(src.iter_raw())
    res = src.parse_batch(raws)
    assert len(raws) == 33_246 and not res.rejected
    df = res.frame()
    first = df.filter(pl.col("source_record_id") == "3757940104").row(0, named=True)
    assert first["posted_at"] is None and first["url"].endswith("3757940104")
    assert first["salary_min"] == 5250 * 12 and first["salary_period"] == "month"
    assert first["company"] == "HearingLife" and first["experience_level"] == "junior"
    assert first["source_skills"] == ["Other"] and first["industries"] == ["Medical Equipment Manufacturing"]
    assert df["salary_min"].is_not_null().sum() > 13_000
    assert df.filter(pl.col("remote") == "remote").height == 4_802


def test_usajobs_real(datasets):
    src = USAJobsSource.from_datasets(datasets)
    raws = list(src.iter_raw())
    res = src.parse_batch(raws)
    assert len(raws) == 23_494 + 3_879 and not res.rejected
    df = res.frame()
    mech = df.filter(pl.col("source_record_id") == "425479600").row(0, named=True)
    assert mech["title"] == "Maintenance Mechanic" and mech["salary_period"] == "hour"
    assert mech["salary_min"] == pytest.approx(19.51 * 2080) and mech["location"] == "Fort Derussy, Hawaii"
    assert mech["remote"] == "onsite" and mech["posted_at"] == datetime(2016, 1, 1, tzinfo=UTC)
    new = df.filter(pl.col("source_record_id") == "774711000").row(0, named=True)
    assert new["company"] == "Court Services and Offender Supervision Agency for DC"
    assert new["closes_at"] == datetime(2024, 2, 19, tzinfo=UTC) and new["salary_min"] is None
    assert df["posted_at"].null_count() == 0


# ------------------------------------------------------------------ generic feed

FEED = [
    {
        "id": "j1",
        "title": "Senior Data Engineer",
        "company": "Acme",
        "location": "Hybrid - NYC",
        "salary_min": 70,
        "salary_max": 90,
        "salary_currency": "usd",
        "salary_period": "hour",
        "posted_at": "2026-03-02T10:00:00+01:00",
        "url": "https://acme.example/j1",
        "description": "<p>Spark &amp; SQL</p>",
        "skills": ["Spark", "SQL"],
        "team": "data",
    },
    {"id": 2, "title": "Designer", "salary": "€60–80k", "remote": True, "posted_at": "2026-03-03"},
    {"id": "j3", "company": "NoTitle"},
    {"id": "j4", "title": "Analyst", "salary_min": "lots"},
]


def check_feed(res):
    assert [p.posting_id for p in res.postings] == ["feed:j1:0", "feed:2:0"]
    j1, j2 = res.postings
    assert (j1.salary_min, j1.salary_max, j1.salary_currency, j1.salary_period) == (
        145_600,
        187_200,
        "USD",
        "hour",
    )
    assert (j1.location, j1.country, j1.remote, j1.experience_level) == (
        "NYC",
        "United States",
        "hybrid",
        "senior",
    )
    assert j1.posted_at == datetime(2026, 3, 2, 9, tzinfo=UTC) and j1.text == "Spark & SQL"
    assert (j2.salary_min, j2.salary_currency, j2.remote) == (60_000, "EUR", "remote")
    assert j2.posted_at == datetime(2026, 3, 3, tzinfo=UTC)
    reasons = {r.source_record_id: r.reason for r in res.rejected}
    assert reasons == {"j3": "missing required field: title", "j4": "salary_min is not a number: 'lots'"}


def test_generic_jsonl(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in FEED) + "\n{not json\n")
    src = GenericFeedSource(path)
    res = src.parse_batch(src.iter_raw())
    assert res.rejected[-1].reason.startswith("invalid JSON")
    res.rejected = res.rejected[:-1]
    check_feed(res)
    assert res.postings[0].source_skills == ["Spark", "SQL"] and res.postings[0].attributes == {
        "team": "data"
    }


def test_generic_csv(tmp_path):
    cols = [
        "id",
        "title",
        "company",
        "location",
        "salary_min",
        "salary_max",
        "salary_currency",
        "salary_period",
        "salary",
        "posted_at",
        "url",
        "description",
        "remote",
        "skills",
    ]
    rows = []
    for r in FEED:
        r = {**r, "skills": ";".join(r.get("skills", [])), "remote": "true" if r.get("remote") else ""}
        rows.append(pl.DataFrame({c: [str(r.get(c, "")) if r.get(c) is not None else ""] for c in cols}))
    path = tmp_path / "feed.csv"
    pl.concat(rows).write_csv(path)
    src = GenericFeedSource(path)
    res = src.parse_batch(src.iter_raw())
    check_feed(res)
    assert res.postings[0].source_skills == ["Spark", "SQL"]


def test_generic_csv_unbalanced_quote_loses_no_row(tmp_path):
    path = tmp_path / "feed.csv.gz"
    text = ('id,title,description\n'
            'a1,"Data\nEngineer",x\n'  # a legitimate multi-line quoted field
            'a2,"Unclosed,oops\n'  # never closed before the next row
            'a3,"ML Engineer",ok\n'
            'a4,Stray "quote" title,ok\n'  # a quote inside an unquoted field is fine
            'a5,"Last,unclosed\n')
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write(text)
    src = GenericFeedSource(path)
    res = src.parse_batch(src.iter_raw())
    assert [(p.source_record_id, p.title) for p in res.postings] == [
        ("a1", "Data Engineer"), ("a3", "ML Engineer"), ("a4", 'Stray "quote" title')]
    assert {r.source_record_id: r.reason for r in res.rejected} == {
        "a2": "malformed CSV at line 4: unbalanced quote (a quoted field runs on into line 5); row skipped",
        "a5": "malformed CSV at line 7: a quoted field is never closed (it runs to the end of the file); row skipped",
    }
    assert json.loads(res.rejected[0].raw_json)["_malformed_csv"]["text"] == 'a2,"Unclosed,oops\n'


@pytest.mark.parametrize(("data", "warnings"), [
    ("id,title,company\nx1,Développeur,Société\n".encode("cp1252"), ["decoded as cp1252"]),
    ("id,title,company\nx1,Développeur,Société\n".encode("utf-8-sig"), []),
    ("id,title,company\nx1,Développeur,Société\n".encode("utf-16"), []),
    ("id,title,company\r\nx1,Développeur,Société\r\n".encode("utf-16-be").join([b"\xfe\xff", b""]), []),
])
def test_generic_feed_encodings(tmp_path, data, warnings):
    path = tmp_path / "feed.csv"
    path.write_bytes(data)
    src = GenericFeedSource(path)
    res = src.parse_batch(src.iter_raw())
    assert res.rejected == []
    assert [(p.title, p.company, p.parse_warnings) for p in res.postings] == [("Développeur", "Société", warnings)]


def test_generic_feed_strips_markup_from_one_line_fields(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({
        "id": "h1", "title": "<script>alert(1)</script>Data &amp; ML <b>Engineer</b>",
        "company": "&lt;i&gt;Acme&lt;/i&gt;", "location": "<span>Berlin</span>",
        "description": "<p>Python</p><style>p {color: red}</style><script src=x>steal()</script><p>SQL",
    }) + "\n")
    (p,) = GenericFeedSource(path).parse_batch(GenericFeedSource(path).iter_raw()).postings
    assert (p.title, p.company, p.location, p.text) == ("Data & ML Engineer", "Acme", "Berlin", "Python\nSQL")
