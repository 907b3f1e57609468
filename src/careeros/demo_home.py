"""The demo's own home: a marker file says a CAREEROS_HOME belongs to ``careeros demo``.

Decisions taken in such a home are recorded as actor ``demo`` (the demo answers its own pauses), never as a
person's; the demo refuses a home that holds someone's profile and was not created by the demo.
"""

from __future__ import annotations

from pathlib import Path

MARKER = ".careeros-demo-home"
DEFAULT_DEMO_HOME = ".careeros-demo"


class DemoHomeError(ValueError):
    """The home holds a profile the demo did not create."""


def is_demo_home(home: Path) -> bool:
    """True when ``home`` was created by ``careeros demo``."""
    return (Path(home) / MARKER).is_file()


def decision_actor(home: Path, default: str = "human") -> str:
    """The actor to record for a decision answered in ``home``: ``demo`` in a demo home, else ``default``."""
    return "demo" if is_demo_home(home) else default


def claim(home: Path) -> None:
    """Make ``home`` the demo's, or raise :class:`DemoHomeError` when it holds a profile the demo did not write."""
    home = Path(home)
    if (home / "profile.toml").exists() and not is_demo_home(home):
        raise DemoHomeError(f"{home} holds a profile (profile.toml) that the demo did not create; the demo never "
                         f"overwrites it. Run the demo in its own home, e.g. CAREEROS_HOME={DEFAULT_DEMO_HOME} "
                         "careeros demo")
    home.mkdir(parents=True, exist_ok=True)
    (home / MARKER).write_text("created by `careeros demo`: decisions here are recorded as actor 'demo'\n")
