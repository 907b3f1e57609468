"""Normalising label matcher shared by the evaluation scripts (persona gaps, blind skill labels).

Pure functions, no careeros import: a gold phrase written by a human (``"HL7/FHIR"``, ``"k8s"``) is compared with
a label the product printed (``"HL7 FHIR"``, ``"Kubernetes"``) as follows:

1. ``normalise``: lower case; ``&`` -> ``and`` when it stands between words; every character other than a letter, a
   digit, ``+`` or ``#`` becomes a space; British -ise/-isation/-elling spellings of a few common words become US;
   whitespace collapsed; then the explicit synonym table ``SYNONYMS`` is applied phrase by phrase (``k8s`` ->
   ``kubernetes``, ``amazon web services`` -> ``aws`` ...).
2. ``phrases_match``: equal after normalisation, or the shorter one occurs in the longer one on word boundaries
   (either way), except that the contained side may not be a single generic word (``management``, ``data`` ...) and
   a one-character side (``R``, ``C``) only matches as the first word of the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

#: explicit synonym normalisation, applied to normalised text on word boundaries (longest key first)
SYNONYMS: dict[str, str] = {
    "k8s": "kubernetes",
    "amazon web services": "aws",
    "google cloud platform": "gcp",
    "google cloud": "gcp",
    "microsoft azure": "azure",
    "postgres": "postgresql",
    "sklearn": "scikit learn",
    "scikit": "scikit learn",
    "ml": "machine learning",
    "nlp": "natural language processing",
    "js": "javascript",
    "golang": "go",
    "ms excel": "excel",
    "microsoft excel": "excel",
    "ms office": "microsoft office",
    "e learning": "elearning",
    "ehr": "electronic health records",
    "electronic health record": "electronic health records",
    "emr": "electronic medical records",
    "electronic medical record": "electronic medical records",
    "bi": "business intelligence",
    "cicd": "ci cd",
    "a b testing": "ab testing",
    "a b tests": "ab testing",
    "ab tests": "ab testing",
    "structured query language": "sql",
    "user experience": "ux",
    "user interface": "ui",
}

_SPELLING = [
    (re.compile(r"\b(model|label|travel)ling\b"), r"\1ing"),
    (re.compile(r"\b(organi|optimi|visuali|standardi|speciali|priori|categori|summari|utili)s(e|es|ed|ing|ation|ations)\b"),
     r"\1z\2"),
    (re.compile(r"\bbehaviour"), "behavior"),
    (re.compile(r"\bcolour"), "color"),
    (re.compile(r"\blabour\b"), "labor"),
    (re.compile(r"\bprogramme\b"), "program"),
    (re.compile(r"\bcentre\b"), "center"),
]

#: a contained side that is only one of these words says too little to count as a match
GENERIC = frozenset(
    "management analysis data design planning development software systems system engineering research writing "
    "skills operations administration technology science tools tool communication support service services "
    "learning training testing programming processing quality safety computer information health business "
    "project projects process control reporting security network modeling".split()
)

_SYN_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(SYNONYMS, key=len, reverse=True)) + r")\b")


def normalise(text: str) -> str:
    """Lower-case, punctuation-free, US-spelled, synonym-normalised form of a skill phrase."""
    s = text.lower()
    s = re.sub(r"(?<=[a-z])\s*&\s*(?=[a-z]{2,})", " and ", s)  # "compensation & benefits" (but GD&T, P&L stay)
    s = re.sub(r"[^a-z0-9+#]+", " ", s)
    for pat, rep in _SPELLING:
        s = pat.sub(rep, s)
    s = " ".join(s.split())
    return " ".join(_SYN_RE.sub(lambda m: SYNONYMS[m.group(1)], s).split())


def _contains(longer: str, shorter: str) -> bool:
    if " " not in shorter and shorter in GENERIC:
        return False
    if len(shorter) == 1:
        return longer.split(" ", 1)[0] == shorter
    return re.search(r"(?<![a-z0-9+#])" + re.escape(shorter) + r"(?![a-z0-9+#])", longer) is not None


def phrases_match(gold: str, label: str) -> bool:
    """True when a gold phrase and a product label name the same skill under the matching rule above."""
    a, b = normalise(gold), normalise(label)
    if not a or not b:
        return False
    if a == b:
        return True
    return _contains(b, a) if len(a) <= len(b) else _contains(a, b)


def entry_matches(alternatives: Sequence[str], labels: Iterable[str]) -> list[str]:
    """The labels matched by any alternative of one gold entry (empty when the entry is not found)."""
    return [lab for lab in labels if any(phrases_match(alt, lab) for alt in alternatives)]
