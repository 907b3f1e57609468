"""One settings object for careeros (pydantic-settings, env prefix ``CAREEROS_``)."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Folder names a datasets directory must contain to be accepted.
REQUIRED_DATASET_FOLDERS = ("onet-29.3", "esco-1.2.0", "bls-oews-2025")


class DatasetsNotFoundError(RuntimeError):
    """Raised when no configured or default location holds the datasets."""


class Settings(BaseSettings):
    """Runtime configuration; every field maps to a ``CAREEROS_*`` environment variable."""

    model_config = SettingsConfigDict(env_prefix="CAREEROS_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path(".careeros"), description="State directory (warehouse, memory, plans).")
    datasets: Path | None = Field(default=None, description="Datasets directory; searched when unset.")
    feeds: Path | None = Field(default=None, description="Folder of user postings feeds; default $home/feeds.")
    timezone: str = Field(default="UTC", description="Time zone for schedules and calendars.")
    log_level: str = Field(default="INFO")
    # data quality
    quarantine_batch_threshold: float = Field(
        default=0.2, ge=0, le=1, description="Share of rejected rows above which a postings batch is stopped."
    )
    # per-item limits of evidence curation: an item over any of them becomes a quarantine row with the reason
    evidence_max_file_bytes: int = Field(default=20 * 1024 * 1024, gt=0, description="Bytes of one evidence file.")
    evidence_max_unpacked_bytes: int = Field(
        default=64 * 1024 * 1024, gt=0, description="Bytes of a DOCX after decompression (all members).")
    evidence_max_archive_members: int = Field(default=1000, gt=0, description="Members of one DOCX archive.")
    evidence_max_chars: int = Field(default=300_000, gt=0, description="Characters of text extracted from one item.")
    evidence_max_chunks: int = Field(default=600, gt=0, description="Memory chunks of one item.")
    evidence_max_pages: int = Field(default=300, gt=0, description="Pages of one PDF.")
    evidence_max_seconds: float = Field(default=60.0, gt=0, description="Reading time of one item.")
    # LLM layer (used by the agents issue; defaults keep everything offline)
    llm_fast_model: str | None = None
    llm_deep_model: str | None = None
    llm_api_base: str | None = None
    llm_api_key: SecretStr | None = None
    llm_run_budget_usd: float = 0.50
    llm_month_budget_usd: float = 10.0
    allow_remote_personal_data: bool = False
    llm_timeout_seconds: float = Field(default=60.0, gt=0, description="Per-attempt model timeout.")
    llm_num_retries: int = Field(default=1, ge=0, description="Retries per tier before falling back.")
    llm_fallback: Literal["both", "fast_to_deep", "deep_to_fast", "none"] = "both"
    llm_model_is_local: bool | None = Field(
        default=None, description="Force the configured models to count as local (True) or remote (False)."
    )
    llm_cache_enabled: bool = True
    # retries of integrations (file publishing, memory writes): exponential backoff base, jitter factor
    retry_backoff_seconds: float = Field(default=2.0, ge=0, description="First retry delay; doubles per retry.")
    retry_jitter_factor: float = Field(default=0.5, ge=0, description="Random extra delay, as a share of it.")
    # embeddings
    embedder: Literal["minilm", "wordllama"] = "minilm"
    # outbound
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    # CalDAV calendar: plan sessions besides the .ics file (docs/operations.md, "Calendar (CalDAV)")
    caldav_url: str | None = Field(
        default=None, description="CalDAV server URL; unset = .ics file only. A host other than 127.0.0.1, "
                                  "localhost or ::1 leaves the machine: published only with your approval.")
    caldav_username: str | None = Field(default=None, description="CalDAV user name.")
    caldav_password: SecretStr | None = Field(default=None, description="CalDAV password (or app password).")
    caldav_calendar: str = Field(
        default="careeros", description="Display name of the calendar for plan sessions; created if missing.")
    # local Prefect server (``make serve`` / ``careeros serve``; files under $home/prefect, see docs/operations.md)
    server_host: str = Field(default="127.0.0.1", description="Bind address of the local Prefect server.")
    server_port: int = Field(default=4200, ge=1, le=65535, description="Port of ``make serve`` / ``careeros serve``.")
    server_public_url: str | None = Field(
        default=None, description="Address browsers use behind a reverse proxy (the only CORS origin then).")
    server_startup_timeout: float = Field(
        default=180.0, gt=0, description="Seconds a command waits for a Prefect server it starts (one retry).")
    # who decides: the identity recorded with every human decision (never a name typed into a form)
    approver: str | None = Field(default=None, description="Name recorded for your decisions; default the OS user.")
    # portfolio site (`careeros portfolio build|publish|rollback|status`, docs/operations.md "Portfolio site")
    portfolio_remote: str | None = Field(
        default=None, description="Git remote the portfolio site is pushed to (a local path, file://, ssh or https "
                                  "URL); anything but a local path or file:// leaves the machine: pushed only with "
                                  "your recorded approval. Unset = build only.")
    portfolio_branch: str = Field(default="gh-pages", min_length=1,
                                  description="Branch of the portfolio remote that holds the site.")

    @property
    def prefect_home(self) -> Path:
        """``$home/prefect``: Prefect's database, the server's auth string and ``server.json`` for this home."""
        return self.home / "prefect"

    @property
    def warehouse_path(self) -> Path:
        """Path of the DuckDB warehouse file."""
        return warehouse_file(self.home)

    @property
    def analytics_path(self) -> Path:
        """Path of the read-only analytics snapshot published after each flow."""
        return self.home / "analytics.duckdb"

    @property
    def raw_dir(self) -> Path:
        """Content-addressed store of raw input files (kept before transformation)."""
        return self.home / "raw"

    @property
    def memory_dir(self) -> Path:
        """LanceDB long-term memory directory."""
        return self.home / "memory"

    @property
    def feeds_dir(self) -> Path:
        """Folder where a user drops their own postings feeds (JSONL/CSV, see docs/postings-feed.md)."""
        return self.feeds if self.feeds is not None else self.home / "feeds"

    @property
    def cache_dir(self) -> Path:
        """Derived, rebuildable artefacts (indices, automata)."""
        return self.home / "cache"

    def datasets_candidates(self) -> list[Path]:
        """Places searched for the datasets, in order."""
        cands: list[Path] = []
        if self.datasets is not None:
            cands.append(Path(self.datasets))
        cands.append(Path("data/datasets"))
        cands.append(Path("../shared/datasets"))
        # also relative to the checkout, so commands work from any working directory
        repo = Path(__file__).resolve().parents[2]
        cands.append(repo / "data" / "datasets")
        cands.append(repo.parent / "shared" / "datasets")
        return cands

    def resolve_datasets(self) -> Path:
        """Return the first candidate directory that holds the datasets, or raise a clear error."""
        looked = []
        for cand in self.datasets_candidates():
            looked.append(str(cand))
            if all((cand / name).is_dir() for name in REQUIRED_DATASET_FOLDERS):
                return cand.resolve()
            if self.datasets is not None and cand == Path(self.datasets):
                # an explicit setting that is wrong is an error, not a fallback
                raise DatasetsNotFoundError(
                    f"CAREEROS_DATASETS={cand} does not hold the datasets "
                    f"(expected folders {', '.join(REQUIRED_DATASET_FOLDERS)})."
                )
        raise DatasetsNotFoundError(
            "No datasets directory found. Looked at: " + "; ".join(looked)
            + ". Set CAREEROS_DATASETS to the folder holding "
            + ", ".join(REQUIRED_DATASET_FOLDERS) + "."
        )


def warehouse_file(home: Path | str) -> Path:
    """The DuckDB warehouse file of a ``CAREEROS_HOME`` (the one place that names it)."""
    return Path(home) / "warehouse.duckdb"


def approver_identity(settings: Settings | None = None) -> str:
    """Who a decision is recorded as: ``CAREEROS_APPROVER`` if set, else the OS user running careeros.

    Whoever answers a waiting run (UI or CLI) authenticated with this home's credentials (the server's auth
    string is readable only by this OS user), so the identity is the home's, never text typed into a form.
    """
    import getpass

    s = settings or get_settings()
    name = (s.approver or "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"uid-{os.getuid()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Cached settings built from the environment (tests call ``get_settings.cache_clear()``)."""
    return Settings()


def home_key(home: Path | str) -> str:
    """A short stable key of a careeros home (its resolved path), for names shared on one server."""
    return hashlib.sha256(str(Path(home).expanduser().resolve()).encode()).hexdigest()[:12]


def use_home(home: Path | str | None) -> Settings:
    """Select ``home`` as ``CAREEROS_HOME`` for this process (a flow run's ``home`` parameter); fresh settings.

    ``None`` keeps the configured home. A worker runs each flow run in its own process, so this never mixes homes.
    """
    if home:
        os.environ["CAREEROS_HOME"] = str(Path(home).expanduser().resolve())
        get_settings.cache_clear()
    return get_settings()
