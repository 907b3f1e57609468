"""The portfolio site: a static page from the profile, finished plan work and accepted evidence; its git publisher.

*Content* (:func:`collect_site`): the profile's name, headline, summary and target roles; contact details (e-mail,
location) **only** when the profile opts in (``portfolio_show_contact = true``, or ``[portfolio] show_contact =
true``); the artifacts of the latest approved plan whose publish (or build) tasks have ``task_done`` outcomes, or
that an evidence item names (its metadata ``artifact_id``); current evidence items with at least one credited
skill link (``auto`` or ``accepted``) and those skills, minus the profile's ``skills_removed``. Evidence text is
untrusted: it goes through :func:`careeros.redact.redact` (secrets, e-mails, phones, addresses) and jinja2's
autoescaping; local paths are never shown.

*Rendering* (:func:`render_site`) is pure and deterministic: the same state gives byte-identical files (the only
dates are the state's own). Templates ship in ``careeros.resources/portfolio``.

*Publishing* (:class:`GitPortfolio`) implements the integration contract: ``preview`` diffs the built site against
the remote branch's tree, ``apply`` commits it in a local clone under the home and pushes (never forced), the
success signal is the pushed commit sha, ``verify`` asks ``git ls-remote``, ``rollback`` pushes a new commit that
restores the previous tree (or removes the site), so history keeps every commit. Every git call runs with the
evidence readers' hardening (no hooks, no fsmonitor, no system or global config, no prompts).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import duckdb
from pydantic import BaseModel, Field

from careeros.evidence.readers import _GIT_ENV, _GIT_SAFE
from careeros.integrations.contract import (
    Action,
    IntegrationError,
    Preview,
    Result,
    TransientIntegrationError,
    idempotency_key,
    stored,
)
from careeros.profile import Profile
from careeros.redact import redact, redact_secrets
from careeros.warehouse.db import fetch_one, table_exists

#: Files a build writes; an output folder holding anything else is not overwritten.
SITE_FILES = ("index.html", "style.css", ".nojekyll")
TEMPLATE_PACKAGE, TEMPLATE_DIR = "careeros.resources", "portfolio"
#: Git's empty tree: the tree of a rollback when there was no site before the first publish.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
#: Link statuses that credit a skill (automatically accepted or accepted by a person).
CREDITED = ("auto", "accepted")


# ------------------------------------------------------------------------------------------------ content


class SiteContact(BaseModel):
    """Contact details, present only when the profile opts in."""

    email: str | None = None
    location: str | None = None


Status = Literal["published", "finished", "evidenced"]
#: An artifact is *published* when all its publish tasks are done, else *finished* when all its build tasks are.
_DONE_WHEN: tuple[tuple[str, Status], ...] = (("publish", "published"), ("build", "finished"))


class SiteArtifact(BaseModel):
    """A piece of plan work shown on the site."""

    artifact_id: str
    title: str
    kind: str
    status: Status
    done_on: date | None = None
    skills: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="titles of evidence items that name it")


class SiteEvidence(BaseModel):
    """An accepted evidence item and its credited skills."""

    item_id: str
    title: str
    source_type: str
    dated: date | None = None
    summary: str = ""
    skills: list[str] = Field(default_factory=list)


class SiteSkill(BaseModel):
    """A skill and how many shown pieces of work or evidence show it."""

    label: str
    count: int


class SiteContent(BaseModel):
    """Everything the site shows (already redacted; rendering only escapes and lays it out)."""

    name: str
    headline: str | None = None
    summary: list[str] = Field(default_factory=list, description="paragraphs")
    target_roles: list[str] = Field(default_factory=list)
    contact: SiteContact | None = None
    artifacts: list[SiteArtifact] = Field(default_factory=list)
    evidence: list[SiteEvidence] = Field(default_factory=list)
    skills: list[SiteSkill] = Field(default_factory=list)
    plan: str | None = Field(default=None, description="plan id and version the artifacts come from")
    as_of: date | None = Field(default=None, description="newest date in the shown state")


def clean_text(text: str | None, limit: int = 500, *, contact_allowed: bool = False) -> str:
    """One line of untrusted text for the site: secrets (and, unless allowed, contact details) masked, trimmed."""
    if not text:
        return ""
    out = redact_secrets(text) if contact_allowed else redact(text)
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).date()
    if isinstance(value, date):
        return value
    return None


def profile_section(profile: Profile) -> dict[str, Any]:
    """Name, headline, summary paragraphs, target roles and (only when opted in) contact details."""
    show = profile.portfolio_show_contact
    paras = [clean_text(p, 2000, contact_allowed=show) for p in re.split(r"\n\s*\n", profile.summary or "")]
    contact = None
    if show and (profile.email or profile.location):
        contact = SiteContact(email=(profile.email or "").strip() or None,
                              location=clean_text(profile.location, 200, contact_allowed=True) or None)
    return {"name": clean_text(profile.name, 200, contact_allowed=True),
            "headline": clean_text(profile.headline, 200, contact_allowed=show) or None,
            "summary": [p for p in paras if p],
            "target_roles": [clean_text(r.title, 200) for r in profile.target_roles],
            "contact": contact}


def _removed(profile: Profile) -> set[str]:
    return {s.strip().lower() for s in profile.skills_removed}


def _evidence_summary(source_type: str, meta: Mapping[str, Any]) -> str:
    parts = [str(meta[k]) for k in ("description", "summary") if isinstance(meta.get(k), str)]
    if source_type == "publication" and meta.get("venue"):
        parts.append(f"{meta['venue']}" + (f" ({meta['year']})" if meta.get("year") else ""))
    if source_type == "repo":
        langs = meta.get("languages") or {}
        if isinstance(langs, dict) and langs:
            top = sorted(langs.items(), key=lambda kv: (-float(kv[1] or 0), str(kv[0])))[:3]
            parts.append("Languages: " + ", ".join(str(k) for k, _ in top))
        if meta.get("n_commits"):
            parts.append(f"{meta['n_commits']} commits")
    return clean_text(" · ".join(parts), 500)


#: evidence kinds that are work others can look at; a resume (the CV itself, often in three formats) and notes
#: (private working notes) stay off the public page
PUBLIC_SOURCE_TYPES = ("repo", "publication", "certificate", "learning")


def accepted_evidence(con: duckdb.DuckDBPyConnection, removed: set[str] | None = None) -> list[SiteEvidence]:
    """Current public evidence items (:data:`PUBLIC_SOURCE_TYPES`) with a credited skill link, newest first."""
    if not (table_exists(con, "evidence_item") and table_exists(con, "evidence_skill")):
        return []
    removed = removed or set()
    links: dict[str, list[tuple[float, str]]] = {}
    for item_id, skill_id, label, conf in con.execute(
            "SELECT item_id, skill_id, coalesce(skill_label, skill_id), max(confidence) FROM evidence_skill "
            "WHERE valid_to IS NULL AND status IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL",
            [list(CREDITED)]).fetchall():
        if skill_id.lower() in removed or str(label).lower() in removed:
            continue
        links.setdefault(item_id, []).append((float(conf), clean_text(str(label), 100)))
    out = []
    for item_id, title, source_type, content_at, meta_json in con.execute(
            "SELECT item_id, title, source_type, content_at, metadata_json FROM evidence_item "
            "WHERE valid_to IS NULL AND source_type IN (SELECT unnest(?::VARCHAR[]))",
            [list(PUBLIC_SOURCE_TYPES)]).fetchall():
        if item_id not in links:
            continue
        try:
            meta = json.loads(meta_json) if meta_json else {}
        except json.JSONDecodeError:
            meta = {}
        skills = [lb for _, lb in sorted(links[item_id], key=lambda x: (-x[0], x[1]))]
        out.append(SiteEvidence(item_id=item_id, title=clean_text(title or source_type, 200),
                                source_type=source_type, dated=_day(content_at),
                                summary=_evidence_summary(source_type, meta if isinstance(meta, dict) else {}),
                                skills=list(dict.fromkeys(skills))))
    out.sort(key=lambda e: (-(e.dated or date.min).toordinal(), e.title.lower(), e.item_id))
    return out


def _evidence_artifacts(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Artifact id -> titles of current evidence items whose metadata names it (``artifact_id``)."""
    if not table_exists(con, "evidence_item"):
        return {}
    rows = con.execute("SELECT json_extract_string(metadata_json, '$.artifact_id') AS aid, title FROM evidence_item "
                       "WHERE valid_to IS NULL AND aid IS NOT NULL ORDER BY title").fetchall()
    out: dict[str, list[str]] = {}
    for aid, title in rows:
        out.setdefault(aid, []).append(clean_text(title, 200))
    return out


