"""Versioned, append-only schema migrations. Never edit a released migration: add a new one."""

from __future__ import annotations

from careeros.warehouse.provenance import PROVENANCE_DDL as P

_CORE = """
CREATE TABLE IF NOT EXISTS ingest_runs (
  run_id VARCHAR NOT NULL, source VARCHAR NOT NULL, source_version VARCHAR, source_sha256 VARCHAR,
  status VARCHAR NOT NULL,            -- running | succeeded | skipped | failed
  rows_read BIGINT DEFAULT 0, rows_written BIGINT DEFAULT 0, rows_quarantined BIGINT DEFAULT 0,
  started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ, seconds DOUBLE,
  message VARCHAR, timings_json VARCHAR,
  PRIMARY KEY (run_id, source)
);
CREATE TABLE IF NOT EXISTS source_versions (
  source VARCHAR PRIMARY KEY, source_version VARCHAR NOT NULL, source_sha256 VARCHAR NOT NULL,
  files_json VARCHAR NOT NULL, run_id VARCHAR NOT NULL, loaded_at TIMESTAMPTZ NOT NULL,
  row_counts_json VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS raw_files (
  sha256 VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, original_path VARCHAR NOT NULL,
  stored_path VARCHAR NOT NULL, bytes BIGINT NOT NULL, first_seen_run VARCHAR NOT NULL,
  first_seen_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
  run_id VARCHAR NOT NULL, source VARCHAR NOT NULL, table_name VARCHAR NOT NULL,
  record_key VARCHAR, reason VARCHAR NOT NULL, record_json VARCHAR,
  quarantined_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS dq_results (
  run_id VARCHAR NOT NULL, source VARCHAR NOT NULL, table_name VARCHAR NOT NULL,
  expectation VARCHAR NOT NULL, column_name VARCHAR, critical BOOLEAN NOT NULL, success BOOLEAN NOT NULL,
  unexpected_count BIGINT, details_json VARCHAR, validated_at TIMESTAMPTZ NOT NULL
);
"""

_TAXONOMY = f"""
CREATE TABLE IF NOT EXISTS onet_occupation (
  soc_code VARCHAR NOT NULL, title VARCHAR NOT NULL, description VARCHAR, job_zone INTEGER,
  oews_code VARCHAR NOT NULL, is_detailed BOOLEAN NOT NULL, {P});
CREATE TABLE IF NOT EXISTS onet_alternate_title (
  soc_code VARCHAR NOT NULL, alternate_title VARCHAR NOT NULL, short_title VARCHAR, sources VARCHAR, {P});
CREATE TABLE IF NOT EXISTS onet_reported_title (
  soc_code VARCHAR NOT NULL, reported_title VARCHAR NOT NULL, shown_in_my_next_move BOOLEAN, {P});
CREATE TABLE IF NOT EXISTS onet_element_rating (
  soc_code VARCHAR NOT NULL, domain VARCHAR NOT NULL, element_id VARCHAR NOT NULL, element_name VARCHAR NOT NULL,
  importance DOUBLE, level DOUBLE, n_respondents INTEGER, not_relevant BOOLEAN, recommend_suppress BOOLEAN,
  rating_date VARCHAR, domain_source VARCHAR, {P});
CREATE TABLE IF NOT EXISTS onet_element (
  element_id VARCHAR NOT NULL, element_name VARCHAR NOT NULL, description VARCHAR, {P});
CREATE TABLE IF NOT EXISTS onet_technology (
  soc_code VARCHAR NOT NULL, example VARCHAR NOT NULL, commodity_code VARCHAR, commodity_title VARCHAR,
  hot_technology BOOLEAN NOT NULL, in_demand BOOLEAN NOT NULL, {P});
CREATE TABLE IF NOT EXISTS onet_tool (
  soc_code VARCHAR NOT NULL, example VARCHAR NOT NULL, commodity_code VARCHAR, commodity_title VARCHAR, {P});
CREATE TABLE IF NOT EXISTS onet_task (
  soc_code VARCHAR NOT NULL, task_id VARCHAR NOT NULL, task VARCHAR NOT NULL, task_type VARCHAR,
  incumbents_responding DOUBLE, {P});
CREATE TABLE IF NOT EXISTS onet_task_dwa (
  soc_code VARCHAR NOT NULL, task_id VARCHAR NOT NULL, dwa_id VARCHAR NOT NULL, {P});
CREATE TABLE IF NOT EXISTS onet_dwa (
  dwa_id VARCHAR NOT NULL, dwa_title VARCHAR NOT NULL, iwa_id VARCHAR, iwa_title VARCHAR,
  element_id VARCHAR, element_name VARCHAR, {P});
CREATE TABLE IF NOT EXISTS onet_education (
  soc_code VARCHAR NOT NULL, scale_id VARCHAR NOT NULL, category INTEGER NOT NULL, share DOUBLE, {P});
CREATE TABLE IF NOT EXISTS esco_occupation (
  occupation_uri VARCHAR NOT NULL, isco_group VARCHAR, preferred_label VARCHAR NOT NULL, alt_labels VARCHAR[],
  definition VARCHAR, description VARCHAR, code VARCHAR, {P});
CREATE TABLE IF NOT EXISTS esco_skill (
  skill_uri VARCHAR NOT NULL, preferred_label VARCHAR NOT NULL, label_source VARCHAR NOT NULL,
  skill_type VARCHAR, skill_type_source VARCHAR, reuse_level VARCHAR, text VARCHAR, collections VARCHAR[], {P});
CREATE TABLE IF NOT EXISTS esco_skill_broader (
  concept_uri VARCHAR NOT NULL, concept_type VARCHAR, broader_uri VARCHAR NOT NULL, broader_type VARCHAR, {P});
CREATE TABLE IF NOT EXISTS esco_skill_group (
  group_uri VARCHAR NOT NULL, preferred_label VARCHAR NOT NULL, code VARCHAR, description VARCHAR, {P});
CREATE TABLE IF NOT EXISTS esco_skill_relation (
  skill_uri VARCHAR NOT NULL, related_uri VARCHAR NOT NULL, relation_type VARCHAR, {P});
CREATE TABLE IF NOT EXISTS esco_occupation_skill (
  occupation_uri VARCHAR NOT NULL, skill_uri VARCHAR NOT NULL, relation_type VARCHAR NOT NULL, {P});
CREATE TABLE IF NOT EXISTS oews_wage (
  area_type VARCHAR NOT NULL, area_code VARCHAR NOT NULL, area_name VARCHAR, occupation_code VARCHAR NOT NULL,
  occupation_name VARCHAR, tot_emp BIGINT, a_mean DOUBLE, a_pct10 DOUBLE, a_pct25 DOUBLE, a_median DOUBLE,
  a_pct75 DOUBLE, a_pct90 DOUBLE, h_mean DOUBLE, h_median DOUBLE, jobs_1000 DOUBLE, loc_quotient DOUBLE,
  annual_only BOOLEAN, {P});
"""

