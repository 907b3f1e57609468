"""The operator profile: who the plan is for, what they aim at, and what they allow (TOML or YAML file)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class TargetRole(BaseModel):
    """A role the person aims at: free title, resolved to an O*NET-SOC code (confirmed when ambiguous)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=200)
    soc_code: str | None = Field(default=None, pattern=r"^\d{2}-\d{4}\.\d{2}$")
    confirmed: bool = False


class Goal(BaseModel):
    """The one concrete goal of the current horizon (the seed: one 3-month goal)."""

    model_config = ConfigDict(extra="forbid")

    statement: str = Field(min_length=5, max_length=1000)
    deadline: date | None = None


class Profile(BaseModel):
    """A person's operating profile; validated on load, never trusted blindly."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: str | None = None
    location: str | None = None
    target_roles: list[TargetRole] = Field(min_length=1, max_length=3)
    goal: Goal
    weekly_hours: float = Field(default=10, gt=0, le=80)
    risk_tolerance: Literal["low", "medium", "high"] = "medium"
    horizon_weeks: int = Field(default=12, ge=1, le=52)
    evidence_folders: list[Path] = Field(default_factory=list)
    git_repos: list[Path] = Field(default_factory=list)
    contacts_file: Path | None = None
    allow_remote_llm: bool = False
    timezone: str = "UTC"
    skills_added: list[str] = Field(default_factory=list, max_length=500,
                                    description="skills you have that your evidence does not show (ids or labels)")
    skills_removed: list[str] = Field(default_factory=list, max_length=500,
                                      description="skills careeros must not credit you with (ids or labels)")
    # the portfolio site (`careeros portfolio build`); also accepted as a [portfolio] table (see _portfolio_table)
    headline: str | None = Field(default=None, max_length=200,
                                 description="one line under your name on the portfolio site")
    summary: str | None = Field(default=None, max_length=2000,
                                description="a short paragraph about you on the portfolio site")
    portfolio_show_contact: bool = Field(
        default=False, description="show your e-mail and location on the portfolio site (default: never)")

    @model_validator(mode="before")
    @classmethod
    def _portfolio_table(cls, data: object) -> object:
        """Accept ``[portfolio]`` (show_contact, headline, summary) as the flat keys, so it round-trips as TOML."""
        if not isinstance(data, dict) or not isinstance(data.get("portfolio"), dict):
            return data
        data = dict(data)
        table = dict(data.pop("portfolio"))
        for key, flat in (("show_contact", "portfolio_show_contact"), ("headline", "headline"),
                          ("summary", "summary")):
            if key in table:
                if flat in data:
                    raise ValueError(f"[portfolio] {key} and {flat} are both set: keep one")
                data[flat] = table.pop(key)
        if table:
            raise ValueError(f"unknown [portfolio] keys: {', '.join(sorted(map(str, table)))} "
                             "(known: show_contact, headline, summary)")
        return data

    @field_validator("target_roles")
    @classmethod
    def _distinct_roles(cls, roles: list[TargetRole]) -> list[TargetRole]:
        titles = [r.title.strip().lower() for r in roles]
        if len(set(titles)) != len(titles):
            raise ValueError("target roles must be distinct")
        return roles

    def resolve_paths(self, base: Path) -> Profile:
        """Return a copy whose relative paths are resolved against ``base`` (the profile file's folder)."""

        def fix(p: Path) -> Path:
            return p if p.is_absolute() else (base / p).resolve()

        return self.model_copy(update={
            "evidence_folders": [fix(p) for p in self.evidence_folders],
            "git_repos": [fix(p) for p in self.git_repos],
            "contacts_file": fix(self.contacts_file) if self.contacts_file else None,
        })


def load_profile(path: Path) -> Profile:
    """Load and validate a profile from TOML (``.toml``) or YAML (``.yaml``/``.yml``); paths resolved."""
    text = Path(path).read_text(encoding="utf-8")
    data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a profile must be a mapping, got {type(data).__name__}")
    return Profile.model_validate(data).resolve_paths(Path(path).parent)
