"""Profile match: a few resumes (text, PDF, DOCX) on the real warehouse, and the `profile match` CLI contract."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLD = [json.loads(ln) for ln in (REPO / "data" / "eval" / "resumes_gold.jsonl").read_text().splitlines() if ln]
BY_ID = {r["id"]: r for r in GOLD}


@pytest.fixture(scope="module")
def matcher(built_home: Path) -> Iterator[object]:
    """One matcher over the session warehouse (CAREEROS_HOME pointed at it for the module)."""
    from careeros.planner.profile_match import load_matcher
    from careeros.settings import get_settings

    old = os.environ.get("CAREEROS_HOME")
    os.environ["CAREEROS_HOME"] = str(built_home)
    get_settings.cache_clear()
    yield load_matcher()
    if old is None:
        os.environ.pop("CAREEROS_HOME", None)
    else:
        os.environ["CAREEROS_HOME"] = old
    get_settings.cache_clear()


@pytest.mark.parametrize("rid", ["r01-rn", "r03-elec", "r05-swe", "r07-truck", "r10-civil", "r38-nurse-to-np"])
def test_resume_top1(matcher, rid: str) -> None:  # type: ignore[no-untyped-def]
    r = BY_ID[rid]
    ms = matcher.match(r["text"], k=3)
    assert ms[0].soc_code == r["soc_code"], [(m.soc_code, m.title) for m in ms]
    assert ms[0].evidence["titles"], "top match should cite a matched title line"


def test_recency_prefers_latest_role(matcher) -> None:  # type: ignore[no-untyped-def]
    text = ("Jane Roe\nData Scientist\nEXPERIENCE\nData Scientist, Acme (2021 - Present)\n- Built models in Python\n"
            "Middle School Math Teacher, Lincoln MS (2012 - 2021)\n- Taught 7th grade math\n")
    assert matcher.match(text, k=1)[0].soc_code == "15-2051.00"


def test_title_lines() -> None:
    from careeros.planner.profile_match import title_lines

    lines = title_lines("Sam Lee\nWelder\nEXPERIENCE\nWelder, Acme Steel (2019 - present)\n- MIG welding\n"
                        "Helper | Foo Corp | 2015 - 2019\nEducation: HS diploma\n")
    segs = [s[1][0] for s in lines]
    assert segs[:3] == ["Welder", "Welder", "Helper"]
    assert lines[1][2] >= lines[2][2]  # most recent dated role weighs at least as much as the older one


def test_a_job_laid_out_under_its_dates_and_the_contact_line() -> None:
    """Many resume builders put a job's dates on a line of their own, then the employer, then the title: the title
    two lines under the dates was never read, and the e-mail line under the name was (a staff nurse read as a
    hospitalist). The lines under a dates line are that job's, at its recency; contact details are no title."""
    from careeros.planner.profile_match import title_lines

    text = ("Maria Lopez\nmaria.lopez@example.com | (314) 555-0100\n\nExperience\n06/2018 - Present\n"
            "Mercy Hospital, St. Louis, MO\nStaff Nurse\nCared for 5-6 patients per shift.\n\n2016 - 2018\n"
            "Barnes-Jewish Hospital\nPatient Care Technician\n")
    lines = title_lines(text)
    weight = {seg: w for _, ss, w in lines for seg in ss}
    assert not any("@" in seg or "555" in seg for seg in weight)
    assert weight["Staff Nurse"] == 1.0 and weight["Staff Nurse"] > weight["Patient Care Technician"] > 0


