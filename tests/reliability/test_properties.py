"""Property-based tests: any bytes into an evidence reader or a postings feed parser give items or quarantine
reasons, within the limits, and never an exception."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careeros.evidence.readers import Limits, classify, read_source

pytestmark = pytest.mark.reliability

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)
LIMITS = Limits(file_bytes=200_000, unpacked_bytes=400_000, archive_members=20, chars=20_000, chunks=40, pages=5,
                seconds=30)

texty = st.one_of(
    st.binary(max_size=4000),
    st.text(max_size=3000).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.text(alphabet=st.characters(codec="utf-16"), max_size=500).map(lambda s: b"\xff\xfe" + s.encode("utf-16-le")),
    st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"@article{x,\n title={T}}", b"\x00" * 64, b"\xef\xbb\xbf"]).flatmap(
        lambda head: st.binary(max_size=2000).map(lambda tail: head + tail)),
)


@st.composite
def zips(draw: st.DrawFn) -> bytes:
    buf = io.BytesIO()
    names = draw(st.sets(st.sampled_from(["[Content_Types].xml", "word/document.xml", "_rels/.rels",
                                          "word/media/x.bin", "word/_rels/document.xml.rels", "docProps/core.xml"]),
                         max_size=6))
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(names):
            zf.writestr(name, draw(st.one_of(st.binary(max_size=800), st.sampled_from([
                b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
                b"<w:document/>", b"<<<", b""]))))
    return buf.getvalue()


def _check(items: list, quarantined: object) -> None:
    assert bool(items) != (quarantined is not None)
    for it in items:
        assert len(it.text) <= LIMITS.chars and it.version_sha256 and it.title is not None
    if quarantined is not None:
        assert quarantined.reason  # type: ignore[attr-defined]


@SETTINGS
@given(data=texty, suffix=st.sampled_from([".md", ".txt", ".pdf", ".docx", ".bib"]))
def test_document_readers_are_total(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"resume{suffix}"
        p.write_bytes(data)
        st_ = classify(p)
        assert st_ is not None
        items, q = read_source(st_, p, LIMITS)
        _check(items, q)


@SETTINGS
@given(data=zips())
def test_docx_reader_is_total_on_zip_containers(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "resume.docx"
        p.write_bytes(data)
        items, q = read_source("resume", p, LIMITS)
        _check(items, q)


record = st.dictionaries(
    st.sampled_from(["id", "title", "company", "location", "salary", "salary_min", "salary_max", "salary_period",
                     "salary_currency", "posted_at", "remote", "description", "skills", "experience_level", "x"]),
    st.one_of(st.none(), st.text(max_size=60), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
              st.lists(st.text(max_size=10), max_size=3), st.booleans()),
    max_size=10)
feed_bytes = st.one_of(
    st.binary(max_size=3000),
    st.lists(record, max_size=12).map(lambda rs: "".join(json.dumps(r) + "\n" for r in rs).encode()),
    st.lists(st.lists(st.text(max_size=15), min_size=1, max_size=5), max_size=10).map(
        lambda rows: "\n".join(",".join(r) for r in [["id", "title", "company"], *rows]).encode("utf-8", "replace")),
)


@SETTINGS
@given(data=feed_bytes, suffix=st.sampled_from([".jsonl", ".csv", ".jsonl.gz", ".csv.gz"]), gz=st.booleans())
def test_feed_parser_is_total(data: bytes, suffix: str, gz: bool) -> None:
    import gzip

    from careeros.market.sources.generic import GenericFeedSource

    if gz and suffix.endswith(".gz"):
        data = gzip.compress(data)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"mine{suffix}"
        p.write_bytes(data)
        src = GenericFeedSource(p, "mine")
        raws = list(src.iter_raw())
        for raw in raws:  # every record: postings or a rejection with a reason (a quarantine row), never both
            one = src.parse_batch([raw])
            assert bool(one.postings) != bool(one.rejected)
            assert all(rej.reason for rej in one.rejected)
        res = src.parse_batch(raws)
        for post in res.postings:
            for v in (post.title, post.company, post.location):
                assert v is None or not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in v)
