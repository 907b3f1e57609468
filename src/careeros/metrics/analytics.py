"""Analyst access: stable views in schema ``analytics`` and the published read-only snapshot ``analytics.duckdb``.

DuckDB allows one writer process, and any process holding the warehouse (even read-only) blocks writers. Analysts
therefore read a snapshot: :func:`publish_analytics` checkpoints the warehouse while holding its write lock, copies
the file to a temporary name and ``os.replace``-s it onto ``analytics.duckdb``. A reader keeps its open (old) file;
a new connection sees the new one.

The snapshot file is named ``analytics``, which DuckDB also uses as its catalog name when the file is opened
directly; ``analytics.<view>`` is then ambiguous. :func:`open_analytics` attaches it as ``careeros`` instead (see
docs/analytics.md).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

#: The documented views (docs/analytics.md); a test checks each exists in a published snapshot.
VIEWS = ("metrics_weekly", "outcome_events", "demand_weekly", "assumptions_history", "plan_history", "decision_log",
         "llm_calls", "occupation_skills", "postings")
CATALOG = "careeros"


#: The stable views (their columns are a contract, docs/analytics.md). Migration 9 created their first version in
#: the warehouse; this is the current one, (re)applied by :func:`ensure_views` on every publish, so a fix here reaches
#: every snapshot without a new migration. Views name base tables as ``main.<table>`` and never each other: the
#: snapshot file is opened as catalog "analytics" (or attached under any name), where unqualified or analytics.*
#: references inside views break.
#:
#: ``occupation_skills.weight`` is the normalised importance of a skill for an occupation, 0-1, comparable across
#: skill kinds: O*NET-rated skills and knowledge (importance 1-5) -> (importance - 1) / 4; technologies, tools and
#: ESCO skills, which the taxonomies only flag (hot / in demand / essential), -> half their flag weight plus half
#: scaled by how often the occupation's postings mention them relative to its most mentioned skill. The graph edge
#: weight the planner uses stays available as ``edge_weight`` (flag weights saturate at 1.0 for every hot, in-demand
#: technology, so ranking by it ties).
VIEWS_SQL = """
CREATE SCHEMA IF NOT EXISTS analytics;
CREATE OR REPLACE VIEW analytics.metrics_weekly AS
  SELECT period, period_start, period_end, metric, value, ci_low, ci_high, numerator, denominator,
         n AS sample_size, status, note, run_id, computed_at
  FROM main.metrics_weekly;
CREATE OR REPLACE VIEW analytics.outcome_events AS
  SELECT event_id, occurred_at, kind, plan_id, task_id, quantity, notes, source, recorded_at
  FROM main.outcome_event;
CREATE OR REPLACE VIEW analytics.demand_weekly AS
  SELECT d.week_start, d.skill_id, s.label AS skill, s.kind AS skill_kind, d.soc_code, o.title AS occupation,
         d.postings, d.soc_postings AS occupation_postings, d.share_of_postings, d.salary_median,
         d.salary_p25, d.salary_p75, d.salary_n AS salary_sample_size, d.remote_share,
         d._run_id AS run_id, d.computed_at
  FROM main.demand_weekly d
  LEFT JOIN main.graph_skill s ON s.skill_id = d.skill_id
  LEFT JOIN main.graph_occupation o ON o.soc_code = d.soc_code;
CREATE OR REPLACE VIEW analytics.assumptions_history AS
  SELECT h.assumption_id, a.description, a.unit, h.version, h.change, h.source,
         json_extract_string(h.prior_json, '$.family') AS prior_family, h.prior_json,
         json_extract_string(h.posterior_json, '$.family') AS posterior_family, h.posterior_json,
         h.run_id, h.changed_at
  FROM main.assumption_history h LEFT JOIN main.assumption a USING (assumption_id);
