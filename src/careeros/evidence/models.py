"""Typed records of the evidence layer (pure data; no I/O)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

SourceType = Literal["repo", "publication", "certificate", "resume", "note", "learning"]

#: Source reliability used in retrieval and link strength: merged code > publication > certificate > resume > note.
RELIABILITY: dict[str, float] = {"repo": 0.95, "publication": 0.8, "certificate": 0.7, "resume": 0.55, "note": 0.4,
                                "learning": 0.5}


def short_hash(*parts: str, n: int = 16) -> str:
    """Stable short hex id from string parts."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:n]


class Signal(BaseModel):
    """A structured fact a reader found (a dependency in a manifest, a language by file count...)."""

    kind: Literal["dependency", "language", "commit", "keyword"]
    value: str
    weight: float = 1.0


class EvidenceItem(BaseModel):
    """One piece of evidence at one content version (``version_sha256`` = hash of its extracted content)."""

    item_id: str
    source_type: SourceType
    source_path: str
    title: str
    text: str
    version_sha256: str
    content_at: datetime | None = None
    signals: list[Signal] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def reliability(self) -> float:
        """Source reliability in [0, 1]."""
        return RELIABILITY[self.source_type]


class Quarantined(BaseModel):
    """An input that could not be read, with a reason a person can act on."""

    source_path: str
    source_type: str
    reason: str


class Chunk(BaseModel):
    """A retrievable slice of an item version; ``chunk_id`` = hash(item version, index)."""

    chunk_id: str
    item_id: str
    version_sha256: str
    index: int
    text: str


class LinkCandidate(BaseModel):
    """An automated evidence -> skill link with its confidence and the minimal facts behind it."""

    link_id: str
    item_id: str
    version_sha256: str
    skill_id: str
    skill_label: str
    confidence: float
    strength: str
    method: str
    features: dict[str, Any] = Field(default_factory=dict)
    status: Literal["auto", "pending"] = "pending"
