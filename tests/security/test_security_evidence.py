"""Hostile evidence: a git repository's own config never runs, symlinks never lead out of an evidence folder,
and an item over a per-item limit (zip bomb, huge text) becomes a quarantine row while the rest is read."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from careeros.evidence.readers import Limits, discover, read_all

pytestmark = pytest.mark.security

GOOD = "# Notes\n\nBuilt a data pipeline in Python with PostgreSQL and Apache Kafka for event streaming.\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(repo), *args],
                   check=True, capture_output=True)


def test_repo_config_never_executes(tmp_path: Path) -> None:
    repo, marker = tmp_path / "repo", tmp_path / "MARKER"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "README.md").write_text("# tool\n\nA Go command line tool.\n")
    (repo / "main.go").write_text("package main\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "first")
    hook = tmp_path / "evil.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\necho 0\n")
    hook.chmod(0o755)
    (repo / ".git" / "hooks").mkdir(exist_ok=True)
    for name in ("post-checkout", "pre-commit", "post-index-change", "reference-transaction"):
        (repo / ".git" / "hooks" / name).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (repo / ".git" / "hooks" / name).chmod(0o755)
    _git(repo, "config", "core.fsmonitor", str(hook))
    _git(repo, "config", "core.pager", str(hook))
    _git(repo, "config", "diff.external", str(hook))
    (repo / "main.go").write_text("package main\n// dirty work tree: a refresh would consult the fsmonitor\n")
    items, bad = read_all(discover([], [repo]))
    assert [i.source_type for i in items] == ["repo"] and not bad
    assert not marker.exists(), "the repository's own config ran a command"


def test_symlinks_out_of_the_folder_are_quarantined(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret-notes.md").write_text("# Private\n\nSomething outside the evidence folder, never to be read.\n")
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "notes.md").write_text(GOOD)
    (folder / "link.md").symlink_to(outside / "secret-notes.md")
    (folder / "dir").symlink_to(outside, target_is_directory=True)
    items, bad = read_all(discover([folder], []))
    assert [Path(i.source_path).name for i in items] == ["notes.md"]
    assert all("Private" not in i.text for i in items)
    reasons = {Path(q.source_path).name: q.reason for q in bad}
    assert "link.md" in reasons and "outside the evidence folder" in reasons["link.md"]


def _zip_bomb_docx(path: Path, unpacked_mb: int = 256) -> None:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("Senior data engineer: Python, SQL, Apache Spark and Kubernetes in production.")
    d.save(buf)
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf, \
            zf.open("word/media/image1.bin", "w", force_zip64=True) as fh:
        block = b"\0" * (1 << 20)
        for _ in range(unpacked_mb):
            fh.write(block)
    path.write_bytes(buf.getvalue())


def test_zip_bomb_and_huge_markdown_are_quarantined_and_the_rest_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    _zip_bomb_docx(folder / "resume.docx")
    assert (folder / "resume.docx").stat().st_size < 1024 * 1024
    line = "- shipped a feature in Python and SQL for the billing team, with tests and docs\n"
    (folder / "huge-notes.md").write_text("# Log\n\n" + line * (9 * 1024 * 1024 // len(line)))
    (folder / "notes.md").write_text(GOOD)
    items, bad = read_all(discover([folder], []), Limits())
    assert [Path(i.source_path).name for i in items] == ["notes.md"]
    reasons = {Path(q.source_path).name: q.reason for q in bad}
    assert set(reasons) == {"resume.docx", "huge-notes.md"}
    assert "zip bomb" in reasons["resume.docx"] and "limit" in reasons["huge-notes.md"]


@pytest.mark.parametrize(("limits", "needle"), [
    (Limits(chars=50), "characters"), (Limits(chunks=1), "chunks"), (Limits(file_bytes=10), "file too large"),
    (Limits(archive_members=2), "archive members"),
])
def test_each_limit_is_a_quarantine_reason(tmp_path: Path, limits: Limits, needle: str) -> None:
    import docx

    folder = tmp_path / "evidence"
    folder.mkdir()
    d = docx.Document()
    for k in range(8):
        d.add_paragraph(f"Paragraph {k}: " + "Built data pipelines in Python and SQL with tests. " * 6)
        d.add_paragraph("")
    d.save(str(folder / "resume.docx"))
    items, bad = read_all(discover([folder], []), limits)
    assert not items and len(bad) == 1 and needle in bad[0].reason, bad