def test_titles_that_start_like_a_heading_and_the_name_line() -> None:
    """"Project Manager" and "Education Coordinator" are titles, not the Projects/Education headings; the name on the
    name line is no title ("Laura Fischer, PMP" is not a fisher)."""
    from careeros.planner.profile_match import title_lines

    lines = title_lines("Laura Fischer, PMP\nProject Manager\nExperience\n"
                        "Project Manager, Deloitte Consulting (2018 - Present)\n- Ran an ERP rollout\n"
                        "Education Coordinator | City Museum | 2012 - 2018\nProjects\nEducation\nSkills: MS Project\n")
    segs = [seg for _, ss, _ in lines for seg in ss]
    assert "Laura Fischer" not in segs
    assert segs.count("Project Manager") == 2 and "Education Coordinator" in segs
    assert not any(s in ("Projects", "Education", "Skills") for s in segs)
    # a resume pulled from a PDF puts the title on top, in capitals: that first line is no name
    top = title_lines("CHARGE NURSE, MED-SURG\nSummary\nNurse with 9 years.\n")
    assert top and top[0][1][0] == "CHARGE NURSE"


def test_a_project_manager_resume_matches_project_management(matcher) -> None:  # type: ignore[no-untyped-def]
    text = ("Laura Fischer, PMP\nProject Manager\nExperience\nProject Manager, Deloitte Consulting (2018 - Present)\n"
            "- Manage cross-functional projects: scope, schedule, budget, risk\nCertifications: PMP\n")
    assert matcher.match(text, k=1)[0].soc_code == "13-1082.00"


def _pdf(text: str, path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in text.splitlines():
        safe = line.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, 5, safe or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def _docx(text: str, path: Path) -> Path:
    import docx

    d = docx.Document()
    for line in text.splitlines():
        d.add_paragraph(line)
    d.save(str(path))
    return path


def test_cli_contract_jsonl_pdf_docx(matcher, built_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from careeros.cli import app

    runner = CliRunner()
    env = {"CAREEROS_HOME": str(built_home)}
    jl = tmp_path / "in.jsonl"
    jl.write_text("\n".join(json.dumps({"id": r["id"], "text": r["text"]}) for r in GOLD[:3]) + "\n")
    res = runner.invoke(app, ["profile", "match", str(jl), "--k", "4"], env=env)
    assert res.exit_code == 0, res.output
    objs = [json.loads(ln) for ln in res.stdout.splitlines() if ln.strip()]
    assert [o["id"] for o in objs] == [r["id"] for r in GOLD[:3]]
    for o in objs:
        assert len(o["matches"]) == 4
        for m in o["matches"]:
            assert isinstance(m["soc_code"], str) and isinstance(m["title"], str) and isinstance(m["score"], float)
    for maker, name, rid in ((_pdf, "cv.pdf", "r21-hvac"), (_docx, "cv.docx", "r04-teacher")):
        path = maker(BY_ID[rid]["text"], tmp_path / name)
        res = runner.invoke(app, ["profile", "match", str(path), "--k", "3"], env=env)
        assert res.exit_code == 0, res.output
        obj = json.loads(res.stdout.strip())
        assert obj["id"] == str(path)
        assert obj["matches"][0]["soc_code"] == BY_ID[rid]["soc_code"], obj["matches"]


def test_text_index_transform_equals_scikit_learn_without_importing_it_at_match_time() -> None:
    """The cached TF-IDF transform repeats TfidfVectorizer.transform exactly (tokens, stop words, bigrams, tf, norm)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from careeros.planner.profile_match import TextIndex

    docs = ["Registered nurse caring for patients in the intensive care unit; charting in electronic records",
            "Software engineer building Python services and data pipelines on AWS",
            "Data engineer: Python data pipelines, Airflow, SQL warehouses and data quality",
            "High school teacher planning lessons, grading, and teaching mathematics to students",
            "Nurse educator teaching patients and students; electronic health records training",
            "Accountant preparing financial statements, audits and tax returns in Excel"] * 2
    docs = [d + f" extra{i % 3}" for i, d in enumerate(docs)]
    idx = TextIndex.fit(docs)
    ref = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, max_df=0.5, ngram_range=(1, 2)).fit(docs)
    queries = ["ICU nurse, electronic health records, patients patients patients", "Python data pipelines with SQL",
               "nothing in the vocabulary zzz", "", "Teacher: mathematics lessons and grading, students"]
    got, want = idx.transform(queries).toarray(), ref.transform(queries).toarray()
    assert got.shape == want.shape
    assert abs(got - want).max() < 1e-12
