"""Typed inputs and outputs of the role agents.

Every output carries ``confidence`` in [0, 1] and ``rationale``: citations of the facts it rests on, by
provenance id (see :mod:`careeros.agents.citations`). Inputs hold trusted facts only; third-party text
(postings, contact notes, evidence chunks such as READMEs) travels next to them as ``untrusted`` data.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AgentName = Literal["strategist", "curriculum", "producer", "outreach", "interview_prep", "evidence_curator"]
AGENT_NAMES: tuple[AgentName, ...] = ("strategist", "curriculum", "producer", "outreach", "interview_prep",
                                      "evidence_curator")


class Citation(BaseModel):
    """A fact an output rests on, by provenance id.

    Forms: ``graph_occupation_skill:<soc>/<skill_id>``, ``market_value:<skill_id>/<soc>``,
    ``plan_task:<plan_id>/<task_id>``, ``plan:<plan_id>@v<version>``, ``onet_task:<soc>/<task_id>``,
    ``memory:<chunk_id>@v<table version>``, ``evidence_skill:<link_id>``, ``contact:<contact_id>``,
    ``posting:<posting_id>``.
    """

    model_config = ConfigDict(extra="ignore")

    ref: str = Field(min_length=3, max_length=300)
    note: str = Field(default="", max_length=500)


class AgentOutput(BaseModel):
    """Fields every agent output has."""

    model_config = ConfigDict(extra="ignore")  # keys such as "approved" or "send" in a model answer are dropped

    confidence: float = Field(ge=0, le=1)
    rationale: list[Citation] = Field(default_factory=list)
    insufficient_data: list[str] = Field(default_factory=list, description="what was missing (lowers confidence)")


# ------------------------------------------------------------------------------------------ shared facts


class RoleFact(BaseModel):
    """A target role with its coverage and largest gaps."""

    soc_code: str
    title: str | None = None
    coverage_before: float = 0.0
    coverage_expected: float = 0.0
    gaps: list[GapFact] = Field(default_factory=list)


class GapFact(BaseModel):
    """One gap of a role (a cited graph edge)."""

    skill_id: str
    label: str
    kind: str
    size: float
    status: str
    market_value: float
    market_value_cited: bool = False
    edge: bool = Field(default=True, description="the role's graph edge exists (citable as graph_occupation_skill)")
    reason: str = ""


class TaskFact(BaseModel):
    """One plan task (cited as ``plan_task:<plan_id>/<task_id>``)."""

    task_id: str
    week: int
    start: str
    kind: str
    title: str
    hours: float
    skill_ids: list[str] = Field(default_factory=list)
    artifact_id: str | None = None
    depends_on: list[str] = Field(default_factory=list)
    done: str = ""
    evidence: str = ""


class PlanFact(BaseModel):
    """The stored plan the agents work from."""

    plan_id: str
    version: int
    status: str
    goal: str
    strategy: str
    weekly_hours: float
    horizon_weeks: int
    risk_level: str
    stretch_share: float
    overrun_p80_hours: float
    work_hours: float
    deferred: list[str] = Field(default_factory=list)
    tasks: list[TaskFact] = Field(default_factory=list)
    artifacts: list[dict[str, object]] = Field(default_factory=list)
    alternatives: list[str] = Field(default_factory=list)


class EvidenceHit(BaseModel):
    """A memory chunk found for a query (its text is untrusted and is passed separately)."""

    ref: str  # memory:<chunk_id>@v<version>
    title: str
    source_type: str
    source_path: str
    score: float
    skill_ids: list[str] = Field(default_factory=list)
    query: str = ""


class Experience(BaseModel):
    """One experience entry of the resume (title, employer, period)."""

    title: str
    company: str = ""
    period: str = ""
    current: bool = False
    end_year: int = 0


class ResumeBullet(BaseModel):
    """One accomplishment bullet of the resume's experience or projects section (the person's own words)."""

    text: str
    section: Literal["experience", "projects"] = "experience"
    role: str = ""
    company: str = ""
    period: str = ""
    current: bool = False
    quantified: bool = False
    action_verb: bool = False
    score: float = 0.0
    order: int = 0
    item_id: str = ""
    source_path: str = ""
    version_sha256: str = Field(default="", description="content version of the resume it comes from")

    @property
    def ref(self) -> str:
        """Citation of the resume the bullet comes from (``evidence_item:<item_id>``)."""
        return f"evidence_item:{self.item_id}" if self.item_id else ""


class WorkItem(BaseModel):
    """A piece of the person's published or documented work (publication, repository, certificate, note)."""

    kind: str
    title: str
    summary: str = ""
    item_id: str = ""
    ref: str = ""
    year: str = ""
    skill_ids: list[str] = Field(default_factory=list)
    version_sha256: str = ""


