"""What the agents know: one read of the warehouse, the stored plan, memory and the contacts file.

The orchestrator gathers :class:`Facts` once per run; each agent gets a typed input built from them plus
its untrusted data (posting text, contact notes, evidence chunk text). Agents never open the warehouse.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from careeros.agents.models import (
    ContactFact,
    EvidenceHit,
    Experience,
    GapFact,
    PendingLink,
    PersonFacts,
    PlanFact,
    ResumeBullet,
    RoleFact,
    TaskFact,
    TaskStatement,
    WorkItem,
)
from careeros.planner.gaps import MINOR_WORDS
from careeros.planner.plan import Plan
from careeros.profile import Profile
from careeros.settings import warehouse_file
from careeros.warehouse.db import connect, table_exists

log = logging.getLogger("careeros.agents")

_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[A-Za-z]{2,}$")
MAX_GAPS = 8


@dataclass
class Facts:
    """Everything the agents may read in one run (trusted facts + untrusted text kept apart)."""

    person: str
    goal: str
    plan: PlanFact
    roles: list[RoleFact]
    role_skills: dict[str, list[GapFact]] = field(default_factory=dict)  # soc -> top required skills
    tasks: dict[str, list[TaskStatement]] = field(default_factory=dict)  # soc -> O*NET tasks
    contacts: list[ContactFact] = field(default_factory=list)
    contact_notes: dict[str, str] = field(default_factory=dict)  # contact_id -> notes (untrusted)
    postings: list[dict[str, Any]] = field(default_factory=list)  # id, company, title, soc (untrusted)
    posting_texts: dict[str, str] = field(default_factory=dict)  # posting_id -> text (untrusted)
    evidence: list[EvidenceHit] = field(default_factory=list)
    chunk_texts: dict[str, str] = field(default_factory=dict)  # ref -> chunk text (untrusted)
    pending_links: list[PendingLink] = field(default_factory=list)
    memory_version: int | None = None
    contacts_file: str | None = None
    target_titles: list[str] = field(default_factory=list)
    profile: PersonFacts | None = None
    experiences: list[Experience] = field(default_factory=list)
    bullets: list[ResumeBullet] = field(default_factory=list)  # resume bullets, best first (the person's words)
    works: list[WorkItem] = field(default_factory=list)  # publications, repositories, certificates
    skill_labels: dict[str, str] = field(default_factory=dict)  # skill id -> label (every skill the plan names)
    recent: list[str] = field(default_factory=list)  # short-term context (careeros.memory.context), best first


# ------------------------------------------------------------------------------------------ contacts


def contact_id(email: str) -> str:
    """Stable id of a contact: hash of the lower-cased address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


def load_contacts(path: Path | None) -> tuple[list[ContactFact], dict[str, str], list[str]]:
    """(contacts, notes by contact id, skipped rows) from the person's CSV (name,email,relation,company,role,notes).

    A row with anything but exactly one plain address is skipped (no header injection through the file).
    """
    if path is None or not Path(path).is_file():
        return [], {}, []
    out, notes, skipped = [], {}, []
    with Path(path).open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            row = {(k or "").strip().lower(): (v if isinstance(v, str) else "") for k, v in row.items() if k}
            email = row.get("email", "").strip()
            name = " ".join(row.get("name", "").split())
            if not name or not _EMAIL.match(email) or any(c in row.get("email", "") for c in "\r\n"):
                skipped.append(f"line {n}: invalid name or e-mail")
                continue
            cid = contact_id(email)
            if cid in notes:
                continue
            out.append(ContactFact(contact_id=cid, name=name[:120], email=email,
                                   relation=" ".join(row.get("relation", "").split())[:80],
                                   company=" ".join(row.get("company", "").split())[:120],
                                   role=" ".join(row.get("role", "").split())[:120]))
            notes[cid] = row.get("notes", "")[:2000]
    return out, notes, skipped


# ------------------------------------------------------------------------------------------ plan


