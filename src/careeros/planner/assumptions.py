"""Assumptions registry: every number the planner relies on, with a prior, a source, a version and a posterior.

Priors live in ``data/assumptions.yaml`` and are upserted into the warehouse (tables ``assumption`` and
``assumption_history``) on first use; a changed prior bumps the version. Posteriors are written by the metrics
flows through :func:`set_posterior`. The planner reads the point value of each assumption: the posterior mean
when one exists, else the prior mean.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from careeros.resources import data_path, load_yaml

DEFAULT_PATH = data_path("assumptions.yaml")

Family = Literal["beta", "gamma", "lognormal", "normal", "point"]
_PARAMS: dict[str, tuple[str, ...]] = {"beta": ("a", "b"), "gamma": ("shape", "scale"),
                                       "lognormal": ("mu", "sigma"), "normal": ("mu", "sigma"), "point": ("value",)}


class Distribution(BaseModel):
    """A prior or posterior: a family and its parameters (see ``data/assumptions.yaml``)."""

    model_config = ConfigDict(extra="allow")

    family: Family

    @model_validator(mode="after")
    def _has_params(self) -> Distribution:
        extra = self.model_extra or {}
        missing = [p for p in _PARAMS[self.family] if p not in extra]
        if missing:
            raise ValueError(f"{self.family} needs parameters {missing}")
        return self

    @property
    def params(self) -> dict[str, float]:
        """The family's parameters as floats."""
        extra = self.model_extra or {}
        return {p: float(extra[p]) for p in _PARAMS[self.family]}

    def mean(self) -> float:
        """Expected value of the distribution."""
        p = self.params
        if self.family == "beta":
            return p["a"] / (p["a"] + p["b"])
        if self.family == "gamma":
            return p["shape"] * p["scale"]
        if self.family == "lognormal":
            return math.exp(p["mu"] + p["sigma"] ** 2 / 2)
        if self.family == "normal":
            return p["mu"]
        return p["value"]

    def quantile(self, q: float) -> float:
        """Approximate q-quantile (exact for normal/lognormal/point, normal approximation otherwise)."""
        z = _norm_ppf(q)
        p = self.params
        if self.family == "point":
            return p["value"]
        if self.family == "lognormal":
            return math.exp(p["mu"] + z * p["sigma"])
        if self.family == "normal":
            return p["mu"] + z * p["sigma"]
        if self.family == "gamma":
            sd = math.sqrt(p["shape"]) * p["scale"]
            return max(0.0, self.mean() + z * sd)
        a, b = p["a"], p["b"]
        sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        return min(1.0, max(0.0, self.mean() + z * sd))

    def as_dict(self) -> dict[str, Any]:
        """Family and parameters as one flat mapping (the YAML/JSON shape)."""
        return {"family": self.family, **self.params}


