"""Evidence readers: one small reader per source type, each returning items or a quarantine reason.

Every reader is total: bad input (empty, binary, encrypted or corrupt documents, a folder that is not a git
repository) becomes a :class:`~careeros.evidence.models.Quarantined` record with a reason, never an exception.
An item's ``version_sha256`` hashes the extracted content (plus the reader format), so unchanged input gives
the same version and a changed file gives a new one.
"""

from __future__ import annotations

import codecs
import contextvars
import json
import re
import subprocess
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from careeros.evidence.models import EvidenceItem, Quarantined, Signal, SourceType, short_hash
from careeros.warehouse.provenance import sha256_text

READER_FORMAT = "1"
MAX_BYTES = 20 * 1024 * 1024  # default of CAREEROS_EVIDENCE_MAX_FILE_BYTES

DOC_SUFFIXES = {".md", ".markdown", ".txt", ".pdf", ".docx", ".bib"}
LANGUAGES = {
    ".py": "Python", ".go": "Go", ".rs": "Rust", ".ts": "TypeScript", ".tsx": "TypeScript", ".js": "JavaScript",
    ".jsx": "JavaScript", ".java": "Java", ".kt": "Kotlin", ".scala": "Scala", ".rb": "Ruby", ".php": "PHP",
    ".cs": "C#", ".cpp": "C++", ".cc": "C++", ".c": "C", ".h": "C", ".swift": "Swift", ".sql": "SQL",
    ".r": "R", ".jl": "Julia", ".sh": "Bash", ".tf": "Terraform", ".ipynb": "Jupyter Notebook",
}
#: Package names whose skill label differs from the package (everything else is looked up as written).
PACKAGE_LABELS = {
    "torch": "PyTorch", "sklearn": "scikit-learn", "scikit-learn": "scikit-learn", "psycopg2": "PostgreSQL",
    "psycopg": "PostgreSQL", "psycopg2-binary": "PostgreSQL", "react-dom": "React", "redis": "Redis",
    "kafka-python": "Apache Kafka", "confluent-kafka": "Apache Kafka", "pyspark": "Apache Spark",
    "tensorflow": "TensorFlow", "github.com/spf13/cobra": "Cobra", "tokio": "Tokio", "serde": "Serde",
    "org.springframework.boot": "Spring Boot", "spring-boot-starter-web": "Spring Boot",
}
_SKIP_DIRS = ("node_modules/", "vendor/", ".venv/", "dist/", "build/", "third_party/")


class ReadError(Exception):
    """A reader's refusal with a human-readable reason (becomes a quarantine row)."""


@dataclass(frozen=True)
class Limits:
    """Per-item limits (``CAREEROS_EVIDENCE_MAX_*``); an item over one becomes a quarantine row naming it.

    Bytes on disk and unpacked, archive members, characters, chunks, PDF pages and reading seconds.
    """

    file_bytes: int = 20 * 1024 * 1024
    unpacked_bytes: int = 64 * 1024 * 1024
    archive_members: int = 1000
    chars: int = 300_000
    chunks: int = 600
    pages: int = 300
    seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: Any = None) -> Limits:
        """The limits configured in settings."""
        if settings is None:
            from careeros.settings import get_settings

            settings = get_settings()
        return cls(settings.evidence_max_file_bytes, settings.evidence_max_unpacked_bytes,
                   settings.evidence_max_archive_members, settings.evidence_max_chars, settings.evidence_max_chunks,
                   settings.evidence_max_pages, settings.evidence_max_seconds)


_DEFAULT_LIMITS = Limits()
_LIMITS: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("evidence_limits", default=None)
_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar("evidence_deadline", default=float("inf"))


def _limits() -> Limits:
    return _LIMITS.get() or _DEFAULT_LIMITS


def _check_time(what: str) -> None:
    if time.monotonic() > _DEADLINE.get():
        raise ReadError(f"reading took longer than the limit of {_limits().seconds:g} s ({what})")


def _check_chars(text: str) -> str:
    lim = _limits().chars
    if len(text) > lim:
        raise ReadError(f"too much text ({len(text):,} characters > limit {lim:,})")
    return text