CREATE OR REPLACE VIEW analytics.plan_history AS
  SELECT v.plan_id, v.version, v.status, v.strategy, v.created_at, v.approved_at, v.decided_at, v.expires_at,
         t.tasks, t.weeks, t.planned_hours, v.content_sha, v.market_snapshot, v.memory_version, v.run_id
  FROM main.plan_version v
  LEFT JOIN (SELECT plan_id, version, count(*) AS tasks, count(DISTINCT week) AS weeks, sum(hours) AS planned_hours
             FROM main.plan_task GROUP BY ALL) t USING (plan_id, version);
CREATE OR REPLACE VIEW analytics.decision_log AS
  SELECT decision_id, decided_at, actor, action, item_id AS subject_id, version_sha256 AS subject_version,
         skill_id, confidence, facts_json, run_id
  FROM main.decision_log;
CREATE OR REPLACE VIEW analytics.llm_calls AS
  SELECT call_id, created_at, run_id, purpose, tier, model, provider, prompt_tokens, completion_tokens,
         prompt_tokens + completion_tokens AS total_tokens, cost_usd, latency_ms, cache_hit, status, error
  FROM main.llm_calls;
CREATE OR REPLACE VIEW analytics.occupation_skills AS
  WITH mention AS (
    SELECT soc_code, skill_id, share_of_postings AS posting_share,
           share_of_postings / nullif(max(share_of_postings) OVER (PARTITION BY soc_code), 0) AS relative_share
    FROM main.demand_overall
  )
  SELECT e.soc_code, o.title AS occupation, o.job_zone, o.median_wage, e.skill_id, s.label AS skill,
         s.kind AS skill_kind, s.taxonomy,
         round(CASE WHEN e.importance IS NOT NULL THEN least(greatest((e.importance - 1) / 4, 0), 1)
                    ELSE e.weight * (0.5 + 0.5 * coalesce(m.relative_share, 0)) END, 6) AS weight,
         e.importance, e.level, e.relation, s.hot_technology, s.in_demand,
         e.weight AS edge_weight, m.posting_share
  FROM main.graph_occupation_skill e
  JOIN main.graph_occupation o USING (soc_code)
  JOIN main.graph_skill s USING (skill_id)
  LEFT JOIN mention m ON m.soc_code = e.soc_code AND m.skill_id = e.skill_id;
CREATE OR REPLACE VIEW analytics.postings AS
  SELECT posting_id, source, company, title, location, country, remote, salary_min, salary_max,
         salary_currency, salary_period, experience_level, employment_type, posted_at, closes_at,
         soc_code, soc_title AS occupation, soc_score AS occupation_score, url, _run_id AS run_id
  FROM main.posting WHERE is_current;
"""


def ensure_views(con: Any) -> None:
    """(Re)create the analytics views on a writable warehouse connection (idempotent)."""
    con.execute(VIEWS_SQL)


def publish_analytics(settings: Any = None, warehouse: Path | None = None, dst: Path | None = None) -> Path:
    """Ensure the views, then atomically publish the warehouse as the analytics snapshot; returns its path."""
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    s = settings or get_settings()
    src = Path(warehouse or s.warehouse_path)
    out = Path(dst or s.analytics_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    with connect(src) as con:
        ensure_views(con)
        con.execute("CHECKPOINT")
        # the write lock is still held: nobody changes the file while it is copied
        shutil.copyfile(src, tmp)
    os.replace(tmp, out)
    return out


def open_analytics(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection on the snapshot with ``analytics.<view>`` resolvable (attached as ``careeros``)."""
    from careeros.settings import get_settings

    p = Path(path or get_settings().analytics_path)
    if not p.is_file():
        raise FileNotFoundError(f"no analytics snapshot at {p}: run `careeros ingest` (or any other flow) first")
    con = duckdb.connect()
    con.execute(f"ATTACH '{str(p).replace(chr(39), chr(39) * 2)}' AS {CATALOG} (READ_ONLY)")
    con.execute(f"USE {CATALOG}")
    return con
