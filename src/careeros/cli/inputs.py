"""Reading a command's input file (or stdin) with a clear one-line error instead of a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def read_input_text(file: str) -> str:
    """The text of ``file`` (``-`` = stdin); a missing path, a directory or an unreadable file exits with code 2."""
    if file == "-":
        return sys.stdin.read()
    p = Path(file)
    problem = None
    if not p.exists():
        problem = "no such file"
    elif p.is_dir():
        problem = "is a directory, not a file"
    if problem is None:
        try:
            return p.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            problem = f"cannot read ({exc.strerror or type(exc).__name__})"
    typer.echo(f"error: {file}: {problem}", err=True)
    raise typer.Exit(2)
