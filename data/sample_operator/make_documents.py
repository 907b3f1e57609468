"""Regenerate the sample operator's resume PDF (fpdf2) and older DOCX snapshot (python-docx).

Run from anywhere: ``python data/sample_operator/make_documents.py``. The outputs are committed (small),
so this is only needed when ``resume/resume.md`` changes. fpdf2 is a dev dependency.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESUME_MD = HERE / "resume" / "resume.md"


def _plain(line: str) -> str:
    # the core PDF fonts are latin-1 only
    return line.replace("·", "-").replace("—", "-").replace("–", "-").encode("latin-1", "replace").decode("latin-1")


def make_pdf(md: Path = RESUME_MD, out: Path = HERE / "resume" / "resume.pdf") -> Path:
    """Render the Markdown resume as a simple text PDF (headings bold)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(__import__("datetime").datetime(2025, 11, 1))  # deterministic bytes
    pdf.add_page()
    for raw in md.read_text(encoding="utf-8").splitlines():
        line = _plain(raw.rstrip())
        if not line:
            pdf.ln(3)
            continue
        m = re.match(r"^(#+)\s+(.*)", line)
        if m:
            size = {1: 16, 2: 13}.get(len(m.group(1)), 11)
            pdf.set_font("Helvetica", "B", size)
            pdf.multi_cell(0, 7, m.group(2), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, line.replace("- ", "* ", 1) if line.startswith("- ") else line,
                           new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))
    return out


def make_docx(out: Path = HERE / "resume" / "resume_2023.docx") -> Path:
    """An older (2023) resume snapshot as DOCX: before the ML work, so links differ from the current one."""
    import docx

    d = docx.Document()
    d.core_properties.author = "Jordan Reyes (synthetic)"
    d.add_heading("Jordan Reyes", level=1)
    d.add_paragraph("Backend Engineer - Lisbon, Portugal - jordan.reyes@example.com")
    d.add_heading("Experience", level=2)
    d.add_paragraph("Backend Engineer, Tidewater Payments (2021 - present): Python and Go services for "
                    "transaction ingestion, Apache Kafka consumers, PostgreSQL schema design, Docker.")
    d.add_paragraph("Backend Engineer, Brightline Logistics (2018 - 2021): Django REST APIs, Redis caching, "
                    "Apache Airflow ETL into Snowflake, Terraform on AWS.")
    d.add_heading("Skills", level=2)
    d.add_paragraph("Python, Go, SQL, PostgreSQL, Redis, Apache Kafka, Docker, Django, Apache Airflow, AWS.")
    d.save(str(out))
    return out


if __name__ == "__main__":
    print(make_pdf())
    print(make_docx())