# ------------------------------------------------------------------------------------------------ helpers
def _item_id(source_type: str, path: Path, key: str = "") -> str:
    return short_hash(source_type, str(path.resolve()), key)


def _version(text: str, signals: Iterable[Signal] = ()) -> str:
    sig = json.dumps(sorted((s.kind, s.value) for s in signals))
    return sha256_text(f"reader:{READER_FORMAT}\n{text}\n{sig}")


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise ReadError("not a file" if path.exists() else "file not found")
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty file")
    limit = _limits().file_bytes
    if size > limit:
        raise ReadError(f"file too large ({size:,} bytes > limit {limit:,})")
    with path.open("rb") as fh:
        return fh.read(limit + 1)[:limit]


#: Byte-order marks of text files and their codecs (UTF-32 LE first: it starts like UTF-16 LE).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _read_text_file(path: Path) -> str:
    """A text file's text: UTF-8, or UTF-8/16/32 with a BOM; NUL bytes (NUL characters after a BOM) mean binary."""
    data = _read_bytes(path)
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data[:8192]:
        raise ReadError("binary content in a text file")
    text = _check_chars(data.decode(encoding or "utf-8", errors="replace"))
    if encoding is not None and "\x00" in text[:8192]:
        raise ReadError("binary content in a text file")
    if text.count("\ufffd") > max(20, len(text) // 50):
        raise ReadError("not UTF-8 text (too many undecodable bytes)")
    return _clean(text)


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _title(text: str, path: Path) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:120]
    return path.stem


def _require_text(text: str, what: str) -> str:
    if len(re.sub(r"\W", "", text)) < 10:
        raise ReadError(f"no extractable text in {what}")
    return text


# ------------------------------------------------------------------------------------------------ documents
def pdf_text(path: Path) -> str:
    """Text of a PDF via pypdf; encrypted, corrupt or non-PDF files raise :class:`ReadError`."""
    data = _read_bytes(path)
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise ReadError(f"file named .pdf is not a PDF (starts with {data[:8]!r})")
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # noqa: BLE001 - unsupported encryption algorithms land here too
                raise ReadError(f"encrypted PDF ({type(exc).__name__}); export an unprotected copy") from exc
            if not ok:
                raise ReadError("encrypted PDF (password required); export an unprotected copy")
        n_pages = len(reader.pages)
        if n_pages > _limits().pages:
            raise ReadError(f"too many pages ({n_pages:,} > limit {_limits().pages:,})")
        pages, n_chars = [], 0
        for i, page in enumerate(reader.pages):
            _check_time(f"page {i + 1} of {n_pages}")
            pages.append(page.extract_text() or "")
            n_chars += len(pages[-1])
            if n_chars > _limits().chars:
                raise ReadError(f"too much text (over {_limits().chars:,} characters after {i + 1} pages)")
    except ReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ReadError(f"corrupt PDF: {type(exc).__name__}: {str(exc)[:120]}") from exc
    return _require_text(_clean("\n\n".join(pages)), "PDF (scanned image?)")


def docx_text(path: Path) -> str:
    """Paragraph and table text of a DOCX via python-docx; corrupt files raise :class:`ReadError`."""
    data = _read_bytes(path)
    if not data.startswith(b"PK"):
        raise ReadError("file named .docx is not a DOCX (not a zip container)")
    import io
    import zipfile

    import docx

    _check_archive(data)
    try:
        d = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReadError(f"corrupt DOCX: {type(exc).__name__}: {str(exc)[:120]}") from exc
    except Exception as exc:  # noqa: BLE001 - python-docx raises assorted errors on malformed packages
        raise ReadError(f"corrupt DOCX: {type(exc).__name__}: {str(exc)[:120]}") from exc
    parts = []
    _check_time("DOCX parsed")
    for p in d.paragraphs:
        t = p.text.strip()
        if t:
            parts.append(("# " if p.style is not None and p.style.name.startswith("Heading") else "") + t)
    for table in d.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text.strip() for c in row.cells))
    return _require_text(_clean("\n\n".join(parts)), "DOCX")