def _norm_ppf(q: float) -> float:
    """Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9)."""
    q = min(max(q, 1e-12), 1 - 1e-12)
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
         -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
         -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
         4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    if q < 0.02425:
        t = math.sqrt(-2 * math.log(q))
        return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) / (
            (((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1)
    if q > 1 - 0.02425:
        return -_norm_ppf(1 - q)
    r = q - 0.5
    s = r * r
    return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (
        ((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1)


class Assumption(BaseModel):
    """One explicit planning number: prior, optional posterior, source and version."""

    id: str
    description: str = ""
    unit: str = ""
    prior: Distribution
    posterior: Distribution | None = None
    source: str = "careeros default, judgement"
    version: int = Field(default=1, ge=1)
    updated_at: datetime | None = None

    @property
    def value(self) -> float:
        """The number the planner uses: posterior mean when present, else prior mean."""
        return (self.posterior or self.prior).mean()

    def used(self) -> dict[str, Any]:
        """What a plan records about this assumption."""
        return {"id": self.id, "version": self.version, "value": round(self.value, 6),
                "basis": "posterior" if self.posterior else "prior", "source": self.source, "unit": self.unit}


class AssumptionSet(BaseModel):
    """The assumptions a plan was computed with, by id."""

    items: dict[str, Assumption]

    def value(self, key: str, default: float | None = None) -> float:
        """Point value of an assumption (``default`` when it is not registered)."""
        a = self.items.get(key)
        if a is None:
            if default is None:
                raise KeyError(f"assumption {key!r} is not registered")
            return default
        return a.value

    def get(self, key: str) -> Assumption | None:
        """The assumption record, or None."""
        return self.items.get(key)

    def versions(self) -> dict[str, int]:
        """Id -> version (what a plan names)."""
        return {k: a.version for k, a in sorted(self.items.items())}

    def fingerprint(self) -> str:
        """Short hash over ids, versions and values (changes whenever a number the planner uses changes)."""
        blob = json.dumps({k: [a.version, round(a.value, 9)] for k, a in sorted(self.items.items())})
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def used(self) -> list[dict[str, Any]]:
        """Every assumption as recorded in a plan."""
        return [a.used() for _, a in sorted(self.items.items())]


def load_priors(path: Path = DEFAULT_PATH) -> list[Assumption]:
    """Parse the priors file (no database)."""
    data = load_yaml(Path(path)) or {}
    return [Assumption.model_validate(item) for item in data.get("assumptions", [])]


def default_assumptions(path: Path = DEFAULT_PATH) -> AssumptionSet:
    """The priors as an :class:`AssumptionSet` (version 1 each) — for dry runs without a writable warehouse."""
    return AssumptionSet(items={a.id: a for a in load_priors(path)})


def _now() -> datetime:
    return datetime.now(UTC)


def _dump(d: Distribution | None) -> str | None:
    return json.dumps(d.as_dict(), sort_keys=True) if d is not None else None


def sync_assumptions(con: Any, path: Path = DEFAULT_PATH, run_id: str | None = None) -> dict[str, int]:
    """Upsert the priors file into ``assumption`` (new ids -> v1; changed prior/source -> version + 1).

    Idempotent: a second call with the same file writes nothing. Returns counts (inserted, updated, unchanged).
    """
    stored = {r[0]: (r[1], r[2], r[3]) for r in con.execute(
        "SELECT assumption_id, version, prior_json, source FROM assumption").fetchall()}
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    now = _now()
    for a in load_priors(path):
        prior = _dump(a.prior)
        meta = json.dumps({"description": a.description, "unit": a.unit})
        if a.id not in stored:
            version, change = 1, "created"
            con.execute("INSERT INTO assumption (assumption_id, version, description, unit, prior_json, posterior_json,"
                        " source, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
                        [a.id, version, a.description, a.unit, prior, a.source, now])
            counts["inserted"] += 1
        elif stored[a.id][1] != prior or stored[a.id][2] != a.source:
            version, change = stored[a.id][0] + 1, "prior changed"
            con.execute("UPDATE assumption SET version = ?, description = ?, unit = ?, prior_json = ?, source = ?,"
                        " updated_at = ? WHERE assumption_id = ?",
                        [version, a.description, a.unit, prior, a.source, now, a.id])
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            continue
        posterior = fetch_posterior(con, a.id)
        con.execute("INSERT INTO assumption_history (assumption_id, version, prior_json, posterior_json, source,"
                    " change, meta_json, run_id, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [a.id, version, prior, posterior, a.source, change, meta, run_id, now])
    return counts


def fetch_posterior(con: Any, assumption_id: str) -> str | None:
    """The stored posterior JSON of one assumption (None when none yet)."""
    from careeros.warehouse.db import fetch_one

    row = fetch_one(con.execute("SELECT posterior_json FROM assumption WHERE assumption_id = ?", [assumption_id]))
    return row[0] if row else None


def read_assumptions(con: Any) -> AssumptionSet:
    """All stored assumptions (call :func:`sync_assumptions` first on a writable connection)."""
    items: dict[str, Assumption] = {}
    for aid, version, desc, unit, prior, post, source, updated in con.execute(
            "SELECT assumption_id, version, description, unit, prior_json, posterior_json, source, updated_at "
            "FROM assumption ORDER BY assumption_id").fetchall():
        items[aid] = Assumption(id=aid, version=version, description=desc or "", unit=unit or "",
                                prior=Distribution.model_validate(json.loads(prior)),
                                posterior=Distribution.model_validate(json.loads(post)) if post else None,
                                source=source, updated_at=updated)
    return AssumptionSet(items=items)


def load_assumptions(con: Any, path: Path = DEFAULT_PATH, read_only: bool = False) -> AssumptionSet:
    """Registry as stored (synced from the priors file first unless ``read_only``); priors when nothing is stored."""
    from careeros.warehouse.db import table_exists

    if not read_only:
        sync_assumptions(con, path)
    if not table_exists(con, "assumption"):
        return default_assumptions(path)
    got = read_assumptions(con)
    if not got.items:
        return default_assumptions(path)
    # ids added to the file but not yet synced (read-only use) still get their prior
    for a in load_priors(path):
        got.items.setdefault(a.id, a)
    return got


def set_posterior(con: Any, assumption_id: str, posterior: Distribution | dict[str, Any], source: str,
                  run_id: str | None = None, meta: dict[str, Any] | None = None) -> int:
    """Record a posterior (metrics flows); bumps the version and appends history (``meta``: evidence used)."""
    from careeros.warehouse.db import fetch_one

    post = posterior if isinstance(posterior, Distribution) else Distribution.model_validate(posterior)
    row = fetch_one(con.execute("SELECT version, prior_json FROM assumption WHERE assumption_id = ?",
                                [assumption_id]))
    if row is None:
        raise KeyError(f"assumption {assumption_id!r} is not registered")
    version, now = row[0] + 1, _now()
    con.execute("UPDATE assumption SET version = ?, posterior_json = ?, updated_at = ? WHERE assumption_id = ?",
                [version, _dump(post), now, assumption_id])
    con.execute("INSERT INTO assumption_history (assumption_id, version, prior_json, posterior_json, source, change,"
                " meta_json, run_id, changed_at) VALUES (?, ?, ?, ?, ?, 'posterior', ?, ?, ?)",
                [assumption_id, version, row[1], _dump(post), source,
                 json.dumps(meta, sort_keys=True, default=str) if meta else None, run_id, now])
    return int(version)
