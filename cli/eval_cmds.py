"""Commands of this area (registered by cli.main)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `revrisk` app."""