def _check_archive(data: bytes) -> None:
    """Refuse a zip container over the member or unpacked-size limits before anything is decompressed."""
    import io
    import zipfile

    lim = _limits()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ReadError(f"corrupt DOCX: {type(exc).__name__}: {str(exc)[:120]}") from exc
    if len(infos) > lim.archive_members:
        raise ReadError(f"too many archive members ({len(infos):,} > limit {lim.archive_members:,})")
    unpacked = sum(max(i.file_size, 0) for i in infos)
    if unpacked > lim.unpacked_bytes:
        raise ReadError(f"archive unpacks to {unpacked:,} bytes > limit {lim.unpacked_bytes:,} (zip bomb?)")


def document_text(path: Path) -> str:
    """Plain text of a md/txt/pdf/docx document."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_text(path)
    if suffix == ".docx":
        return docx_text(path)
    if suffix in {".md", ".markdown", ".txt"}:
        return _require_text(_read_text_file(path), "file")
    raise ReadError(f"unsupported document type {suffix or '(none)'}")


def _document_item(source_type: SourceType, path: Path) -> EvidenceItem:
    text = document_text(path)
    return EvidenceItem(item_id=_item_id(source_type, path), source_type=source_type, source_path=str(path.resolve()),
                        title=_title(text, path), text=text, version_sha256=_version(text),
                        content_at=_mtime(path), metadata={"format": path.suffix.lower().lstrip(".")})


def read_resume(path: Path) -> list[EvidenceItem]:
    """A resume snapshot (md, txt, pdf, docx)."""
    return [_document_item("resume", path)]


def read_note(path: Path) -> list[EvidenceItem]:
    """A Markdown or text note."""
    return [_document_item("note", path)]


def read_certificate(path: Path) -> list[EvidenceItem]:
    """A certificate (text, or pdf/docx); the issue date, when printed, dates the evidence."""
    item = _document_item("certificate", path)
    m = re.search(r"(?:issued|date)\s*[:\-]?\s*(\d{4}-\d{2}-\d{2})", item.text, re.IGNORECASE)
    if m:
        try:
            item.content_at = datetime.combine(date.fromisoformat(m.group(1)), datetime.min.time(), UTC)
        except ValueError:
            pass
    return [item]


# ------------------------------------------------------------------------------------------------ BibTeX
_BIB_ENTRY = re.compile(r"@(\w+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)
_BIB_FIELD = re.compile(r"(\w+)\s*=\s*(\{(?:[^{}]|\{[^{}]*\})*\}|\"[^\"]*\"|\d+)", re.DOTALL)


def parse_bibtex(text: str) -> list[dict[str, str]]:
    """Entries of a BibTeX string as dicts (``ENTRYTYPE``, ``ID`` and lower-case fields); simple regex parser."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("%"))
    starts = list(_BIB_ENTRY.finditer(text))
    out = []
    for i, m in enumerate(starts):
        if m.group(1).lower() in {"comment", "preamble", "string"}:
            continue
        body = text[m.end(): starts[i + 1].start() if i + 1 < len(starts) else len(text)]
        entry = {"ENTRYTYPE": m.group(1).lower(), "ID": m.group(2)}
        for f in _BIB_FIELD.finditer(body):
            val = f.group(2).strip()
            if val[:1] in "{\"":
                val = val[1:-1]
            entry[f.group(1).lower()] = re.sub(r"\s+", " ", val.replace("{", "").replace("}", "")).strip()
        out.append(entry)
    return out


def read_bibtex(path: Path) -> list[EvidenceItem]:
    """One publication item per BibTeX entry."""
    entries = parse_bibtex(_read_text_file(path))
    if not entries:
        raise ReadError("no BibTeX entries found")
    items = []
    for e in entries:
        title = e.get("title") or e["ID"]
        venue = e.get("booktitle") or e.get("journal") or e.get("publisher") or ""
        text = _clean(f"{title}\n\n{e.get('author', '')}. {venue} ({e.get('year', 'n.d.')}).\n\n{e.get('abstract', '')}\n\n"
                      f"Keywords: {e.get('keywords', '')}".replace("Keywords: \n", ""))
        year = e.get("year", "")
        content_at = datetime(int(year), 1, 1, tzinfo=UTC) if re.fullmatch(r"\d{4}", year) else _mtime(path)
        items.append(EvidenceItem(
            item_id=_item_id("publication", path, e["ID"]), source_type="publication",
            source_path=f"{path.resolve()}#{e['ID']}", title=title[:200], text=text, version_sha256=_version(text),
            content_at=content_at, metadata={"bibtex_key": e["ID"], "entry_type": e["ENTRYTYPE"], "venue": venue,
                                             "year": year}))
    return items