def plan_fact(plan: Plan) -> PlanFact:
    """The parts of a stored plan the agents use."""
    tasks = [TaskFact(task_id=t.id, week=w.week, start=w.start.isoformat(), kind=t.kind, title=t.title,
                      hours=t.hours, skill_ids=t.skill_ids, artifact_id=t.artifact_id, depends_on=t.depends_on,
                      done=t.verification.done, evidence=t.verification.evidence)
             for w in plan.weeks for t in w.tasks]
    return PlanFact(
        plan_id=plan.plan_id, version=int(plan.version or 0), status=plan.status, goal=plan.goal,
        strategy=plan.strategy, weekly_hours=float(plan.inputs["weekly_hours"]),
        horizon_weeks=int(plan.inputs["horizon_weeks"]), risk_level=plan.risk.level,
        stretch_share=plan.risk.stretch_share, overrun_p80_hours=plan.risk.overrun_p80_hours,
        work_hours=sum(t.hours for t in tasks if t.kind in ("learn", "build", "publish")),
        deferred=[d["title"] for d in plan.deferred], tasks=tasks, artifacts=list(plan.totals.get("artifacts", [])),
        alternatives=[a.summary for a in plan.alternatives if not a.chosen])


def stored_plan(home: Path, profile: Profile, run_id: str) -> Plan:
    """The newest approved plan, else the newest stored one; none stored: propose one (status proposed)."""
    from careeros.planner.approval import compute_plan, latest_plan, save_plan
    from careeros.planner.plan import plan_id_for

    wh = warehouse_file(home)
    pid = plan_id_for(profile)
    with connect(wh, read_only=True) as con:
        plan = latest_plan(con, pid, ("approved",)) or latest_plan(con, pid)
    if plan is not None:
        return plan
    plan = compute_plan(Path(home), profile)
    with connect(wh) as con:
        return save_plan(con, plan, "proposed", run_id, None)


# ------------------------------------------------------------------------------------------ gather


#: interview skill questions ask about the knowledge and skills O*NET rates at least this high (0-1; 0.6 is about
#: 3.4 of 5) for the role and this much above the average occupation
DISTINCT_MIN_WEIGHT, DISTINCT_MIN_LIFT = 0.6, 0.15
#: a missing tool is asked about in interview prep only when the plan ranks it at least this share of its largest gap
TOOL_QUESTION_MIN_SHARE = 0.25


