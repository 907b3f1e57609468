"""``careeros portfolio ...``: build the static portfolio site, publish it to a git remote, roll back, status.

The site is built into ``$CAREEROS_HOME/portfolio/site`` from ``$CAREEROS_HOME/profile.toml``, the latest approved
plan's finished work and accepted evidence. Publishing pushes it to ``CAREEROS_PORTFOLIO_REMOTE`` (branch
``CAREEROS_PORTFOLIO_BRANCH``) after you approve the preview; rollback pushes a commit restoring the previous site.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from careeros.integrations.portfolio import BuildSummary, GitPortfolio
    from careeros.settings import Settings

app = typer.Typer(no_args_is_help=True)

JSON_HELP = "Print the result as JSON."


def _fail(msg: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {' '.join(str(msg).split())[:600]}", err=True)
    raise typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """Integration, file and warehouse errors as one line and exit code 1 (never a traceback)."""
    import duckdb

    from careeros.integrations.contract import IntegrationError

    try:
        yield
    except IntegrationError as exc:
        _fail(str(exc))
    except duckdb.IOException as exc:
        _fail(f"the warehouse is busy (a flow is writing it): try again when it finishes ({exc})")
    except (duckdb.Error, OSError) as exc:
        _fail(f"{type(exc).__name__}: {exc}")


def _settings() -> Settings:
    from careeros.settings import get_settings

    return get_settings()


def site_dir(s: Settings) -> Path:
    """Where ``build`` writes and ``publish`` reads the site: ``$CAREEROS_HOME/portfolio/site``."""
    return s.home / "portfolio" / "site"


def _integration(s: Settings) -> GitPortfolio:
    from careeros.integrations.portfolio import GitPortfolio

    if not (s.portfolio_remote or "").strip():
        _fail("no portfolio remote: set CAREEROS_PORTFOLIO_REMOTE (a local path, file://, ssh or https git URL)", 2)
    with _errors():
        return GitPortfolio(str(s.portfolio_remote), s.portfolio_branch, site_dir(s), s.home / "portfolio" / "clone.git")


def _build(s: Settings, out: Path) -> BuildSummary:
    from pydantic import ValidationError

    from careeros.integrations.portfolio import build_site
    from careeros.profile import load_profile
    from careeros.warehouse.db import connect

    path = s.home / "profile.toml"
    if not path.is_file():
        _fail(f"no profile at {path}: run `careeros init` first", 2)
    try:
        profile = load_profile(path)
    except (ValidationError, ValueError, OSError) as exc:
        _fail(f"invalid profile {path}: {exc}", 2)
    with _errors():
        if not s.warehouse_path.is_file():
            return build_site(None, profile, out)
        with connect(s.warehouse_path, read_only=True, retries=8) as con:
            return build_site(con, profile, out)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


@app.command("build")
def build(
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default: CAREEROS_HOME/portfolio/site); "
                                                           "must be empty or hold an earlier build.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Render the static site (index.html, style.css) from your profile, finished plan work and accepted evidence.

    Contact details appear only when profile.toml says ``portfolio_show_contact = true`` (or ``[portfolio]
    show_contact = true``); evidence text is redacted and escaped. The same state gives byte-identical files.
    """
    s = _settings()
    summary = _build(s, out or site_dir(s))
    if as_json:
        _echo_json(summary.model_dump(mode="json"))
        return
    typer.echo(f"built {Path(summary.out) / 'index.html'}: {summary.artifacts} finished work item(s), "
               f"{summary.evidence} evidence item(s), contact details {'shown' if summary.contact_shown else 'hidden'}"
               f" (site {summary.digest[:12]})")