# ------------------------------------------------------------------------------------------------ git repos
#: Config that makes git run commands or read outside the repository, switched off for every call: a repository
#: in the evidence sources is untrusted data, and its own ``.git/config`` must never execute anything here.
_GIT_SAFE = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.untrackedCache=false",
             "-c", "core.pager=cat", "-c", "diff.external=", "-c", "core.sshCommand=false", "-c", "protocol.allow=never",
             "-c", "core.askPass=false", "-c", "credential.helper=", "-c", "gpg.program=false",
             "-c", "log.showSignature=false", "--no-pager", "--no-replace-objects")
_GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_REPLACE_OBJECTS": "1", "GIT_ATTR_NOSYSTEM": "1",
            "PATH": "/usr/bin:/bin:/usr/local/bin", "LC_ALL": "C", "HOME": "/nonexistent"}


def _git(repo: Path, *args: str) -> str:
    """Run a read-only git command with every configured external command disabled (see :data:`_GIT_SAFE`)."""
    try:
        res = subprocess.run(["git", *_GIT_SAFE, "-C", str(repo), *args], capture_output=True, text=True,
                             timeout=60, env=_GIT_ENV, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReadError(f"git failed: {exc}") from exc
    if res.returncode != 0:
        raise ReadError(f"git {args[0]} failed: {res.stderr.strip()[:160]}")
    return res.stdout


def manifest_dependencies(name: str, text: str) -> list[str]:
    """Dependency names declared in one manifest (pyproject.toml, requirements*.txt, package.json.

    Go.mod, Cargo.toml, pom.xml); unparsable manifests give [].
    """
    base = name.rsplit("/", 1)[-1].lower()
    deps: list[str] = []

    def req_name(spec: str) -> str:
        return re.split(r"[\s<>=!~;\[@(]", spec.strip(), maxsplit=1)[0].lower()

    try:
        if base == "pyproject.toml":
            data = tomllib.loads(text)
            deps += [req_name(s) for s in data.get("project", {}).get("dependencies", [])]
            for group in data.get("project", {}).get("optional-dependencies", {}).values():
                deps += [req_name(s) for s in group]
            poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
            deps += [k.lower() for k in poetry if k.lower() != "python"]
        elif base.startswith("requirements") and base.endswith(".txt"):
            deps += [req_name(line) for line in text.splitlines()
                     if line.strip() and not line.lstrip().startswith(("#", "-"))]
        elif base == "package.json":
            data = json.loads(text)
            for key in ("dependencies", "devDependencies", "peerDependencies"):
                deps += [k.lower() for k in (data.get(key) or {})]
        elif base == "go.mod":
            deps += [m.group(1) for m in re.finditer(r"^\s*(?:require\s+)?([\w.\-]+\.[\w.\-]+/[\w./\-]+)\s+v",
                                                     text, re.MULTILINE)]
        elif base == "cargo.toml":
            data = tomllib.loads(text)
            for key in ("dependencies", "dev-dependencies"):
                deps += [k.lower() for k in data.get(key, {})]
        elif base == "pom.xml":
            deps += re.findall(r"<dependency>.*?<artifactId>\s*([\w.\-]+)\s*</artifactId>", text, re.DOTALL)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, AttributeError, TypeError):
        return []
    return sorted({d for d in deps if d})


def _repo_file(repo: Path, rel: str, limit: int = 2 * 1024 * 1024) -> str:
    """A tracked file's text, only when it is a regular file inside the repository (no symlink out of it)."""
    p = repo / rel
    if p.is_symlink() or not p.is_file() or not _inside(p, repo):
        raise OSError(f"{rel} is not a regular file inside the repository")
    with p.open("rb") as fh:
        return fh.read(limit).decode("utf-8", errors="replace")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


