"""Evidence -> skill links with calibrated-ish confidence.

Three independent facts per (item, skill):
* extraction - the skill extractor's score for the best surface match (curated technology 0.95, ESCO 0.5...),
* semantic similarity - cosine between the skill's label/description vector and the chunks that mention it,
* evidence strength - what kind of evidence mentions it: a declared repo dependency or the repo's languages
  outweigh a merged commit, which outweighs a README, a publication, a certificate, a resume keyword, a note.

confidence = sigmoid(-4.0 + 2.0 * extraction + 3.0 * strength + 1.5 * similarity + 0.5 * ln(mentions))

The coefficients were set so that the operating points mean what the statuses say (see docs/memory.md):
a dependency declared in a repo manifest lands near 0.85-0.9 (auto-accepted), a skill named once in a resume
near 0.45-0.55 and three times near 0.6-0.65 (waits for review), a single keyword in a note below 0.45.
A weaker link whose skill is already shown by another item (a repo, a publication, a human acceptance) is
*corroborated* (+0.8 on the logit): a resume claim backed by code is auto-accepted, an unbacked claim waits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from careeros.evidence.models import Chunk, EvidenceItem, LinkCandidate, short_hash
from careeros.evidence.readers import PACKAGE_LABELS

AUTO_ACCEPT = 0.70
MIN_LINK = 0.40
#: a skill named outright (exact technology/concept name) in the person's own resume needs no review
NAMED_IN_RESUME = 0.90
#: ... unless every mention is qualified as still being learned ("PyTorch (learning)")
LEARNING_CONFIDENCE = 0.45
#: a skill mention qualified as still being learned ("PyTorch (learning)") or aimed at ("moving into ML")
LEARNING_AFTER = re.compile(r"^\s*[(\[,–—-]?\s*(?:currently\s+)?(?:learning|basic|beginner|basics|familiar|familiarity|"
                       r"exposure|in progress|studying|some exposure|entry[- ]level)\b", re.IGNORECASE)
ASPIRING_BEFORE = re.compile(r"(?:moving into|move into|moving towards?|move towards?|transition(?:ing)? (?:in)?to|aspir\w+ to|want to|aim(?:ing)? to|"
                       r"hope to|plan to|goal is to|interested in|curious about|deepening|currently learning|learning|"
                       r"studying|beginner in|new to|getting into|exploring|looking to|hoping to|eager to|keen to|"
                       r"would like to|seeking (?:a|an|to|the|my))\s+(?:[\w/+#.-]+\s+){0,3}$", re.IGNORECASE)
#: ... or an aim that carries what the person has somewhere new: "Looking to move my routing and security background
#: into cloud networking" (an aim, then up to six words, then "into"; "moved 40 servers into AWS" is work done)
ASPIRING_CARRY_BEFORE = re.compile(
    r"\b(?:looking|hoping|want(?:ing)?|aim(?:ing)?|eager|keen|plan(?:ning)?|ready|excited|seeking) to "
    r"(?:move|bring|take|carry|shift|pivot|transition|grow|extend|apply)\s+(?:[\w/+#.,'-]+\s+){0,6}"
    r"(?:in)?to\s+(?:[\w/+#.-]+\s+){0,2}$", re.IGNORECASE)
#: a credential (license, certification) named in a resume is the person's own unless the text names someone else who
#: holds it: "hand the trial balance to the outside CPA", "reviewed by our CPA"
CREDENTIAL_LABEL = re.compile(r"\b(?:licen[cs]e|licensing|licensure|certification|certified|credential)\b", re.I)
OTHERS_CREDENTIAL_BEFORE = re.compile(
    r"(?:\b(?:to|by|from)\s+(?:the|our|their|an?)\s+(?:[\w-]+\s+)?|\bwith\s+(?:the|our|their)\s+(?:[\w-]+\s+)?"
    r"|\b(?:outside|external)\s+)$", re.I)


def learning_context(text: str, start: int, end: int) -> bool:
    """True when a skill mention is qualified as still being learned or only aimed at.

    "PyTorch (learning)", "basic SQL", "moving into machine learning", "I am deepening PyTorch and MLOps".
    """
    return bool(LEARNING_AFTER.match(text[end:end + 40]) or ASPIRING_BEFORE.search(text[max(0, start - 60):start])
                or ASPIRING_CARRY_BEFORE.search(text[max(0, start - 120):start]))


#: a credential mention that names the exam, its parts or the coursework towards it, not the credential held: "CPA
#: exam: passed FAR and AUD", "Passed CPA exam sections FAR and AUD", "CRCM coursework in progress", "PMP candidate"
CREDENTIAL_PART_AFTER = re.compile(
    r"^[\s:,(–—-]{0,4}(?:exam\b|examination|sections?\b|parts?\s+(?:i|1|one)\b|candidate|candidacy|eligible|eligibility|"
    r"coursework|course\s*work|track\b|prep\b|preparation|review course|in progress|pending|expected|"
    r"level\s+(?:i|ii|1|2|one|two)\s+(?:candidate|passed)|\d+\s+of\s+\d+)", re.IGNORECASE)
CREDENTIAL_PART_SURFACE = re.compile(r"\b(?:exam|examination|candidate|eligible|coursework|track)$", re.IGNORECASE)
CREDENTIAL_PART_BEFORE = re.compile(
    r"(?:pursuing|working\s+(?:towards?|on)|preparing\s+for|studying\s+for|sitting\s+for|sit\s+for|candidate\s+for|"
    r"eligible\s+(?:for|to\s+sit\s+for)|enrolled\s+in)\s+(?:the\s+|an?\s+)?$", re.IGNORECASE)


def credential_in_progress(label: str, text: str, start: int, end: int) -> bool:
    """True when a credential mention names the way to it (its exam, sections, coursework), not the credential held.

    "CPA exam: passed FAR and AUD" is two of four sections: the CPA licence is still a gap, though a smaller one. Only
    for credentials (``CREDENTIAL_LABEL`` in the label); "exam" after a skill ("patient exam") says nothing of it.
    """
    if not CREDENTIAL_LABEL.search(label):
        return False
    return bool(CREDENTIAL_PART_SURFACE.search(text[start:end]) or CREDENTIAL_PART_AFTER.match(text[end:end + 40])
                or CREDENTIAL_PART_BEFORE.search(text[max(0, start - 40):start]))


def others_credential(label: str, text: str, start: int) -> bool:
    """True when a credential mention at ``start`` names someone else's ("the outside CPA"), not the person's."""
    return bool(CREDENTIAL_LABEL.search(label) and OTHERS_CREDENTIAL_BEFORE.search(text[max(0, start - 30):start]))


COEF = {"bias": -4.0, "extraction": 2.0, "strength": 3.0, "similarity": 1.5, "mentions": 0.5, "corroborated": 0.8}
STRENGTH = {
    "dependency": 1.0, "language": 0.95, "merged_commit": 0.9, "commit": 0.85, "readme": 0.75,
    "publication": 0.75, "certificate": 0.7, "resume": 0.5, "note": 0.35,
}


def link_id(item_id: str, skill_id: str) -> str:
    """Stable id of the (item, skill) link across item versions (human decisions attach to it)."""
    return short_hash(item_id, skill_id, n=16)


def confidence(extraction: float, strength: float, similarity: float, mentions: int,
               corroborated: bool = False) -> float:
    """The link confidence in [0, 1] from the three facts (see module docstring);

    ``corroborated`` = the same skill is already backed by stronger evidence of another item (auto-accepted or
    human-accepted).
    """
    z = (COEF["bias"] + COEF["extraction"] * extraction + COEF["strength"] * strength
         + COEF["similarity"] * max(similarity, 0.0) + COEF["mentions"] * math.log(max(mentions, 1))
         + (COEF["corroborated"] if corroborated else 0.0))
    return 1.0 / (1.0 + math.exp(-z))


@dataclass
class _Acc:
    label: str
    kind: str
    taxonomy: str
    extraction: float = 0.0
    strength_name: str = "note"
    mentions: int = 0
    chunks: set[int] = field(default_factory=set)
    surfaces: list[str] = field(default_factory=list)
    learning: int = 0

    def add(self, score: float, strength: str, chunk: int | None, surface: str, learning: bool = False) -> None:
        self.extraction = max(self.extraction, score)
        if STRENGTH[strength] > STRENGTH[self.strength_name]:
            self.strength_name = strength
        self.mentions += 1
        self.learning += int(learning)
        if chunk is not None:
            self.chunks.add(chunk)
        if surface and surface not in self.surfaces and len(self.surfaces) < 3:
            self.surfaces.append(surface)


def _repo_strength(line: str) -> str:
    if line.startswith("- "):
        return "merged_commit" if re.search(r"\bmerge[sd]?\b|pull request|\bPR\b", line, re.IGNORECASE) else "commit"
    return "readme"


def signal_texts(item: EvidenceItem) -> dict[str, str]:
    """Structured repo facts as extractor-friendly lists: {"dependency": "...", "language": "..."}."""
    deps = [PACKAGE_LABELS.get(s.value, s.value.rsplit("/", 1)[-1]) for s in item.signals if s.kind == "dependency"]
    langs = [s.value for s in item.signals if s.kind == "language"]
    out = {}
    if deps:
        out["dependency"] = "Technologies used: " + ", ".join(dict.fromkeys(deps)) + "."
    if langs:
        out["language"] = "Programming languages: " + ", ".join(langs) + "."
    return out


class SkillVectors:
    """Vectors of skill reference texts ("label: description"), embedded once per skill and cached."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], describe: Callable[[list[str]], dict[str, str]]):
        self.embed, self.describe = embed, describe
        self.cache: dict[str, np.ndarray] = {}

    def get(self, skills: dict[str, str]) -> dict[str, np.ndarray]:
        """skill_id -> vector for the given {skill_id: label}."""
        missing = [s for s in skills if s not in self.cache]
        if missing:
            desc = self.describe(missing)
            texts = [f"{skills[s]}: {desc.get(s) or ''}".strip(": ")[:400] for s in missing]
            for s, v in zip(missing, self.embed(texts), strict=True):
                self.cache[s] = v
        return {s: self.cache[s] for s in skills}