def plan_artifacts(con: duckdb.DuckDBPyConnection, removed: set[str] | None = None
                   ) -> tuple[str | None, list[SiteArtifact]]:
    """The latest approved plan's artifacts with done publish (or build) tasks, or named by evidence."""
    if not (table_exists(con, "plan_version") and table_exists(con, "plan_task")):
        return None, []
    row = fetch_one(con.execute(
        "SELECT plan_id, version, plan_json FROM plan_version WHERE status = 'approved' "
        "ORDER BY coalesce(approved_at, decided_at, created_at) DESC, version DESC LIMIT 1"))
    if row is None:
        return None, []
    plan_id, version, plan_json = row
    removed = removed or set()
    info: dict[str, dict[str, Any]] = {}
    try:
        plan = json.loads(plan_json)
        for a in (plan.get("totals") or {}).get("artifacts") or []:
            info[a["id"]] = {"title": a.get("title"), "kind": a.get("kind"), "skills": a.get("skills") or []}
        for a in plan.get("artifact_details") or []:
            info.setdefault(a["id"], {}).update({"title": a.get("title"), "kind": a.get("kind"),
                                                "skills": a.get("skill_labels") or info.get(a["id"], {}).get(
                                                    "skills", [])})
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
        info = {}
    tasks: dict[str, list[tuple[str, str, str]]] = {}
    for task_id, kind, aid, title in con.execute(
            "SELECT task_id, kind, artifact_id, title FROM plan_task WHERE plan_id = ? AND version = ? "
            "AND artifact_id IS NOT NULL ORDER BY week, task_id", [plan_id, version]).fetchall():
        tasks.setdefault(aid, []).append((task_id, kind, title))
    done: dict[str, date | None] = {}
    if table_exists(con, "outcome_event"):
        done = {t: _day(at) for t, at in con.execute(
            "SELECT task_id, min(occurred_at) FROM outcome_event WHERE kind = 'task_done' AND task_id IS NOT NULL "
            "GROUP BY task_id").fetchall()}
    named = _evidence_artifacts(con)
    out = []
    for aid in sorted(set(tasks) | (set(named) & set(info))):
        ts = tasks.get(aid, [])
        status: Status | None = None
        when: list[date] = []
        for kind, label in _DONE_WHEN:
            ids = [t for t, k, _ in ts if k == kind]
            if ids and all(t in done for t in ids):
                status, when = label, [d for t in ids if (d := done[t]) is not None]
                break
        if status is None and aid in named:
            status = "evidenced"
        if status is None:
            continue
        meta = info.get(aid, {})
        build_title = next((title for _, k, title in ts if k == "build"), None)
        skills = [clean_text(str(s), 100) for s in meta.get("skills") or []]
        out.append(SiteArtifact(
            artifact_id=aid, title=clean_text(meta.get("title") or build_title or aid, 200),
            kind=clean_text(meta.get("kind") or "work", 40), status=status, done_on=max(when) if when else None,
            skills=[s for s in dict.fromkeys(skills) if s.lower() not in removed], evidence=named.get(aid, [])))
    out.sort(key=lambda a: (-(a.done_on or date.min).toordinal(), a.title.lower(), a.artifact_id))
    return f"{plan_id} v{version}", out


