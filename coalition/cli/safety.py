"""Commands that keep a map safe: the audit trail, the integrity check, backup and restore.

Each command imports what it runs (backups load the cryptography library), so that the
others start without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coalition.cli.common import JsonOption, PassphraseFile, out, print_json, store
from coalition.domain.errors import CoalitionError
from coalition.maps import services

__all__ = ["commands"]

commands = typer.Typer()


@commands.command()
def audit(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many entries, newest first.")] = 50,
    since: Annotated[str | None, typer.Option(help="Only entries at or after this ISO date or time.")] = None,
    kind: Annotated[str | None, typer.Option(help="organization, tie, movement, introduction or map.")] = None,
    key: Annotated[str | None, typer.Option(help="One record: an organization id, source|target|kind, a|b.")] = None,
    as_json: JsonOption = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the entries to a .json or .csv file.")
    ] = None,
) -> None:
    """Who changed what, when, and from which values to which (holds private data: admins only)."""
    from coalition.maps.audit import audit_document, describe_entry, export_audit, list_audit

    opened = store(ctx)
    if output is not None:
        count = export_audit(opened, output, limit=limit, since=since, kind=kind, key=key)
        out.print(f"Wrote {count} audit entries to {output}")
        return
    entries = list_audit(opened, limit=limit, since=since, kind=kind, key=key)
    if as_json:
        print_json(audit_document(entries, opened))
        return
    for entry in entries:
        out.print(f"{entry['at']}  {entry['actor']}  {describe_entry(entry)}")


@commands.command()
def check(ctx: typer.Context) -> None:
    """Check the store's integrity: the database itself, then every record against the rules."""
    from coalition.maps.integrity import check as integrity_check

    opened = store(ctx)
    problems = integrity_check(opened)
    for problem in problems:
        typer.echo(f"problem: {problem}", err=True)
    if problems:
        raise CoalitionError(f"{len(problems)} integrity problem(s) in {opened.describe()}")
    out.print(f"No problem found in {opened.describe()}")


@commands.command("backup")
def backup_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the backup.")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Take a consistent online backup of the whole store, encrypted with --passphrase-file (AES-GCM)."""
    from coalition.maps.backup import backup as backup_store
    from coalition.maps.backup import read_passphrase

    passphrase = read_passphrase(passphrase_file) if passphrase_file else None
    out.print(backup_store(store(ctx), path, passphrase).summary())


@commands.command()
def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup written by `coalition backup`.")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Replace the store's content with a backup, in one transaction; refuses a wrong
    passphrase or a changed file."""
    from coalition.maps.backup import read_passphrase
    from coalition.maps.backup import restore as restore_store

    opened = store(ctx)
    services.init_map(opened)
    passphrase = read_passphrase(passphrase_file) if passphrase_file else None
    out.print(restore_store(opened, path, passphrase).summary())