@app.command("publish")
def publish(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Approve without asking (recorded as your approval).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Build the site, show what changes on the remote branch, and push it after you approve.

    The push goes to CAREEROS_PORTFOLIO_REMOTE, branch CAREEROS_PORTFOLIO_BRANCH (default gh-pages), as a new
    commit (never forced). Your approval is recorded under your identity (CAREEROS_APPROVER or the OS user); a
    remote other than a local path or file:// is pushed only with it. Publishing an unchanged site again does
    nothing.
    """
    from careeros.integrations.contract import RetryPolicy, record_approval, run_apply, stored
    from careeros.integrations.portfolio import publish_action
    from careeros.settings import approver_identity
    from careeros.warehouse.db import connect

    s = _settings()
    integ = _integration(s)
    built = _build(s, site_dir(s))
    who = approver_identity(s)
    retry = RetryPolicy(backoff_seconds=s.retry_backoff_seconds, jitter_factor=s.retry_jitter_factor)
    with _errors():
        with connect(s.warehouse_path) as con:
            action, key = publish_action(con, integ)
            prev = stored(con, key)
        if prev is not None and prev[0] == "applied":  # the branch holds this very publish: replay, push nothing
            with connect(s.warehouse_path) as con:
                result = run_apply(con, integ, action, key, retry=retry, actor=who)
            if as_json:
                _echo_json({"status": "unchanged", "key": key, "commit": result.signal, "replayed": True})
            else:
                typer.echo(f"already published: {integ.display} {integ.branch} is at {result.signal[:12]} ({key})")
            return
        preview = integ.preview(action)
        if preview.noop:
            head = integ.remote_head()
            if as_json:
                _echo_json({"status": "unchanged", "key": key, "commit": head, "replayed": False})
            else:
                typer.echo(f"nothing to publish: {integ.display} {integ.branch} already holds this site "
                           f"({(head or '')[:12]})")
            return
        where = "leaves this machine" if action.leaves_machine else "stays on this machine"
        typer.echo(f"{action.summary} ({where}):", err=as_json)
        for line in preview.changes:
            typer.echo(f"  {line}", err=as_json)
        if not yes and not typer.confirm("Publish?", default=False, err=as_json):
            with connect(s.warehouse_path) as con:
                record_approval(con, key, who, action=action, approved=False, note="careeros portfolio publish")
            _fail("not published (declined)")
        with connect(s.warehouse_path) as con:
            record_approval(con, key, who, action=action, note="careeros portfolio publish" + (" --yes" if yes else ""))
            result = run_apply(con, integ, action, key, retry=retry, actor=who)
    if as_json:
        _echo_json({"status": "published", "key": key, "commit": result.signal, "changes": preview.changes,
                    "site": built.model_dump(mode="json"), "remote": integ.display, "branch": integ.branch})
        return
    typer.echo(f"published {result.signal[:12]} to {integ.display} {integ.branch} ({key})")


@app.command("rollback")
def rollback(
    key: Annotated[str | None, typer.Argument(help="Idempotency key of the publish to undo (default: the last "
                                                   "publish; see `careeros portfolio status`).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Undo a publish: push a new commit that restores the site as it was before (history keeps both)."""
    from careeros.integrations.contract import run_rollback
    from careeros.integrations.portfolio import last_publish
    from careeros.settings import approver_identity
    from careeros.warehouse.db import connect

    s = _settings()
    integ = _integration(s)
    if not s.warehouse_path.is_file():
        _fail("nothing published yet (no warehouse)", 2)
    with _errors(), connect(s.warehouse_path) as con:
        key = key.strip() if key else last_publish(con)
        if not key:
            _fail("no applied portfolio publish left to roll back (see `careeros portfolio status`)", 2)
        result = run_rollback(con, integ, key, actor=approver_identity(s))
    if as_json:
        _echo_json({"status": "rolled_back", "key": key, "commit": result.signal, "replayed": result.replayed,
                    "restored": result.details.get("restored")})
        return
    what = "already rolled back" if result.replayed else "rolled back"
    restored = result.details.get("restored")
    typer.echo(f"{what} {key}: {integ.display} {integ.branch} is at {result.signal[:12]} "
               f"(restores {restored[:12] if restored else 'no site'})")


@app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """The configured remote, the built site, recent publishes and whether the remote branch shows the last one."""
    from careeros.integrations.contract import IntegrationError, history
    from careeros.integrations.portfolio import display_remote, is_local_remote, site_digest, site_files
    from careeros.warehouse.db import connect

    s = _settings()
    remote = (s.portfolio_remote or "").strip() or None
    out: dict[str, Any] = {"remote": display_remote(remote) if remote else None, "branch": s.portfolio_branch,
                           "leaves_machine": (not is_local_remote(remote)) if remote else None,
                           "site": str(site_dir(s)), "site_digest": None, "publishes": [], "remote_head": None,
                           "in_sync": None}
    try:
        out["site_digest"] = site_digest(site_files(site_dir(s)))
    except IntegrationError:
        pass
    if s.warehouse_path.is_file():
        with _errors(), connect(s.warehouse_path, read_only=True, retries=8) as con:
            out["publishes"] = history(con, "portfolio")[:10]
    if remote:
        try:
            out["remote_head"] = _integration(s).remote_head()
        except IntegrationError as exc:
            out["remote_error"] = str(exc)
        last = next((p for p in out["publishes"] if p["status"] == "applied"), None)
        if last is not None and "remote_error" not in out:
            out["in_sync"] = out["remote_head"] == last["signal"]
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"remote: {out['remote'] or 'not set (CAREEROS_PORTFOLIO_REMOTE)'}  branch: {out['branch']}"
               + ("" if remote is None else f"  ({'leaves' if out['leaves_machine'] else 'stays on'} this machine)"))
    typer.echo(f"site: {out['site']} " + (f"(built, {out['site_digest'][:12]})" if out["site_digest"] else
                                          "(not built: `careeros portfolio build`)"))
    if remote:
        head = out["remote_head"]
        typer.echo("remote head: " + (f"unreachable: {out['remote_error']}" if "remote_error" in out else
                                      (head[:12] if head else "branch does not exist yet"))
                   + ("" if out["in_sync"] is None else f" ({'matches' if out['in_sync'] else 'differs from'} "
                                                         "the last publish)"))
    for p in out["publishes"]:
        typer.echo(f"  {str(p['updated_at'])[:19]}  {p['status']:<11} {(p['signal'] or '')[:12]:<12} "
                   f"{p['idempotency_key']}")
    if not out["publishes"]:
        typer.echo("no publishes yet")