class PersonFacts(BaseModel):
    """Who the person is, in their own words: name, own role titles, goal, hours, employer, evidence."""

    name: str
    goal: str
    target_titles: list[str] = Field(default_factory=list)
    role_titles: dict[str, str] = Field(default_factory=dict, description="soc -> the person's own title for it")
    weekly_hours: float = 0.0
    horizon_weeks: int = 12
    current_title: str | None = None
    current_employer: str | None = None
    field: str = "business"
    software: bool = False


# ------------------------------------------------------------------------------------------ strategist


class StrategistInput(BaseModel):
    """Goal, plan and gaps."""

    goal: str
    plan: PlanFact
    roles: list[RoleFact]
    person: PersonFacts | None = None
    recent: list[str] = Field(default_factory=list, description="Short-term context: the person's recent "
                              "decisions and check-ins, most relevant first (recency x reliability).")


class Milestone(BaseModel):
    """A monthly milestone with the plan's verification points."""

    month: int
    title: str
    weeks: list[int]
    deliverables: list[str]
    verification: list[str]
    task_refs: list[str] = Field(default_factory=list)


class RiskItem(BaseModel):
    """A risk and what to do about it."""

    risk: str
    likelihood: Literal["low", "medium", "high"]
    mitigation: str


class StrategistOutput(AgentOutput):
    """Quarterly milestones and risks with mitigations."""

    focus: str
    milestones: list[Milestone]
    risks: list[RiskItem]
    why: list[str] = Field(default_factory=list, description="the focus explained in the person's own terms")


# ------------------------------------------------------------------------------------------ curriculum


class CurriculumInput(BaseModel):
    """Plan tasks and gaps."""

    plan: PlanFact
    roles: list[RoleFact]
    person: PersonFacts | None = None
    tasks: dict[str, list[TaskStatement]] = Field(default_factory=dict, description="soc -> O*NET tasks")
    skill_labels: dict[str, str] = Field(default_factory=dict, description="skill id -> label")


class CurriculumStep(BaseModel):
    """One learning or project step and the evidence it leaves."""

    order: int
    week: int
    kind: Literal["learn", "project", "publish"]
    title: str
    skills: list[str]
    hours: float
    evidence_created: str
    after: list[str] = Field(default_factory=list)
    task_ref: str


class LearningPath(BaseModel):
    """How to close one gap: topics in order, the practice, and the checkpoint that shows it is closed."""

    skill: str
    skill_ref: str
    role: str
    topics: list[str]
    practice: str
    checkpoint: str
    weeks: list[int] = Field(default_factory=list)
    hours: float = 0.0
    task_refs: list[str] = Field(default_factory=list)


class CurriculumOutput(AgentOutput):
    """Learning and project tasks in dependency order, and a learning path per gap."""

    steps: list[CurriculumStep]
    paths: list[LearningPath] = Field(default_factory=list)
    skills_without_evidence_path: list[str] = Field(default_factory=list)


# ------------------------------------------------------------------------------------------ producer


class ProducerInput(BaseModel):
    """The plan's artifacts and the person's name."""

    person: str
    plan: PlanFact
    roles: list[RoleFact]
    profile: PersonFacts | None = None


