"""Skill hierarchy: evidence for a specific skill propagates to the broader skills it shows.

Edges child -> parent with a factor in (0, 1]: PostgreSQL -> SQL (0.9), Django -> Python, PyTorch -> Deep
learning -> Machine learning, Kubernetes -> Containers. Sources, all read from data the project ships or loads:

* the curated ``hierarchy`` map and each concept's ``broader`` / ``implied_by`` lists in
  ``data/skill_concepts.yaml`` (labels resolved against the graph's technology and concept labels): 0.8 from a
  tool to the practice it implies, 0.65 from a narrower concept to its broader one (account management shows part
  of sales);
* ESCO's broader relations (``esco_skill_broader``), at a lower factor, for evidence linked to ESCO skills.

Alternatives (AWS for Azure or GCP) are not parents: they substitute in part inside a requirement and live with
the requirement profile (:mod:`careeros.planner.requirements`).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from careeros.diskcache import pickled
from careeros.graph.ids import concept_id

log = logging.getLogger("careeros.graph")

CONCEPT_EDGE_FACTOR = 0.8
#: a narrower concept shows part of its broader one: account management is some of sales, not 0.8 of it (a tool keeps
#: CONCEPT_EDGE_FACTOR for the practice it implies: Docker shows containers)
NARROWER_CONCEPT_FACTOR = 0.65
ESCO_BROADER_FACTOR = 0.6
MAX_DEPTH = 4


@dataclass
class SkillHierarchy:
    """Parents of each skill id with the share of evidence that carries over."""

    parents: dict[str, dict[str, float]] = field(default_factory=dict)
    alternatives: list[tuple[list[str], float]] = field(default_factory=list)

    def add(self, child: str, parent: str, factor: float) -> None:
        """Add (or strengthen) the edge child -> parent."""
        if child == parent or factor <= 0:
            return
        cur = self.parents.setdefault(child, {})
        cur[parent] = max(cur.get(parent, 0.0), min(factor, 1.0))

    def propagate(self, strengths: Mapping[str, float], blocked: set[str] | None = None) -> dict[str, float]:
        """Strengths after propagation up the hierarchy (max over paths of strength x factors).

        ``blocked`` skills (removed by the person) neither receive nor pass on evidence.
        """
        block = blocked or set()
        out = {k: v for k, v in strengths.items() if k not in block}
        frontier = dict(out)
        for _ in range(MAX_DEPTH):
            nxt: dict[str, float] = {}
            for child, s in frontier.items():
                for parent, f in self.parents.get(child, {}).items():
                    if parent in block:
                        continue
                    v = s * f
                    if v > out.get(parent, 0.0) + 1e-9:
                        out[parent] = v
                        nxt[parent] = v
            if not nxt:
                break
            frontier = nxt
        return out

    def implied_by(self, skill_id: str) -> list[str]:
        """Skills whose evidence reaches ``skill_id`` directly."""
        return sorted(c for c, ps in self.parents.items() if skill_id in ps)


def build_hierarchy(table: Mapping[str, Any], labels: Mapping[str, Any],
                    esco_broader: list[tuple[str, str]] | None = None) -> SkillHierarchy:
    """The hierarchy from the concept table (``load_concept_table()``), a label index and ESCO broader pairs.

    ``labels`` maps lower-cased graph labels to a skill id or a list of ids (O*NET has several examples that
    share a canonical label, such as two "SQL" nodes: every one of them gets the edges). Concept labels resolve
    to their ``concept:`` ids even when the graph has not been rebuilt yet.
    """
    lab: dict[str, list[str]] = {k: [v] if isinstance(v, str) else list(v) for k, v in labels.items()}
    for c in table.get("concepts") or []:
        lab.setdefault(str(c["label"]).lower(), [concept_id(str(c["label"]))])

    # ... and a technology by its full name too: O*NET's "Autodesk Revit" is the graph's "Revit" (tech:autodesk-revit),
    # so a concept implied by "Autodesk Revit" is implied by a resume's Revit
    by_id: dict[str, list[str]] = {}
    for ids in lab.values():
        for i in ids:
            if i.startswith("tech:"):
                by_id.setdefault(i[5:].replace("-", " "), []).append(i)

    def resolve(label: Any) -> list[str]:
        key = str(label).strip().lower()
        got = lab.get(key)
        if got:
            return got
        slug = re.sub(r"[^a-z0-9]+", " ", key).strip()
        return sorted(set(by_id.get(slug, [])))

    h = SkillHierarchy()
    for c in table.get("concepts") or []:
        cid = concept_id(str(c["label"]))
        for b in c.get("broader") or []:
            for pid in resolve(b):
                h.add(cid, pid, NARROWER_CONCEPT_FACTOR)
        for t in c.get("implied_by") or []:
            for tid in resolve(t):
                h.add(tid, cid, NARROWER_CONCEPT_FACTOR if tid.startswith("concept:") else CONCEPT_EDGE_FACTOR)
    for child, parents in (table.get("hierarchy") or {}).items():
        for cid in resolve(child):
            for parent, f in (parents or {}).items():
                for pid in resolve(parent):
                    h.add(cid, pid, float(f))
    # duplicates of one label show each other fully
    for ids in lab.values():
        for a in ids:
            for b in ids:
                h.add(a, b, 1.0)
    for group in table.get("alternatives") or []:
        ids = [i for m in group.get("members") or [] for i in resolve(m)]
        if len(ids) > 1:
            h.alternatives.append((ids, float(group.get("factor", 0.7))))
    for child_uri, parent_uri in esco_broader or []:
        h.add("esco:" + child_uri.rstrip("/").rsplit("/", 1)[-1], "esco:" + parent_uri.rstrip("/").rsplit("/", 1)[-1],
              ESCO_BROADER_FACTOR)
    return h


#: (graph sha, concept table stat) -> hierarchy; a plan asks for it in several stages
_CACHE: dict[tuple[str, tuple[tuple[int, int], ...]], SkillHierarchy] = {}
#: modules whose code shapes the hierarchy (part of the on-disk cache key)
_CODE = ("hierarchy.py", "ids.py", "tech_labels.py")


def load_hierarchy(con: Any) -> SkillHierarchy:
    """The hierarchy for an open warehouse connection (graph labels and ESCO broader relations).

    Built once per warehouse graph (its ``careeros-graph`` sha) and concept table; callers only read it. Also kept
    under the home's cache directory, keyed by the graph sha and the concept table's content, so a new process (a
    CLI call) reads it back instead of re-reading the graph's labels and the YAML table (~0.3 s).
    """
    from careeros.graph.tech_labels import concept_paths
    from careeros.warehouse.db import fetch_one, table_exists

    row = (fetch_one(con.execute("SELECT source_sha256 FROM source_versions WHERE source = 'careeros-graph'"))
           if table_exists(con, "source_versions") else None)
    sha = str(row[0]) if row else "none"
    paths = concept_paths()
    key = (sha, tuple((st.st_size, st.st_mtime_ns) for st in (p.stat() for p in paths)))
    if sha == "none":
        return _build_from(con)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _disk_cached(sha, paths, lambda: _build_from(con))
    return _CACHE[key]


def _disk_cached(graph_sha: str, concepts: tuple[Path, ...], build: Callable[[], SkillHierarchy]) -> SkillHierarchy:
    """``build()`` through ``<cache_dir>/hierarchy-<key>.pkl``; key: graph sha, concept table bytes, builder code."""
    from careeros.settings import get_settings

    h = hashlib.sha256(f"hierarchy\n{graph_sha}\n".encode())
    for part in concepts:
        h.update(part.read_bytes() if part.is_file() else b"")
    for name in _CODE:
        h.update((Path(__file__).parent / name).read_bytes())
    path = get_settings().cache_dir / f"hierarchy-{h.hexdigest()[:16]}.pkl"
    return pickled(path, build, lambda got: isinstance(got, SkillHierarchy))


def _build_from(con: Any) -> SkillHierarchy:
    from careeros.graph.tech_labels import load_concept_table
    from careeros.warehouse.db import table_exists

    rows = con.sql("SELECT label, skill_id, kind FROM graph_skill WHERE kind IN ('technology', 'concept') "
                   "ORDER BY CASE kind WHEN 'concept' THEN 0 ELSE 1 END, skill_id").fetchall()
    labels: dict[str, list[str]] = {}
    for label, sid, _ in rows:
        labels.setdefault(str(label).lower(), []).append(sid)
    pairs: list[tuple[str, str]] = []
    if table_exists(con, "esco_skill_broader"):
        pairs = [(str(a), str(b)) for a, b in con.sql(
            "SELECT concept_uri, broader_uri FROM esco_skill_broader WHERE concept_uri LIKE '%/skill/%' "
            "AND broader_uri LIKE '%/skill/%'").fetchall()]
    return build_hierarchy(load_concept_table(), labels, pairs)
