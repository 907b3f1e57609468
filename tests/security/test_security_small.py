"""The smaller holes of the adversarial review, one test each (each failed before its fix)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.security


@pytest.fixture()
def outbox_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    from careeros.settings import get_settings

    monkeypatch.setenv("CAREEROS_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def test_outreach_form_titles_carry_no_addresses(outbox_home: Path) -> None:
    from careeros.agents.orchestrator import outreach_form
    from careeros.outbox import Draft, Outbox

    msg = Outbox().add_draft(Draft(draft_id="agents:r1:c-007", to="ana.silva@example.org", subject="Hello Ana",
                                   body="A short note.", run_id="r1"))
    form = outreach_form([msg.message_id])
    schema = json.dumps(form.model_json_schema())
    assert "ana.silva@example.org" not in schema and "@" not in schema
    assert "contact c-007" in schema


def test_agents_twice_queue_no_duplicate_drafts(outbox_home: Path) -> None:
    from careeros.outbox import Draft, Outbox

    ob = Outbox()
    first = ob.add_draft(Draft(draft_id="agents:run-1:c1", to="ana@example.org", subject="Hi", body="Run 1 text",
                               run_id="run-1"))
    again = ob.add_draft(Draft(draft_id="agents:run-2:c1", to="ANA@example.org", subject="Hi", body="Run 2 text",
                               run_id="run-2"))
    assert again.message_id == first.message_id and len(ob.messages()) == 1
    other = ob.add_draft(Draft(draft_id="agents:run-2:c2", to="bo@example.org", subject="Hi", body="x", run_id="r"))
    assert other.message_id != first.message_id and len(ob.messages()) == 2


def test_control_characters_are_stripped_from_feed_titles() -> None:
    from careeros.market.sources.generic import parse_feed_record

    [p] = parse_feed_record({"id": "1", "title": "Data\x1b[31m Engineer\x00 \u202eII\x07", "company": "A\rcme\x85",
                             "location": "Lisbon\x0b"}, "sha")
    for v in (p.title, p.company, p.location):
        assert v is not None and not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in v), v
    assert p.title == "Data [31m Engineer II"


def test_gz_feed_that_is_not_gzip_becomes_a_quarantine_reason(tmp_path: Path) -> None:
    from careeros.market.sources.base import ParseError
    from careeros.market.sources.generic import GenericFeedSource

    plain = tmp_path / "mine.jsonl.gz"
    plain.write_text('{"id": "1", "title": "Data Engineer"}\n')
    src = GenericFeedSource(plain, "mine")
    raws = list(src.iter_raw())
    assert len(raws) == 1
    with pytest.raises(ParseError, match="not gzip"):
        src.parse(raws[0])
    # a truncated gzip stream: the records before the break are kept, the break is one reason
    good = tmp_path / "cut.jsonl.gz"
    data = gzip.compress("".join(f'{{"id": "{i}", "title": "Engineer {i}"}}\n' for i in range(2000)).encode())
    good.write_bytes(data[: len(data) // 2])
    raws = list(GenericFeedSource(good, "cut").iter_raw())
    assert len(raws) > 1
    with pytest.raises(ParseError, match="stream broken"):
        GenericFeedSource(good, "cut").parse(raws[-1])


@pytest.mark.parametrize("cmd", [["titles", "normalize"], ["skills", "extract"]])
@pytest.mark.parametrize("what", ["missing", "directory"])
def test_cli_input_errors_are_one_line_exit_2(cmd: list[str], what: str, tmp_path: Path) -> None:
    from careeros.cli import app

    target = tmp_path / ("nope.txt" if what == "missing" else "")
    res = CliRunner().invoke(app, [*cmd, str(target)])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in res.output, res.output
