"""Canonical, human labels for O*NET technology examples (plus the careeros alias table).

Rule (applied when ``data/skill_aliases.yaml`` has no override for the example):

1. A trailing parenthetical becomes an alias: ``"AWS Elastic MapReduce (EMR)"`` -> alias ``EMR``.
2. Trailing generic words are dropped: ``software``, ``programming language``.
3. An embedded acronym whose letters are the initials of the words before it is split off:
   a descriptive (lower-case) expansion yields the acronym as label (``"Structured query language SQL"`` ->
   ``SQL``); a proper-noun expansion keeps the name and the acronym becomes an alias
   (``"Amazon Web Services AWS"`` -> ``Amazon Web Services`` + alias ``AWS``).
4. A known vendor prefix is dropped when what remains is a distinctive product name
   (``"The MathWorks MATLAB"`` -> ``MATLAB``, ``"Apache Kafka"`` -> ``Kafka``) but kept when the remainder is a
   generic word (``"Microsoft Word"``, ``"Google Docs"``).

The override table then sets what practitioners actually write (``AWS``, ``GCP``, ``Postgres``, ``k8s``...).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from careeros.resources import data_path, load_yaml

#: Default location of the alias/override table (repository ``data/`` folder).
DEFAULT_ALIASES_PATH = data_path("skill_aliases.yaml")
#: concept-level skills, the skill hierarchy and alternatives (see the file's header)
DEFAULT_CONCEPTS_PATH = data_path("skill_concepts.yaml")
#: more entries of its ``concepts`` list, read after it as one list (split only to keep each file small)
CONCEPT_PARTS = (DEFAULT_CONCEPTS_PATH, data_path("skill_concepts_2.yaml"), data_path("skill_concepts_3.yaml"),
                 data_path("skill_concepts_4.yaml"), data_path("skill_concepts_5.yaml"), data_path("skill_concepts_6.yaml"),
                 data_path("skill_concepts_7.yaml"),
                 data_path("skill_concepts_8.yaml"), data_path("skill_concepts_9.yaml"),
                 data_path("skill_concepts_10.yaml"), data_path("skill_concepts_11.yaml"),
                 data_path("skill_concepts_12.yaml"), data_path("skill_concepts_13.yaml"),
                 data_path("skill_concepts_14.yaml"), data_path("skill_concepts_15.yaml"),
                 data_path("skill_concepts_16.yaml"), data_path("skill_concepts_17.yaml"),
                 data_path("skill_concepts_18.yaml"), data_path("skill_concepts_19.yaml"),
                 data_path("skill_concepts_20.yaml"), data_path("skill_concepts_21.yaml"),
                 data_path("skill_concepts_22.yaml"), data_path("skill_concepts_23.yaml"),
                 data_path("skill_concepts_24.yaml"), data_path("skill_concepts_25.yaml"),
                 data_path("skill_concepts_26.yaml"), data_path("skill_concepts_27.yaml"),
                 data_path("skill_concepts_28.yaml"), data_path("skill_concepts_29.yaml"),
                 data_path("skill_concepts_30.yaml"), data_path("skill_concepts_31.yaml"),
                 data_path("skill_concepts_32.yaml"), data_path("skill_concepts_33.yaml"),
                 data_path("skill_concepts_34.yaml"), data_path("skill_concepts_35.yaml"),
                 data_path("skill_concepts_36.yaml"),
                 data_path("skill_concepts_37.yaml"), data_path("skill_concepts_38.yaml"),
                 data_path("skill_concepts_39.yaml"), data_path("skill_concepts_40.yaml"),
                 data_path("skill_concepts_41.yaml"), data_path("skill_concepts_42.yaml"),
                 data_path("skill_concepts_43.yaml"), data_path("skill_concepts_44.yaml"),
                 data_path("skill_concepts_45.yaml"), data_path("skill_concepts_46.yaml"),
                 data_path("skill_concepts_47.yaml"), data_path("skill_concepts_48.yaml"),
                 data_path("skill_concepts_49.yaml"), data_path("skill_concepts_50.yaml"),
                 data_path("skill_concepts_51.yaml"), data_path("skill_concepts_52.yaml"),
                 data_path("skill_concepts_53.yaml"), data_path("skill_concepts_54.yaml"),
                 data_path("skill_concepts_55.yaml"), data_path("skill_concepts_56.yaml"))

VENDORS = (
    # a longer vendor name before its own prefix ("Cisco Systems" before "Cisco")
    "Cisco Systems", "Bentley Systems", "Henry Schein", "GE Healthcare", "McKesson", "Yardi Systems",
    "The MathWorks", "MathWorks", "Oracle", "IBM", "Apache", "Atlassian", "Apple", "Google", "Microsoft", "Amazon",
    "Adobe", "Autodesk", "Red Hat", "Intuit", "Dassault Systemes", "ESRI", "Esri", "Trimble", "StataCorp",
    "Wolfram Research", "National Instruments", "Unity Technologies", "Side Effects Software", "Side Effects",
    "SideFX", "Grafana Labs", "JetBrains", "Salesforce.com", "SAP", "Bentley", "PTC", "Siemens", "Cisco",
    "Hewlett-Packard HP", "Hewlett Packard Enterprise", "VMware", "Sun Microsystems", "Corel", "Sage", "Epic Systems",
)
#: Remainders too generic to stand alone once the vendor is dropped.
GENERIC_REMAINDERS = frozenset(
    "word access project teams office outlook publisher exchange database docs drive sheets slides forms meet sites "
    "classroom gmail dynamics analytics ads cloud photos maps search store edge paint lens keep chat calendar "
    "translate earth workspace fusion notes server mail messages music news books pages numbers keynote "
    "visio one onedrive team foundation server business objects".split()
) | {"experience manager"}  # "Customer Experience Manager" is a job title, not Adobe Experience Manager
_TRAILING = re.compile(r"\s+(?:software|programming language|software suite)$", re.IGNORECASE)
_PAREN = re.compile(r"\s*\(([^)]*)\)\s*$")
_FUNCTION_WORDS = frozenset({"for", "of", "and", "the", "to", "in", "on", "&"})
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9/&.-]*[A-Z0-9]$")


@lru_cache(maxsize=4)
def load_alias_table(path: str | None = None) -> dict[str, Any]:
    """Parsed ``skill_aliases.yaml`` ({'onet': {example: entry}, 'curated': [entry]}); empty when missing."""
    p = Path(path) if path else DEFAULT_ALIASES_PATH
    if not p.exists():
        return {"onet": {}, "curated": []}
    data = load_yaml(p) or {}
    return {"onet": dict(data.get("onet") or {}), "curated": list(data.get("curated") or [])}


def concept_paths() -> tuple[Path, ...]:
    """The concept table's files that exist (``CONCEPT_PARTS``): what caches of anything built from it key on."""
    return tuple(p for p in CONCEPT_PARTS if p.exists())


