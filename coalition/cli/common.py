"""What every command group shares: the run's settings and store, the options several
commands spell the same way, and printing.

Options used by more than one command are written once here, as ``Annotated`` aliases,
so their flags and help cannot drift apart between commands.
"""

from __future__ import annotations

import getpass
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from coalition.domain.errors import CoalitionError
from coalition.domain.models import Audience
from coalition.domain.settings import Settings, as_passphrase, read_passphrase
from graph.sqlite.cipher import Passphrase
from graph.store import Store

__all__ = [
    "AccountsOption",
    "AudienceOption",
    "JsonOption",
    "NotesOption",
    "OneOrg",
    "OtherOrg",
    "PassphraseFile",
    "PasswordFile",
    "Run",
    "VisibilityOption",
    "accounts_path",
    "out",
    "print_json",
    "settings",
    "shown",
    "split",
    "store",
    "table",
]

# Names and notes come from data a stranger may have typed: print them literally, never
# as rich markup (``[/x]`` would crash it) or emoji codes.
out = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)

AudienceOption = Annotated[
    Audience, typer.Option("--audience", "-a", help="Who the output is for: public, coalition or private.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else.")]
OneOrg = Annotated[str, typer.Argument(help="Id of one organization.")]
OtherOrg = Annotated[str, typer.Argument(help="Id of the other organization.")]
VisibilityOption = Annotated[str | None, typer.Option(help="Who may see it: public, coalition or private.")]
NotesOption = Annotated[str | None, typer.Option(help="Free notes.")]
PassphraseFile = Annotated[
    Path | None,
    typer.Option("--passphrase-file", help="Encrypt (backup) or decrypt (restore) with the passphrase in this file."),
]
AccountsOption = Annotated[
    Path | None,
    typer.Option(
        "--accounts", help="Accounts file (default COALITION_ACCOUNTS, else accounts.db in the working folder)."
    ),
]
PasswordFile = Annotated[
    Path | None,
    typer.Option("--password-file", help="Read the password from this file's first line instead of asking."),
]


@dataclass
class Run:
    """One invocation's state, kept in the root click context: the settings built once
    at the edge, and the store once a command first needs it."""

    settings: Settings
    store: Store | None = None


def settings(ctx: typer.Context) -> Settings:
    """The settings the root callback built for this run."""
    return ctx.find_root().obj.settings


def store(ctx: typer.Context) -> Store:
    """The store for this run, opened once and closed when the command ends."""
    root = ctx.find_root()
    run: Run = root.obj
    if run.store is None:
        run.store = run.settings.open_store(map_passphrase(run.settings))
        root.call_on_close(run.store.close)
    return run.store


def new_passphrase(given: Path | None, what: str) -> Passphrase:
    """A passphrase being set: from ``given`` (a file), else typed twice on a terminal."""
    if given is not None:
        return as_passphrase(read_passphrase(given), str(given))
    if not sys.stdin.isatty():
        raise CoalitionError(f"give the {what} in a file: --passphrase-file F (it is never an argument)")
    first = getpass.getpass(f"The {what}: ")
    if getpass.getpass(f"The {what} again: ") != first:
        raise CoalitionError(f"the two {what}s differ: nothing was changed")
    return as_passphrase(first, "the prompt")


def map_passphrase(current: Settings) -> Passphrase | None:
    """The map's passphrase: from the configured file, else asked on a terminal when the
    map is encrypted (never an argument: it would show in the process list and the shell
    history). None otherwise; opening an encrypted map then says how to give it."""
    configured = current.configured_passphrase()
    if configured is not None or not current.map_is_encrypted() or not sys.stdin.isatty():
        return configured
    return as_passphrase(getpass.getpass(f"Passphrase for {current.map_file}: "), "the prompt")


def accounts_path(ctx: typer.Context, given: Path | None, ask: bool = True) -> Path:
    """The accounts file: the command's ``--accounts`` when given, else the settings'.
    When the map is encrypted, so is its accounts file, with the map's passphrase (asked
    on a terminal when ``ask`` and none is configured)."""
    from coalition.auth import accounts  # argon2: only the commands on accounts need it

    current = settings(ctx)
    path = given if given is not None else current.accounts_path
    if current.map_is_encrypted():
        key = map_passphrase(current) if ask else current.configured_passphrase()
        accounts.use_passphrase(path, key)
    return path


def print_json(document: Any) -> None:
    """Print one JSON document on stdout, the whole of a ``--json`` command's output."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")


def table(rows: list[dict[str, Any]], columns: list[str], title: str | None = None) -> None:
    """Print rows as a table of the given columns (missing values are blank). Long values
    wrap rather than end in an ellipsis: an id cut short cannot be typed back."""
    grid = Table(title=title, show_lines=False)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*[shown(row.get(c)) for c in columns])
    out.print(grid)


def shown(value: Any) -> str:
    """A value as a person reads it in a table: lists joined by ';', booleans yes/no."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def split(value: str | None) -> list[str] | None:
    """A ';'-separated option as a list (None when the option was not given)."""
    return None if value is None else [part.strip() for part in value.split(";") if part.strip()]
