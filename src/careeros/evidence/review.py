"""Human review of low-confidence links:

the typed pause form (a plain pydantic model; ``flows.human.run_input`` makes its Prefect twin), its markdown
summary, and the answers: a submitted form -> decisions, decisions -> the ``run_input`` that answers a page
(``flows.human.resume_review`` sends it, the headless twin of the UI's Resume button).

The form has one required ``Literal`` choice per candidate link (field ``l_<link_id>``: accept | reject | defer;
no default, so an empty or partial answer is refused and the run stays paused) and one optional free-text field
``corrections`` (one ``<link id> -> <skill id>`` per line) for the rare link whose skill is wrong but whose
evidence is right. Links are reviewed page by page (``page_size`` per pause) until every pending link was shown.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, Field, create_model

from careeros.evidence.history import HumanDecision
from careeros.evidence.linking import AUTO_ACCEPT
from careeros.redact import redact

FLOW_NAME = "curate-evidence"
DecisionLiteral = Literal["accept", "reject", "edit", "defer"]
FormChoice = Literal["accept", "reject", "defer"]
SNIPPET_CHARS = 160
_CORRECTION = re.compile(r"^\s*([0-9A-Za-z_\-]+)\s*(?:->|=|:)\s*(\S+)\s*$")


def _src(r: dict[str, Any]) -> str:
    return redact((r.get("source_path") or "").rsplit("/", 1)[-1])


class PageSummary(BaseModel):
    """Carries the page summary as its field description (nothing to fill in)."""


def page_summary(total: int, page: int = 1, pages: int = 1, offset: int = 0, shown: int = 0) -> str:
    """The short markdown at the top of the form: what this page is and how many links wait in all."""
    first, last = offset + 1, offset + shown
    more = "The next page follows when you submit this one." if page < pages else "This is the last page."
    return (f"**{total} link(s) wait for review** — this is page **{page} of {pages}** (links {first}-{last}). "
            f"{more}\n\nFor every link choose **accept**, **reject** or **defer** (decide later): there is no default. "
            "The excerpt under each link shows why it was proposed.")


def review_model(pending: pl.DataFrame, summary: str | None = None) -> type[BaseModel]:
    """The review form: a model with one required accept/reject/defer choice per pending link.

    ``summary`` (markdown) goes first, as the description of an empty ``about`` field: the UI renders field
    descriptions inside the form, where they keep their height (the run's description above the form is squeezed
    to nothing once the form is taller than the dialog). Each link's description is its evidence excerpt. Titles
    and descriptions are stored on the Prefect server, so they are redacted. The flow asks with its Prefect twin,
    ``flows.human.run_input(model, name="EvidenceReview")``.
    """
    fields: dict[str, Any] = {}
    if summary:
        fields["about"] = (PageSummary, Field(default_factory=PageSummary, title="Evidence review",
                                              description=redact(summary)))
    for n, r in enumerate(pending.iter_rows(named=True), 1):
        title = redact(f"{n}. {r['skill_label']} <- {r.get('source_type')}: {_src(r)} "
                       f"(confidence {r['confidence']:.2f})")
        excerpt = r.get("snippet") or ""
        desc = (f"“{excerpt}” — " if excerpt else "") + f"skill `{r['skill_id']}`, link `{r['link_id']}`"
        fields[f"l_{r['link_id']}"] = (FormChoice, Field(title=title, description=desc))
    fields["corrections"] = (str, Field(
        default="", title="Corrections (optional): one '<link id> -> <skill id>' per line",
        description="Only for a link whose evidence is right but whose skill is wrong; that link becomes an edit."))
    return create_model("EvidenceReview", **fields)


def snippet(text: str | None, surfaces: list[str] | None, width: int = SNIPPET_CHARS) -> str:
    """A short, redacted, one-line excerpt of ``text`` around the first surface form found (else its start)."""
    if not text:
        return ""
    flat = re.sub(r"\s+", " ", text).strip()
    low = flat.lower()
    at = -1
    for s in surfaces or []:
        if s and (at := low.find(s.lower())) >= 0:
            break
    start = max(0, at - width // 3) if at >= 0 else 0
    out = flat[start:start + width]
    out = ("…" if start > 0 else "") + out + ("…" if start + width < len(flat) else "")
    return redact(out).replace("|", "\\|").replace("`", "'")


def review_markdown(pending: pl.DataFrame, summary: dict[str, Any], total_pending: int, page: int = 1,
                    pages: int = 1, offset: int = 0) -> str:
    """Markdown shown above the form: what was curated, this page's position, per link a snippet (redacted)."""
    first, last = offset + 1, offset + pending.height
    lines = [
        f"## Evidence review — page {page} of {pages}",
        f"Curation run `{summary.get('run_id')}`: {summary.get('items_new', 0)} new item versions, "
        f"{summary.get('links_auto', 0)} links auto-accepted (confidence >= {AUTO_ACCEPT}), "
        f"**{total_pending} waiting for review**; this page shows links {first}-{last} of {total_pending}"
        + (", the next page follows when you submit this one." if page < pages else "."),
        "", "Choose **accept**, **reject** or **defer** (decide later) for every link: there is no default. "
        "Human decisions always win: later automated runs never overwrite them.", "",
        "| # | skill | evidence | confidence | why (excerpt) |", "|---|---|---|---|---|",
    ]
    for n, r in enumerate(pending.iter_rows(named=True), 1):
        lines.append(f"| {n} | {redact(str(r['skill_label']))} (`{r['skill_id']}`) | {r.get('source_type')}: "
                     f"{_src(r)} | {r['confidence']:.2f} | {r.get('snippet') or ''} |")
    return "\n".join(lines)