def collect_site(con: duckdb.DuckDBPyConnection | None, profile: Profile) -> SiteContent:
    """Everything the site shows, from the profile and (when given) the warehouse; redacted, ordered, stable."""
    removed = _removed(profile)
    plan, artifacts = plan_artifacts(con, removed) if con is not None else (None, [])
    evidence = accepted_evidence(con, removed) if con is not None else []
    counts: Counter[str] = Counter()
    for a in artifacts:
        counts.update(set(a.skills))
    for e in evidence:
        counts.update(set(e.skills))
    skills = [SiteSkill(label=k, count=n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))]
    dates = [d for d in [*(a.done_on for a in artifacts), *(e.dated for e in evidence)] if d is not None]
    return SiteContent(**profile_section(profile), artifacts=artifacts, evidence=evidence, skills=skills, plan=plan,
                       as_of=max(dates) if dates else None)


# ------------------------------------------------------------------------------------------------ rendering


def _template_text(name: str) -> str:
    return files(TEMPLATE_PACKAGE).joinpath(TEMPLATE_DIR, name).read_text(encoding="utf-8")


def render_site(content: SiteContent) -> dict[str, bytes]:
    """The site's files (name -> bytes): ``index.html`` (autoescaped), ``style.css`` and ``.nojekyll``."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True,
                             loader=jinja2.FunctionLoader(_template_text))
    html = env.get_template("index.html.j2").render(c=content)
    return {"index.html": html.encode("utf-8"), "style.css": _template_text("style.css").encode("utf-8"),
            ".nojekyll": b""}


def write_site(site: Mapping[str, bytes], out: Path) -> Path:
    """Write the files into ``out`` (created; refused when it holds files a build did not write)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise IntegrationError(f"{out} is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    ours = {*SITE_FILES, *(f".{n}.tmp" for n in SITE_FILES)}  # temp files of an interrupted build are ours too
    foreign = sorted(p.name for p in out.iterdir() if p.name not in ours or not p.is_file() or p.is_symlink())
    if foreign:
        raise IntegrationError(f"{out} holds files a portfolio build did not write ({', '.join(foreign[:5])}): "
                               "choose an empty folder")
    for name, data in site.items():
        tmp = out / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, out / name)
    for name in SITE_FILES:
        Path(out / f".{name}.tmp").unlink(missing_ok=True)
    return out


