"""``careeros skills ...`` commands (owned by the skill-extraction work)."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True)
log = logging.getLogger("careeros.skills")


def _reference_frames() -> tuple[Any, Any, Any]:
    """O*NET technology/tool and ESCO skill frames: warehouse first, datasets folder as fallback."""
    from careeros.settings import get_settings

    settings = get_settings()
    wh = settings.warehouse_path
    if wh.exists():
        from careeros.warehouse.db import connect, table_exists

        with connect(wh, read_only=True) as con:
            if all(table_exists(con, t) for t in ("onet_technology", "onet_tool", "esco_skill")):
                tech = con.sql("SELECT soc_code, example, hot_technology FROM onet_technology").pl()
                tools = con.sql("SELECT soc_code, example FROM onet_tool").pl()
                esco = con.sql("SELECT skill_uri, preferred_label, skill_type, text FROM esco_skill").pl()
                if tech.height:
                    log.info("reference frames from warehouse %s", wh)
                    return tech, tools, esco
    from careeros.taxonomy.esco import read_esco
    from careeros.taxonomy.onet import read_onet

    ds = settings.resolve_datasets()
    log.info("reference frames from datasets %s", ds)
    onet = read_onet(ds / "onet-29.3").tables
    esco = read_esco(ds / "esco-1.2.0").tables["esco_skill"]
    return onet["onet_technology"], onet["onet_tool"], esco


def load_extractor() -> Any:
    """Build (or load from the cache directory) the skill extractor for the current reference data."""
    import hashlib

    from careeros.graph.tech_labels import DEFAULT_ALIASES_PATH, DEFAULT_CONCEPTS_PATH
    from careeros.market.skills import FORMAT_VERSION, SkillExtractor
    from careeros.settings import get_settings

    tech, tools, esco = _reference_frames()
    h = hashlib.sha256(f"v{FORMAT_VERSION}".encode())
    for frame, cols in ((tech, ["example"]), (tools, ["example"]), (esco, ["skill_uri", "preferred_label"])):
        for col in cols:
            h.update("\x1f".join(sorted(set(frame[col].drop_nulls().to_list()))).encode())
    for ref in (DEFAULT_ALIASES_PATH, DEFAULT_CONCEPTS_PATH):
        if ref.exists():
            h.update(ref.read_bytes())
    cache = get_settings().cache_dir / f"skill_extractor-{h.hexdigest()[:16]}.pkl"
    if cache.exists():
        try:
            return SkillExtractor.load(cache)
        except Exception as exc:  # stale or corrupt cache: rebuild
            log.warning("ignoring skill extractor cache %s: %s", cache, exc)
    ext = SkillExtractor.build(tech, tools, esco)
    try:
        ext.save(cache)
    except OSError as exc:
        log.warning("could not write cache %s: %s", cache, exc)
    return ext


def _records(file: str, raw: str | None = None) -> Any:
    """Yield (id, text, error) records from a JSONL file, a plain-text file or stdin (``-``), or from ``raw``."""
    from careeros.cli.inputs import read_input_text

    raw = read_input_text(file) if raw is None else raw
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    is_jsonl = bool(lines) and lines[0].lstrip().startswith("{")
    if not is_jsonl:
        yield ("stdin" if file == "-" else file), raw, None
        return
    for n, line in enumerate(lines, 1):
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError('expected an object with a string "text" field')
        except (json.JSONDecodeError, ValueError) as exc:
            rid = obj.get("id") if "obj" in locals() and isinstance(obj, dict) else None
            yield (rid if rid is not None else f"line:{n}"), None, f"line {n}: {exc}"
            obj = None
            continue
        yield obj.get("id", f"line:{n}"), obj["text"], None
        obj = None


@app.command("extract")
def extract(
    file: str = typer.Argument(..., help='JSONL of {"id", "text"} (text may be HTML), a plain-text file, or - for stdin.'),
    min_score: float = typer.Option(0.0, help="Drop matches scoring below this."),
) -> None:
    """Print one JSON object per input record: {"id", "skills": [...]} (stdout is JSONL only)."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    from careeros.cli.inputs import read_input_text

    raw = read_input_text(file)  # a missing file or a directory: one line on stderr, exit 2, before any loading
    ext = load_extractor()
    out = sys.stdout
    for rid, text, error in _records(file, raw):
        if error is not None:
            out.write(json.dumps({"id": rid, "skills": [], "error": error}) + "\n")
            continue
        skills = [
            # the contract's taxonomy is onet|esco: careeros-curated technologies (absent from O*NET 29.3)
            # report as "onet" technology nodes and say so in the extra "curated" field
            {"skill_id": m.skill_id, "label": m.label, "kind": m.kind,
             "taxonomy": "onet" if m.taxonomy == "careeros" else m.taxonomy,
             "score": m.score, "text": m.text, "start": m.start, "end": m.end,
             "curated": m.taxonomy == "careeros"}
            for m in ext.extract(text) if m.score >= min_score
        ]
        out.write(json.dumps({"id": rid, "skills": skills}, ensure_ascii=False) + "\n")
    out.flush()