def _roles(con: Any, plan: Plan) -> tuple[list[RoleFact], dict[str, list[GapFact]]]:
    from careeros.planner.gaps import role_requirements
    from careeros.planner.plan import gap_reports

    reports = {r.soc_code: r for r in gap_reports(con, [(r.soc_code, r.title) for r in plan.roles])}
    mv: set[tuple[str, str]] = set()
    if table_exists(con, "market_value"):
        mv = {(s, c) for s, c in con.execute(
            "SELECT skill_id, soc_code FROM market_value WHERE soc_code IN (SELECT unnest(?::VARCHAR[]))",
            [[r.soc_code for r in plan.roles]]).fetchall()}
    ranked = [g for g in (getattr(plan, "gaps", None) or []) if isinstance(g, dict) and g.get("skill_id")]
    edges: set[tuple[str, str]] = set()
    if ranked:
        edges = {(a, b) for a, b in con.execute(
            "SELECT soc_code, skill_id FROM graph_occupation_skill WHERE skill_id IN (SELECT unnest(?::VARCHAR[]))",
            [sorted({str(g["skill_id"]) for g in ranked})]).fetchall()}
    roles, skills = [], {}
    for r in plan.roles:
        rep = reports.get(r.soc_code)
        mine = [g for g in ranked if g.get("soc_code") == r.soc_code or r.title in (g.get("roles") or [])]
        if mine:  # the plan's own gap list (requirement profiles against the person's skills), largest first
            gaps = [GapFact(skill_id=str(g["skill_id"]), label=str(g.get("label") or g["skill_id"]),
                            kind=str(g.get("kind") or "skill"), size=float(g.get("size") or 0.0),
                            status=str(g.get("status") or "missing"),
                            market_value=float(g.get("market_value") or 0.5),
                            market_value_cited=(str(g["skill_id"]), r.soc_code) in mv,
                            edge=(r.soc_code, str(g["skill_id"])) in edges, reason=str(g.get("reason") or ""))
                    for g in mine[:MAX_GAPS]]
        else:
            gaps = [GapFact(skill_id=g.skill_id, label=g.label, kind=g.kind, size=g.size, status=g.status,
                            market_value=g.market_value, market_value_cited=(g.skill_id, r.soc_code) in mv)
                    for g in (rep.gaps[:MAX_GAPS] if rep else [])]
        roles.append(RoleFact(soc_code=r.soc_code, title=r.title, coverage_before=r.coverage_before,
                              coverage_expected=r.coverage_expected, gaps=gaps))
        req = role_requirements(con, r.soc_code)
        gap_size = {g.skill_id: g for g in (rep.gaps if rep else [])}
        # the role's tools an interviewer asks about: ones the person shows, and missing ones the plan ranks near its
        # largest gaps; a missing tool the plan ranks far down (a food service manager's Facebook) is not asked
        sizes = {str(g["skill_id"]): float(g.get("size") or 0.0) for g in mine} or {
            g.skill_id: g.size for g in (rep.gaps if rep else [])}
        floor = TOOL_QUESTION_MIN_SHARE * max(sizes.values(), default=0.0)
        missing = {g.skill_id for g in (rep.gaps if rep else []) if g.status == "missing"}
        tech = req.filter(req["kind"] == "technology")
        keep = [sid for sid in tech["skill_id"].to_list() if sid not in missing or sizes.get(sid, 0.0) >= floor]
        tech = tech.filter(tech["skill_id"].is_in(keep)).head(6)
        # knowledge and skills this occupation needs more than most do (a construction manager's Building and
        # Construction), not the ones every occupation rates high (English Language, Reading Comprehension)
        distinct = [r[0] for r in con.execute(
            "WITH m AS (SELECT skill_id, avg(weight) AS mw FROM graph_occupation_skill WHERE relation IN "
            "('onet_rating', 'onet_rating_imputed') GROUP BY 1) SELECT e.skill_id FROM graph_occupation_skill e "
            "JOIN m USING (skill_id) WHERE e.soc_code = ? AND e.relation IN ('onet_rating', 'onet_rating_imputed') "
            "AND e.weight >= ? AND e.weight - m.mw >= ? ORDER BY e.weight - m.mw DESC, e.skill_id",
            [r.soc_code, DISTINCT_MIN_WEIGHT, DISTINCT_MIN_LIFT]).fetchall()]
        distinct = _spoken_of(con, r.soc_code, distinct)
        rank = {sid: i for i, sid in enumerate(distinct)}
        other_rows = sorted({x["skill_id"]: x for x in req.filter(req["kind"] != "technology").iter_rows(named=True)
                             if x["skill_id"] in rank}.values(), key=lambda x: rank[x["skill_id"]])[:4]
        skills[r.soc_code] = [
            GapFact(skill_id=x["skill_id"], label=x["label"], kind=x["kind"],
                    size=gap_size[x["skill_id"]].size if x["skill_id"] in gap_size else 0.0,
                    status=gap_size[x["skill_id"]].status if x["skill_id"] in gap_size else "evidenced",
                    market_value=gap_size[x["skill_id"]].market_value if x["skill_id"] in gap_size else 0.5)
            for x in [*tech.iter_rows(named=True), *other_rows]]
    return roles, skills


def _word_stems(text: str) -> set[str]:
    """Whole words compared by their first six letters, without a plural s ("economics" ~ "economic")."""
    return {w.rstrip("s")[:6] for w in re.findall(r"[a-z]+", text.lower()) if w not in MINOR_WORDS and len(w) >= 3}


def _spoken_of(con: Any, soc_code: str, skill_ids: list[str]) -> list[str]:
    """``skill_ids`` without imputed O*NET areas that the occupation's own tasks and work activities never name.

    O*NET has not surveyed every occupation: a project management specialist's ratings are imputed from others, and
    "Transportation" comes out among its most distinctive knowledge areas though none of its tasks moves anything;
    an interviewer would not ask about it. A financial analyst's imputed "Economics and Accounting" stays (its tasks
    speak of economic conditions and accounts).
    """
    imputed = {x for (x,) in con.execute(
        "SELECT skill_id FROM graph_occupation_skill WHERE soc_code = ? AND relation = 'onet_rating_imputed' "
        "AND skill_id IN (SELECT unnest(?::VARCHAR[]))", [soc_code, skill_ids or [""]]).fetchall()}
    if not imputed:
        return skill_ids
    text = [t for (t,) in con.execute("SELECT task FROM onet_task WHERE soc_code = ?", [soc_code]).fetchall()
            if t] if table_exists(con, "onet_task") else []
    if table_exists(con, "onet_dwa"):
        text += [d for (d,) in con.execute("SELECT DISTINCT d.dwa_title FROM onet_task_dwa t JOIN onet_dwa d "
                                           "USING (dwa_id) WHERE t.soc_code = ?", [soc_code]).fetchall() if d]
    said = set().union(*(_word_stems(t) for t in text))
    names = dict(con.execute("SELECT skill_id, label FROM graph_skill WHERE skill_id IN (SELECT unnest(?::VARCHAR[]))",
                             [sorted(imputed)]).fetchall()) if table_exists(con, "graph_skill") else {}
    return [x for x in skill_ids if x not in imputed or _word_stems(str(names.get(x, ""))) & said]