def site_files(site_dir: Path) -> dict[str, str]:
    """Relative path -> sha256 of every regular file under ``site_dir`` (symlinks refused)."""
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise IntegrationError(f"no built site at {site_dir}: run `careeros portfolio build` first")
    out = {}
    for p in sorted(site_dir.rglob("*")):
        rel = p.relative_to(site_dir).as_posix()
        if p.is_symlink():
            raise IntegrationError(f"{site_dir} holds a symlink ({rel}): a site holds regular files only")
        if p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    if not out:
        raise IntegrationError(f"{site_dir} is empty: run `careeros portfolio build` first")
    return out


def site_digest(files_: Mapping[str, str]) -> str:
    """One hash of a site's files (names and contents)."""
    body = "\n".join(f"{k}\x1f{v}" for k, v in sorted(files_.items()))
    return hashlib.sha256(body.encode()).hexdigest()[:32]


class BuildSummary(BaseModel):
    """What a build wrote."""

    out: str
    files: list[str]
    digest: str
    artifacts: int
    evidence: int
    contact_shown: bool
    plan: str | None = None
    as_of: date | None = None


def build_site(con: duckdb.DuckDBPyConnection | None, profile: Profile, out: Path) -> BuildSummary:
    """Collect, render and write the site into ``out``; the summary names what it holds."""
    content = collect_site(con, profile)
    site = render_site(content)
    write_site(site, out)
    return BuildSummary(out=str(Path(out).resolve()), files=sorted(site), digest=site_digest(site_files(out)),
                        artifacts=len(content.artifacts), evidence=len(content.evidence),
                        contact_shown=content.contact is not None, plan=content.plan, as_of=content.as_of)


# ------------------------------------------------------------------------------------------------ git publishing


def is_local_remote(remote: str) -> bool:
    """True for a local path or ``file://`` URL (stays on this machine); false for ssh, https, ``host:path``."""
    r = remote.strip()
    if "://" in r:
        return r.split("://", 1)[0].lower() == "file"
    head = r.split(":", 1)[0]
    return ":" not in r or "/" in head  # scp-like ``[user@]host:path`` has no slash before its first colon