_GRAPH = f"""
CREATE TABLE IF NOT EXISTS graph_occupation (
  soc_code VARCHAR NOT NULL, title VARCHAR NOT NULL, description VARCHAR, job_zone INTEGER,
  median_wage DOUBLE, employment BIGINT, wage_code VARCHAR, wage_match VARCHAR, {P});
CREATE TABLE IF NOT EXISTS graph_skill (
  skill_id VARCHAR NOT NULL, label VARCHAR NOT NULL, kind VARCHAR NOT NULL, taxonomy VARCHAR NOT NULL,
  source_ref VARCHAR, aliases VARCHAR[], description VARCHAR, hot_technology BOOLEAN, in_demand BOOLEAN,
  commodity_title VARCHAR, n_occupations INTEGER, {P});
CREATE TABLE IF NOT EXISTS graph_occupation_skill (
  soc_code VARCHAR NOT NULL, skill_id VARCHAR NOT NULL, weight DOUBLE NOT NULL, importance DOUBLE, level DOUBLE,
  relation VARCHAR NOT NULL, {P});
CREATE TABLE IF NOT EXISTS graph_esco_onet_crosswalk (
  occupation_uri VARCHAR NOT NULL, esco_label VARCHAR, soc_code VARCHAR NOT NULL, onet_title VARCHAR,
  rank INTEGER NOT NULL, confidence DOUBLE NOT NULL, title_similarity DOUBLE, skill_overlap DOUBLE,
  method VARCHAR NOT NULL, {P});
"""