def link_item(item: EvidenceItem, chunks: list[Chunk], vectors: np.ndarray, extractor: Any,
              skill_vectors: SkillVectors, min_link: float = MIN_LINK, auto_accept: float = AUTO_ACCEPT,
              ) -> list[LinkCandidate]:
    """Link candidates of one item version (confidence >= ``min_link``), best first."""
    acc: dict[str, _Acc] = {}
    for ch in chunks:
        for m in extractor.extract(ch.text):
            if others_credential(m.label, ch.text, m.start):
                continue
            a = acc.setdefault(m.skill_id, _Acc(m.label, m.kind, m.taxonomy))
            if item.source_type == "repo":
                line_start = ch.text.rfind("\n", 0, m.start) + 1
                line = ch.text[line_start: ch.text.find("\n", m.end) if "\n" in ch.text[m.end:] else len(ch.text)]
                strength = ("dependency" if line.startswith("Dependencies:") else
                            "language" if line.startswith("Languages:") else _repo_strength(line))
            else:
                strength = item.source_type
            a.add(m.score, strength, ch.index, m.text, learning_context(ch.text, m.start, m.end)
                  or credential_in_progress(m.label, ch.text, m.start, m.end))
    for strength, text in signal_texts(item).items():
        for m in extractor.extract(text):
            acc.setdefault(m.skill_id, _Acc(m.label, m.kind, m.taxonomy)).add(m.score, strength, None, m.text)
    if not acc:
        return []
    svec = skill_vectors.get({s: a.label for s, a in acc.items()})
    out = []
    for sid, a in acc.items():
        idx = sorted(a.chunks) or list(range(len(chunks)))
        sim = float(np.max(vectors[idx] @ svec[sid])) if len(idx) and len(vectors) else 0.0
        conf = confidence(a.extraction, STRENGTH[a.strength_name], sim, a.mentions)
        if a.strength_name == "resume" and a.extraction >= 0.75:
            # named outright in the person's own resume: evidenced, no review (unless only "learning")
            conf = LEARNING_CONFIDENCE if a.learning >= a.mentions else max(conf, NAMED_IN_RESUME)
        if conf < min_link:
            continue
        out.append(LinkCandidate(
            link_id=link_id(item.item_id, sid), item_id=item.item_id, version_sha256=item.version_sha256,
            skill_id=sid, skill_label=a.label, confidence=round(conf, 4), strength=a.strength_name,
            method="extractor+similarity",
            features={"extraction": round(a.extraction, 4), "strength": STRENGTH[a.strength_name],
                      "similarity": round(sim, 4), "mentions": a.mentions, "surfaces": a.surfaces,
                      "chunks": sorted(a.chunks), "kind": a.kind, "taxonomy": a.taxonomy},
            status="auto" if conf >= auto_accept else "pending"))
    out.sort(key=lambda c: (-c.confidence, c.skill_id))
    return out


def corroborate(links: list[LinkCandidate], strong_elsewhere: dict[str, str],
                auto_accept: float = AUTO_ACCEPT) -> list[LinkCandidate]:
    """Raise weaker links whose skill is backed by another item's auto/accepted link (``skill_id ->.

    Item_id``), including links of this same run; a skill that is only ever claimed (never shown) stays for
    review.
    """
    strong = dict(strong_elsewhere)
    for c in links:
        if c.status == "auto":
            strong.setdefault(c.skill_id, c.item_id)
    out = []
    for c in links:
        other = strong.get(c.skill_id)
        if c.status == "auto" or other is None or other == c.item_id:
            out.append(c)
            continue
        f = c.features
        conf = confidence(f["extraction"], f["strength"], f["similarity"], f["mentions"], corroborated=True)
        out.append(c.model_copy(update={
            "confidence": round(conf, 4), "status": "auto" if conf >= auto_accept else "pending",
            "features": {**f, "corroborated_by": other}}))
    out.sort(key=lambda c: (-c.confidence, c.skill_id))
    return out
