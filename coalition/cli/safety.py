"""Commands that keep a map safe: the audit trail, the integrity check, backup and restore.

Each command imports what it runs (backups load the cryptography library), so that the
others start without it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from coalition.cli.common import (
    JsonOption,
    PassphraseFile,
    map_passphrase,
    new_passphrase,
    out,
    print_json,
    settings,
    store,
)
from coalition.domain.errors import CoalitionError
from coalition.i18n import N_, _, ngettext
from coalition.maps import services
from graph.sqlite.cipher import Passphrase
from graph.sqlite.store import SQLiteStore
from graph.store import Store

__all__ = ["commands"]

commands = typer.Typer()

#: What ``encrypt``, ``decrypt`` and ``rekey`` did, as their reports say it
#: (``Conversion.summary``) and as a line says the accounts file followed.
CONVERSIONS = {
    "Encrypted": N_("Encrypted the accounts file {path} with it"),
    "Decrypted": N_("Decrypted the accounts file {path} with it"),
    "Re-encrypted": N_("Re-encrypted the accounts file {path} with it"),
}


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
        # TRANSLATORS: the English says "entries" for one too; use your language's forms
        message = ngettext("Wrote {count} audit entries to {path}", "Wrote {count} audit entries to {path}", count)
        out.print(message.format(count=count, path=output))
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
        typer.echo(_("problem: {problem}").format(problem=problem), err=True)
    if problems:
        count = len(problems)
        # TRANSLATORS: the English says "problem(s)" whatever the count; use your language's forms
        message = ngettext("{count} integrity problem(s) in {store}", "{count} integrity problem(s) in {store}", count)
        raise CoalitionError(message.format(count=count, store=opened.describe()))
    out.print(_("No problem found in {store}").format(store=opened.describe()))


@commands.command("backup")
def backup_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the backup.")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Take a consistent online backup of the whole store, encrypted with --passphrase-file (AES-GCM).

    An encrypted map's backup is always encrypted: with the map's own passphrase unless
    --passphrase-file gives another."""
    from coalition.maps.backup import backup as backup_store
    from coalition.maps.backup import read_passphrase

    opened = store(ctx)
    passphrase = read_passphrase(passphrase_file) if passphrase_file else _map_key_text(opened)
    out.print(backup_store(opened, path, passphrase).summary())


@commands.command()
def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup written by `coalition backup`.")],
    passphrase_file: PassphraseFile = None,
    yes: Annotated[bool, typer.Option("--yes", help="Replace a map that holds organizations without asking.")] = False,
) -> None:
    """Replace the store's content with a backup, in one transaction; refuses a wrong
    passphrase or a changed file. Asks first when the map holds organizations."""
    from coalition.maps.backup import read_passphrase, sealed
    from coalition.maps.backup import restore as restore_store

    opened = store(ctx)
    services.init_map(opened)
    held = opened.counts().get("organizations", 0)
    if held and not yes:
        where = opened.describe()
        # TRANSLATORS: the English says "organizations" for one too; use your language's forms
        question = ngettext(
            "{store} holds {count} organizations: replace the whole map with {path}?",
            "{store} holds {count} organizations: replace the whole map with {path}?",
            held,
        ).format(store=where, count=held, path=path)
        if not sys.stdin.isatty():
            # TRANSLATORS: the English says "organizations" for one too; use your language's forms
            refusal = ngettext(
                "{store} holds {count} organizations: add --yes to replace it with {path}",
                "{store} holds {count} organizations: add --yes to replace it with {path}",
                held,
            )
            raise CoalitionError(refusal.format(store=where, count=held, path=path))
        if not typer.confirm(question, default=False):
            raise CoalitionError(_("nothing was restored"))
    if passphrase_file:
        passphrase = read_passphrase(passphrase_file)
    else:
        passphrase = _map_key_text(opened) if sealed(path) else None
    out.print(restore_store(opened, path, passphrase).summary())


def _map_key_text(opened: Store) -> str | None:
    """An encrypted map's own passphrase, which seals its backups by default."""
    key = getattr(opened, "passphrase", None)
    return key.reveal() if opened.encrypted and key is not None else None


NewPassphraseFile = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file", help="The new passphrase, from this file (asked twice on a terminal when absent)."
    ),
]


@commands.command()
def encrypt(ctx: typer.Context, passphrase_file: NewPassphraseFile = None) -> None:
    """Encrypt a plain SQLite map in place; the original is replaced only once the copy checks clean."""
    from coalition.maps.encryption import convert

    file = _map_file(ctx)
    key = new_passphrase(passphrase_file or settings(ctx).passphrase_file)
    if settings(ctx).map_is_encrypted():  # an accounts file left plain (made before the map was encrypted)
        with SQLiteStore(file, passphrase=key) as opened:
            opened.counts()  # the passphrase given is the map's
        if not _convert_accounts(ctx, None, key, "Encrypted"):
            raise CoalitionError(
                _("{file} is already encrypted: `coalition rekey` changes its passphrase").format(file=file)
            )
        return
    out.print(convert(file, None, key).summary("Encrypted"))
    _convert_accounts(ctx, None, key, "Encrypted")


@commands.command()
def decrypt(ctx: typer.Context) -> None:
    """Turn an encrypted SQLite map back into a plain one (the passphrase as for any command)."""
    from coalition.maps.encryption import convert

    file = _map_file(ctx)
    key = _current_key(ctx)
    out.print(convert(file, key, None).summary("Decrypted"))
    _convert_accounts(ctx, key, None, "Decrypted")


@commands.command()
def rekey(
    ctx: typer.Context,
    new_passphrase_file: Annotated[
        Path | None,
        typer.Option("--new-passphrase-file", help="The new passphrase, from this file (asked twice when absent)."),
    ] = None,
) -> None:
    """Change an encrypted map's passphrase (the current one as for any command)."""
    from coalition.maps.encryption import convert

    file = _map_file(ctx)
    key = _current_key(ctx)
    new_key = new_passphrase(new_passphrase_file)
    out.print(convert(file, key, new_key).summary("Re-encrypted"))
    _convert_accounts(ctx, key, new_key, "Re-encrypted")


def _convert_accounts(ctx: typer.Context, key: Passphrase | None, new_key: Passphrase | None, verb: str) -> bool:
    """The accounts file follows the map (same passphrase, or plain with it); whether
    there was one to convert. ``verb`` names the conversion (``CONVERSIONS``)."""
    from coalition.auth.accounts import convert_file

    path = settings(ctx).accounts_path
    try:
        converted = convert_file(path, key, new_key)
    except CoalitionError as e:
        raise CoalitionError(_("the map was converted, but not its accounts file: {reason}").format(reason=e)) from None
    if converted:
        out.print(_(CONVERSIONS[verb]).format(path=path))
    return converted


def _map_file(ctx: typer.Context) -> Path:
    file = settings(ctx).map_file
    if file is None:
        raise CoalitionError(_("encryption at rest is for a SQLite map file (--db sqlite:///FILE)"))
    return file


def _current_key(ctx: typer.Context) -> Passphrase:
    key = map_passphrase(settings(ctx))
    if key is None:
        file = settings(ctx).map_file
        if not settings(ctx).map_is_encrypted():
            raise CoalitionError(_("{file} is not encrypted").format(file=file))
        raise CoalitionError(
            _("{file} is encrypted: give its passphrase (--passphrase-file F before the command)").format(file=file)
        )
    return key