def _postings(con: Any, socs: list[str], companies: list[str], limit: int = 300) -> list[dict[str, Any]]:
    if not table_exists(con, "posting"):
        return []
    rows = con.execute(
        "SELECT posting_id, company, title, soc_code, text FROM posting WHERE is_current AND "
        "(soc_code IN (SELECT unnest(?::VARCHAR[])) OR lower(company) IN (SELECT unnest(?::VARCHAR[]))) "
        "ORDER BY posted_at DESC NULLS LAST, posting_id LIMIT ?",
        [socs or [""], [c.lower() for c in companies] or [""], limit]).fetchall()
    return [{"posting_id": p, "company": c or "", "title": t or "", "soc_code": s, "text": x or ""}
            for p, c, t, s, x in rows]


def _pending(con: Any, role_skills: dict[str, set[str]], limit: int = 25) -> list[PendingLink]:
    from careeros.evidence.history import pending_links

    if not table_exists(con, "evidence_skill"):
        return []
    df = pending_links(con, limit)
    strong = {s for (s,) in con.execute("SELECT DISTINCT skill_id FROM evidence_skill WHERE valid_to IS NULL "
                                        "AND status IN ('auto', 'accepted')").fetchall()}
    out = []
    for r in df.iter_rows(named=True):
        out.append(PendingLink(link_id=r["link_id"], item_id=r["item_id"], skill_id=r["skill_id"],
                               skill_label=r.get("skill_label") or r["skill_id"], confidence=float(r["confidence"]),
                               source_type=r.get("source_type") or "", strength=r.get("strength"),
                               required_by=sorted(s for s, sk in role_skills.items() if r["skill_id"] in sk),
                               corroborated=r["skill_id"] in strong))
    return out


def _memory_hits(queries: list[tuple[str, list[str]]], k: int = 3) -> tuple[list[EvidenceHit], dict[str, str], int | None]:
    """Hybrid search per query (with skill filters when given); best hits first, one hit per chunk."""
    from careeros.memory.embedders import get_embedder
    from careeros.memory.search import Filters, search
    from careeros.memory.store import MemoryStore
    from careeros.settings import get_settings

    s = get_settings()
    if not s.memory_dir.is_dir():
        return [], {}, None
    emb = get_embedder()
    store = MemoryStore(s.memory_dir, emb.name, emb.dim)
    if not store.exists() or store.count() == 0:
        return [], {}, None
    version = int(store.table.version)
    hits: dict[str, EvidenceHit] = {}
    texts: dict[str, str] = {}
    for query, skills in queries:
        for h in search(store, emb, query, k=k, filters=Filters(skills=skills or None)):
            ref = f"memory:{h.chunk_id}@v{version}"
            if ref not in hits or hits[ref].score < h.score:
                hits[ref] = EvidenceHit(ref=ref, title=h.title, source_type=h.provenance.source_type,
                                        source_path=h.provenance.source_path, score=h.score, skill_ids=h.skill_ids,
                                        query=query)
                texts[ref] = h.text
    ordered = sorted(hits.values(), key=lambda x: (-x.score, x.ref))
    return ordered, texts, version


# ------------------------------------------------------------------------------------------ the person's evidence


