"""Every command of the CLI is documented in the README (as datasette's tests do)."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main

from coalition.cli import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: Any, prefix: str = "coalition") -> list[str]:
    """Every command path; groups are told by their subcommands (typer ships its own click)."""
    names = []
    for name, command in group.commands.items():
        if getattr(command, "commands", None):
            names.extend(_commands(command, f"{prefix} {name}"))
        else:
            names.append(f"{prefix} {name}")
    return names


@pytest.mark.parametrize("command", _commands(typer.main.get_command(app)))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert command in README, f"{command!r} is not documented in README.md"
