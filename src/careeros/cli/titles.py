"""``careeros titles ...`` commands (owned by the title-normalisation work)."""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True)
log = logging.getLogger("careeros.titles")


def _frames() -> dict[str, Any]:
    """Reference frames from the warehouse, or from the O*NET/OEWS datasets when no warehouse exists."""
    import polars as pl

    from careeros.settings import get_settings

    settings = get_settings()
    wh = settings.warehouse_path
    if wh.is_file():
        from careeros.warehouse.db import connect

        with connect(wh, read_only=True) as con:
            t = {n: con.sql(f"select * from {n}").pl() for n in
                 ("onet_occupation", "onet_alternate_title", "onet_reported_title", "onet_task")}
            try:
                t["employment"] = con.sql(
                    "select occupation_code, tot_emp from oews_wage where area_type = 'N'").pl()
            except Exception:  # noqa: BLE001 - employment prior is optional
                t["employment"] = None
        if t["onet_occupation"].height:
            return t
    from careeros.taxonomy.onet import read_onet

    root = settings.resolve_datasets()
    r = read_onet(root / "onet-29.3")
    t = {k: r.tables[k] for k in ("onet_occupation", "onet_alternate_title", "onet_reported_title", "onet_task")}
    nat = root / "bls-oews-2025" / "oews_2025_national_by_occupation.csv.gz"
    t["employment"] = (pl.read_csv(nat, infer_schema=False).select(
        "occupation_code", pl.col("tot_emp").cast(pl.Float64, strict=False)) if nat.is_file() else None)
    return t


def _source_key() -> str:
    """Cheap cache key from the reference sources' file stats (no table is read on a cache hit)."""
    from careeros.market.titles import MODEL_PATH
    from careeros.settings import get_settings

    settings = get_settings()
    wh = settings.warehouse_path
    files = [wh] if wh.is_file() else []
    if not files:
        root = settings.resolve_datasets()
        files = sorted((root / "onet-29.3").rglob("*")) + [
            root / "bls-oews-2025" / "oews_2025_national_by_occupation.csv.gz"]
    h = hashlib.sha256()
    for f in [*files, MODEL_PATH]:
        if f.is_file():
            st = f.stat()
            h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def load_normalizer() -> Any:
    """Cached ``TitleNormalizer`` (built on first use, keyed by the reference sources' file stats)."""
    from careeros.market.titles import _FORMAT_VERSION, TitleNormalizer
    from careeros.settings import get_settings

    path = get_settings().cache_dir / f"titles-v{_FORMAT_VERSION}-{_source_key()}.pkl"
    if path.is_file():
        try:
            return TitleNormalizer.load(path)
        except Exception as exc:  # noqa: BLE001 - a stale cache is rebuilt
            log.warning("title cache unreadable (%s); rebuilding", exc)
    log.info("building title index (first run)...")
    t = _frames()
    norm = TitleNormalizer.build(t["onet_occupation"], t["onet_alternate_title"], t["onet_reported_title"],
                                 t["onet_task"], t.get("employment"))
    norm.save(path)
    return norm


@app.command("normalize")
def normalize(
    file: str = typer.Argument(..., help="File with one title per line, or '-' for stdin."),
    top: int = typer.Option(5, "--top", "-k", min=1, help="Matches per title."),
) -> None:
    """Print one JSON object per input line: {"input", "matches": [{"soc_code", "title", "score"}]}."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    from careeros.cli.inputs import read_input_text

    text = read_input_text(file)
    lines = text.splitlines()
    norm = load_normalizer()
    out = sys.stdout
    for i in range(0, len(lines), 2000):
        chunk = lines[i:i + 2000]
        for line, matches in zip(chunk, norm.normalize(chunk, k=top), strict=True):
            out.write(json.dumps({"input": line, "matches": [
                {"soc_code": m.soc_code, "title": m.title, "score": float(m.score)} for m in matches]}) + "\n")
    out.flush()
