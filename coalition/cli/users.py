"""``coalition user``: the dashboard's accounts on a shared server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coalition.auth import accounts
from coalition.cli.common import AccountsOption, JsonOption, PasswordFile, accounts_path, out, print_json, table
from coalition.i18n import _

__all__ = ["app"]

app = typer.Typer(help="Dashboard accounts: add, list, remove, passwd, log.", no_args_is_help=True)

UserName = Annotated[str, typer.Argument(help="Account name.")]


@app.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Account name (or the e-mail an identity provider signs in with).")],
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "viewer",
    audience: Annotated[
        str | None, typer.Option(help="For a viewer: the audience it sees (public or coalition).")
    ] = None,
    password_file: PasswordFile = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Sign in only through the identity provider.")
    ] = False,
    accounts_file: AccountsOption = None,
) -> None:
    """Add a dashboard account."""
    path = accounts_path(ctx, accounts_file)
    user = accounts.add_user(path, name, role, None if no_password else _password(password_file), audience=audience)
    # TRANSLATORS: {role} is viewer, editor or admin, {audience} public, coalition or private, as stored
    message = _("Added {account} ({role}, sees {audience}) to {path}")
    out.print(message.format(account=user.name, role=user.role, audience=user.audience, path=path))


@app.command("list")
def user_list(ctx: typer.Context, as_json: JsonOption = False, accounts_file: AccountsOption = None) -> None:
    """List dashboard accounts (never their passwords)."""
    rows = accounts.list_users(accounts_path(ctx, accounts_file))
    if as_json:
        print_json(rows)
    else:
        table(rows, ["name", "role", "audience", "password", "last_login_at", "locked_until"])


@app.command("remove")
def user_remove(ctx: typer.Context, name: UserName, accounts_file: AccountsOption = None) -> None:
    """Remove a dashboard account (the last admin stays while other accounts exist)."""
    accounts.remove_user(accounts_path(ctx, accounts_file), name)
    out.print(_("Removed {account}").format(account=name))


@app.command("passwd")
def user_passwd(
    ctx: typer.Context, name: UserName, password_file: PasswordFile = None, accounts_file: AccountsOption = None
) -> None:
    """Set a new password (also lifts a lockout and ends the account's open sessions)."""
    accounts.set_password(accounts_path(ctx, accounts_file), name, _password(password_file))
    out.print(_("New password set for {account}").format(account=name))


def _password(password_file: Path | None) -> str:
    """The password from ``--password-file``, else asked twice on the terminal (never echoed)."""
    if password_file is not None:
        return accounts.read_password_file(password_file)
    return typer.prompt(_("Password (at least 12 characters)"), hide_input=True, confirmation_prompt=True, err=True)


@app.command("log")
def user_log(
    ctx: typer.Context,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many changes, newest first.")] = 50,
    accounts_file: AccountsOption = None,
) -> None:
    """Who added, removed or changed which account, and when (never a password)."""
    rows = accounts.account_log(accounts_path(ctx, accounts_file), limit=limit)
    if as_json:
        print_json(rows)
        return
    shown = [
        {**row, "change": " -> ".join(_roles(side) for side in (row["before"], row["after"]) if side)} for row in rows
    ]
    table(shown, ["at", "actor", "action", "name", "change"])


def _roles(side: dict) -> str:
    return f"{side['role']} ({side['audience']})"