def _first_sentence(text: str, limit: int = 160) -> str:
    """The first real sentence of a README (no headings, no metadata lines), cut at a word boundary."""
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if len(para) >= 30 and not para.startswith(("#", "Repository ", "Languages:", "Dependencies:", "Commits ")):
            m = re.match(r"(.+?[.!?])(\s|$)", para)
            out = m.group(1) if m else para
            if len(out) > limit:
                cut = out[:limit]
                out = (cut.rsplit(", ", 1)[0] if ", " in cut[limit // 2:] else cut.rsplit(" ", 1)[0]) + "..."
            return out
    return ""


def person_evidence(profile: Profile) -> tuple[list[Experience], list[ResumeBullet], list[WorkItem], str | None]:
    """(experience entries, ranked resume bullets, published work, current employer) from the evidence files.

    The newest resume (latest experience end, Markdown preferred) gives the current employer; bullets of every
    resume are merged, best first. Unreadable files are skipped (curate-evidence quarantines them).
    """
    from careeros.agents.resume import current_employer, parse_resume, rank_bullets
    from careeros.evidence.readers import discover, read_all

    items, _ = read_all(discover(profile.evidence_folders, profile.git_repos))
    resumes: list[tuple[tuple[int, int, float], list[Experience], list[ResumeBullet]]] = []
    works: list[WorkItem] = []
    for it in items:
        ref = f"evidence_item:{it.item_id}"
        if it.source_type == "resume":
            ex, bl = parse_resume(it.text, item_id=it.item_id, source_path=it.source_path)
            for b in bl:
                b.version_sha256 = it.version_sha256
            latest = max((e.end_year for e in ex), default=0)
            ts = it.content_at.timestamp() if it.content_at else 0.0
            resumes.append(((latest, int(it.source_path.endswith((".md", ".txt"))), ts), ex, bl))
        elif it.source_type == "publication":
            venue = str(it.metadata.get("venue") or "")
            works.append(WorkItem(kind="publication", title=it.title, summary=venue, item_id=it.item_id, ref=ref,
                                  year=str(it.metadata.get("year") or ""), version_sha256=it.version_sha256))
        elif it.source_type == "repo":
            works.append(WorkItem(kind="repository", title=it.title, summary=_first_sentence(it.text),
                                  item_id=it.item_id, ref=ref, version_sha256=it.version_sha256,
                                  year=str(it.content_at.year) if it.content_at else ""))
        elif it.source_type == "certificate":
            works.append(WorkItem(kind="certificate", title=it.title, item_id=it.item_id, ref=ref,
                                  version_sha256=it.version_sha256,
                                  year=str(it.content_at.year) if it.content_at else ""))
    resumes.sort(key=lambda r: r[0], reverse=True)
    experiences = resumes[0][1] if resumes else []
    bullets = rank_bullets(b for _, _, bl in resumes for b in bl)
    works.sort(key=lambda w: (w.kind != "publication", w.kind != "repository", -(int(w.year) if w.year.isdigit()
                                                                                  else 0), w.title))
    return experiences, bullets, works, current_employer(experiences)


def _curated_ids(warehouse: Path, bullets: list[ResumeBullet], works: list[WorkItem]) -> None:
    """Point citations at the curated evidence rows: item ids follow the file's path, the content hash does not.

    A home copied or moved elsewhere computes new item ids for the same files; the curated row with the same
    content version (``version_sha256``) is the one to cite.
    """
    ids = {b.item_id for b in bullets} | {w.item_id for w in works}
    if not ids:
        return
    with connect(warehouse, read_only=True) as con:
        if not table_exists(con, "evidence_item"):
            return
        known = {i for (i,) in con.execute("SELECT DISTINCT item_id FROM evidence_item WHERE item_id IN "
                                           "(SELECT unnest(?::VARCHAR[]))", [sorted(ids)]).fetchall()}
        missing = sorted(ids - known)
        if not missing:
            return
        version_of = {b.item_id: b.version_sha256 for b in bullets} | {w.item_id: w.version_sha256 for w in works}
        shas = {i: v for i, v in version_of.items() if i in missing and v}
        rows = con.execute("SELECT version_sha256, item_id FROM evidence_item WHERE valid_to IS NULL AND "
                           "version_sha256 IN (SELECT unnest(?::VARCHAR[]))", [sorted(set(shas.values()))]).fetchall()
    by_sha = dict(rows)
    remap = {i: by_sha[s] for i, s in shas.items() if s in by_sha}
    for b in bullets:
        b.item_id = remap.get(b.item_id, b.item_id)
    for w in works:
        if w.item_id in remap:
            w.item_id = remap[w.item_id]
            w.ref = f"evidence_item:{w.item_id}"


def person_facts(profile: Profile, plan: PlanFact, roles: list[RoleFact], experiences: list[Experience],
                 employer: str | None) -> PersonFacts:
    """The person in their own words: target titles per role, hours, horizon, current role and employer, field."""
    from careeros.agents.fields import field_for

    own = {r.soc_code: r.title for r in profile.target_roles if r.soc_code}
    titles = {r.soc_code: own.get(r.soc_code) or r.title or r.soc_code for r in roles}
    # the plan keeps the profile's order; titles without a resolved code follow it
    for r, t in zip(roles, profile.target_roles, strict=False):
        if r.soc_code not in own and t.title.lower() not in {v.lower() for v in own.values()}:
            titles[r.soc_code] = t.title
    first = roles[0].soc_code if roles else None
    f = field_for(first)
    cur = next((e for e in experiences if e.company == employer), experiences[0] if experiences else None)
    return PersonFacts(name=profile.name, goal=profile.goal.statement, target_titles=[t.title for t in profile.target_roles],
                       role_titles=titles, weekly_hours=plan.weekly_hours, horizon_weeks=plan.horizon_weeks,
                       current_title=cur.title if cur else None, current_employer=employer, field=f.key,
                       software=f.software)


def gather(home: Path, profile: Profile, run_id: str, plan: Plan | None = None, memory: bool = True) -> Facts:
    """Read the plan, gaps, role skills and tasks, postings, contacts, pending links and memory hits."""
    plan = plan or stored_plan(home, profile, run_id)
    contacts, notes, skipped = load_contacts(profile.contacts_file)
    from careeros.memory.context import refresh_week

    with connect(warehouse_file(home)) as con:
        refresh_week(con)  # this week's decisions and check-ins as short-term context
    if skipped:
        log.warning("contacts: %d rows skipped (%s)", len(skipped), "; ".join(skipped[:3]))
    with connect(warehouse_file(home), read_only=True) as con:
        roles, role_skills = _roles(con, plan)
        socs = [r.soc_code for r in roles]
        tasks = {soc: [TaskStatement(soc_code=soc, task_id=str(t), task=x) for t, x in con.execute(
            "SELECT task_id, task FROM onet_task WHERE soc_code = ? ORDER BY (task_type = 'Core') DESC NULLS LAST, "
            "incumbents_responding DESC NULLS LAST, task_id LIMIT 20", [soc]).fetchall()] for soc in socs}
        postings = _postings(con, socs, [c.company for c in contacts if c.company])
        plan_skills = sorted({sid for w in plan.weeks for t in w.tasks for sid in t.skill_ids})
        skill_labels = dict(con.execute("SELECT skill_id, label FROM graph_skill WHERE skill_id IN "
                                        "(SELECT unnest(?::VARCHAR[]))", [plan_skills or [""]]).fetchall())
        pending = _pending(con, {s: {g.skill_id for g in role_skills[s]} | {g.skill_id for r in roles
                                                                           if r.soc_code == s for g in r.gaps}
                                 for s in socs})
        recent = _recent_context(con)
    queries: list[tuple[str, list[str]]] = []
    if memory:
        first = roles[0].soc_code if roles else None
        for g in (role_skills.get(first, []) if first else [])[:8]:
            queries.append((g.label, []))
        queries.append((profile.goal.statement, []))
    hits, texts, version = _memory_hits(queries) if queries else ([], {}, None)
    experiences, bullets, works, employer = person_evidence(profile)
    _curated_ids(warehouse_file(home), bullets, works)
    pf = plan_fact(plan)
    return Facts(
        person=profile.name, goal=profile.goal.statement, plan=pf, roles=roles, role_skills=role_skills,
        tasks=tasks, contacts=contacts, contact_notes=notes,
        postings=[{k: v for k, v in p.items() if k != "text"} for p in postings],
        posting_texts={p["posting_id"]: p["text"] for p in postings}, evidence=hits, chunk_texts=texts,
        pending_links=pending, memory_version=version,
        contacts_file=str(profile.contacts_file) if profile.contacts_file else None,
        target_titles=[r.title for r in profile.target_roles],
        profile=person_facts(profile, pf, roles, experiences, employer), experiences=experiences, bullets=bullets,
        works=works, skill_labels=skill_labels, recent=recent)


def _recent_context(con: Any, k: int = 5) -> list[str]:
    """Short-term context of this week and the last, best first (none before migration 10)."""
    from datetime import UTC, datetime, timedelta

    from careeros.memory.context import recent, week_scope

    if not table_exists(con, "context_buffer"):
        return []
    now = datetime.now(UTC)
    return [e.text for e in recent(con, [week_scope(now), week_scope(now - timedelta(days=7))], as_of=now, k=k)]


# ------------------------------------------------------------------------------------------ citations


def resolve(refs: list[str], home: Path, contacts_file: str | None = None) -> dict[str, bool]:
    """Whether each citation names a real row (warehouse, memory version, contacts file)."""
    out: dict[str, bool] = {}
    contacts = {c.contact_id for c in load_contacts(Path(contacts_file) if contacts_file else None)[0]}
    store = None
    with connect(warehouse_file(home), read_only=True) as con:
        for ref in refs:
            kind, _, rest = ref.partition(":")
            ok = False
            try:
                if kind == "graph_occupation_skill":
                    soc, _, skill = rest.partition("/")
                    ok = _exists(con, "SELECT 1 FROM graph_occupation_skill WHERE soc_code = ? AND skill_id = ?", [soc, skill])
                elif kind == "market_value":
                    skill, _, soc = rest.partition("/")
                    ok = table_exists(con, "market_value") and _exists(
                        con, "SELECT 1 FROM market_value WHERE skill_id = ? AND soc_code = ?", [skill, soc])
                elif kind == "plan_task":
                    pid, _, tid = rest.partition("/")
                    ok = _exists(con, "SELECT 1 FROM plan_task WHERE plan_id = ? AND task_id = ?", [pid, tid])
                elif kind == "plan":
                    pid, _, ver = rest.partition("@v")
                    ok = _exists(con, "SELECT 1 FROM plan_version WHERE plan_id = ? AND version = ?", [pid, int(ver)])
                elif kind == "onet_task":
                    soc, _, tid = rest.partition("/")
                    ok = _exists(con, "SELECT 1 FROM onet_task WHERE soc_code = ? AND task_id = ?", [soc, tid])
                elif kind == "evidence_item":
                    ok = table_exists(con, "evidence_item") and _exists(
                        con, "SELECT 1 FROM evidence_item WHERE item_id = ?", [rest])
                elif kind == "evidence_skill":
                    ok = _exists(con, "SELECT 1 FROM evidence_skill WHERE link_id = ?", [rest])
                elif kind == "posting":
                    ok = _exists(con, "SELECT 1 FROM posting WHERE posting_id = ?", [rest])
                elif kind == "contact":
                    ok = rest in contacts
                elif kind == "memory":
                    chunk, _, ver = rest.partition("@v")
                    store = store or _store()
                    ok = store is not None and _chunk_at(store, chunk, int(ver))
            except Exception:  # noqa: BLE001 - a malformed reference does not resolve
                ok = False
            out[ref] = ok
    return out


def _exists(con: Any, sql: str, params: list[Any]) -> bool:
    return con.execute(sql + " LIMIT 1", params).fetchone() is not None


def _store() -> Any:
    from careeros.memory.embedders import get_embedder
    from careeros.memory.store import MemoryStore
    from careeros.settings import get_settings

    s = get_settings()
    emb = get_embedder()
    st = MemoryStore(s.memory_dir, emb.name, emb.dim)
    return st if st.exists() else None


def _chunk_at(store: Any, chunk_id: str, version: int) -> bool:
    """True when the chunk exists in the given table version."""
    import lancedb

    tbl = lancedb.connect(str(store.memory_dir)).open_table(store.name)
    tbl.checkout(version)
    safe = chunk_id.replace("'", "''")
    return tbl.count_rows(f"chunk_id = '{safe}'") > 0


def facts_json(f: Facts) -> str:
    """A compact JSON dump of the trusted facts (for the run folder)."""
    return json.dumps({"person": f.person, "goal": f.goal, "plan": f"{f.plan.plan_id}@v{f.plan.version}",
                       "roles": [r.soc_code for r in f.roles], "contacts": len(f.contacts),
                       "postings": len(f.postings), "evidence_hits": len(f.evidence),
                       "pending_links": len(f.pending_links), "memory_version": f.memory_version}, indent=2)