_POSTINGS = f"""
CREATE TABLE IF NOT EXISTS posting_raw (
  source VARCHAR NOT NULL, source_record_id VARCHAR NOT NULL, raw_sha256 VARCHAR NOT NULL,
  raw_json VARCHAR NOT NULL, source_file VARCHAR, source_file_sha256 VARCHAR,
  landed_at TIMESTAMPTZ NOT NULL, run_id VARCHAR NOT NULL,
  PRIMARY KEY (source, source_record_id, raw_sha256)
);
CREATE TABLE IF NOT EXISTS posting (
  posting_id VARCHAR NOT NULL, raw_sha256 VARCHAR NOT NULL, source VARCHAR NOT NULL,
  source_record_id VARCHAR NOT NULL, role_index INTEGER NOT NULL,
  company VARCHAR, title VARCHAR, location VARCHAR, country VARCHAR, remote VARCHAR,
  salary_min DOUBLE, salary_max DOUBLE, salary_currency VARCHAR, salary_period VARCHAR,
  experience_level VARCHAR, employment_type VARCHAR, posted_at TIMESTAMPTZ, closes_at TIMESTAMPTZ,
  text VARCHAR, url VARCHAR, source_skills VARCHAR[], industries VARCHAR[], attributes_json VARCHAR,
  parse_warnings VARCHAR[], parser_version VARCHAR,
  soc_code VARCHAR, soc_title VARCHAR, soc_score DOUBLE,
  is_current BOOLEAN NOT NULL DEFAULT true,
  {P},
  PRIMARY KEY (posting_id, raw_sha256)
);
CREATE TABLE IF NOT EXISTS posting_skill (
  posting_id VARCHAR NOT NULL, raw_sha256 VARCHAR NOT NULL, skill_id VARCHAR NOT NULL, label VARCHAR,
  kind VARCHAR, taxonomy VARCHAR, score DOUBLE, matched_text VARCHAR, "start" INTEGER, "end" INTEGER, {P});
CREATE TABLE IF NOT EXISTS demand_weekly (
  skill_id VARCHAR NOT NULL, soc_code VARCHAR NOT NULL, week_start DATE NOT NULL,
  postings BIGINT NOT NULL, soc_postings BIGINT NOT NULL, share_of_postings DOUBLE,
  salary_median DOUBLE, salary_p25 DOUBLE, salary_p75 DOUBLE, salary_n BIGINT, remote_share DOUBLE,
  computed_at TIMESTAMPTZ NOT NULL, {P});
CREATE TABLE IF NOT EXISTS demand_overall (
  skill_id VARCHAR NOT NULL, soc_code VARCHAR NOT NULL,
  postings BIGINT NOT NULL, soc_postings BIGINT NOT NULL, share_of_postings DOUBLE,
  salary_median DOUBLE, salary_p25 DOUBLE, salary_p75 DOUBLE, salary_n BIGINT, remote_share DOUBLE,
  computed_at TIMESTAMPTZ NOT NULL, {P});
CREATE TABLE IF NOT EXISTS market_value (
  skill_id VARCHAR NOT NULL, soc_code VARCHAR NOT NULL, market_value DOUBLE NOT NULL,
  demand_component DOUBLE, trend_component DOUBLE, flag_component DOUBLE, wage_component DOUBLE,
  computed_at TIMESTAMPTZ NOT NULL, {P});
"""

_POSTINGS_PIPELINE = f"""
CREATE TABLE IF NOT EXISTS posting_raw_state (
  source VARCHAR NOT NULL, source_record_id VARCHAR NOT NULL, raw_sha256 VARCHAR NOT NULL,
  status VARCHAR NOT NULL,            -- written | quarantined | rejected | stopped
  run_id VARCHAR NOT NULL, processed_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (source, source_record_id, raw_sha256)
);
CREATE TABLE IF NOT EXISTS demand_trends (
  skill_id VARCHAR NOT NULL, soc_code VARCHAR NOT NULL, as_of_week DATE NOT NULL,
  postings_4w BIGINT, postings_prev_4w BIGINT, trend_4w DOUBLE, share_trend_4w DOUBLE,
  postings_12w BIGINT, postings_prev_12w BIGINT, trend_12w DOUBLE, share_trend_12w DOUBLE,
  computed_at TIMESTAMPTZ NOT NULL, {P});
"""

_EVIDENCE = """
CREATE TABLE IF NOT EXISTS evidence_item (
  item_id VARCHAR NOT NULL, version_sha256 VARCHAR NOT NULL, source_type VARCHAR NOT NULL,
  source_path VARCHAR NOT NULL, title VARCHAR, content_at TIMESTAMPTZ, n_chars BIGINT, n_chunks INTEGER,
  reliability DOUBLE, metadata_json VARCHAR, run_id VARCHAR NOT NULL,
  valid_from TIMESTAMPTZ NOT NULL, valid_to TIMESTAMPTZ,          -- SCD2: closing a version sets valid_to
  PRIMARY KEY (item_id, version_sha256, valid_from)
);
CREATE TABLE IF NOT EXISTS evidence_skill (
  link_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL, version_sha256 VARCHAR NOT NULL, skill_id VARCHAR NOT NULL,
  skill_label VARCHAR, confidence DOUBLE NOT NULL, strength VARCHAR, method VARCHAR, features_json VARCHAR,
  status VARCHAR NOT NULL,            -- auto | pending | accepted | rejected
  decided_by VARCHAR NOT NULL,        -- automation | human
  run_id VARCHAR NOT NULL, valid_from TIMESTAMPTZ NOT NULL, valid_to TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS decision_log (
  decision_id VARCHAR PRIMARY KEY, decided_at TIMESTAMPTZ NOT NULL, actor VARCHAR NOT NULL,
  action VARCHAR NOT NULL, item_id VARCHAR, version_sha256 VARCHAR, skill_id VARCHAR, confidence DOUBLE,
  facts_json VARCHAR, run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS memory_runs (
  run_id VARCHAR PRIMARY KEY, table_name VARCHAR NOT NULL, table_version BIGINT NOT NULL, tag VARCHAR NOT NULL,
  rows_total BIGINT, rows_added BIGINT, rows_updated BIGINT, created_at TIMESTAMPTZ NOT NULL
);
"""

