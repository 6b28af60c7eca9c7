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
from coalition.i18n import N_, _
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
    "heading",
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


#: The headings of the tables the commands print, by the field each column shows (the
#: field's name in English), read through ``_()`` where they are printed; the rows keep
#: the fields' names, as ``--json`` does.
HEADINGS = {
    # TRANSLATORS: the headings of the command line's tables, each the name of a field
    "id": N_("id"),
    "name": N_("name"),
    "movement": N_("movement"),
    "movements": N_("movements"),
    "kind": N_("kind"),
    # TRANSLATORS: a table's heading: whether the group is led by the people most affected
    "community_led": N_("community_led"),
    "region": N_("region"),
    "languages": N_("languages"),
    "issues": N_("issues"),
    "offers": N_("offers"),
    "needs": N_("needs"),
    "access": N_("access"),
    "contact": N_("contact"),
    "contact_visibility": N_("contact_visibility"),
    "visibility": N_("visibility"),
    "consent_to_introductions": N_("consent_to_introductions"),
    "intro_capacity_per_month": N_("intro_capacity_per_month"),
    "notes": N_("notes"),
    "created_at": N_("created_at"),
    "updated_at": N_("updated_at"),
    "version": N_("version"),
    "color": N_("color"),
    "organizations": N_("organizations"),
    # TRANSLATORS: a table's heading: the organization a tie starts from
    "source": N_("source"),
    # TRANSLATORS: a table's heading: the organization a tie goes to
    "target": N_("target"),
    "partner_name": N_("partner_name"),
    "strength": N_("strength"),
    "since": N_("since"),
    "until": N_("until"),
    "confirmed": N_("confirmed"),
    "provenance": N_("provenance"),
    # TRANSLATORS: a table's heading: one organization of an introduction's pair
    "a": N_("a"),
    # TRANSLATORS: a table's heading: the other organization of an introduction's pair
    "b": N_("b"),
    "status": N_("status"),
    "score": N_("score"),
    "broker": N_("broker"),
    # TRANSLATORS: a table's heading: when something was saved or done
    "at": N_("at"),
    "note": N_("note"),
    "group": N_("group"),
    "sent": N_("sent"),
    "opened": N_("opened"),
    "answered": N_("answered"),
    "accepted": N_("accepted"),
    "role": N_("role"),
    "audience": N_("audience"),
    "password": N_("password"),
    "last_login_at": N_("last_login_at"),
    "locked_until": N_("locked_until"),
    # TRANSLATORS: a table's heading: who made a change
    "actor": N_("actor"),
    "action": N_("action"),
    "change": N_("change"),
}


def heading(field: str) -> str:
    """A field's name as a table heading in the run's language (as it is when unknown)."""
    return _(HEADINGS[field]) if field in HEADINGS else field


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


#: What ``new_passphrase`` says about the passphrase it asks for: when there is no
#: terminal to type it on, its prompt, the prompt to type it again, and two that differ.
NEW_PASSPHRASE = (
    N_("give the new passphrase in a file: --passphrase-file F (it is never an argument)"),
    N_("The new passphrase: "),
    N_("The new passphrase again: "),
    N_("the two new passphrases differ: nothing was changed"),
)
#: The same for a map being created encrypted.
NEW_MAP_PASSPHRASE = (
    N_("give the new map's passphrase in a file: --passphrase-file F (it is never an argument)"),
    N_("The new map's passphrase: "),
    N_("The new map's passphrase again: "),
    N_("the two new map's passphrases differ: nothing was changed"),
)


def new_passphrase(given: Path | None, new_map: bool = False) -> Passphrase:
    """A passphrase being set (for a ``new_map``, or a new one for a map): from ``given``
    (a file), else typed twice on a terminal."""
    if given is not None:
        return as_passphrase(read_passphrase(given), str(given))
    no_terminal, prompt, again, differ = NEW_MAP_PASSPHRASE if new_map else NEW_PASSPHRASE
    if not sys.stdin.isatty():
        raise CoalitionError(_(no_terminal))
    first = getpass.getpass(_(prompt))
    if getpass.getpass(_(again)) != first:
        raise CoalitionError(_(differ))
    return as_passphrase(first)


def map_passphrase(current: Settings) -> Passphrase | None:
    """The map's passphrase: from the configured file, else asked on a terminal when the
    map is encrypted (never an argument: it would show in the process list and the shell
    history). None otherwise; opening an encrypted map then says how to give it."""
    configured = current.configured_passphrase()
    if configured is not None or not current.map_is_encrypted() or not sys.stdin.isatty():
        return configured
    return as_passphrase(getpass.getpass(_("Passphrase for {file}: ").format(file=current.map_file)))


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
    """Print rows as a table of the given columns (missing values are blank), headed in
    the run's language (``heading``). Long values wrap rather than end in an ellipsis: an
    id cut short cannot be typed back."""
    grid = Table(title=title, show_lines=False)
    for column in columns:
        grid.add_column(heading(column), overflow="fold")
    for row in rows:
        grid.add_row(*[shown(row.get(c)) for c in columns])
    out.print(grid)


def shown(value: Any) -> str:
    """A value as a person reads it in a table: lists joined by ';', booleans yes/no."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else str(value)


def split(value: str | None) -> list[str] | None:
    """A ';'-separated option as a list (None when the option was not given)."""
    return None if value is None else [part.strip() for part in value.split(";") if part.strip()]
