"""What the person can already show, per skill: stated evidence, implied skills and their current occupation.

strength(skill) in [0, 1] is the best of:

* evidence links: accepted by the person -> 1.0; automatic (a skill named outright in their own resume, a
  dependency in their repo) -> its confidence; still waiting for review -> half its confidence; each decays
  with age (half-life two years; older than that it is *stale*);
* skills the person added by hand -> 1.0 (removed by hand -> 0, and nothing propagates from or to them);
* implied skills: strength x factor up the hierarchy (PostgreSQL -> SQL, PyTorch -> deep learning -> machine
  learning; :mod:`careeros.graph.hierarchy`);
* the current occupation: its core requirements at ``prior`` (0.6, +0.02 per year in it up to 0.7) scaled by
  how central each one is to that occupation — a senior backend engineer knows Git and Linux even when the
  resume omits them; a concept (not a tool) at 0.6 of that: partly shown, still a (smaller) gap, unless the target
  weighs it clearly less than the current occupation does (``PersonSkills.held_as_in_occupation``); never a
  credential (a certification or licence is shown by the person's evidence only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import polars as pl
from pydantic import BaseModel, Field

from careeros.graph.hierarchy import SkillHierarchy
from careeros.planner.artifacts import names_held_credential
from careeros.planner.requirements import RequirementProfile

HALF_LIFE_DAYS = 730.0
PENDING_FACTOR = 0.5
PRIOR_BASE, PRIOR_PER_YEAR, PRIOR_MAX = 0.6, 0.02, 0.7
#: a requirement this central to the current occupation gets the full prior
PRIOR_FULL_WEIGHT = 0.6
#: a concept the current occupation expects is partly shown, not proven: a paraprofessional has seen lesson planning,
#: a chef labour costing, a paralegal contract drafting, without owning them the way the target role will
OCCUPATION_CONCEPT_FACTOR = 0.6
#: a core concept of the current occupation that a target weighs at most this share of the occupation's weight counts
#: at the full prior (see PersonSkills.held_as_in_occupation)
OCCUPATION_HELD_RATIO = 0.75
#: an O*NET knowledge area or technical skill rated 4/5 or more in the current occupation counts this much
ELEMENT_PRIOR_MAX = 0.9


class SkillSource(BaseModel):
    """Why the person is credited with a skill."""

    strength: float = Field(ge=0, le=1)
    source: str
    age_days: float | None = None


class PersonSkills(BaseModel):
    """Per skill id: the best strength and where it comes from."""

    skills: dict[str, SkillSource] = Field(default_factory=dict)
    removed: list[str] = Field(default_factory=list)
    #: per skill id a core concept of the current occupation stands for: its weight there and the strength it
    #: would have at full prior (see :meth:`held_as_in_occupation`)
    occupation_core: dict[str, tuple[float, float]] = Field(default_factory=dict)

    def strength(self, skill_id: str) -> float:
        """Strength of one skill (0 when unknown)."""
        s = self.skills.get(skill_id)
        return s.strength if s else 0.0

    def held_as_in_occupation(self, skill_id: str, target_weight: float) -> float:
        """Strength of a core concept of the current occupation for a target that weighs it clearly less.

        A concept the current occupation expects is only partly shown (OCCUPATION_CONCEPT_FACTOR): a paraprofessional
        has seen lesson planning without owning it the way a teacher will, and a registered nurse knows pharmacology,
        but not at the level a nurse practitioner prescribes at (both weigh it alike). Where the target weighs the
        concept at most OCCUPATION_HELD_RATIO of what the current occupation does (patient care, care planning,
        infection control for that nurse: central to nursing, peripheral to the practitioner's role), the person's
        years in it show more than the target asks: the full prior. 0 otherwise.
        """
        got = self.occupation_core.get(skill_id)
        if got is None or target_weight > OCCUPATION_HELD_RATIO * got[0] + 1e-9:
            return 0.0
        src = self.skills.get(skill_id)
        return got[1] if src is not None and src.source.startswith("core of your current occupation") else 0.0

    def offer(self, skill_id: str, strength: float, source: str, age_days: float | None = None) -> None:
        """Keep ``strength`` for ``skill_id`` when it beats what is known."""
        if skill_id in self.removed or strength <= 0:
            return
        cur = self.skills.get(skill_id)
        if cur is None or strength > cur.strength + 1e-9:
            self.skills[skill_id] = SkillSource(strength=round(min(strength, 1.0), 4), source=source,
                                                age_days=age_days)


def _age_days(value: Any, today: date) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return None
    if not isinstance(value, date):
        return None
    return float(max(0, (today - value).days))


def person_skills(links: pl.DataFrame, hierarchy: SkillHierarchy, *, added: Iterable[str] = (),
                  removed: Iterable[str] = (), occupation: RequirementProfile | None = None,
                  occupation_years: float = 0.0, labels: Mapping[str, str] | None = None,
                  names: Mapping[str, str] | None = None, as_of: date | None = None) -> PersonSkills:
    """The person's skill strengths (see the module docstring).

    ``links``: skill_id, confidence, status (auto | accepted | pending), last_seen[, source_type, label];
    ``added``/``removed``: skill ids or labels (resolved through ``labels``: lower-cased label -> id);
    ``names``: skill id -> label, for the reasons shown to the person.
    """
    today = as_of or date.today()
    lab = {k.lower(): v for k, v in (labels or {}).items()}

    def rid(x: str) -> str:
        x = str(x).strip()
        return x if ":" in x else lab.get(x.lower(), x)

    p = PersonSkills(removed=sorted({rid(x) for x in removed}))
    for r in links.iter_rows(named=True) if links.height else []:
        status = r.get("status") or "auto"
        if status == "rejected":
            continue
        conf = float(r.get("confidence") or 0.0)
        age = _age_days(r.get("last_seen"), today)
        decay = 1.0 if age is None else 0.5 ** (age / HALF_LIFE_DAYS)
        if status == "accepted":
            base, why = 1.0, "you confirmed it"
        elif status == "pending":
            base, why = conf * PENDING_FACTOR, "named in your evidence, waiting for your review"
        else:
            base, why = conf, "named in your " + str(r.get("source_type") or "evidence")
        p.offer(r["skill_id"], base * decay, why, age)
    for x in added:
        p.offer(rid(x), 1.0, "added by you")
    direct = {k: v.strength for k, v in p.skills.items()}
    for sid, s in hierarchy.propagate(direct, blocked=set(p.removed)).items():
        if sid not in direct:
            src = next((c for c in hierarchy.implied_by(sid) if c in direct), None)
            name = (names or {}).get(src, src) if src else "related evidence"
            p.offer(sid, s, f"implied by {name}")
    if occupation is not None:
        prior = min(PRIOR_MAX, PRIOR_BASE + PRIOR_PER_YEAR * max(0.0, occupation_years))
        title = occupation.title or occupation.soc_code
        for req in occupation.requirements:
            if req.importance is not None:
                # O*NET knowledge and technical skills: as important in your occupation as in the target means
                # you have them at that level
                s = ELEMENT_PRIOR_MAX * max(0.0, min(1.0, (req.importance - 1) / 3))
                p.offer(req.skill_id, s, f"rated {req.importance:.1f}/5 in your current occupation ({title})")
                continue
            if not req.core or names_held_credential(req.label):
                continue  # a credential is held or not: years in an occupation whose workers often hold it do not
                # show it (an apartment maintenance technician who calls the HVAC vendor has no EPA 608 card); a
                # practice one of whose names is a certificate is still the occupation's work (an ICU nurse's IV
                # therapy)
            full = prior * min(1.0, req.weight / PRIOR_FULL_WEIGHT)
            s = full * OCCUPATION_CONCEPT_FACTOR if req.kind == "concept" else full
            for sid, f in req.members.items():
                if f >= 1.0:
                    p.offer(sid, s, f"core of your current occupation ({title})")
                    if req.kind == "concept" and req.weight > p.occupation_core.get(sid, (0.0, 0.0))[0]:
                        p.occupation_core[sid] = (req.weight, full)
    return p
