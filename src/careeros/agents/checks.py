"""What a coach would refuse to sign, checked on every agent output (offline or from a model).

* STAR stories are drawn from the person's own resume bullets (``source_text`` is one of them).
* Outreach: one draft per contact, to that contact's own address; the person's current employer is never
  named in a draft (so it cannot be addressed as the contact's company); the goal is never pasted verbatim.
* No internal ids (skill ids such as ``tech:python``, plan work ids) in human text.
* For a non-software field, no software wording (:data:`careeros.agents.fields.SOFTWARE_WORDS`) in what the
  agent wrote (text copied from the plan is the planner's, and is checked there).

The orchestrator lowers the effective confidence of an output with issues, so it is escalated to a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from careeros.agents.facts import Facts
from careeros.agents.fields import internal_ids, software_words
from careeros.planner.gaps import brief_label, split_examples

#: keys whose values are ids, addresses or citations, not text a person reads
_NOT_TEXT = {"ref", "rationale", "source_ref", "evidence_refs", "evidence_ref", "task_ref", "task_refs", "skill_ref",
             "contact_id", "to", "artifact_id", "link_id", "skill_id", "after", "repo_name", "workspace", "kind",
             "likelihood", "proposal", "insufficient_data"}


def human_strings(value: Any, key: str = "") -> Iterable[str]:
    """Every string of an output a person reads (ids, addresses and citations left out)."""
    if key in _NOT_TEXT:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from human_strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from human_strings(v, key)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w%$.]+", " ", text.lower()).split())


def plan_strings(facts: Facts) -> list[str]:
    """Text the agents copy from data (the plan's titles and criteria, skill labels, O*NET task statements).

    Those are the planner's and the taxonomy's words (e.g. the O*NET knowledge "Customer and Personal Service").
    """
    out: list[str] = [g.label for r in facts.roles for g in r.gaps]
    out += [g.label for gs in facts.role_skills.values() for g in gs]
    # the short forms and the examples of each label are the taxonomy's words too ("Tin Can API" is an e-learning
    # standard, not software wording)
    labels = list(out)
    out += [brief_label(x) for x in labels]
    out += [e for x in labels for e in split_examples(x)[1]]
    out += list(facts.skill_labels.values())
    out += [t.task.rstrip(".") for ts in facts.tasks.values() for t in ts]
    for t in facts.plan.tasks:
        out += [t.title, t.done, t.evidence]
    for a in facts.plan.artifacts:
        out += [str(a.get("title") or ""), str(a.get("proof") or "")]
    out += facts.plan.deferred
    return sorted({s for s in out if s}, key=len, reverse=True)


def shares_run(a: str, b: str, n: int = 8) -> bool:
    """True when ``a`` contains a run of ``n`` consecutive words of ``b`` (a pasted sentence)."""
    wa, wb = _norm(a).split(), _norm(b).split()
    if len(wb) < n:
        return bool(wb) and " ".join(wb) in " ".join(wa)
    grams = {" ".join(wb[i:i + n]) for i in range(len(wb) - n + 1)}
    joined = " ".join(wa)
    return any(g in joined for g in grams)


def quality_issues(name: str, output: dict[str, Any], facts: Facts) -> list[str]:
    """Problems a coach would not sign in one agent output (empty list: none found)."""
    issues: list[str] = []
    texts = list(human_strings(output))
    for t in texts:
        ids = internal_ids(t)
        if ids:
            issues.append(f"internal id in text: {ids[0]}")
            break
    software = facts.profile.software if facts.profile else True
    if not software:
        plan = plan_strings(facts)
        for t in texts:
            for p in plan:
                t = t.replace(p, " ")
            words = software_words(t)
            if words:
                issues.append(f"software wording for a {facts.profile.field if facts.profile else ''} role: "
                              f"{', '.join(dict.fromkeys(words))}")
                break
    if name == "interview_prep":
        bullets = {_norm(b.text) for b in facts.bullets}
        for s in output.get("stories") or []:
            if _norm(str(s.get("source_text") or "")) not in bullets:
                issues.append(f"STAR story not drawn from a resume bullet: {str(s.get('title'))[:60]}")
    if name == "outreach":
        drafts = output.get("drafts") or []
        ids = [str(d.get("contact_id")) for d in drafts]
        if len(ids) != len(set(ids)):
            issues.append("more than one draft for the same contact")
        known = {c.contact_id: c for c in facts.contacts}
        employer = facts.profile.current_employer if facts.profile else None
        for d in drafts:
            c = known.get(str(d.get("contact_id")))
            if c is None or c.email.lower() != str(d.get("to", "")).strip().lower():
                issues.append(f"draft to an address that is not the contact's own: {d.get('contact_id')}")
                continue
            text = f"{d.get('subject', '')}\n{d.get('body', '')}"
            if employer and _norm(employer) and _norm(employer) in _norm(text):
                issues.append(f"draft to {c.name} names your own employer ({employer})")
            if facts.goal and shares_run(text, facts.goal):
                issues.append(f"draft to {c.name} pastes the goal sentence")
    return list(dict.fromkeys(issues))
