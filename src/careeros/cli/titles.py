"""``careeros titles ...`` commands (owned by the title-normalisation work)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
