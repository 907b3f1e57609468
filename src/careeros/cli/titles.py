"""``careeros titles ...`` commands: parse arguments and print (the normaliser is ``careeros.market.reference``)."""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from careeros.market.titles import TitleNormalizer

app = typer.Typer(no_args_is_help=True)
log = logging.getLogger("careeros.titles")


def load_normalizer() -> TitleNormalizer:
    """The title normaliser of the current reference data (``careeros.market.reference.load_normalizer``).

    Imported when the command runs: the reference module pulls DuckDB and Polars, which every other command would
    otherwise pay for at start-up.
    """
    from careeros.market.reference import load_normalizer as load

    return load()


@app.command("normalize")
def normalize(
    file: str = typer.Argument(..., help="File with one title per line, or '-' for stdin."),
    top: int = typer.Option(5, "--top", "-k", min=1, help="Matches per title."),
) -> None:
    """Print one JSON object per input line: {"input", "matches": [{"soc_code", "title", "score"}]}."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    from careeros.cli.inputs import read_input_text

    text = read_input_text(file)
    lines = text.splitlines()
    norm = load_normalizer()
    out = sys.stdout
    for i in range(0, len(lines), 2000):
        chunk = lines[i:i + 2000]
        for line, matches in zip(chunk, norm.normalize(chunk, k=top), strict=True):
            out.write(json.dumps({"input": line, "matches": [
                {"soc_code": m.soc_code, "title": m.title, "score": float(m.score)} for m in matches]}) + "\n")
    out.flush()
