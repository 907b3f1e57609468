"""Render the plan and every agent output for a review set of personas, for people and tests to read.

Each persona is a folder in ``data/eval/review_personas/<slug>/`` with ``profile.toml`` and ``resume/resume.md``
(plus the sample operator in ``data/sample_operator``). For each persona a private CAREEROS_HOME gets a copy of a
built warehouse, the persona's evidence is curated for real (read, chunk, embed, link: no Prefect needed), and
every renderer in :data:`RENDERERS` writes one markdown document.

    .venv/bin/python benchmarks/render_personas.py --out /tmp/personas [--only nurse-health-informatics]

Needs a built warehouse (``careeros ingest``) in CAREEROS_HOME (or ``--warehouse``). Extending: add a function
``render_<kind>(home, profile) -> str`` and register it in :data:`RENDERERS`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PERSONAS_DIR = REPO / "data" / "eval" / "review_personas"
SAMPLE_OPERATOR = REPO / "data" / "sample_operator" / "profile.toml"


@dataclass
class Persona:
    """A review persona: slug, profile file, and whether the target field is software."""

    slug: str
    profile_path: Path
    software: bool
    field: str


def personas() -> list[Persona]:
    """All review personas (folders with a profile.toml) plus the sample operator."""
    import tomllib

    out = [Persona("sample-operator", SAMPLE_OPERATOR, True, "software")]
    for d in sorted(PERSONAS_DIR.iterdir()) if PERSONAS_DIR.is_dir() else []:
        meta_path = d / "review.toml"
        if (d / "profile.toml").is_file():
            meta = tomllib.loads(meta_path.read_text()) if meta_path.is_file() else {}
            out.append(Persona(d.name, d / "profile.toml", bool(meta.get("software", False)),
                               str(meta.get("field", "unknown"))))
    return out


def _use_home(home: Path) -> None:
    from careeros.settings import get_settings

    os.environ["CAREEROS_HOME"] = str(home)
    get_settings.cache_clear()


def prepare_base(warehouse: Path, base: Path) -> Path:
    """A base home with a copy of the warehouse and warm caches (title index, skill extractor, transitions)."""
    base.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, base / "warehouse.duckdb")
    _use_home(base)
    from careeros.market.reference import load_extractor, load_normalizer
    from careeros.planner.transitions import load_model

    load_normalizer()
    load_extractor()
    load_model()
    return base


def persona_home(base: Path, home: Path) -> Path:
    """A private home for one persona: a copy of the base (warehouse and caches)."""
    if home.exists():
        shutil.rmtree(home)
    shutil.copytree(base, home, ignore=shutil.ignore_patterns("memory"))
    _use_home(home)
    return home


def curate(home: Path, profile: Any) -> dict[str, Any]:
    """Read, embed and link the persona's evidence into the home's warehouse (the curate-evidence stages)."""
    from careeros.evidence import curate as cu
    from careeros.market.reference import load_extractor
    from careeros.memory.embedders import get_embedder
    from careeros.memory.store import MemoryStore
    from careeros.warehouse.provenance import new_run_id

    wh = home / "warehouse.duckdb"
    emb = get_embedder()
    gathered = cu.gather(profile)
    prep = cu.select_new(wh, MemoryStore(home / "memory", emb.name, emb.dim), gathered.items)
    prep = cu.embed_and_link(prep, wh, emb, load_extractor() if prep.process else None)
    return cu.write_history(wh, prep, gathered, new_run_id())


def load(persona: Persona) -> Any:
    """The persona's validated profile (paths resolved)."""
    from careeros.profile import load_profile

    return load_profile(persona.profile_path)


# ------------------------------------------------------------------------------------------------ renderers


def render_plan(home: Path, profile: Any) -> str:
    """The plan as the person would read it (markdown)."""
    from careeros.planner.approval import compute_plan
    from careeros.planner.publish import plan_markdown

    plan = compute_plan(home, profile, read_only=True)
    return plan_markdown(plan)


def agent_review(home: Path, profile: Any) -> dict[str, tuple[str, list[str]]]:
    """Every agent's offline output as the person reads it, with the problems a coach would not sign in it."""
    from careeros.agents.checks import quality_issues
    from careeros.agents.facts import gather
    from careeros.agents.models import AGENT_NAMES
    from careeros.agents.render import agent_output, output_markdown

    facts = gather(Path(home), profile, "review", memory=False)
    out: dict[str, tuple[str, list[str]]] = {}
    for name in AGENT_NAMES:
        o = agent_output(name, facts)
        out[name] = (output_markdown(name, o), quality_issues(name, o.model_dump(mode="json"), facts))
    return out


def render_agents(home: Path, profile: Any) -> str:
    """All agent outputs (markdown), each followed by the coach checks' verdict."""
    parts = [f"# Agent outputs for {profile.name}\n"]
    for name, (text, issues) in agent_review(home, profile).items():
        verdict = "none found" if not issues else "; ".join(issues)
        parts.append(f"## {name.replace('_', ' ')}\n\n{text.strip()}\n\n_Coach checks: {verdict}_\n")
    return "\n".join(parts)


#: output kind -> renderer(home, profile) -> markdown
RENDERERS: dict[str, Callable[[Path, Any], str]] = {"plan": render_plan, "agents": render_agents}


def render_persona(base: Path, persona: Persona, work: Path,
                   kinds: tuple[str, ...] | None = None) -> dict[str, str]:
    """Every output kind for one persona, in a fresh home under ``work``."""
    home = persona_home(base, work / persona.slug)
    profile = load(persona)
    curate(home, profile)
    return {k: fn(home, profile) for k, fn in RENDERERS.items() if kinds is None or k in kinds}


def main(argv: list[str] | None = None) -> int:
    """Render all personas into ``--out``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "personas")
    ap.add_argument("--warehouse", type=Path, default=None, help="built warehouse (default CAREEROS_HOME's)")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder for the persona homes")
    ap.add_argument("--only", action="append", default=[], help="persona slug (repeatable)")
    args = ap.parse_args(argv)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    from careeros.settings import get_settings

    wh = args.warehouse or get_settings().warehouse_path
    if not Path(wh).is_file():
        print(f"no warehouse at {wh}: run `careeros ingest` first", file=sys.stderr)
        return 2
    import tempfile

    work = args.work or Path(tempfile.mkdtemp(prefix="careeros-personas-"))
    base = prepare_base(Path(wh), work / "_base")
    args.out.mkdir(parents=True, exist_ok=True)
    for p in personas():
        if args.only and p.slug not in args.only:
            continue
        outputs = render_persona(base, p, work)
        for kind, text in outputs.items():
            (args.out / f"{p.slug}.{kind}.md").write_text(text, encoding="utf-8")
        print(f"{p.slug}: {', '.join(outputs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