def display_remote(remote: str) -> str:
    """The remote as shown and stored: credentials in a URL masked, local paths absolute."""
    r = remote.strip()
    if "://" in r:
        parts = urlsplit(r)
        netloc = parts.netloc
        if "@" in netloc:
            user, host = netloc.rsplit("@", 1)
            keep = parts.scheme.lower() == "ssh" and ":" not in user  # ssh://git@host: a user name, no secret
            netloc = f"{user if keep else '[REDACTED]'}@{host}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    if is_local_remote(r):
        return str(Path(r).expanduser().resolve())
    return r


def _publish_git_config() -> tuple[str, ...]:
    """The evidence readers' hardening, with the transports a publish needs (file, ssh, https) allowed."""
    out: list[str] = []
    args = list(_GIT_SAFE)
    i = 0
    while i < len(args):
        if args[i] == "-c" and args[i + 1].split("=", 1)[0] in ("protocol.allow", "core.sshCommand"):
            i += 2
            continue
        out.append(args[i])
        i += 1
    return (*out, "-c", "protocol.allow=never", "-c", "protocol.file.allow=always", "-c", "protocol.ssh.allow=always",
            "-c", "protocol.https.allow=always", "-c", "core.autocrlf=false", "-c", "core.safecrlf=false",
            "-c", "commit.gpgSign=false", "-c", "init.defaultBranch=main", "-c", "core.ignoreCase=false")


_GIT_PUBLISH = _publish_git_config()
_AUTHOR = {"GIT_AUTHOR_NAME": "careeros", "GIT_AUTHOR_EMAIL": "careeros@localhost",
           "GIT_COMMITTER_NAME": "careeros", "GIT_COMMITTER_EMAIL": "careeros@localhost"}
_TRANSIENT = re.compile(r"could not resolve host|connection (?:timed out|refused|reset)|timed out|temporar|"
                        r"early eof|remote end hung up|unable to access|cannot lock ref|fetch first|non-fast-forward",
                        re.IGNORECASE)


