"""Occupation-level arrays the planner needs, read once from the warehouse and cached by graph sha.

The bundle is derived data (rebuildable): it lives under ``get_settings().cache_dir`` keyed by the
``careeros-graph`` row of ``source_versions``, so a rebuilt graph invalidates it without a migration.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

log = logging.getLogger("careeros.planner")

#: bump when the bundle layout changes
BUNDLE_VERSION = 2


@dataclass
class OccupationData:
    """Aligned per-occupation arrays (row i of every matrix is ``soc[i]``)."""

    graph_sha: str
    soc: list[str]
    title: list[str]
    description: list[str]
    job_zone: np.ndarray  # float, nan when unknown
    wage: np.ndarray  # annual median, nan when unknown
    employment: np.ndarray
    elem_ids: list[str]  # onet:<element id> skill+knowledge
    elem_labels: list[str]
    importance: np.ndarray  # (n_occ, n_elem) importance 1..5 (0 where unrated)
    level: np.ndarray  # (n_occ, n_elem)
    tech_ids: list[str]
    tech: sp.csr_matrix  # occupation x technology, weight (hot/in-demand flags)
    tool_ids: list[str]
    tool: sp.csr_matrix
    dwa_ids: list[str]
    dwa: sp.csr_matrix  # occupation x DWA, count of tasks linked
    esco_ids: list[str]
    esco: sp.csr_matrix  # occupation x ESCO skill, edge weight
    tasks: list[str]  # concatenated task statements
    alt_titles: list[list[str]]
    skill_labels: dict[str, str] = field(default_factory=dict)  # skill_id -> label (for explanations)
    skill_kind: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def index(self) -> dict[str, int]:
        """SOC code -> row."""
        idx = self.extra.get("_index")
        if idx is None:
            idx = {s: i for i, s in enumerate(self.soc)}
            self.extra["_index"] = idx
        return idx


def graph_sha(con: Any) -> str:
    """The warehouse's graph sha (``source_versions`` row ``careeros-graph``), or ``"none"``."""
    from careeros.warehouse.db import fetch_one

    row = fetch_one(con.execute("SELECT source_sha256 FROM source_versions WHERE source = 'careeros-graph'"))
    return str(row[0]) if row else "none"


def _sparse(df: pl.DataFrame, row_ix: dict[str, int], col: str, val: str | None) -> tuple[list[str], sp.csr_matrix]:
    ids = sorted(set(df[col].to_list()))
    cix = {c: j for j, c in enumerate(ids)}
    df = df.filter(pl.col("soc_code").is_in(list(row_ix)))
    r = np.array([row_ix[s] for s in df["soc_code"].to_list()], dtype=np.int64)
    c = np.array([cix[s] for s in df[col].to_list()], dtype=np.int64)
    v = np.ones(len(r)) if val is None else df[val].fill_null(1.0).to_numpy().astype(np.float64)
    m = sp.csr_matrix((v, (r, c)), shape=(len(row_ix), len(ids)))
    m.sum_duplicates()
    return ids, m


