"""Prefect tasks for evidence curation (near one-liners over careeros.evidence.curate)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from careeros.evidence import curate as cu
from careeros.evidence.history import HumanDecision
from careeros.memory.embedders import Embedder, get_embedder
from careeros.memory.store import MemoryStore
from careeros.profile import Profile


@lru_cache(maxsize=2)
def _extractor(cache_key: str) -> Any:
    from careeros.market.reference import load_extractor

    return load_extractor()


def store_for(memory_dir: Path, embedder: Embedder) -> MemoryStore:
    """The chunk table of the configured embedder."""
    return MemoryStore(memory_dir, embedder.name, embedder.dim)


@task(name="load-profile", cache_policy=NO_CACHE)
def load_profile(home: Path, profile_path: str | None) -> Profile:
    """The profile under CAREEROS_HOME (or the given file)."""
    return cu.resolve_profile(home, profile_path)


def profile_file(home: Path, profile_path: str | None) -> Path:
    """The profile file a run reads (the given one, else CAREEROS_HOME/profile.toml); plain function, no task."""
    return Path(profile_path) if profile_path else cu.default_profile_path(home)


@task(name="read-evidence", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def read_evidence(profile: Profile) -> cu.Gathered:
    """Run every reader; unreadable inputs become quarantine records."""
    return cu.gather(profile)


@task(name="select-new-versions", cache_policy=NO_CACHE)
def select_new(warehouse: Path, memory_dir: Path, gathered: cu.Gathered) -> cu.Prepared:
    """Items whose content hash is new (to the warehouse or to memory)."""
    return cu.select_new(warehouse, store_for(memory_dir, get_embedder()), gathered.items)


@task(name="embed-and-link", cache_policy=NO_CACHE)
def embed_and_link(prep: cu.Prepared, warehouse: Path) -> cu.Prepared:
    """Chunk, embed and link the new versions to skills."""
    return cu.embed_and_link(prep, warehouse, get_embedder(), _extractor(str(warehouse)) if prep.process else None)


@task(name="write-history", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def write_history(warehouse: Path, prep: cu.Prepared, gathered: cu.Gathered, run_id: str,
                  profile_file: Path | None = None) -> dict[str, Any]:
    """One warehouse transaction: versions, links (human decisions kept), decisions, quarantine, profile version."""
    return cu.write_history(warehouse, prep, gathered, run_id, profile_file=profile_file)


@task(name="sync-memory", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def sync_memory(warehouse: Path, memory_dir: Path, prep: cu.Prepared, run_id: str) -> dict[str, Any]:
    """Upsert chunks into LanceDB and tag the version this run produced."""
    return cu.sync_memory(warehouse, store_for(memory_dir, get_embedder()), prep, run_id)


@task(name="pending-links", cache_policy=NO_CACHE)
def pending_for_review(warehouse: Path, memory_dir: Path, limit: int | None = None) -> tuple[Any, int]:
    """Links waiting for review (all of them unless ``limit``), each with an evidence snippet, and their total."""
    return cu.pending_for_review(warehouse, limit, store_for(memory_dir, get_embedder()))


@task(name="apply-review", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def apply_review(warehouse: Path, memory_dir: Path, decisions: list[HumanDecision], run_id: str) -> dict[str, Any]:
    """Write the human decisions and refresh memory links."""
    from careeros.demo_home import decision_actor
    from careeros.settings import approver_identity

    # recorded as the home's identity (CAREEROS_APPROVER or the OS user; "demo" in the demo's home), never a
    # name typed into the form
    return cu.apply_review(warehouse, store_for(memory_dir, get_embedder()), decisions, run_id,
                           actor=decision_actor(Path(warehouse).parent, default=approver_identity()))