MANIFESTS = ("pyproject.toml", "package.json", "go.mod", "cargo.toml", "pom.xml")


def read_repo(path: Path) -> list[EvidenceItem]:
    """A git repository:

    commits on HEAD (``git log``), languages by file extension, dependencies from manifests, and the README;
    content version = hash of that summary (so it changes with new commits).
    """
    path = Path(path)
    if not path.is_dir():
        raise ReadError("repository folder not found")
    if _git(path, "rev-parse", "--is-inside-work-tree").strip() != "true":
        raise ReadError("not a git work tree")
    try:
        log = _git(path, "log", "-n", "300", "--no-color", "--format=%H%x1f%aI%x1f%P%x1f%s")
    except ReadError as exc:
        raise ReadError("git repository has no commits") from exc
    commits: list[dict[str, Any]] = []
    for line in log.splitlines():
        parts = line.split("\x1f")
        if len(parts) == 4:
            commits.append({"sha": parts[0], "date": parts[1], "merge": len(parts[2].split()) > 1, "subject": parts[3]})
    if not commits:
        raise ReadError("git repository has no commits")
    files = [f for f in _git(path, "ls-files", "-z").split("\x00") if f and not f.startswith(_SKIP_DIRS)]
    langs = Counter(LANGUAGES[Path(f).suffix.lower()] for f in files if Path(f).suffix.lower() in LANGUAGES)
    deps: dict[str, list[str]] = {}
    for f in files:
        base = f.rsplit("/", 1)[-1].lower()
        if base in MANIFESTS or (base.startswith("requirements") and base.endswith(".txt")):
            try:
                text = _repo_file(path, f)
            except OSError:
                continue
            found = manifest_dependencies(f, text)
            if found:
                deps[f] = found
    readme = next((f for f in sorted(files, key=len) if Path(f).name.lower().startswith("readme")), None)
    readme_text = ""
    if readme:
        try:
            readme_text = _clean(_repo_file(path, readme))[:20000]
        except OSError:
            readme_text = ""
    all_deps = sorted({d for ds in deps.values() for d in ds})
    signals = [Signal(kind="language", value=lang, weight=round(n / max(sum(langs.values()), 1), 3))
               for lang, n in langs.most_common()]
    signals += [Signal(kind="dependency", value=d) for d in all_deps]
    name = path.resolve().name
    lang_line = ", ".join(f"{lang} ({n} files)" for lang, n in langs.most_common())
    commit_lines = "\n".join(f"- {c['date'][:10]} {c['subject']}" for c in commits[:100])
    text = _clean(
        f"Repository {name}.\n\nLanguages: {lang_line or 'none detected'}.\n\n"
        f"Dependencies: {', '.join(all_deps) or 'none declared'}.\n\n{readme_text}\n\nCommits on main:\n{commit_lines}")
    return [EvidenceItem(
        item_id=_item_id("repo", path), source_type="repo", source_path=str(path.resolve()), title=name, text=text,
        version_sha256=_version(text + "\nHEAD " + commits[0]["sha"], signals),
        content_at=datetime.fromisoformat(commits[0]["date"]).astimezone(UTC), signals=signals,
        metadata={"head": commits[0]["sha"], "n_commits": len(commits), "languages": dict(langs),
                  "manifests": deps, "readme": readme,
                  "commits": [{k: c[k] for k in ("sha", "date", "subject", "merge")} for c in commits[:50]]})]


# ------------------------------------------------------------------------------------------------ discovery
READERS: dict[str, Callable[[Path], list[EvidenceItem]]] = {
    "resume": read_resume, "note": read_note, "certificate": read_certificate, "publication": read_bibtex,
    "repo": read_repo,
}


def classify(path: Path) -> SourceType | None:
    """Source type of a file in an evidence folder (by extension and folder/file name), or None to skip."""
    suffix = path.suffix.lower()
    if suffix not in DOC_SUFFIXES:
        return None
    if suffix == ".bib":
        return "publication"
    low = "/".join(p.lower() for p in path.parts[-3:])
    if re.search(r"cert|diploma|licen[cs]e", low):
        return "certificate"
    if re.search(r"resume|résumé|\bcv\b|curriculum", low) or suffix in {".pdf", ".docx"}:
        return "resume"
    return "note"