_LLM_OUTBOX = """
CREATE TABLE IF NOT EXISTS llm_calls (
  call_id VARCHAR PRIMARY KEY, run_id VARCHAR, purpose VARCHAR NOT NULL, tier VARCHAR NOT NULL,
  model VARCHAR NOT NULL, provider VARCHAR NOT NULL, prompt_tokens BIGINT DEFAULT 0,
  completion_tokens BIGINT DEFAULT 0, cost_usd DOUBLE DEFAULT 0, latency_ms DOUBLE, cache_hit BOOLEAN NOT NULL,
  status VARCHAR NOT NULL,            -- ok | repaired | failed | fallback | budget_exceeded
  error VARCHAR, request_hash VARCHAR, created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS llm_cache (
  request_hash VARCHAR PRIMARY KEY, model VARCHAR NOT NULL, purpose VARCHAR, response_json VARCHAR NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  message_id VARCHAR PRIMARY KEY, draft_id VARCHAR NOT NULL, draft_version INTEGER NOT NULL, run_id VARCHAR,
  purpose VARCHAR, recipient VARCHAR NOT NULL, subject VARCHAR NOT NULL, body VARCHAR NOT NULL,
  status VARCHAR NOT NULL,            -- drafted | approved | dropped | sending | sent | failed
  eml_path VARCHAR, approver VARCHAR, decided_at TIMESTAMPTZ, decision VARCHAR, created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL, sent_at TIMESTAMPTZ, error VARCHAR
);
CREATE TABLE IF NOT EXISTS outbox_replies (
  message_id VARCHAR NOT NULL, received_at TIMESTAMPTZ NOT NULL, kind VARCHAR NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (message_id, received_at, kind)
);
"""

_PLANS = """
CREATE TABLE IF NOT EXISTS assumption (
  assumption_id VARCHAR PRIMARY KEY, version INTEGER NOT NULL, description VARCHAR, unit VARCHAR,
  prior_json VARCHAR NOT NULL, posterior_json VARCHAR, source VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS assumption_history (
  assumption_id VARCHAR NOT NULL, version INTEGER NOT NULL, prior_json VARCHAR NOT NULL, posterior_json VARCHAR,
  source VARCHAR, change VARCHAR NOT NULL, meta_json VARCHAR, run_id VARCHAR, changed_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_version (
  plan_id VARCHAR NOT NULL, version INTEGER NOT NULL,
  status VARCHAR NOT NULL,            -- proposed | approved | rejected | superseded | changes_requested | timed_out
  created_at TIMESTAMPTZ NOT NULL, approved_at TIMESTAMPTZ, decided_at TIMESTAMPTZ, expires_at TIMESTAMPTZ,
  strategy VARCHAR, plan_json VARCHAR NOT NULL, diff_json VARCHAR, assumptions_json VARCHAR,
  market_snapshot VARCHAR, memory_version BIGINT, run_id VARCHAR, round INTEGER, content_sha VARCHAR,
  PRIMARY KEY (plan_id, version)
);
CREATE TABLE IF NOT EXISTS plan_task (
  plan_id VARCHAR NOT NULL, version INTEGER NOT NULL, task_id VARCHAR NOT NULL, week INTEGER NOT NULL,
  kind VARCHAR NOT NULL, title VARCHAR NOT NULL, hours DOUBLE NOT NULL, depends_on VARCHAR[],
  artifact_id VARCHAR, soc_codes VARCHAR[], stretch BOOLEAN, verification_json VARCHAR
);
CREATE TABLE IF NOT EXISTS plan_approval (
  plan_id VARCHAR NOT NULL, version INTEGER NOT NULL, run_id VARCHAR, round INTEGER,
  decision VARCHAR NOT NULL,          -- approve | request_changes | reject | timed_out
  notes VARCHAR, weekly_hours DOUBLE, actor VARCHAR NOT NULL, decided_at TIMESTAMPTZ NOT NULL
);
"""