def load_from_connection(con: Any) -> OccupationData:
    """Read the bundle's inputs from an open warehouse connection (pure reads)."""
    sha = graph_sha(con)
    occ = con.sql("SELECT soc_code, title, description, job_zone, median_wage, employment "
                  "FROM graph_occupation ORDER BY soc_code").pl()
    soc = occ["soc_code"].to_list()
    rix = {s: i for i, s in enumerate(soc)}
    ratings = con.sql(
        "SELECT e.soc_code, e.skill_id, e.importance, e.level, s.label FROM graph_occupation_skill e "
        "JOIN graph_skill s USING (skill_id) WHERE e.relation IN ('onet_rating', 'onet_rating_imputed')").pl()
    elem_ids = sorted(set(ratings["skill_id"].to_list()))
    eix = {e: j for j, e in enumerate(elem_ids)}
    lab = dict(zip(ratings["skill_id"].to_list(), ratings["label"].to_list(), strict=True))
    imp = np.zeros((len(soc), len(elem_ids)))
    lvl = np.zeros((len(soc), len(elem_ids)))
    r = np.array([rix[s] for s in ratings["soc_code"].to_list()])
    c = np.array([eix[e] for e in ratings["skill_id"].to_list()])
    imp[r, c] = ratings["importance"].fill_null(0).to_numpy()
    lvl[r, c] = ratings["level"].fill_null(0).to_numpy()
    edges = con.sql("SELECT soc_code, skill_id, weight, relation FROM graph_occupation_skill "
                    "WHERE relation IN ('onet_technology', 'onet_tool', 'esco_essential', 'esco_optional')").pl()
    tech_ids, tech = _sparse(edges.filter(pl.col("relation") == "onet_technology"), rix, "skill_id", "weight")
    tool_ids, tool = _sparse(edges.filter(pl.col("relation") == "onet_tool"), rix, "skill_id", None)
    esco_ids, esco = _sparse(edges.filter(pl.col("relation").str.starts_with("esco")), rix, "skill_id", "weight")
    dwa_df = con.sql("SELECT soc_code, dwa_id FROM onet_task_dwa").pl()
    dwa_ids, dwa = _sparse(dwa_df, rix, "dwa_id", None)
    tasks = con.sql("SELECT soc_code, string_agg(task, ' ') AS tasks FROM onet_task GROUP BY soc_code").pl()
    tmap = dict(zip(tasks["soc_code"].to_list(), tasks["tasks"].to_list(), strict=True))
    alts = con.sql("SELECT soc_code, list(alternate_title) AS t FROM onet_alternate_title GROUP BY soc_code").pl()
    amap = dict(zip(alts["soc_code"].to_list(), alts["t"].to_list(), strict=True))
    sk = con.sql("SELECT skill_id, label, kind FROM graph_skill").pl()
    return OccupationData(
        graph_sha=sha, soc=soc, title=occ["title"].to_list(),
        description=occ["description"].fill_null("").to_list(),
        job_zone=occ["job_zone"].cast(pl.Float64).fill_null(float("nan")).to_numpy(),
        wage=occ["median_wage"].cast(pl.Float64).fill_null(float("nan")).to_numpy(),
        employment=occ["employment"].cast(pl.Float64).fill_null(0.0).to_numpy(),
        elem_ids=elem_ids, elem_labels=[lab[e] for e in elem_ids], importance=imp, level=lvl,
        tech_ids=tech_ids, tech=tech, tool_ids=tool_ids, tool=tool, dwa_ids=dwa_ids, dwa=dwa,
        esco_ids=esco_ids, esco=esco, tasks=[tmap.get(s, "") for s in soc],
        alt_titles=[list(amap.get(s) or []) for s in soc],
        skill_labels=dict(zip(sk["skill_id"].to_list(), sk["label"].to_list(), strict=True)),
        skill_kind=dict(zip(sk["skill_id"].to_list(), sk["kind"].to_list(), strict=True)),
    )


def cache_path(cache_dir: Path, sha: str, name: str = "occdata") -> Path:
    """Cache file for a derived artefact keyed by graph sha."""
    key = hashlib.sha256(f"{name}-v{BUNDLE_VERSION}-{sha}".encode()).hexdigest()[:16]
    return Path(cache_dir) / f"planner-{name}-{key}.pkl"


def cached(cache_dir: Path, sha: str, name: str, build: Any) -> Any:
    """Load ``name`` for ``sha`` from the cache directory, else ``build()`` and store it."""
    from careeros.diskcache import pickled

    return pickled(cache_path(cache_dir, sha, name), build)


def load_occupation_data(warehouse: Path | None = None, cache_dir: Path | None = None,
                         con: Any = None) -> OccupationData:
    """The occupation bundle for the configured (or given) warehouse, from cache when the graph is unchanged.

    ``con``: a connection the caller already holds on that warehouse (DuckDB refuses a second connection to the
    same file with a different configuration in one process, e.g. read-only beside read-write).
    """
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    s = get_settings()
    wh = Path(warehouse) if warehouse else s.warehouse_path
    cdir = Path(cache_dir) if cache_dir else s.cache_dir
    if con is not None:
        sha = graph_sha(con)
        return cached(cdir, sha, "occdata", lambda: load_from_connection(con))
    if not wh.is_file():
        raise FileNotFoundError(f"no warehouse at {wh}: run `careeros ingest` first")
    with connect(wh, read_only=True) as con:
        sha = graph_sha(con)
        path = cache_path(cdir, sha)
        if path.is_file():
            return cached(cdir, sha, "occdata", lambda: None) or load_from_connection(con)
        return cached(cdir, sha, "occdata", lambda: load_from_connection(con))