class GitPortfolio:
    """Publishes a built site to a branch of a git remote (integration ``portfolio``, kind ``publish``)."""

    name = "portfolio"
    kind = "publish"

    def __init__(self, remote: str, branch: str, site_dir: Path, clone_dir: Path, timeout: float = 120.0) -> None:
        if not remote or not remote.strip():
            raise IntegrationError("no portfolio remote: set CAREEROS_PORTFOLIO_REMOTE")
        if not re.fullmatch(r"[A-Za-z0-9._/\-]+", branch) or branch.startswith(("-", "/")) or ".." in branch:
            raise IntegrationError(f"invalid portfolio branch {branch!r}")
        self.local = is_local_remote(remote)
        self.url = display_remote(remote) if self.local and "://" not in remote else remote.strip()
        self.display = display_remote(remote)
        self.branch = branch
        self.site_dir = Path(site_dir)
        self.clone_dir = Path(clone_dir)
        self.timeout = timeout

    # -------------------------------------------------------------------------------------------- git plumbing
    def _env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = dict(_GIT_ENV)
        if not self.local:  # ssh needs the user's keys (~/.ssh) or agent; git still reads no global config
            env["HOME"] = os.environ.get("HOME", "/nonexistent")
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
            if os.environ.get("SSH_AUTH_SOCK"):
                env["SSH_AUTH_SOCK"] = os.environ["SSH_AUTH_SOCK"]
        return {**env, **(extra or {})}

    def _git(self, *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None, stdin: str | None = None,
             git_dir: bool = True) -> str:
        cmd = ["git", *_GIT_PUBLISH, *([f"--git-dir={self.clone_dir}"] if git_dir else []), *args]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=self.timeout, env=self._env(env),
                                 cwd=cwd, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise TransientIntegrationError(f"git {args[0]} timed out after {self.timeout:g} s") from exc
        except OSError as exc:
            raise IntegrationError(f"git could not run: {exc}") from exc
        if res.returncode != 0:
            err = " ".join(redact_secrets(res.stderr.replace(self.url, self.display)).split())[:300]
            msg = f"git {args[0]} failed for {self.display}: {err or f'exit {res.returncode}'}"
            raise (TransientIntegrationError if _TRANSIENT.search(err) else IntegrationError)(msg)
        return res.stdout

    def _ensure_clone(self) -> None:
        if not (self.clone_dir / "HEAD").is_file():
            self.clone_dir.mkdir(parents=True, exist_ok=True)
            self._git("init", "--bare", "-q", str(self.clone_dir), git_dir=False)

    def remote_head(self) -> str | None:
        """The sha the remote branch points at now, or None when the branch does not exist yet."""
        out = self._git("ls-remote", "--heads", self.url, f"refs/heads/{self.branch}", git_dir=False)
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref.strip() == f"refs/heads/{self.branch}":
                return sha.strip()
        return None

    def _fetch(self) -> tuple[str | None, str]:
        """(head sha, its tree) of the remote branch, objects fetched into the local clone; tree = empty if none."""
        self._ensure_clone()
        head = self.remote_head()
        if head is None:
            return None, self._empty_tree()
        self._git("fetch", "-q", "--no-tags", self.url, f"+refs/heads/{self.branch}:refs/careeros/remote")
        return head, self._git("rev-parse", f"{head}^{{tree}}").strip()

    def _empty_tree(self) -> str:
        return self._git("mktree", stdin="").strip()

    def _site_tree(self) -> str:
        """Write the site folder's files as a tree in the local clone (a private index; the folder is untouched)."""
        self._ensure_clone()
        site_files(self.site_dir)  # refuses an empty folder or symlinks
        fd, index = tempfile.mkstemp(prefix="portfolio-", suffix=".index", dir=self.clone_dir)
        os.close(fd)
        os.unlink(index)
        try:
            env = {"GIT_INDEX_FILE": index}
            self._git(f"--work-tree={self.site_dir.resolve()}", "add", "--all", "--force", "--", ".", env=env,
                      cwd=self.site_dir.resolve())
            return self._git("write-tree", env=env).strip()
        finally:
            Path(index).unlink(missing_ok=True)

    def _diff(self, old_tree: str, new_tree: str) -> list[str]:
        out = self._git("diff-tree", "-r", "--no-renames", "--name-status", old_tree, new_tree)
        verbs = {"A": "add", "M": "change", "D": "remove", "T": "change"}
        rows = [line.split("\t", 1) for line in out.splitlines() if "\t" in line]
        return [f"{verbs.get(st[:1], st)} {path}" for st, path in rows]

    def _commit_and_push(self, tree: str, parent: str | None, message: str) -> str:
        sha = self._git("commit-tree", tree, *(["-p", parent] if parent else []), "-m", message, env=_AUTHOR).strip()
        self._git("push", "-q", "--no-verify", self.url, f"{sha}:refs/heads/{self.branch}")
        return sha

    # -------------------------------------------------------------------------------------------- the contract
    def action(self) -> Action:
        """The publish action for the site as built now (payload: remote, branch, site digest and files)."""
        fs = site_files(self.site_dir)
        digest = site_digest(fs)
        return Action(integration=self.name, kind=self.kind, leaves_machine=not self.local,
                      payload={"remote": self.display, "branch": self.branch, "digest": digest, "files": sorted(fs)},
                      summary=f"publish the portfolio site ({len(fs)} files, {digest[:12]}) to {self.display} "
                              f"branch {self.branch}")

    def _check(self, payload: Mapping[str, Any]) -> None:
        if payload.get("remote") != self.display or payload.get("branch") != self.branch:
            raise IntegrationError(f"this action is for {payload.get('remote')} branch {payload.get('branch')}, but "
                                   f"the portfolio remote is now {self.display} branch {self.branch}")

    def preview(self, action: Action) -> Preview:
        """The file changes the remote branch would get (touches nothing on the remote)."""
        self._check(action.payload)
        head, old = self._fetch()
        changes = self._diff(old, self._site_tree())
        if head is None:
            changes.insert(0, f"create branch {self.branch}")
        return Preview(action=action, changes=changes, noop=head is not None and not changes)

    def apply(self, action: Action, idempotency_key: str) -> Result:
        """Commit the built site on top of the remote branch and push it (never forced); signal = commit sha."""
        self._check(action.payload)
        if site_digest(site_files(self.site_dir)) != action.payload.get("digest"):
            raise IntegrationError("the built site changed since this publish was previewed: publish again")
        head, old = self._fetch()
        tree = self._site_tree()
        details = {"remote": self.display, "branch": self.branch, "tree": tree, "previous": head,
                   "digest": action.payload.get("digest"), "files": action.payload.get("files", [])}
        if head is not None and tree == old:  # the branch already holds exactly this site
            return Result(integration=self.name, kind=self.kind, idempotency_key=idempotency_key, ok=True,
                          signal=head, details={**details, "noop": True}, rollback={"noop": True, "commit": head})
        sha = self._commit_and_push(tree, head, f"careeros portfolio: publish site {str(details['digest'])[:12]}")
        return Result(integration=self.name, kind=self.kind, idempotency_key=idempotency_key, ok=True, signal=sha,
                      details={**details, "noop": False},
                      rollback={"commit": sha, "previous": head, "previous_tree": old if head else None})

    def verify(self, result: Result) -> bool:
        """True when ``git ls-remote`` shows the result's commit at the head of the branch."""
        try:
            return bool(result.signal) and self.remote_head() == result.signal
        except IntegrationError:
            return False

    def rollback(self, result: Result) -> Result:
        """Push a new commit whose tree is the one before ``result`` (an empty tree when the branch was new)."""
        rb = result.rollback
        now = datetime.now(UTC)
        if rb.get("noop"):
            return result.model_copy(update={"details": {**result.details, "restored": rb.get("commit")}, "at": now})
        if result.details.get("remote") != self.display or result.details.get("branch") != self.branch:
            return result.model_copy(update={"ok": False, "error": (
                f"published to {result.details.get('remote')} branch {result.details.get('branch')}, but the "
                f"portfolio remote is now {self.display} branch {self.branch}")})
        commit, target = rb["commit"], rb.get("previous_tree") or None
        try:
            head, head_tree = self._fetch()
            target = target or self._empty_tree()
            if head is None:
                return result.model_copy(update={"ok": False, "error": f"the branch {self.branch} no longer exists "
                                                                       f"on {self.display}"})
            if head != commit and head_tree == target and self._git("rev-parse", f"{head}^").strip() == commit:
                sha = head  # this rollback was pushed before but not recorded (a crash in between)
            elif head_tree == result.details.get("tree"):  # the branch shows this publish (maybe re-committed)
                sha = self._commit_and_push(target, head, f"careeros portfolio: roll back {commit[:12]} (restore "
                                                          f"{(rb.get('previous') or 'no site')[:12]})")
            else:
                return result.model_copy(update={"ok": False, "error": (
                    f"the branch {self.branch} no longer shows publish {commit[:12]} (now at {head[:12]}): roll "
                    "back the newer publish first")})
        except IntegrationError as exc:
            return result.model_copy(update={"ok": False, "error": str(exc)})
        return result.model_copy(update={"signal": sha, "at": now, "details": {
            **result.details, "rolled_back": commit, "restored": rb.get("previous"), "tree": target}})


def publish_action(con: duckdb.DuckDBPyConnection, integ: GitPortfolio) -> tuple[Action, str]:
    """The action and idempotency key of publishing the built site.

    The key names the site's content, so publishing an unchanged site again replays the stored result. When that
    key was applied but the branch has moved on since (a later publish, a rollback), the same content is a new
    publish: its payload records the head it goes on top of, which gives it a key of its own.
    """
    action = integ.action()
    key = idempotency_key(action)
    prev = stored(con, key)
    if prev is not None and prev[0] == "applied":
        head = integ.remote_head()
        if head != prev[1].signal:
            action = action.model_copy(update={"payload": {**action.payload, "after": head}})
            key = idempotency_key(action)
    return action, key


def last_publish(con: duckdb.DuckDBPyConnection) -> str | None:
    """Key of the newest applied portfolio publish that changed the branch (what ``rollback`` undoes by default)."""
    if not table_exists(con, "integration_action"):
        return None
    for key, result_json in con.execute(
            "SELECT idempotency_key, result_json FROM integration_action WHERE integration = 'portfolio' "
            "AND status = 'applied' ORDER BY updated_at DESC").fetchall():
        if not Result.model_validate_json(result_json).details.get("noop"):
            return str(key)
    return None
