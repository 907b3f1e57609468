"""Keys pasted into an evidence note never reach memory (LanceDB), the warehouse or the review form."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.security

SECRETS = ["sk-proj-AbCdEf0123456789abcdef0123", "ghp_0123456789abcdefghijABCDEFGHIJ0123", "AKIAIOSFODNN7EXAMPLE",
           "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "hunter2hunter"]
NOTE = f"""# Feature store migration notes

Moved the feature pipeline from cron scripts to Prefect flows in Python, with PostgreSQL as the offline store.
Config for the staging run (do not share):

OPENAI_API_KEY={SECRETS[0]}
export GITHUB_TOKEN="{SECRETS[1]}"
aws_access_key_id = {SECRETS[2]}
db password: {SECRETS[4]}

-----BEGIN OPENSSH PRIVATE KEY-----
{SECRETS[3]}
QyNTUxOQAAACBhbGljZUBleGFtcGxlLmNvbQAAAAtzc2gtZWQyNTUxOQ
-----END OPENSSH PRIVATE KEY-----

Next: add Kafka consumers and tests for the feature backfill.
"""


def test_secrets_in_notes_never_enter_memory_or_warehouse(built_home: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, settings_env: None) -> None:
    from conftest import profile_home

    from careeros.evidence import curate as cu
    from careeros.evidence.review import review_markdown
    from careeros.memory.embedders import get_embedder
    from tasks.evidence import _extractor, store_for

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "migration.md").write_text(NOTE)
    home = profile_home(built_home, tmp_path / "home", monkeypatch,
                        f'name = "S"\nevidence_folders = ["{notes}"]\n[goal]\nstatement = "Become a data engineer"\n'
                        '[[target_roles]]\ntitle = "Data Engineer"\n')
    wh, emb = home / "warehouse.duckdb", get_embedder()
    store = store_for(home / "memory", emb)
    gathered = cu.gather(cu.resolve_profile(home))
    assert len(gathered.items) == 1, gathered.quarantined
    prep = cu.embed_and_link(cu.select_new(wh, store, gathered.items), wh, emb, _extractor(str(wh)))
    summary = cu.write_history(wh, prep, gathered, "r1")
    cu.sync_memory(wh, store, prep, "r1")
    texts = store.rows(None, ["title", "text"]).to_pylist()
    assert texts and any("Prefect flows" in r["text"] for r in texts)
    pending, total = cu.pending_for_review(wh, None, store)
    seen = "\n".join(r["title"] + r["text"] for r in texts) + review_markdown(pending, summary | {"run_id": "r1"},
                                                                                 total)
    from careeros.warehouse.db import connect

    with connect(wh, read_only=True) as con:
        for table in ("evidence_item", "evidence_skill", "decision_log"):
            seen += "\n".join(str(r) for r in con.execute(f"SELECT * FROM {table}").fetchall())
    for s in SECRETS:
        assert s not in seen, s
    assert "[REDACTED]" in "\n".join(r["text"] for r in texts)
