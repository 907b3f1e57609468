"""Stable node ids for the skill-and-role graph (technology, tool, ESCO and O*NET element nodes)."""

from __future__ import annotations

import re

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LEADING_DOT = re.compile(r"(?:(?<=^)|(?<=[^a-z0-9]))\.(?=[a-z0-9])")


def skill_slug(text: str) -> str:
    """Slug of a skill name: lower-case, ``+``->plus, ``#``->sharp, word-leading ``.``->dot, other runs -> ``-``.

    Keeps C, C++, C#, R, .NET and Node.js distinct: ``c``, ``cplusplus``, ``csharp``, ``r``, ``dotnet``, ``node-js``.
    """
    s = text.strip().lower().replace("+", "plus").replace("#", "sharp")
    s = _LEADING_DOT.sub("dot", s)
    return _NON_ALNUM.sub("-", s).strip("-")


def tech_id(example: str) -> str:
    """Node id of an O*NET technology example (or a careeros-curated technology label)."""
    return f"tech:{skill_slug(example)}"


def tool_id(example: str) -> str:
    """Node id of an O*NET tool example."""
    return f"tool:{skill_slug(example)}"


def esco_id(skill_uri: str) -> str:
    """Node id of an ESCO skill: the last path segment (UUID) of its URI."""
    return "esco:" + skill_uri.rstrip("/").rsplit("/", 1)[-1]


def onet_element_id(element_id: str) -> str:
    """Node id of an O*NET skill/knowledge element such as ``2.A.1.a``."""
    return f"onet:{element_id.strip()}"


def concept_id(label: str) -> str:
    """Node id of a careeros concept-level skill (``data/skill_concepts.yaml``), e.g. ``concept:machine-learning``."""
    return f"concept:{skill_slug(label)}"