class ArtifactBrief(BaseModel):
    """What to build, how the repository starts, and when it is done."""

    artifact_id: str
    title: str
    kind: str
    scope: str
    skills: list[str]
    repo_name: str
    readme: str
    acceptance: list[str]
    weeks: list[int]
    workspace: Literal["repository", "folder"] = Field(
        default="repository", description="where the work lives: a code repository (software) or a folder")


class ProducerOutput(AgentOutput):
    """Artifact briefs."""

    briefs: list[ArtifactBrief]


# ------------------------------------------------------------------------------------------ outreach


class ContactFact(BaseModel):
    """A contact from the person's own file (notes are untrusted and passed separately)."""

    contact_id: str
    name: str
    email: str
    relation: str = ""
    company: str = ""
    role: str = ""


class OutreachInput(BaseModel):
    """The person, target roles, own contacts and the companies hiring for the targets."""

    person: str
    goal: str
    target_titles: list[str] = Field(default_factory=list, description="the person's own target role titles")
    roles: list[RoleFact]
    contacts: list[ContactFact]
    highlights: list[EvidenceHit] = Field(default_factory=list)
    max_drafts: int = 8
    profile: PersonFacts | None = None
    works: list[WorkItem] = Field(default_factory=list, description="the person's published work")
    bullets: list[ResumeBullet] = Field(default_factory=list, description="best resume bullets, best first")


class RankedContact(BaseModel):
    """A contact with its relevance score and why."""

    contact_id: str
    name: str
    company: str
    score: float = Field(ge=0, le=1)
    reasons: list[str]


class MessageDraft(BaseModel):
    """A message draft (never sent by an agent)."""

    contact_id: str
    to: str
    subject: str
    body: str
    evidence_ref: str = Field(default="", description="the work or resume item the draft mentions")


class OutreachOutput(AgentOutput):
    """Ranked contacts and message drafts."""

    ranked: list[RankedContact]
    drafts: list[MessageDraft]


# ------------------------------------------------------------------------------------------ interview prep


class TaskStatement(BaseModel):
    """An O*NET task of the target role."""

    soc_code: str
    task_id: str
    task: str


class InterviewInput(BaseModel):
    """The target role's tasks and skills and the best evidence hits per skill."""

    role: RoleFact
    tasks: list[TaskStatement]
    skills: list[GapFact]
    evidence: list[EvidenceHit]
    bullets: list[ResumeBullet] = Field(default_factory=list, description="resume bullets, best first")
    person: PersonFacts | None = None


class Question(BaseModel):
    """A likely interview question."""

    question: str
    kind: Literal["task", "skill", "gap"]
    source_ref: str
    evidence_refs: list[str] = Field(default_factory=list)


class StarStory(BaseModel):
    """A STAR story outline mapped from an evidence chunk."""

    title: str
    evidence_ref: str
    skills: list[str]
    situation: str
    task: str
    action: str
    result: str
    source_text: str = Field(default="", description="the resume bullet the story is drawn from, verbatim")
    answers: list[str] = Field(default_factory=list, description="the questions this story answers")


class InterviewOutput(AgentOutput):
    """Question bank and STAR stories."""

    role: str
    questions: list[Question]
    stories: list[StarStory]
    weak_spots: list[str]


# ------------------------------------------------------------------------------------------ evidence curator


class PendingLink(BaseModel):
    """A link waiting for review."""

    link_id: str
    item_id: str
    skill_id: str
    skill_label: str
    confidence: float
    source_type: str = ""
    strength: str | None = None
    required_by: list[str] = Field(default_factory=list, description="target roles that need the skill")
    corroborated: bool = False


class CuratorInput(BaseModel):
    """Pending links with their context."""

    links: list[PendingLink]
    role_titles: dict[str, str] = Field(default_factory=dict, description="soc -> the person's own title")


class LinkProposal(BaseModel):
    """A proposed review decision (applied only by a person in the curate-evidence review)."""

    link_id: str
    skill_id: str
    proposal: Literal["accept", "reject", "defer"]
    reason: str
    skill_label: str = ""


class CuratorOutput(AgentOutput):
    """Proposals for the evidence review."""

    proposals: list[LinkProposal]


RoleFact.model_rebuild()
CurriculumInput.model_rebuild()
