"""``careeros skills ...`` commands: parse arguments and print (the extractor is ``careeros.market.reference``)."""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from careeros.market.skills import SkillExtractor

app = typer.Typer(no_args_is_help=True)
log = logging.getLogger("careeros.skills")


def load_extractor() -> SkillExtractor:
    """The skill extractor of the current reference data (``careeros.market.reference.load_extractor``).

    Imported when a command runs: the reference module pulls DuckDB and Polars, which every other command (``--help``,
    ``memory search``) would otherwise pay for at start-up.
    """
    from careeros.market.reference import load_extractor as load

    return load()


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