def parse_corrections(text: str | None) -> dict[str, str]:
    """``{link_id: skill_id}`` from the corrections field; lines that do not parse are ignored."""
    out: dict[str, str] = {}
    for line in (text or "").splitlines():
        m = _CORRECTION.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def decisions_from_input(data: Any) -> list[HumanDecision]:
    """Turn a submitted review form (model instance or dict) into decisions (``defer`` included).

    A link named in ``corrections`` becomes an ``edit`` to the given skill (unless it was rejected or deferred);
    legacy ``l_<id>_skill`` values are honoured the same way.
    """
    values = data.model_dump() if hasattr(data, "model_dump") else dict(data)
    fixes = parse_corrections(values.get("corrections"))
    out = []
    for key, val in values.items():
        if key.startswith("l_") and not key.endswith("_skill") and val:
            lid = key[2:]
            skill = fixes.get(lid) or values.get(f"l_{lid}_skill")
            decision = "edit" if skill and val in ("accept", "edit") else val
            # pydantic validates the decision (a value outside the form's choices raises: the person is asked again)
            out.append(HumanDecision(link_id=lid, decision=decision,  # type: ignore[arg-type]
                                     skill_id=skill if decision == "edit" else None))
    return out


# ------------------------------------------------------------------------------------------------ answers
def link_ids(fields: list[str]) -> list[str]:
    """Link ids offered by a review form, from its field names (``l_<link id>``)."""
    return [k[2:] for k in fields if k.startswith("l_") and not k.endswith("_skill")]


def build_run_input(link_ids: list[str], default: DecisionLiteral = "defer",
                    overrides: dict[str, HumanDecision] | None = None) -> dict[str, Any]:
    """The ``run_input`` dict for the review form: ``default`` for every link unless overridden."""
    overrides = overrides or {}
    out: dict[str, Any] = {}
    fixes = []
    for lid in link_ids:
        d = overrides.get(lid)
        choice = d.decision if d else default
        if choice == "edit":  # the form has no per-link edit choice: accept + a correction line
            choice = "accept"
            if d and d.skill_id:
                fixes.append(f"{lid} -> {d.skill_id}")
        out[f"l_{lid}"] = choice
    if fixes:
        out["corrections"] = "\n".join(fixes)
    return out