def discover(evidence_folders: Iterable[Path], git_repos: Iterable[Path]) -> list[tuple[str, Path]]:
    """(source_type, path) for every readable-looking file under the folders, then each repository."""
    out: list[tuple[str, Path]] = []
    for folder in evidence_folders:
        folder = Path(folder)
        if folder.is_file():
            st = classify(folder)
            if st:
                out.append((st, folder))
            continue
        if not folder.is_dir():
            out.append(("folder", folder))  # reported as quarantined: missing folder
            continue
        for p in sorted(folder.rglob("*")):
            if any(part.startswith(".") for part in p.relative_to(folder).parts):
                continue
            if p.is_symlink() and not _inside(p, folder):
                out.append(("symlink", p))  # reported as quarantined: never followed out of the folder
                continue
            if p.is_file() and _inside(p, folder):
                st = classify(p)
                if st:
                    out.append((st, p))
    out += [("repo", Path(r)) for r in git_repos]
    return out


def _without_secrets(item: EvidenceItem) -> EvidenceItem:
    """The item with keys, tokens and private keys masked in its text, title and commit subjects.

    Done here, before chunks, memory, links or the warehouse see the text (the content version still hashes
    what was read, so a changed secret is a new version, but the secret itself is stored nowhere).
    """
    from careeros.redact import redact_secrets

    meta = item.metadata
    if isinstance(meta.get("commits"), list):
        meta = {**meta, "commits": [{**c, "subject": redact_secrets(str(c.get("subject", "")))}
                                    if isinstance(c, dict) else c for c in meta["commits"]]}
    return item.model_copy(update={"text": redact_secrets(item.text), "title": redact_secrets(item.title),
                                   "metadata": meta})


def _check_item(item: EvidenceItem) -> None:
    from careeros.evidence.chunking import chunk_texts

    _check_chars(item.text)
    n = len(chunk_texts(item.text))
    if n > _limits().chunks:
        raise ReadError(f"too many chunks ({n:,} > limit {_limits().chunks:,})")
    _check_time("chunking")


def read_source(source_type: str, path: Path, limits: Limits | None = None) -> tuple[list[EvidenceItem], Quarantined | None]:
    """Run one reader within the per-item limits; any failure or exceeded limit becomes a quarantine record."""
    lim = limits or _limits()
    t1 = _LIMITS.set(lim)
    t2 = _DEADLINE.set(time.monotonic() + lim.seconds)
    try:
        items, q = _read_source(source_type, path)
        items = [_without_secrets(it) for it in items]
        for it in items:
            try:
                _check_item(it)
            except ReadError as exc:
                return [], Quarantined(source_path=str(path), source_type=source_type, reason=str(exc))
        return items, q
    finally:
        _DEADLINE.reset(t2)
        _LIMITS.reset(t1)


def _read_source(source_type: str, path: Path) -> tuple[list[EvidenceItem], Quarantined | None]:
    if source_type == "folder":
        return [], Quarantined(source_path=str(path), source_type="folder", reason="evidence folder not found")
    if source_type == "symlink":
        return [], Quarantined(source_path=str(path), source_type="symlink",
                               reason="symbolic link pointing outside the evidence folder: not followed")
    try:
        return READERS[source_type](path), None
    except ReadError as exc:
        return [], Quarantined(source_path=str(path), source_type=source_type, reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop curation of the other items
        return [], Quarantined(source_path=str(path), source_type=source_type,
                               reason=f"unexpected reader error: {type(exc).__name__}: {str(exc)[:160]}")


def read_all(sources: Iterable[tuple[str, Path]], limits: Limits | None = None
             ) -> tuple[list[EvidenceItem], list[Quarantined]]:
    """Read every source within the limits (default: from settings); returns (items, quarantined)."""
    limits = limits or Limits.from_settings()
    items: list[EvidenceItem] = []
    bad: list[Quarantined] = []
    for st, p in sources:
        got, q = read_source(st, p, limits)
        items += got
        if q:
            bad.append(q)
    return items, bad