def load_concept_table(path: str | None = None) -> dict[str, Any]:
    """Parsed ``skill_concepts.yaml`` ({'concepts': [...], 'hierarchy': {...}, 'alternatives': [...]}).

    Without ``path``, the concepts of ``skill_concepts_2.yaml`` to ``skill_concepts_6.yaml`` follow its own, then
    every part's ``add_roles`` (see :func:`with_added_roles`).
    """
    p = Path(path) if path else DEFAULT_CONCEPTS_PATH
    if not p.exists():
        return {"concepts": [], "hierarchy": {}, "alternatives": []}
    data = load_yaml(p) or {}
    concepts = list(data.get("concepts") or [])
    more = list(data.get("add_roles") or [])
    if not path:
        for part in concept_paths()[1:]:
            got = load_yaml(part) or {}
            concepts += list(got.get("concepts") or [])
            more += list(got.get("add_roles") or [])
    return {"concepts": with_added_roles(concepts, more), "hierarchy": dict(data.get("hierarchy") or {}),
            "alternatives": list(data.get("alternatives") or [])}


def with_added_roles(concepts: list[dict[str, Any]], additions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Concepts with the role keywords of later parts' ``add_roles`` entries appended.

    An entry ``{label, roles: [...], exclude: {keyword: [words]}, drop: [keyword]}`` ties more roles to a concept an
    earlier part defines, rules titles with those words out of one of its keywords, and unties keywords altogether
    (an exclusion that rules out the keyword itself would tie nothing and read as a mistake), without rewriting the
    entry. An entry naming no known label or keyword is an error (a typo would silently change nothing).
    """
    if not additions:
        return concepts
    index = {str(c.get("label", "")).lower(): i for i, c in enumerate(concepts)}
    out = list(concepts)
    for add in additions:
        label = str(add.get("label", ""))
        i = index.get(label.lower())
        if i is None:
            raise ValueError(f"add_roles names no concept labelled {label!r}")
        have = list(out[i].get("roles") or [])
        have += [str(r) for r in add.get("roles") or [] if str(r) not in have]
        for keyword in add.get("drop") or []:
            kept = [r for r in have if r.split(" -")[0].strip().lower() != str(keyword).lower()]
            if len(kept) == len(have):
                raise ValueError(f"add_roles: {label!r} has no role keyword {keyword!r} to drop")
            have = kept
        for keyword, words in dict(add.get("exclude") or {}).items():
            # "exclude: {medical and health services: [veterinary]}": the keyword no longer ties those roles
            hit = [j for j, r in enumerate(have) if r.split(" -")[0].strip().lower() == str(keyword).lower()]
            if not hit:
                raise ValueError(f"add_roles: {label!r} has no role keyword {keyword!r} to exclude from")
            for j in hit:
                have[j] += "".join(f" -{w}" for w in words if f" -{str(w).lower()}" not in have[j].lower())
        out[i] = {**out[i], "roles": have}
    return out


def _split_acronym(words: list[str]) -> tuple[list[str], list[str], str] | None:
    """Return (prefix, expansion, acronym) when the last word abbreviates the words before it."""
    if len(words) < 3 or not _ACRONYM.match(words[-1]):
        return None
    letters = re.sub(r"[^A-Za-z]", "", words[-1]).lower()
    if len(letters) < 2:
        return None
    body = words[:-1]
    for start in range(len(body) - 1, -1, -1):
        initials = "".join(w[0].lower() for w in body[start:] if w[:1].isalnum() and w not in _FUNCTION_WORDS)
        if initials == letters:
            return body[:start], body[start:], words[-1]
        if len(initials) > len(letters):
            break
    return None


def _strip_vendor(label: str) -> str | None:
    """Label without a known vendor prefix when the remainder is a distinctive product name, else None."""
    for vendor in VENDORS:
        if label.startswith(vendor + " "):
            rest = label[len(vendor) + 1:].strip()
            if not rest or rest.lower() in GENERIC_REMAINDERS:
                return None
            first = rest.split()[0]
            if first.islower() and not any(c.isdigit() for c in first):
                return None
            return rest
    return None


def _rule_label(example: str) -> tuple[str, list[str]]:
    """Apply the documented rule (no overrides) and return (label, aliases)."""
    aliases: list[str] = []
    s = " ".join(example.split())
    m = _PAREN.search(s)
    if m:
        inner = m.group(1).strip()
        s = s[: m.start()].strip()
        if inner:
            aliases.append(inner)
    core = _TRAILING.sub("", s).strip() or s
    words = core.split()
    label = core
    split = _split_acronym(words)
    if split:
        prefix, expansion, acro = split
        descriptive = all(w.islower() or not w[:1].isalpha() for w in expansion[1:])
        long_form = " ".join(prefix + expansion)
        if descriptive and not prefix:
            label = acro
            aliases.append(" ".join(expansion))
        else:
            label = long_form
            aliases.append(acro)
            if prefix and (short := _strip_vendor(long_form)):
                aliases.append(short)
    stripped = _strip_vendor(label) if not (split and not split[0]) else None
    if stripped:
        aliases.append(label)
        label = stripped
    if core != label:
        aliases.append(core)
    if s != example:
        aliases.append(s)
    aliases.append(example)
    return label, aliases


def _dedupe(label: str, aliases: list[str]) -> list[str]:
    seen = {label.lower()}
    out: list[str] = []
    for a in aliases:
        a = str(a).strip()
        if a and a.lower() not in seen:
            seen.add(a.lower())
            out.append(a)
    return out


def canonical_technology(example: str, aliases_path: Path | None = None) -> tuple[str, list[str]]:
    """Canonical label and aliases for an O*NET technology example (override table first, then the rule)."""
    label, aliases = _rule_label(example)
    entry = load_alias_table(str(aliases_path) if aliases_path else None)["onet"].get(example)
    if entry:
        if entry.get("label"):
            aliases = [label, *aliases]
            label = str(entry["label"])
        aliases = [*entry.get("aliases", []), *entry.get("cased", []), *entry.get("context", []), *aliases]
    return label, _dedupe(label, aliases)
