"""``careeros init``: create or validate the operator profile (TOML) under CAREEROS_HOME.

Target roles are resolved to O*NET-SOC codes with the title normaliser; when the top match's calibrated
score is below :data:`CONFIRM_THRESHOLD` the top 3 are shown and the person confirms (``--non-interactive``
keeps the top match with ``confirmed = false``). ``--sample`` installs the synthetic sample operator.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from careeros.profile import Goal, Profile, TargetRole, load_profile
from careeros.resources import data_path

CONFIRM_THRESHOLD = 0.6


def _write(path: Path, text: str, note: str) -> None:
    """Write the profile (checked to load back); kept as a profile version when the warehouse exists."""
    from careeros.profile_history import write_profile_text
    from careeros.settings import approver_identity, get_settings

    write_profile_text(path, text, warehouse=get_settings().warehouse_path, actor=approver_identity(), note=note)
SAMPLE_DIR = data_path("sample_operator")


def install_sample_operator(dest: Path, sample_dir: Path = SAMPLE_DIR) -> Path:
    """Copy the sample operator to ``dest`` and create its git repo; returns the profile path."""
    import importlib.util

    dest = Path(dest)
    if not dest.exists():
        shutil.copytree(sample_dir, dest, ignore=shutil.ignore_patterns("repos", "__pycache__"))
    spec = importlib.util.spec_from_file_location("_make_repo", sample_dir / "make_repo.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.make_repo(dest / "repos" / "feature-store-lite")
    return dest / "profile.toml"


def resolve_roles(roles: list[TargetRole], normalize: Callable[[str], list[Any]],
                  choose: Callable[[TargetRole, list[Any]], int | None] | None = None,
                  threshold: float = CONFIRM_THRESHOLD) -> tuple[list[TargetRole], list[dict[str, Any]]]:
    """Resolve each role to O*NET-SOC;

    ambiguous ones go to ``choose`` (index into the top 3, None = keep unconfirmed). Confirmed roles with a
    code are kept as they are. Returns (roles, report).
    """
    out, report = [], []
    for role in roles:
        if role.soc_code and role.confirmed:
            out.append(role)
            report.append({"title": role.title, "soc_code": role.soc_code, "confirmed": True, "source": "profile"})
            continue
        matches = normalize(role.title)[:3]
        top = [{"soc_code": m.soc_code, "title": m.title, "score": round(float(m.score), 4)} for m in matches]
        if not matches:
            out.append(role.model_copy(update={"confirmed": False}))
            report.append({"title": role.title, "soc_code": role.soc_code, "confirmed": False, "top3": []})
            continue
        if float(matches[0].score) >= threshold:
            pick, confirmed = 0, True
        else:
            chosen = choose(role, matches) if choose else None
            confirmed = chosen is not None
            pick = 0 if chosen is None else chosen
        new = role.model_copy(update={"soc_code": matches[pick].soc_code, "confirmed": confirmed})
        out.append(new)
        report.append({"title": role.title, "soc_code": new.soc_code, "confirmed": confirmed, "top3": top})
    return out, report


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def profile_to_toml(p: Profile) -> str:
    """Serialise a profile as TOML (paths absolute, as resolved)."""
    data = p.model_dump(mode="python", exclude_none=True)
    lines = ["# careeros operator profile (written by `careeros init`)"]
    for k, v in data.items():
        if k in ("goal", "target_roles"):
            continue
        lines.append(f"{k} = {_toml_value([str(x) for x in v] if isinstance(v, list) else v)}")
    lines += ["", "[goal]"] + [f"{k} = {_toml_value(v)}" for k, v in data["goal"].items()]
    for r in data["target_roles"]:
        lines += ["", "[[target_roles]]"] + [f"{k} = {_toml_value(v)}" for k, v in r.items()]
    return "\n".join(lines) + "\n"


def _interactive_profile() -> Profile:
    name = typer.prompt("Your name")
    roles = []
    for i in range(3):
        t = typer.prompt(f"Target role {i + 1} (empty to stop)", default="", show_default=False)
        if not t.strip():
            break
        roles.append(TargetRole(title=t.strip()))
    goal = typer.prompt("Your 3-month goal")
    hours = typer.prompt("Weekly hours", default=10.0, type=float)
    risk = typer.prompt("Risk tolerance (low/medium/high)", default="medium")
    horizon = typer.prompt("Horizon in weeks", default=12, type=int)
    folders = typer.prompt("Evidence folders (comma-separated)", default="", show_default=False)
    repos = typer.prompt("Git repositories (comma-separated)", default="", show_default=False)
    split = lambda s: [Path(x.strip()).expanduser().resolve() for x in s.split(",") if x.strip()]  # noqa: E731
    return Profile(name=name, target_roles=roles, goal=Goal(statement=goal), weekly_hours=hours, risk_tolerance=risk,
                   horizon_weeks=horizon, evidence_folders=split(folders), git_repos=split(repos))


RESUME_SUFFIXES = {".md", ".markdown", ".txt", ".pdf", ".docx"}
#: a target title whose best O*NET match scores below this is refused as unresolvable
MIN_TITLE_SCORE = 0.1


def _fail(msg: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {msg}", err=True)
    return typer.Exit(code)


def _name_from_resume(text: str) -> str:
    for line in text.splitlines():
        clean = line.strip().lstrip("#").strip().strip("*").strip()
        if 2 <= len(clean) <= 60 and not any(ch.isdigit() for ch in clean) and "@" not in clean:
            return clean
    return "You"


def _init_from_resume(home: Path, resume: Path | None, targets: list[str], hours: float | None, goal: str | None,
                      name: str | None, horizon: int, yes: bool, force: bool, as_json: bool) -> None:
    """``careeros init --resume FILE --target T [--target T] --hours N [--goal G] --yes``."""
    from careeros.evidence.readers import document_text

    if resume is None:
        raise _fail("--target needs --resume FILE (your resume: Markdown, text, PDF or DOCX)")
    if not targets:
        raise _fail("give at least one --target \"JOB TITLE\"")
    if len(targets) > 3:
        raise _fail(f"at most 3 target roles (got {len(targets)})")
    if hours is None:
        raise _fail("give --hours N (hours per week you can spend on the plan)")
    resume = Path(resume)
    if not resume.is_file():
        raise _fail(f"resume not found or not a file: {resume}")
    if resume.suffix.lower() not in RESUME_SUFFIXES:
        raise _fail(f"{resume}: unsupported resume type {resume.suffix or '(none)'}; use "
                    + ", ".join(sorted(RESUME_SUFFIXES)))
    try:
        text = document_text(resume)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one clear error
        raise _fail(f"cannot read resume {resume}: {exc}") from exc
    if len(text.strip()) < 20:
        raise _fail(f"resume {resume} has no readable text")
    profile_path = home / "profile.toml"
    if profile_path.exists() and not force:
        raise _fail(f"{profile_path} exists (use --force to replace it)", 1)
    from careeros.market.reference import load_normalizer

    try:
        norm = load_normalizer()
    except Exception as exc:  # noqa: BLE001
        raise _fail(f"cannot resolve job titles without a warehouse: {exc} (run `careeros ingest` first)") from exc
    from careeros.planner.target_votes import resolve_person_targets

    roles: list[TargetRole] = []
    report: list[dict[str, Any]] = []
    targets = [" ".join(t.split()) for t in targets]
    for t in targets:
        if len(t) < 2:
            raise _fail(f"empty target title {t!r}")
    # the targets read together: an unsure one takes the occupation another target names surely, if it is a candidate
    for t, matches in zip(targets, resolve_person_targets(norm, targets, k=3), strict=True):
        if not matches or float(max(m.score for m in matches)) < MIN_TITLE_SCORE:
            raise _fail(f"cannot resolve target title {t!r} to an O*NET occupation; try a more common title")
        pick = 0
        if not yes and float(matches[0].score) < CONFIRM_THRESHOLD:
            typer.echo(f"'{t}' best matches:", err=True)
            for i, m in enumerate(matches, 1):
                typer.echo(f"  {i}. {m.soc_code}  {m.title}  ({float(m.score):.2f})", err=True)
            n = typer.prompt("Pick 1-3", default=1, type=int)
            pick = n - 1 if 1 <= n <= len(matches) else 0
        m = matches[pick]
        roles.append(TargetRole(title=t, soc_code=m.soc_code, confirmed=True))
        report.append({"title": t, "soc_code": m.soc_code, "onet_title": m.title, "score": round(float(m.score), 4),
                       "confirmed": True, "top3": [{"soc_code": x.soc_code, "title": x.title,
                                                    "score": round(float(x.score), 4)} for x in matches]})
    folder = home / "evidence" / "resume"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file():
            old.unlink()
    kept = folder / f"resume{resume.suffix.lower()}"
    shutil.copyfile(resume, kept)
    try:
        p = Profile(name=name or _name_from_resume(text), target_roles=roles,
                    goal=Goal(statement=goal or f"Move into a {targets[0]} role within {horizon} weeks."),
                    weekly_hours=hours, horizon_weeks=horizon, evidence_folders=[folder])
    except Exception as exc:  # noqa: BLE001 - pydantic validation: one clear line
        raise _fail(f"invalid profile: {exc}") from exc
    _write(profile_path, profile_to_toml(p), "careeros init --resume")
    out = {"profile": str(profile_path), "name": p.name, "resume": str(kept), "roles": report, "missing_paths": []}
    if as_json:
        typer.echo(json.dumps(out, indent=2, default=str))
        return
    typer.echo(f"profile written: {profile_path}")
    for r in report:
        typer.echo(f"  {r['title']} -> {r['soc_code']} {r['onet_title']} ({r['score']:.2f})")
    typer.echo("next: `careeros evidence curate`, then `careeros plan`")


def init_profile(home: Path, profile: Path | None = None, non_interactive: bool = False, sample: bool = False,
                 force: bool = False, as_json: bool = False) -> None:
    """``careeros init`` without ``--resume``: validate and install a profile (or the sample operator, or ask).

    Target roles are resolved with the title normaliser (left unresolved without a warehouse); the result is
    printed (JSON with ``as_json``). Raises ``typer.Exit`` on an invalid profile or one that would be replaced
    without ``force``.
    """
    from pydantic import ValidationError

    target = home / "profile.toml"
    if target.exists() and not force and profile is None and not sample:
        profile = target  # validate (and re-resolve) the installed profile
    if sample:
        profile = install_sample_operator(home / "sample_operator")
    try:
        if profile is not None:
            p = load_profile(profile)
        elif non_interactive:
            typer.echo("error: --non-interactive needs --profile PATH or --sample", err=True)
            raise typer.Exit(2)
        else:
            p = _interactive_profile()
    except (ValidationError, ValueError, OSError) as exc:
        typer.echo(f"error: invalid profile {profile}: {exc}", err=True)
        raise typer.Exit(2) from exc
    missing = [str(x) for x in [*p.evidence_folders, *p.git_repos] if not Path(x).exists()]

    def choose(role: TargetRole, matches: list[Any]) -> int | None:
        if non_interactive:
            return None
        typer.echo(f"'{role.title}' is ambiguous; best matches:")
        for i, m in enumerate(matches, 1):
            typer.echo(f"  {i}. {m.soc_code}  {m.title}  ({float(m.score):.2f})")
        n = typer.prompt("Pick 1-3 (0 = decide later)", default=1, type=int)
        return n - 1 if 1 <= n <= len(matches) else None

    try:
        from careeros.market.reference import load_normalizer

        norm = load_normalizer()
        from careeros.planner.target_votes import resolve_person_targets

        roles, report = resolve_roles(p.target_roles, lambda t: resolve_person_targets(norm, [t], k=3)[0], choose)
    except Exception as exc:  # noqa: BLE001 - no warehouse/datasets yet: keep titles unresolved
        roles, report = p.target_roles, [{"title": r.title, "error": f"not resolved: {exc}"} for r in p.target_roles]
    p = p.model_copy(update={"target_roles": roles})
    home.mkdir(parents=True, exist_ok=True)
    if target.exists() and profile is not None and Path(profile).resolve() != target.resolve() and not force:
        typer.echo(f"error: {target} exists (use --force to replace it)", err=True)
        raise typer.Exit(1)
    _write(target, profile_to_toml(p), "careeros init")
    out = {"profile": str(target), "name": p.name, "roles": report, "missing_paths": missing}
    if as_json:
        typer.echo(json.dumps(out, indent=2, default=str))
        return
    typer.echo(f"profile written: {target}")
    for r in report:
        flag = "confirmed" if r.get("confirmed") else "UNCONFIRMED (run `careeros init` interactively)"
        typer.echo(f"  {r['title']} -> {r.get('soc_code')} {flag}")
    for m in missing:
        typer.echo(f"  warning: path not found: {m}", err=True)


def register(app: typer.Typer) -> None:
    """Attach ``careeros init`` to the main app."""

    @app.command("init")
    def init(
        profile: Annotated[Path | None, typer.Option("--profile", help="Existing profile (TOML/YAML) to validate and install.")] = None,
        non_interactive: Annotated[bool, typer.Option("--non-interactive", help="Never prompt; keep ambiguous roles unconfirmed.")] = False,
        sample: Annotated[bool, typer.Option("--sample", help="Install the synthetic sample operator (data/sample_operator).")] = False,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing CAREEROS_HOME/profile.toml.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
        resume: Annotated[Path | None, typer.Option("--resume", help="Your resume (Markdown, text, PDF or DOCX): "
                                                    "kept as evidence, read for your titles and skills.")] = None,
        target_titles: Annotated[list[str] | None, typer.Option("--target", help="A target job title, in your words; "
                                                         "repeatable (up to 3, first = highest priority).")] = None,
        hours: Annotated[float | None, typer.Option("--hours", min=0.5, max=80, help="Hours per week for the plan.")] = None,
        goal: Annotated[str | None, typer.Option("--goal", help="Your goal for the horizon, one sentence.")] = None,
        name: Annotated[str | None, typer.Option("--name", help="Your name (default: the resume's first line).")] = None,
        horizon: Annotated[int, typer.Option("--horizon-weeks", min=1, max=52, help="Plan horizon in weeks.")] = 12,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Never prompt: take the best O*NET match of each "
                                          "target title.")] = False,
    ) -> None:
        """Create or validate your profile:

        name, up to 3 target roles (resolved to O*NET-SOC), goal, hours, risk tolerance, horizon, evidence
        folders and git repos; written to CAREEROS_HOME/profile.toml.
        """
        from careeros.settings import get_settings

        home = get_settings().home
        if resume is not None or target_titles:
            _init_from_resume(home, resume, target_titles or [], hours, goal, name, horizon, yes or non_interactive,
                              force, as_json)
            return
        init_profile(home, profile, non_interactive, sample, force, as_json)
