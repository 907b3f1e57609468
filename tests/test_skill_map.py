"""The curated skill map (``data/skill_concepts.yaml``) stays consistent as it grows.

Each concept is one gap a career coach would name; a surface form (alias, cased acronym, context acronym) that two
concepts claim is matched for the first one only, so the second never sees its evidence, and an acronym two fields
use for different things (CPP: payroll and protection professional) must name neither. These checks read the shipped
file through the package, exactly as the extractor and the requirement profiles do.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from careeros.graph.tech_labels import load_concept_table
from careeros.planner.requirements import _keyword_rx, keyword_parts

CONCEPTS = load_concept_table()["concepts"]


def _norm(s: object) -> str:
    return re.sub(r"\s+", " ", str(s)).strip()


def test_the_map_is_loaded_from_the_package_and_is_not_empty() -> None:
    assert len(CONCEPTS) > 1000
    assert all(isinstance(c.get("label"), str) and c["label"].strip() for c in CONCEPTS)


def test_labels_are_unique_ignoring_case() -> None:
    seen: dict[str, str] = {}
    dups = []
    for c in CONCEPTS:
        key = _norm(c["label"]).lower()
        if key in seen:
            dups.append(c["label"])
        seen[key] = c["label"]
    assert not dups


def test_every_surface_form_names_one_concept() -> None:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c in CONCEPTS:
        for a in c.get("aliases") or []:
            owners[("i", _norm(a).lower())].add(c["label"])
        for a in c.get("cased") or []:
            owners[("c", _norm(a))].add(c["label"])
        for a in c.get("context") or []:
            owners[("c", _norm(a))].add(c["label"])
    shared = {k[1]: sorted(v) for k, v in owners.items() if len(v) > 1}
    assert not shared, shared


def test_an_alias_never_repeats_another_concepts_label() -> None:
    labels = {_norm(c["label"]).lower(): c["label"] for c in CONCEPTS}
    clash = [(c["label"], a) for c in CONCEPTS for a in c.get("aliases") or []
             if labels.get(_norm(a).lower(), c["label"]) != c["label"]]
    assert not clash


def test_broader_links_name_known_concepts_and_never_loop() -> None:
    by_label = {_norm(c["label"]).lower(): c for c in CONCEPTS}
    unknown = [(c["label"], b) for c in CONCEPTS for b in c.get("broader") or [] if _norm(b).lower() not in by_label]
    assert not unknown
    parents = {k: [_norm(b).lower() for b in c.get("broader") or []] for k, c in by_label.items()}
    done: set[str] = set()

    def walk(node: str, path: tuple[str, ...]) -> None:
        # a mutual pair (Data science <-> Machine learning) says two concepts evidence each other in part; a longer
        # loop is a mistake in the map
        assert node not in path or path.index(node) == len(path) - 2, f"broader cycle: {' -> '.join((*path, node))}"
        if node in done or node in path:
            return
        for p in parents[node]:
            walk(p, (*path, node))
        done.add(node)

    for k in parents:
        walk(k, ())


@pytest.mark.parametrize("field", ["aliases", "cased", "context", "roles", "examples", "broader", "implied_by"])
def test_list_fields_hold_non_empty_strings(field: str) -> None:
    bad = [(c["label"], x) for c in CONCEPTS for x in c.get(field) or [] if not isinstance(x, str) or not x.strip()]
    assert not bad
    assert all(isinstance(c.get(field, []), list) for c in CONCEPTS)


def test_role_keywords_are_well_formed() -> None:
    bad = []
    for c in CONCEPTS:
        for kw in c.get("roles") or []:
            base, unless = keyword_parts(kw)
            if not base or base.startswith("-") or any(not u for u in unless):
                bad.append((c["label"], kw))
            elif any(_keyword_rx(u).search(base.lower()) for u in unless):
                bad.append((c["label"], kw))  # an exclusion that rules out the keyword itself ties nothing
    assert not bad


def test_short_aliases_are_acronyms_matched_as_written() -> None:
    """A two-letter alias is matched case-sensitively only when written in capitals ("L&D", "5S"); "Or" or "er"
    would match ordinary words once lower-cased."""
    bad = [(c["label"], a) for c in CONCEPTS for a in c.get("aliases") or []
           if len(re.sub(r"[^A-Za-z0-9]", "", a)) <= 2 and " " not in a.strip() and not a.isupper()]
    assert not bad


def test_role_priorities_name_known_concepts_and_occupations() -> None:
    """data/role_priorities.yaml: O*NET-SOC codes, concept ids of the map (technology ids are O*NET's), key lists of
    a dozen at most (none when the occupation has only an off list), nothing both key and off."""
    from careeros.graph.ids import concept_id
    from careeros.planner.requirements import role_priorities

    pri = role_priorities()
    assert len(pri) >= 790
    concepts = {concept_id(str(c["label"])) for c in CONCEPTS}
    for soc, p in pri.items():
        assert re.fullmatch(r"\d\d-\d{4}\.\d\d", soc), soc
        assert (p.key or p.off) and len(p.key) <= 12 and len(set(p.key)) == len(p.key), soc
        assert not set(p.key) & p.off, soc
        for sid in (*p.key, *p.off):
            assert sid.startswith(("concept:", "tech:")), (soc, sid)
            assert not sid.startswith("concept:") or sid in concepts, (soc, sid)
    nurse = pri["29-1141.00"]
    assert "concept:nclex-rn-license" in nurse.key[:3] and "tech:henry-schein-dentrix" in nurse.off


def test_the_map_is_read_from_all_its_parts_each_small() -> None:
    """The concept list spans four files (kept under 1 MB each); every part adds concepts to the one table."""
    import yaml

    from careeros.graph.tech_labels import CONCEPT_PARTS, concept_paths

    assert concept_paths() == CONCEPT_PARTS
    counts = [len(yaml.safe_load(p.read_text(encoding="utf-8"))["concepts"]) for p in CONCEPT_PARTS]
    assert all(c > 0 for c in counts) and sum(counts) == len(CONCEPTS)
    assert all(p.stat().st_size < 1_000_000 for p in CONCEPT_PARTS)


def test_a_role_keyword_scoped_to_occupations_ties_only_those() -> None:
    """"dean of students @11-9033" ties a college's dean of students, not a school's; every scope names SOC codes."""
    import re

    from careeros.planner.requirements import keyword_fits, keyword_parts, keyword_socs

    assert keyword_parts("dean of students @11-9033") == ("dean of students", ())
    assert keyword_parts("underwriter -life @13-2053") == ("underwriter", ("life",))
    assert keyword_socs("commercial underwriter @13-2041/13-2072") == ("13-2041", "13-2072")
    assert keyword_fits("dean of students @11-9033", "11-9033.00")
    assert not keyword_fits("dean of students @11-9033", "11-9032.00")
    assert keyword_fits("dean of students", "11-9032.00")
    for c in CONCEPTS:
        for k in c.get("roles") or []:
            for soc in keyword_socs(str(k)):
                assert re.fullmatch(r"\d\d(-\d{1,4}(\.\d\d)?)?", soc), (c["label"], k)


def test_a_mention_of_ieps_is_implementation_not_writing_them() -> None:
    """A general education teacher who "attends IEP meetings" for "students with IEPs" carries IEPs out; writing them
    (IEP development) is what a special education teacher adds."""
    owner = {a.lower(): c["label"] for c in CONCEPTS for a in c.get("aliases") or []}
    for bare in ("iep", "ieps", "iep meetings", "individualized education programs"):
        assert owner[bare] == "IEP and 504 plan implementation", bare
    for writing in ("iep writing", "writing ieps", "iep goal writing", "iep development"):
        assert owner[writing] == "IEP development", writing


def test_no_role_keyword_is_a_bare_job_word_without_exclusions() -> None:
    """A role keyword that is only a job word ("manager") ties its concept to every such title: an unquoted
    "manager, data analytics" in a flow list once read as "manager" and "data analytics" and put analytics items into
    every manager's gaps. A bare job word is allowed only with the exclusions that narrow it ("nurse -practical ...")."""
    from careeros.planner.requirements import concept_views, keyword_parts

    bare = {"manager", "director", "specialist", "analyst", "technician", "engineer", "coordinator", "assistant",
            "officer", "supervisor", "lead", "clerk", "administrator", "consultant", "associate", "representative",
            "worker", "operator", "teacher", "nurse", "designer", "developer", "data analytics"}
    keywords, _ = concept_views()
    loose = [(label, k) for label, kws in keywords.values() for k in kws
             if keyword_parts(k)[0].strip().lower() in bare and " -" not in k]
    assert not loose, loose