_OUTCOMES_METRICS = """
CREATE TABLE IF NOT EXISTS outcome_event (
  event_id VARCHAR PRIMARY KEY,       -- hash of kind, source and the natural key: re-imports are no-ops
  occurred_at TIMESTAMPTZ NOT NULL,
  kind VARCHAR NOT NULL,              -- task_done | hours | outreach_sent | outreach_replied | interview | offer
                                      -- | rejection | note | session_planned
  plan_id VARCHAR, task_id VARCHAR, quantity DOUBLE, notes VARCHAR,
  source VARCHAR NOT NULL,            -- checkin | cli | outbox | calendar
  recorded_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS metrics_weekly (
  period VARCHAR NOT NULL,            -- week | month | all
  period_start DATE NOT NULL, period_end DATE NOT NULL, metric VARCHAR NOT NULL,
  value DOUBLE,                       -- NULL when the sample is too small (status 'insufficient data')
  numerator DOUBLE, denominator DOUBLE, n BIGINT, ci_low DOUBLE, ci_high DOUBLE,
  status VARCHAR NOT NULL,            -- ok | insufficient data | no data
  note VARCHAR, run_id VARCHAR, computed_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (period, period_start, metric)
);
CREATE SCHEMA IF NOT EXISTS analytics;
-- Views name base tables as main.<table> and never each other: the snapshot file is opened as catalog
-- "analytics" (or attached under any name), where unqualified or analytics.* references inside views break.
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
  SELECT e.soc_code, o.title AS occupation, o.job_zone, o.median_wage, e.skill_id, s.label AS skill,
         s.kind AS skill_kind, s.taxonomy, e.weight, e.importance, e.level, e.relation, s.hot_technology,
         s.in_demand
  FROM main.graph_occupation_skill e
  JOIN main.graph_occupation o USING (soc_code)
  JOIN main.graph_skill s USING (skill_id);
CREATE OR REPLACE VIEW analytics.postings AS
  SELECT posting_id, source, company, title, location, country, remote, salary_min, salary_max,
         salary_currency, salary_period, experience_level, employment_type, posted_at, closes_at,
         soc_code, soc_title AS occupation, soc_score AS occupation_score, url, _run_id AS run_id
  FROM main.posting WHERE is_current;
"""

_INTEGRATIONS_GOVERNANCE = """
CREATE TABLE IF NOT EXISTS integration_action (
  idempotency_key VARCHAR PRIMARY KEY, integration VARCHAR NOT NULL, kind VARCHAR NOT NULL, summary VARCHAR,
  action_json VARCHAR NOT NULL,
  status VARCHAR NOT NULL,            -- applied | failed | rolled_back
  signal VARCHAR, result_json VARCHAR NOT NULL, run_id VARCHAR, updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS profile_version (
  version INTEGER PRIMARY KEY, content_sha256 VARCHAR NOT NULL,
  file VARCHAR NOT NULL,              -- the text, under $home/profile-versions/ (kept out of the analytics copy)
  source VARCHAR NOT NULL,            -- observed | rollback | import
  note VARCHAR, actor VARCHAR NOT NULL, run_id VARCHAR, created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS context_buffer (
  entry_id VARCHAR PRIMARY KEY, scope VARCHAR NOT NULL,    -- run:<id> | week:<yyyy-ww>
  kind VARCHAR NOT NULL, text VARCHAR NOT NULL, reliability DOUBLE NOT NULL, facts_json VARCHAR,
  created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL
);
"""

#: (version, name, sql) in order of application.
MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "core: runs, source versions, raw files, quarantine, dq results", _CORE),
    (2, "taxonomies: O*NET, ESCO, OEWS", _TAXONOMY),
    (3, "skill-and-role graph", _GRAPH),
    (4, "postings: landing, parsed postings, skills, demand", _POSTINGS),
    (5, "postings pipeline: processing state of raw versions, demand trends", _POSTINGS_PIPELINE),
    (6, "evidence: items, skill links, decisions", _EVIDENCE),
    (7, "llm calls, llm cache, outbox", _LLM_OUTBOX),
    (8, "plans: versions, tasks, assumptions, approvals", _PLANS),
    (9, "outcomes, metrics, analytics views", _OUTCOMES_METRICS),
    (10, "integrations, profile versions, short-term context", _INTEGRATIONS_GOVERNANCE),
]
