"""Skill extraction: aliases, ambiguous words, HTML, spans, save/load and the CLI contract."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from careeros.graph.ids import esco_id, skill_slug
from careeros.graph.tech_labels import canonical_technology
from careeros.market.skills import SkillExtractor, html_to_text


@pytest.fixture(scope="module")
def frames(datasets: Path) -> dict[str, pl.DataFrame]:
    from careeros.taxonomy.esco import read_esco
    from careeros.taxonomy.onet import read_onet

    onet = read_onet(datasets / "onet-29.3").tables
    esco = read_esco(datasets / "esco-1.2.0").tables
    return {"tech": onet["onet_technology"], "tools": onet["onet_tool"], "esco": esco["esco_skill"]}


@pytest.fixture(scope="module")
def ext(frames: dict[str, pl.DataFrame]) -> SkillExtractor:
    return SkillExtractor.build(frames["tech"], frames["tools"], frames["esco"])


def labels(ext: SkillExtractor, text: str) -> set[str]:
    return {m.label for m in ext.extract(text) if m.kind == "technology"}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("We run on AWS and Python.", "Amazon Web Services"),
        ("Data lives in Postgres.", "PostgreSQL"),
        ("Deployed on k8s with Helm.", "Kubernetes"),
        ("Backend in Golang.", "Go"),
        ("Frontend: React.js and TypeScript.", "React"),
        ("Our API is NodeJS.", "Node.js"),
        ("Infra: GCP, Terraform.", "Google Cloud Platform"),
        ("Stack: Next.js, Tailwind.", "Next.js"),
        ("Stack: TS, React, Postgres.", "TypeScript"),
        ("Experience with Amazon Web Services is required.", "Amazon Web Services"),
        ("Use scikit-learn and PyTorch.", "scikit-learn"),
    ],
)
def test_aliases(ext: SkillExtractor, text: str, label: str) -> None:
    assert label in labels(ext, text)


@pytest.mark.parametrize(
    ("text", "label", "present"),
    [
        ("Stack: Go, Postgres, Kubernetes.", "Go", True),
        ("Backend Engineer (Go) | Remote", "Go", True),
        ("Go to our careers page and apply.", "Go", False),
        ("We own go-to-market. Go-to-market lead wanted.", "Go", False),
        ("Systems work in Rust and C++.", "Rust", True),
        ("Remove rust from old bridges.", "Rust", False),
        ("iOS apps in Swift and Kotlin.", "Swift", True),
        ("We move swiftly; Taylor Swift fans welcome.", "Swift", False),
        ("Analysis in Python and R.", "R", True),
        ("A small R&D company in Durham.", "R", False),
        ("Low-level code in C, C++ and Rust.", "C", True),
        ("We raised a Series C round last year.", "C", False),
        ("Java, Spring Boot, PostgreSQL.", "Spring", True),
        ("Start date: Spring 2026.", "Spring", False),
        ("Our Rails monolith runs on Postgres and Redis.", "Rails", True),
        ("Install guard rails on the balcony.", "Rails", False),
        ("Node.js, Express, MongoDB.", "Express", True),
        ("Please express your interest by email.", "Express", False),
        # a spreadsheet named as a whole item of a resume's skills list, among skills that are no technologies
        ("Skills: collections, trial balance, Excel", "Excel", True),
        ("Tools: Excel", "Excel", True),
        ("Excel at customer service; students excel in teams.", "Excel", False),
        # RN is React Native only right beside another technology of a list; a registered nurse everywhere else
        ("Emergency Department RN, level I trauma center", "React Native", False),
        ("RN, BSN. Charge nurse on a 32-bed unit.", "React Native", False),
        ("Senior RN with 8 years in the ICU", "React Native", False),
        ("Core stack: Python, Swift, React / RN, Postgres", "React Native", True),
        ("Apps in React Native for iOS and Android.", "React Native", True),
        # everyday words of other trades that are also short names of technologies: a technology only among others
        ("Cut steel with an oxy-acetylene torch; torch brazing of copper lines.", "PyTorch", False),
        ("Skills: Python, pandas, NumPy, Torch", "PyTorch", True),
        ("Copilot on a regional jet, 1,200 hours as first officer.", "GitHub Copilot", False),
        ("Tools: VS Code, Copilot, Git", "GitHub Copilot", True),
        ("Vault teller: balanced the vault daily and prepared cash orders.", "HashiCorp Vault", False),
        ("Secrets in Vault, Terraform and Consul.", "HashiCorp Vault", True),
        ("Zookeeper caring for giant pandas and red pandas.", "pandas", False),
        ("Saw the tip of the iceberg; a superset of the old duties.", "Apache Iceberg", False),
        ("Saw the tip of the iceberg; a superset of the old duties.", "Apache Superset", False),
        # O*NET examples that are everyday words, places or names elsewhere
        ("Maintenance Technician · Phoenix, AZ · luis@example.com", "Phoenix", False),
        ("Web apps in Elixir with Phoenix, Ecto and PostgreSQL.", "Phoenix", True),
        ("# Travis Lindqvist\nLead Diesel Technician", "Travis CI", False),
        ("Provided ADL care to 10-12 residents per shift.", "Architecture description language (ADL)", False),
        ("Fire suppression, EMS, vehicle extrication and hazmat calls.", "Energy management system (EMS)", False),
        ("Administer FMLA, ADA accommodation and short-term disability.", "Ada", False),
        ("Collect ABC and frequency data daily.", "ABC programming language", False),
        ("Built a weekend flex pool that cut overtime 22%.", "Apache Flex", False),
        ("Project Coordinator, Golden Gate Managed IT, Sacramento", "Oracle GoldenGate", False),
        ("Replication with Oracle GoldenGate and Data Guard.", "Oracle GoldenGate", True),
        # RDMS on a resume is a sonographer's credential; database people write RDBMS
        ("Diagnostic Medical Sonographer (RDMS), RVT", "Relational database management system", False),
        ("Schema design on an RDBMS (PostgreSQL).", "Relational database management system", True),
    ],
)
def test_ambiguous_words(ext: SkillExtractor, text: str, label: str, present: bool) -> None:
    assert (label in labels(ext, text)) is present


@pytest.mark.parametrize(
    ("text", "label", "present"),
    [
        # O*NET writes some products with a generic tail ("HubSpot software", "Procore software"); people write
        # the product name alone
        ("Tools: HubSpot, Mailchimp, Canva", "HubSpot", True),
        ("Daily logs and RFIs in Procore.", "Procore", True),
        ("Charted in MEDITECH and Epic.", "MEDITECH", True),
        ("Charted in Meditech Expanse, then Meditech Magic.", "MEDITECH", True),  # as hospitals write it
        # O*NET's "Blackbaud The Raiser's Edge" as fundraisers write it (a donor database concept had swallowed it)
        ("Gift entry and pledges in Raiser's Edge NXT.", "Raiser's Edge", True),
        # a generic first word stays generic ("Teleconferencing software", "Wiki software", "Encoder software")
        ("Teleconferencing with remote teams.", "Teleconferencing", False),
        ("Wiki pages for the team.", "Wiki", False),
        ("Encoder tuning for the drive.", "Encoder", False),
    ],
)
def test_products_onet_names_with_a_generic_tail(ext: SkillExtractor, text: str, label: str, present: bool) -> None:
    assert (label in labels(ext, text)) is present


@pytest.mark.parametrize(
    ("text", "skill_id", "present"),
    [
        # O*NET names a product after its maker ("Cerner PowerChart", "Thomson Reuters Westlaw"); people write the
        # product alone
        ("Charted assessments in PowerChart.", "tech:cerner-powerchart", True),
        ("Cite-checked briefs in Westlaw.", "tech:thomson-reuters-westlaw", True),
        # a plain English word after a maker's name is not taken alone ("Allscripts Sunrise")
        ("Activities director, Sunrise Senior Living.", "tech:allscripts-sunrise", False),
        # ... or after "<Maker> Software" ("MadCap Software MadCap Flare"), but not a lone plain or acronym word
        ("Single-sourced the help system in MadCap Flare.", "tech:madcap-software-madcap-flare", True),
        ("Imaged drives with EnCase Forensic.", "tech:guidance-software-encase-forensic", True),
        ("Rolled out a new HCM suite.", "tech:asure-software-hcm", False),
    ],
)
def test_products_written_without_their_maker(ext: SkillExtractor, text: str, skill_id: str, present: bool) -> None:
    assert (skill_id in {m.skill_id for m in ext.extract(text)}) is present


def test_an_acronym_a_concept_names_is_no_product(ext: SkillExtractor) -> None:
    """O*NET's "HVAC tools software" does not take "HVAC" from HVAC systems: a field's acronym is no product name."""
    found = {m.skill_id for m in ext.extract("Skills: HVAC, refrigeration, chillers, boilers")}
    assert "concept:hvac-systems" in found and "tech:hvac-tools-software" not in found


@pytest.mark.parametrize(("text", "skill_id", "present"), [
    ("Handle brake and suspension repair on Toyota models", "concept:brake-systems-repair", True),  # shared last word
    ("Brake/suspension repair, 20 cars a week", "concept:brake-systems-repair", True),
    ("Process accounts payable and receivable for 3 entities", "concept:financial-accounting", True),  # shared first
    ("Brake pads and rotors in stock", "concept:brake-systems-repair", False),  # no phrase a skill's form
    ("Sales and marketing manager", "concept:sales-management", False),
])
def test_coordinated_phrases(ext: SkillExtractor, text: str, skill_id: str, present: bool) -> None:
    """A skill a coordinated phrase names without writing it out ("brake and suspension repair": brake repair)."""
    ms = {m.skill_id: m for m in ext.extract(text)}
    assert (skill_id in ms) is present
    if present:
        m = ms[skill_id]
        assert text[m.start:m.end] == m.text and m.score < 1.0


def test_no_match_inside_words(ext: SkillExtractor) -> None:
    found = labels(ext, "We write JavaScript and use ASP.NET daily.")
    assert "JavaScript" in found and "Java" not in found


def test_html_input_and_spans(ext: SkillExtractor) -> None:
    html = "Acme | Backend<p>Stack: Python &amp; Django, see <a href=\"https:&#x2F;&#x2F;kafka.example.com\">site</a></p>"
    plain = html_to_text(html)
    assert "&amp;" not in plain and "<p>" not in plain and "https" not in plain
    ms = ext.extract(html)
    assert {"Python", "Django"} <= {m.label for m in ms}
    assert "Kafka" not in {m.label for m in ms}
    for m in ext.extract(plain):
        assert plain[m.start:m.end] == m.text
        assert 0.0 <= m.score <= 1.0


def test_dedup_per_skill(ext: SkillExtractor) -> None:
    ms = ext.extract("Python here. More Python there. python everywhere.")
    py = [m for m in ms if m.label == "Python"]
    assert len(py) == 1 and py[0].start == 0


def test_ids_and_labels() -> None:
    assert skill_slug("Amazon Web Services AWS software") == "amazon-web-services-aws-software"
    assert len({skill_slug(x) for x in ("C", "C++", "C#", "R", ".NET", "Node.js")}) == 6
    assert esco_id("http://data.europa.eu/esco/skill/abc-123") == "esco:abc-123"
    assert canonical_technology("The MathWorks MATLAB")[0] == "MATLAB"
    assert canonical_technology("Structured query language SQL")[0] == "SQL"
    assert canonical_technology("Microsoft Word")[0] == "Microsoft Word"
    # people write the product, not the vendor: "Dentrix", "CiscoWorks" (the longer vendor name wins over "Cisco")
    assert canonical_technology("Henry Schein Dentrix")[0] == "Dentrix"
    assert canonical_technology("Cisco Systems CiscoWorks")[0] == "CiscoWorks"
    label, aliases = canonical_technology("Amazon Web Services AWS software")
    assert label == "Amazon Web Services" and "AWS" in aliases


def test_esco_matches_low_score(ext: SkillExtractor) -> None:
    ms = [m for m in ext.extract("Background in machine learning and computer science.") if m.taxonomy == "esco"]
    assert ms and all(m.score < 0.7 and m.skill_id.startswith("esco:") for m in ms)


def test_save_load_roundtrip(ext: SkillExtractor, tmp_path: Path) -> None:
    text = "Stack: Go, Rust, Postgres, k8s on GCP."
    path = ext.save(tmp_path / "ext.pkl")
    again = SkillExtractor.load(path)
    assert again.extract(text) == ext.extract(text)


def test_cli_contract(frames: dict[str, pl.DataFrame], datasets: Path, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from careeros.cli import app
    from careeros.settings import get_settings

    monkeypatch.setenv("CAREEROS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CAREEROS_DATASETS", str(datasets))
    get_settings.cache_clear()
    try:
        src = tmp_path / "in.jsonl"
        src.write_text(
            json.dumps({"id": 7, "text": "<p>We use Python &amp; Postgres</p>"}) + "\n{broken\n"
            + json.dumps({"id": "x", "text": "Go to the park."}) + "\n"
        )
        res = CliRunner().invoke(app, ["skills", "extract", str(src)])
        assert res.exit_code == 0, res.output
        rows = [json.loads(line) for line in res.stdout.splitlines()]
        assert [r["id"] for r in rows][0] == 7 and rows[2]["id"] == "x"
        assert {s["label"] for s in rows[0]["skills"]} >= {"Python", "PostgreSQL"}
        assert set(rows[0]["skills"][0]) >= {"skill_id", "label", "kind", "taxonomy", "score", "text"}
        assert all(s["taxonomy"] in {"onet", "esco"} for r in rows for s in r["skills"])
        assert rows[1]["skills"] == [] and "error" in rows[1]
        assert rows[2]["skills"] == []
        plain = tmp_path / "cv.txt"
        plain.write_text("Ten years of Kubernetes and Terraform.")
        res = CliRunner().invoke(app, ["skills", "extract", str(plain)])
        row = json.loads(res.stdout.splitlines()[0])
        assert row["id"] == str(plain) and {"Kubernetes", "Terraform"} <= {s["label"] for s in row["skills"]}
        assert list((tmp_path / "home" / "cache").glob("skill_extractor-*.pkl"))
    finally:
        get_settings.cache_clear()


def test_a_bare_acronym_under_a_credentials_heading_names_the_credential() -> None:
    """Under "## Certifications" (or "**Licenses**", or an inline "Certifications:" label) a list item that is a
    bare acronym names the credential ("- BLS", "BLS (AHA)"); the same line under "## Experience" names nothing."""
    from careeros.market.skills import _credential_list_item

    def item(text: str, word: str) -> bool:
        i = text.rindex(word)
        return _credential_list_item(text, i, i + len(word))

    assert item("## Certifications\n- ARRT (R)\n- BLS\n", "BLS")
    assert item("**Licenses**\n- RN (Ohio)\n- BLS (AHA)\n", "BLS")
    assert item("Certifications: NRP, BLS\n", "NRP")
    assert item("## Licences and Certifications\n- BLS and ACLS, American Heart Association\n", "BLS")
    assert not item("## Experience\n- BLS\n", "BLS")
    assert not item("## Certifications\n- BLS and first aid instructor\n", "BLS")
    assert not item("## Certifications\n- Renewed BLS yearly\n", "BLS")


@pytest.mark.parametrize(
    ("text", "label", "present"),
    [
        # "GCP" is Good Clinical Practice in a clinical research resume and Google Cloud in a cloud one; a cloud
        # engineer at a clinical trials company who names Google Cloud's products keeps Google Cloud
        ("Research coordinator. Skills: GCP, EDC, informed consent", "Good Clinical Practice (GCP)", True),
        ("Research coordinator. Skills: GCP, EDC, informed consent", "Google Cloud Platform", False),
        ("Cloud engineer. Skills: AWS, GCP, Terraform", "Google Cloud Platform", True),
        ("Cloud engineer. Skills: AWS, GCP, Terraform", "Good Clinical Practice (GCP)", False),
        ("Pipelines for a clinical trials platform on GCP with BigQuery.", "Google Cloud Platform", True),
        ("Pipelines for a clinical trials platform on GCP with BigQuery.", "Good Clinical Practice (GCP)", False),
    ],
)
def test_a_form_two_fields_use_is_read_by_the_document_s_field(ext: SkillExtractor, text: str, label: str,
                                                                present: bool) -> None:
    assert (label in {m.label for m in ext.extract(text)}) is present
