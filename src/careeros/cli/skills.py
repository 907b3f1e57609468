"""``careeros skills ...`` commands (owned by the skill-extraction work)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
