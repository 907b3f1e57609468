"""Reference models of the market layer: the title normaliser and the skill extractor.

Both are built from the taxonomy tables of the warehouse (or from the O*NET/ESCO/OEWS datasets when no
warehouse exists yet), pickled under ``settings.cache_dir`` keyed by their sources, and kept in memory per
warehouse and taxonomy version: a process loads them once and passes them to whoever needs them (the postings
pipeline, the planner, evidence linking, the CLI). Callers never build them themselves.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pathlib
from typing import TYPE_CHECKING, Any

from careeros.settings import Settings, get_settings
from careeros.warehouse.db import connect, table_exists

if TYPE_CHECKING:  # the models pull numpy/scipy/automata: imported when first built, not at CLI start-up
    from careeros.market.skills import SkillExtractor
    from careeros.market.titles import TitleNormalizer

log = logging.getLogger("careeros.market.reference")

_TITLE_TABLES = ("onet_occupation", "onet_alternate_title", "onet_reported_title", "onet_task")


def title_frames(settings: Settings) -> dict[str, Any]:
    """Reference frames from the warehouse, or from the O*NET/OEWS datasets when no warehouse exists."""
    import polars as pl

    wh = settings.warehouse_path
    if wh.is_file():
        with connect(wh, read_only=True) as con:
            t = {n: con.sql(f"select * from {n}").pl() for n in _TITLE_TABLES}
            # the tools each occupation lists lend a typed target their words (optional: older warehouses)
            t["onet_technology"] = (con.sql("select soc_code, example from onet_technology").pl()
                                    if table_exists(con, "onet_technology") else None)
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
    t = {k: r.tables[k] for k in _TITLE_TABLES}
    t["onet_technology"] = r.tables.get("onet_technology")
    nat = root / "bls-oews-2025" / "oews_2025_national_by_occupation.csv.gz"
    t["employment"] = (pl.read_csv(nat, infer_schema=False).select(
        "occupation_code", pl.col("tot_emp").cast(pl.Float64, strict=False)) if nat.is_file() else None)
    return t


def _source_shas(settings: Settings, sources: tuple[str, ...]) -> list[Any] | None:
    """The warehouse's recorded content hashes of ``sources`` (``source_versions``), or None without them.

    A content key: the warehouse file changes on every write (a curate, a plan), its sources do not.
    """
    wh = settings.warehouse_path
    if not wh.is_file():
        return None
    try:
        with connect(wh, read_only=True) as con:
            if not table_exists(con, "source_versions"):
                return None
            rows = con.execute("SELECT source, source_sha256 FROM source_versions WHERE source IN "
                               f"({', '.join('?' * len(sources))}) ORDER BY source", list(sources)).fetchall()
    except Exception as exc:  # noqa: BLE001 - a busy or foreign warehouse: key by the datasets' files instead
        log.debug("source versions unreadable (%s)", exc)
        return None
    return [list(r) for r in rows] if any(r[0] == sources[0] for r in rows) else None


def _title_source_key(settings: Settings) -> str:
    """Cache key of the title index: the warehouse's O*NET/OEWS content hashes (or the datasets' file stats)."""
    from careeros.market.titles import MODEL_PATH

    h = hashlib.sha256()
    shas = _source_shas(settings, ("onet", "oews"))
    if shas is not None:
        h.update(json.dumps(shas).encode())
        files = [MODEL_PATH]
    else:
        root = settings.resolve_datasets()
        files = [*sorted((root / "onet-29.3").rglob("*")),
                 root / "bls-oews-2025" / "oews_2025_national_by_occupation.csv.gz", MODEL_PATH]
    for f in files:
        if f.is_file():
            st = f.stat()
            h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


#: cache file -> model loaded from it, so one process unpickles each model once
_LOADED: dict[str, Any] = {}


def load_normalizer(settings: Settings | None = None) -> TitleNormalizer:
    """Cached ``TitleNormalizer`` (built on first use, keyed by the reference sources' content)."""
    from careeros.market.titles import _FORMAT_VERSION, TitleNormalizer

    settings = settings or get_settings()
    path = settings.cache_dir / f"titles-v{_FORMAT_VERSION}-{_title_source_key(settings)}.pkl"
    if path.name in _LOADED:
        return _LOADED[path.name]  # type: ignore[no-any-return]
    if path.is_file():
        try:
            norm = TitleNormalizer.load(path)
            _LOADED[path.name] = norm
            return norm
        except Exception as exc:  # noqa: BLE001 - a stale cache is rebuilt
            log.warning("title cache unreadable (%s); rebuilding", exc)
    log.info("building title index (first run)...")
    t = title_frames(settings)
    norm = TitleNormalizer.build(t["onet_occupation"], t["onet_alternate_title"], t["onet_reported_title"],
                                 t["onet_task"], t.get("employment"), technology=t.get("onet_technology"))
    norm.save(path)
    _LOADED[path.name] = norm
    return norm


def skill_frames(settings: Settings) -> tuple[Any, Any, Any]:
    """O*NET technology/tool and ESCO skill frames: warehouse first, datasets folder as fallback."""
    wh = settings.warehouse_path
    if wh.exists():
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


def load_extractor(settings: Settings | None = None) -> SkillExtractor:
    """Build (or load from the cache directory) the skill extractor for the current reference data."""
    from careeros.graph.tech_labels import DEFAULT_ALIASES_PATH, concept_paths
    from careeros.market.skills import FORMAT_VERSION, SkillExtractor

    settings = settings or get_settings()
    h = hashlib.sha256(f"v{FORMAT_VERSION}".encode())
    shas = _source_shas(settings, ("onet", "esco"))
    frames = None
    if shas is not None:
        h.update(json.dumps(shas).encode())
    else:
        frames = skill_frames(settings)
        for frame, cols in ((frames[0], ["example"]), (frames[1], ["example"]),
                            (frames[2], ["skill_uri", "preferred_label"])):
            for col in cols:
                h.update("\x1f".join(sorted(set(frame[col].drop_nulls().to_list()))).encode())
    # the extractor's own code too: a change to how it is built must not load an extractor built the old way
    from careeros.market import skills as skills_module

    for ref in (DEFAULT_ALIASES_PATH, *concept_paths(), pathlib.Path(skills_module.__file__)):
        if ref.exists():
            h.update(ref.read_bytes())
    cache = settings.cache_dir / f"skill_extractor-{h.hexdigest()[:16]}.pkl"
    if cache.name in _LOADED:
        ext = _LOADED[cache.name]
        if not cache.exists():  # loaded for another home in this process: this home keeps its own copy too
            try:
                ext.save(cache)
            except OSError as exc:
                log.warning("could not write cache %s: %s", cache, exc)
        return ext  # type: ignore[no-any-return]
    if cache.exists():
        try:
            ext = SkillExtractor.load(cache)
            _LOADED[cache.name] = ext
            return ext
        except Exception as exc:  # noqa: BLE001 - stale or corrupt cache: rebuild
            log.warning("ignoring skill extractor cache %s: %s", cache, exc)
    tech, tools, esco = frames or skill_frames(settings)
    ext = SkillExtractor.build(tech, tools, esco)
    try:
        ext.save(cache)
    except OSError as exc:
        log.warning("could not write cache %s: %s", cache, exc)
    _LOADED[cache.name] = ext
    return ext


def load_models(settings: Settings | None = None) -> tuple[TitleNormalizer, SkillExtractor]:
    """The title normalizer and skill extractor of the current reference data, loaded once per process.

    Both loaders keep what they loaded per cache file (named by the sources' content), so the sources of one run
    and every other caller in the process share one pair.
    """
    settings = settings or get_settings()
    return load_normalizer(settings), load_extractor(settings)
