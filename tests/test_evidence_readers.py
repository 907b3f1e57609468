"""Evidence readers on real files (md, pdf, docx, txt, BibTeX, a real git repo) and on bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from careeros.evidence import readers as r
from careeros.evidence.chunking import chunk_item, chunk_texts

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample_operator"


@pytest.fixture(scope="module")
def sample_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from careeros.cli.init_cmd import install_sample_operator

    dest = tmp_path_factory.mktemp("op") / "sample_operator"
    install_sample_operator(dest)
    return dest / "repos" / "feature-store-lite"


@pytest.mark.parametrize(("reader", "rel", "expect"), [
    (r.read_resume, "resume/resume.md", ["Apache Kafka", "PyTorch"]),
    (r.read_resume, "resume/resume.pdf", ["Apache Kafka", "Tidewater Payments"]),
    (r.read_resume, "resume/resume_2023.docx", ["Snowflake", "# Experience"]),
    (r.read_note, "notes/2025-10-feature-store-design.md", ["Point-in-time"]),
    (r.read_certificate, "certificates/aws-machine-learning-specialty.txt", ["SageMaker"]),
])
def test_document_readers(reader, rel: str, expect: list[str]) -> None:
    items = reader(SAMPLE / rel)
    assert len(items) == 1
    it = items[0]
    for word in expect:
        assert word in it.text
    assert len(it.version_sha256) == 64 and it.item_id and it.title
    assert reader(SAMPLE / rel)[0].version_sha256 == it.version_sha256  # deterministic


def test_certificate_is_dated_by_issue_date() -> None:
    it = r.read_certificate(SAMPLE / "certificates/aws-machine-learning-specialty.txt")[0]
    assert it.content_at is not None and it.content_at.date().isoformat() == "2025-06-14"


def test_bibtex_one_item_per_entry() -> None:
    items = r.read_bibtex(SAMPLE / "publications/publications.bib")
    assert [i.metadata["bibtex_key"] for i in items] == ["reyes2024streaming", "reyes2023duckdb"]
    assert "Apache Kafka" in items[0].title and items[0].content_at.year == 2024
    assert "point-in-time" in items[0].text and len({i.item_id for i in items}) == 2


def test_repo_reader(sample_repo: Path) -> None:
    (it,) = r.read_repo(sample_repo)
    assert it.source_type == "repo" and it.metadata["n_commits"] == 4
    assert it.metadata["languages"]["Python"] >= 5 and "Go" in it.metadata["languages"]
    deps = {s.value for s in it.signals if s.kind == "dependency"}
    assert {"polars", "duckdb", "fastapi", "scikit-learn", "torch", "react", "github.com/spf13/cobra"} <= deps
    assert "Merge pull request #4" in it.text and "feature-store-lite" in it.text
    assert any(c["subject"].startswith("Merge") for c in it.metadata["commits"])
    assert r.read_repo(sample_repo)[0].version_sha256 == it.version_sha256


@pytest.mark.parametrize(("name", "text", "expect"), [
    ("pyproject.toml", '[project]\ndependencies = ["polars>=1", "duckdb[x] ==1.0; python_version>\'3\'"]\n'
     '[project.optional-dependencies]\ndev = ["pytest"]', ["duckdb", "polars", "pytest"]),
    ("requirements-dev.txt", "# c\nFastAPI==0.1\n-e .\nscikit-learn>=1\n", ["fastapi", "scikit-learn"]),
    ("web/package.json", '{"dependencies": {"react": "^18"}, "devDependencies": {"vite": "5"}}', ["react", "vite"]),
    ("go.mod", "module x\nrequire (\n\tgithub.com/spf13/cobra v1.8.0\n\tgolang.org/x/sync v0.1.0\n)\n",
     ["github.com/spf13/cobra", "golang.org/x/sync"]),
    ("Cargo.toml", '[dependencies]\ntokio = "1"\nserde = { version = "1" }\n', ["serde", "tokio"]),
    ("pom.xml", "<dependency><groupId>o</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>",
     ["spring-boot-starter-web"]),
    ("package.json", "{not json", []),
])
def test_manifest_dependencies(name: str, text: str, expect: list[str]) -> None:
    assert r.manifest_dependencies(name, text) == expect


def _encrypted_pdf(path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    for p in PdfReader(SAMPLE / "resume/resume.pdf").pages:
        w.add_page(p)
    w.encrypt("s3cret", algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("empty.pdf", lambda p: p.write_bytes(b""), "empty file"),
    ("binary.pdf", lambda p: p.write_bytes(bytes(range(256)) * 4), "is not a PDF"),
    ("corrupt.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n" + b"garbage\x00\xff" * 200), "PDF"),
    ("locked.pdf", _encrypted_pdf, "encrypted PDF"),
    ("corrupt.docx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 300), "corrupt DOCX"),
    ("text.docx", lambda p: p.write_text("just text"), "not a DOCX"),
    ("empty.md", lambda p: p.write_text(""), "empty file"),
    ("spaces.md", lambda p: p.write_text("  \n\n  "), "no extractable text"),
    ("binary.md", lambda p: p.write_bytes(b"\x00\x01\x02" * 100), "binary content"),
    ("none.bib", lambda p: p.write_text("% only a comment\n"), "no BibTeX entries"),
])
def test_bad_input_is_quarantined_with_a_reason(tmp_path: Path, name: str, make, reason: str) -> None:
    p = tmp_path / "resume" / name
    p.parent.mkdir()
    make(p)
    st = r.classify(p)
    items, q = r.read_source(st, p)
    assert items == [] and q is not None
    assert reason in q.reason, q.reason


def test_bad_repo_and_missing_folder(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    items, bad = r.read_all(r.discover([tmp_path / "nope"], [tmp_path / "plain", tmp_path / "missing"]))
    assert items == []
    reasons = sorted(b.reason for b in bad)
    assert reasons[0] == "evidence folder not found" or "not found" in reasons[0]
    assert any("git" in x for x in reasons) and any("repository folder not found" in x for x in reasons)


def test_discover_classifies(tmp_path: Path) -> None:
    assert r.classify(Path("x/resume/cv.pdf")) == "resume"
    assert r.classify(Path("x/notes/a.md")) == "note"
    assert r.classify(Path("x/certificates/aws.txt")) == "certificate"
    assert r.classify(Path("x/pubs/p.bib")) == "publication"
    assert r.classify(Path("x/notes/photo.png")) is None


def test_chunks_are_bounded_and_deterministic() -> None:
    it = r.read_resume(SAMPLE / "resume/resume.md")[0]
    a, b = chunk_item(it), chunk_item(it)
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b] and len(a) >= 3
    assert all(len(c.text) <= 700 for c in a)
    long = ("word " * 400).strip()
    assert all(len(c) <= 700 for c in chunk_texts(long))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_text_with_a_bom_is_decoded(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "note.md"
    path.write_bytes("# Notes\nPython and SQL every day.\n".encode(encoding))
    assert r._read_text_file(path) == "# Notes\nPython and SQL every day."
