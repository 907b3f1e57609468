"""The persona benchmark's matcher and metrics on hand-made gap lists, and the persona files' shape (no product run)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import load_benchmark

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"



lm = load_benchmark("labelmatch")
ep = load_benchmark("eval_personas")


@pytest.mark.parametrize(("gold", "label"), [
    ("machine learning", "Machine Learning"),
    ("ML", "machine learning"),
    ("k8s", "Kubernetes"),
    ("HL7", "HL7/FHIR"),
    ("FHIR", "HL7 FHIR standards"),
    ("HL7/FHIR", "hl7 fhir"),
    ("AWS", "Amazon Web Services AWS software"),
    ("Amazon Web Services", "AWS"),
    ("SQL", "Structured query language SQL"),
    ("data modeling", "Data modelling"),
    ("Excel", "Microsoft Excel"),
    ("Power BI", "Microsoft Power BI"),
    ("scikit-learn", "sklearn"),
    ("compensation and benefits", "Compensation & Benefits"),
    ("CI/CD", "CI/CD pipelines"),
    ("A/B testing", "AB testing"),
    ("R", "R (programming language)"),
    ("C++", "C++"),
    ("project management", "Project Management Professional"),
    ("Python", "Python"),
    ("visualization", "Data visualisation"),
])
def test_phrases_that_match(gold: str, label: str) -> None:
    assert lm.phrases_match(gold, label)


@pytest.mark.parametrize(("gold", "label"), [
    ("SQL", "NoSQL"),
    ("Java", "JavaScript"),
    ("R", "Ruby"),
    ("R", "Transact-SQL R"),  # a one-letter gold side only matches as the label's first word
    ("C", "C++"),
    ("C++", "C#"),
    ("Go", "Google Docs"),
    ("budget management", "Management"),  # a generic single word says too little
    ("usability testing", "testing"),
    ("Excel", "Excellence in service"),
    ("MLOps", "machine learning"),
    ("Git", "GitHub"),
    ("", "anything"),
])
def test_phrases_that_do_not_match(gold: str, label: str) -> None:
    assert not lm.phrases_match(gold, label)


def test_normalise_is_idempotent_and_applies_synonyms() -> None:
    for s in ("Kubernetes (k8s)", "Amazon Web Services", "Data Modelling & Visualisation", "GD&T", "Node.js"):
        assert lm.normalise(lm.normalise(s)) == lm.normalise(s)
    assert lm.normalise("Postgres") == lm.normalise("PostgreSQL")
    assert lm.normalise("Google Cloud Platform") == lm.normalise("GCP")


PERSONA = {
    "id": "x", "field": "data", "split": "test",
    "must_gap": [["machine learning", "ML"], ["statistics"], ["MLOps", "model deployment"], ["PyTorch", "TensorFlow"]],
    "must_not_gap": [["SQL"], ["Python"], ["Git"], ["Docker"]],
}


def _gaps(*labels: str) -> list[dict[str, object]]:
    return [{"label": lab, "skill_id": f"s{i}", "soc_code": "15-2051.00", "role_title": "Data Scientist",
             "size": 1.0 - i / 100, "status": "missing", "reason": ""} for i, lab in enumerate(labels)]


def test_score_counts_found_entries_once_and_false_gaps() -> None:
    gaps = _gaps("Machine learning", "ML engineering", "Statistics", "Structured query language SQL", "Tableau")
    roles = [{"title": "Data Scientist", "soc_code": "15-2051.00", "coverage": 0.4, "coverage_after": 0.7}]
    r = ep.score_persona(PERSONA, gaps, roles)
    assert (r["found"], r["must_gap"], r["recall"]) == (2, 4, 0.5)
    assert r["missed"] == ["MLOps", "PyTorch"]
    assert r["false_gaps"] == 1 and r["false_detail"][0]["entry"] == ["SQL"]
    assert r["coverage"] == [{"title": "Data Scientist", "soc_code": "15-2051.00", "coverage": 0.4,
                              "coverage_after": 0.7}]


def test_score_only_reads_the_top_n_gaps() -> None:
    gaps = _gaps(*[f"filler {i}" for i in range(15)], "PyTorch", "Python")
    r = ep.score_persona(PERSONA, gaps, [])
    assert r["found"] == 0 and r["false_gaps"] == 0
    r20 = ep.score_persona(PERSONA, gaps, [], top=20)
    assert r20["found"] == 1 and r20["false_gaps"] == 1


def test_score_tolerates_missing_fields() -> None:
    r = ep.score_persona(PERSONA, [{"size": 1.0}, {"label": None}], None)
    assert r["recall"] == 0.0 and r["false_gaps"] == 0 and r["coverage"] == []


def test_failure_counts_recall_zero_and_summary_by_field() -> None:
    ok = {"id": "a", "field": "data", **ep.score_persona(PERSONA, _gaps("statistics", "PyTorch", "Git"), [])}
    bad = {"id": "b", "field": "data", **ep.failed_result(PERSONA, "init", "No such option: --resume")}
    other = {"id": "c", "field": "hr", **ep.score_persona(PERSONA, _gaps("ML", "statistics", "MLOps", "TensorFlow"),
                                                         [{"title": "t", "coverage": 0.5}])}
    s = ep.summarise([ok, bad, other])
    assert bad["recall"] == 0.0 and bad["error"]["stage"] == "init"
    assert s["by_field"]["data"] == {"n": 2, "failed": 1, "recall_macro": 0.25, "recall_micro": 0.25,
                                     "false_gaps": 1, "personas_with_false_gaps": 1, "mean_coverage": None}
    assert s["overall"]["n"] == 3 and s["overall"]["recall_micro"] == pytest.approx(6 / 12, abs=1e-4)
    assert s["by_field"]["hr"]["mean_coverage"] == 0.5


def test_parse_json_output_skips_leading_noise() -> None:
    assert ep.parse_json_output('{"gaps": []}') == {"gaps": []}
    assert ep.parse_json_output('starting...\nwarning: x\n{\n "gaps": [1]\n}\n') == {"gaps": [1]}
    with pytest.raises(ValueError):
        ep.parse_json_output("no json here")


def test_persona_files_are_complete_balanced_and_self_consistent() -> None:
    personas = ep.load_personas("all")
    assert len(personas) >= 20
    fields = Counter(p["field"] for p in personas)
    assert len(fields) >= 8
    assert len({p["id"] for p in personas}) == len(personas)
    splits = Counter(p["split"] for p in personas)
    assert set(splits) <= {"train", "test", "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12", "dev13", "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20", "dev21", "dev22", "dev23", "dev24", "dev25", "dev26"} and {"train", "test"} <= set(splits) and abs(splits["train"] - splits["test"]) <= 2
    for p in personas:
        assert {"id", "field", "split", "resume", "targets", "hours", "goal", "current_titles",
                "must_gap", "must_not_gap"} <= set(p), p["id"]
        assert 1 <= len(p["targets"]) <= 3 and p["hours"] > 0 and p["goal"].strip()
        assert len(p["must_gap"]) >= 4 and len(p["must_not_gap"]) >= 4, p["id"]
        resume = lm.normalise(p["resume"])
        for entry in p["must_not_gap"]:
            # a skill the person "plainly has" is named in the resume itself
            assert any(f" {lm.normalise(a)} " in f" {resume} " for a in entry), (p["id"], entry)
            for gap in p["must_gap"]:
                # no alternative of a required gap may also name a skill the person has
                assert not any(lm.phrases_match(a, b) for a in entry for b in gap), (p["id"], entry, gap)


def test_blind_skill_matching_is_one_to_one_and_closest_first() -> None:
    es = load_benchmark("eval_skills")
    tp, fp, fn, missed, extra = es.match_one_to_one(
        ["Google Cloud Spanner", "React", "React Native", "Go"], ["GCP", "Spanner", "React", "Golang", "Neo4j"],
        optional=["Google Cloud Platform"])
    assert (tp, fp, fn) == (3, 1, 1)
    assert missed == ["React Native"] and extra == ["Neo4j"]
    m = es.micro_matched([["Python", "Docker"], []], [["python"], ["Docker"]], [[], []])
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 1) and m["precision"] == 0.5 and m["recall"] == 0.5
