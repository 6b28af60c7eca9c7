"""The ``coalition`` command line: a thin layer over ``coalition.maps.services`` and friends.

Every command opens the store named by ``--db`` (or COALITION_DB), calls one use case,
and prints. ``--json`` prints one JSON document on stdout and nothing else. Errors a
person can fix become one line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from coalition.analysis.gaps import gaps_for_store, gaps_text
from coalition.auth import accounts
from coalition.auth.serving import check_serving, is_loopback
from coalition.domain.errors import USER_ERRORS, CoalitionError
from coalition.domain.models import ORG_KINDS, TIE_KINDS, Audience
from coalition.domain.privacy import read_view
from coalition.domain.settings import resolve_url
from coalition.formats import EXPORT_FORMATS, IMPORT_FORMATS
from coalition.introductions.recommend import introductions_document, introductions_for_store, model_weights
from coalition.maps import services, transfer
from coalition.maps.audit import audit_document, describe_entry, export_audit, list_audit
from coalition.maps.backup import backup as backup_store
from coalition.maps.backup import read_passphrase
from coalition.maps.backup import restore as restore_store
from coalition.maps.integrity import check as integrity_check
from coalition.maps.tracking import set_introduction_status
from graph.connect import open_store
from graph.store import Store, acting_as

__all__ = ["app", "main"]

app = typer.Typer(
    help="Coalition Mapper: map organizations across movements, find gaps, plan introductions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
org_app = typer.Typer(help="Add, list, show, edit and remove organizations.", no_args_is_help=True)
tie_app = typer.Typer(help="Add, list and remove ties between organizations.", no_args_is_help=True)
movement_app = typer.Typer(help="Add and list movements.", no_args_is_help=True)
intro_app = typer.Typer(help="Suggest, explain and track bridge-building introductions.")
user_app = typer.Typer(help="Dashboard accounts: add, list, remove, passwd.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(tie_app, name="tie")
app.add_typer(movement_app, name="movement")
app.add_typer(intro_app, name="introductions")
app.add_typer(user_app, name="user")

out = Console(highlight=False, soft_wrap=True)

AudienceOption = Annotated[
    Audience, typer.Option("--audience", "-a", help="Who the output is for: public, coalition or private.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else.")]


# wiring ----------------------------------------------------------------------------
@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="COALITION_DB",
            help="Store URL: sqlite:///FILE (default sqlite:///coalition.db) or neo4j://HOST:7687.",
        ),
    ] = None,
) -> None:
    ctx.obj = {"url": resolve_url(db)}


def _store(ctx: typer.Context) -> Store:
    """The store for this run, opened once and closed when the command ends."""
    root = ctx.find_root()
    if "store" not in root.obj:
        root.obj["store"] = open_store(root.obj["url"])
        root.call_on_close(root.obj["store"].close)
    return root.obj["store"]


def _print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")


def _table(rows: list[dict[str, Any]], columns: list[str], title: str | None = None) -> None:
    table = Table(*columns, title=title, show_lines=False)
    for row in rows:
        table.add_row(*[_show(row.get(c)) for c in columns])
    out.print(table)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [part.strip() for part in value.split(";") if part.strip()]


# setup -----------------------------------------------------------------------------
@app.command()
def init(ctx: typer.Context) -> None:
    """Create the store (or upgrade an older one) with the default movements."""
    store = _store(ctx)
    services.init_map(store)
    out.print(f"Ready: {store.describe()}")


@app.command()
def demo(
    ctx: typer.Context,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Load only when the store holds no organization.")
    ] = False,
) -> None:
    """Load the fictional demo coalition from seeds/ into the store."""
    store = _store(ctx)
    services.init_map(store)
    if if_empty and not store.is_empty():
        out.print(f"{store.describe()} already holds a map; the demo was not loaded")
        return
    report = transfer.load_demo(store)
    out.print(report.summary())


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A file, a folder of CSV files, or a .zip of them.")],
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help=f"One of {', '.join(IMPORT_FORMATS)}; told from the file when absent."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and report every problem; write nothing.")
    ] = False,
) -> None:
    """Import a map; re-importing updates by id. All or nothing: one problem, no change."""
    store = _store(ctx)
    services.init_map(store)
    errors = Console(stderr=True, highlight=False)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True, disable=not errors.is_terminal) as bar:
        task = bar.add_task("Checking" if dry_run else "Importing", total=None)
        report = transfer.import_map(
            store, path, fmt=format, dry_run=dry_run,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )  # fmt: skip
    for problem in report.problems:
        typer.echo(f"problem: {problem}", err=True)
    for duplicate in report.duplicates:
        typer.echo(f"possible duplicate ({duplicate['where']}): {duplicate['suggestion']}", err=True)
    out.print(report.summary())
    if report.problems:
        raise typer.Exit(1)


@app.command()
def export(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="Where to write: a folder or .zip (CSV), .xlsx, .json, .kumu.json, .kumu.xlsx, .graphml, .gexf, "
            ".cypher, .html, .png, .svg or .pdf (the planning brief)."
        ),
    ],
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help=f"One of {', '.join(EXPORT_FORMATS)}; told from the path when absent."),
    ] = None,
    audience: AudienceOption = "coalition",
    anonymize: Annotated[
        bool,
        typer.Option(
            "--anonymize",
            help="Show organizations the audience may not see as anonymous stand-ins (no name, id, region or contact) "
            "instead of leaving them out; their ties to visible organizations are kept, neutral.",
        ),
    ] = False,
) -> None:
    """Export the map as the audience may see it (contacts only where their visibility allows)."""
    result = transfer.export_map(_store(ctx), path, fmt=format, audience=audience, anonymize=anonymize)
    withheld = ", ".join(f"{n} {kind}" for kind, n in result.withheld.items() if n) or "nothing"
    stand_ins = result.anonymized.get("organizations", 0)
    if stand_ins:
        withheld += f"; {stand_ins} shown as anonymous stand-ins"
    out.print(f"Wrote {', '.join(str(p) for p in result.paths)} for the {audience} audience (withheld: {withheld})")


@app.command()
def migrate(
    source: Annotated[str, typer.Option("--from", help="Store URL to copy from.")],
    destination: Annotated[str, typer.Option("--to", help="Store URL to copy into (must hold no map yet).")],
) -> None:
    """Copy a whole map between two stores, e.g. SQLite to Neo4j, without loss."""
    with open_store(source) as src, open_store(destination) as dst:
        copied = transfer.migrate(src, dst)
        out.print(f"Copied {', '.join(f'{n} {kind}' for kind, n in copied.items())} into {dst.describe()}")


@app.command()
def stats(ctx: typer.Context, as_json: JsonOption = False, audience: AudienceOption = "private") -> None:
    """Count organizations, ties, movements, community-led groups and cross-movement ties."""
    figures = services.map_stats(_store(ctx), audience)
    if as_json:
        _print_json(figures)
        return
    out.print(
        f"{figures['organizations']} organizations ({figures['community_led']} community-led), "
        f"{figures['ties']} ties ({figures['cross_movement_ties']} across movements)"
    )
    _table(
        [{"movement": m, "organizations": n} for m, n in figures["movements"].items()], ["movement", "organizations"]
    )


@app.command()
def gaps(ctx: typer.Context, as_json: JsonOption = False, audience: AudienceOption = "coalition") -> None:
    """Where the coalition is thin: missing movement pairs, single points of failure,
    brokers, isolated community-led groups, needs another member offers, silos."""
    report = gaps_for_store(_store(ctx), audience)
    if as_json:
        _print_json(report)
    else:
        typer.echo(gaps_text(report))


@intro_app.callback(invoke_without_command=True)
def introductions(
    ctx: typer.Context,
    top: Annotated[int, typer.Option("--top", "-n", help="How many introductions to show.")] = 20,
    as_json: JsonOption = False,
    audience: AudienceOption = "coalition",
    status: Annotated[
        str | None,
        typer.Option(
            help="Show tracked introductions of this status (planned, made, declined, on_hold) instead of new suggestions."
        ),
    ] = None,
    weights: Annotated[bool, typer.Option("--weights", help="Print the learned model's weights instead.")] = False,
) -> None:
    """Who should meet whom, who can introduce them, and why: best first, within consent,
    capacity, conflicts and declined pairs."""
    if ctx.invoked_subcommand is not None:
        return
    store = _store(ctx)
    if weights:
        _print_json(model_weights(read_view(store, audience)))
        return
    rows = introductions_for_store(store, audience, top=top, status=status)
    if as_json:
        _print_json(introductions_document(rows))
        return
    if not rows:
        out.print("No introductions to suggest for this audience." if status is None else f"No {status} introductions.")
    for rank, row in enumerate(rows, start=1):
        broker = f"via {row['broker']}" if row.get("broker") else "cold introduction"
        score = f"{row['score']:.3f}" if isinstance(row.get("score"), int | float) else "-"
        out.print(
            f"{rank}. {row['a']} + {row['b']} ({' / '.join(row['movements'])}), {broker}, score {score}, {row['status']}",
            markup=False,
        )
        for reason in row.get("reasons", []):
            out.print(f"     - {reason}", markup=False)


@intro_app.command("set")
def introductions_set(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="Id of one organization.")],
    b: Annotated[str, typer.Argument(help="Id of the other organization.")],
    status: Annotated[str, typer.Option(help="suggested, planned, made, declined or on_hold.")],
    note: Annotated[str | None, typer.Option(help="A note kept with the introduction.")] = None,
    create_tie: Annotated[
        bool, typer.Option("--create-tie", help="With --status made: also record the new tie.")
    ] = False,
) -> None:
    """Track an introduction: plan it, mark it made (optionally adding the tie), decline it."""
    record = set_introduction_status(_store(ctx), a, b, status, note=note, create_tie=create_tie)
    out.print(f"{record['a']} + {record['b']}: {record['status']} on {record['status_date']}", markup=False)


@app.command()
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port for the dashboard.")] = 8501,
    address: Annotated[
        str,
        typer.Option(
            help="Address to listen on: 127.0.0.1 (this computer only) unless accounts exist (`coalition user add`)."
        ),
    ] = "127.0.0.1",
) -> None:
    """Start the dashboard: this computer only, or with sign-in when accounts exist."""
    accounts_file = accounts.resolve_accounts_path().resolve()
    check_serving(address, accounts_file)
    app_path = Path(__file__).resolve().parents[2] / "streamlit_app.py"
    env = {**os.environ, "COALITION_DB": ctx.obj["url"], "COALITION_ACCOUNTS": str(accounts_file)}
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_path),
        "--server.address", address, "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    who = "only this computer can open it" if is_loopback(address) else "sign-in required; put it behind HTTPS"
    out.print(f"Dashboard on http://{address}:{port} ({who}); Ctrl+C stops it.")
    raise typer.Exit(subprocess.call(command, env=env))


# safety ----------------------------------------------------------------------------
@app.command()
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
    store = _store(ctx)
    if output is not None:
        count = export_audit(store, output, limit=limit, since=since, kind=kind, key=key)
        out.print(f"Wrote {count} audit entries to {output}", markup=False)
        return
    entries = list_audit(store, limit=limit, since=since, kind=kind, key=key)
    if as_json:
        _print_json(audit_document(entries, store))
        return
    for entry in entries:
        out.print(f"{entry['at']}  {entry['actor']}  {describe_entry(entry)}", markup=False)


@app.command()
def check(ctx: typer.Context) -> None:
    """Check the store's integrity: the database itself, then every record against the rules."""
    store = _store(ctx)
    problems = integrity_check(store)
    for problem in problems:
        typer.echo(f"problem: {problem}", err=True)
    if problems:
        raise CoalitionError(f"{len(problems)} integrity problem(s) in {store.describe()}")
    out.print(f"No problem found in {store.describe()}", markup=False)


PassphraseFile = Annotated[
    Path | None,
    typer.Option("--passphrase-file", help="Encrypt (backup) or decrypt (restore) with the passphrase in this file."),
]


@app.command("backup")
def backup_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the backup.")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Take a consistent online backup of the whole store, encrypted with --passphrase-file (AES-GCM)."""
    passphrase = read_passphrase(passphrase_file) if passphrase_file else None
    out.print(backup_store(_store(ctx), path, passphrase).summary(), markup=False)


@app.command()
def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup written by `coalition backup`.")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Replace the store's content with a backup, in one transaction; refuses a wrong
    passphrase or a changed file."""
    store = _store(ctx)
    services.init_map(store)
    passphrase = read_passphrase(passphrase_file) if passphrase_file else None
    out.print(restore_store(store, path, passphrase).summary(), markup=False)


# accounts --------------------------------------------------------------------------
AccountsOption = Annotated[
    Path | None,
    typer.Option(
        "--accounts", envvar="COALITION_ACCOUNTS", help="Accounts file (default accounts.db in the working folder)."
    ),
]
PasswordFile = Annotated[
    Path | None,
    typer.Option("--password-file", help="Read the password from this file's first line instead of asking."),
]


def _password(password_file: Path | None) -> str:
    if password_file is not None:
        return accounts.read_password_file(password_file)
    return typer.prompt("Password (at least 12 characters)", hide_input=True, confirmation_prompt=True, err=True)


@user_app.command("add")
def user_add(
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
    path = accounts.resolve_accounts_path(accounts_file)
    user = accounts.add_user(path, name, role, None if no_password else _password(password_file), audience=audience)
    out.print(f"Added {user.name} ({user.role}, sees {user.audience}) to {path}", markup=False)


@user_app.command("list")
def user_list(as_json: JsonOption = False, accounts_file: AccountsOption = None) -> None:
    """List dashboard accounts (never their passwords)."""
    rows = accounts.list_users(accounts.resolve_accounts_path(accounts_file))
    if as_json:
        _print_json(rows)
    else:
        _table(rows, ["name", "role", "audience", "password", "last_login_at", "locked_until"])


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="Account name.")], accounts_file: AccountsOption = None
) -> None:
    """Remove a dashboard account (the last admin stays while other accounts exist)."""
    accounts.remove_user(accounts.resolve_accounts_path(accounts_file), name)
    out.print(f"Removed {name}", markup=False)


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="Account name.")],
    password_file: PasswordFile = None,
    accounts_file: AccountsOption = None,
) -> None:
    """Set a new password (also lifts a lockout and ends the account's open sessions)."""
    accounts.set_password(accounts.resolve_accounts_path(accounts_file), name, _password(password_file))
    out.print(f"New password set for {name}", markup=False)


# movements -------------------------------------------------------------------------
@movement_app.command("add")
def movement_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Readable name, e.g. 'Racial justice'.")],
    id: Annotated[str | None, typer.Option("--id", help="Slug id; made from the name when absent.")] = None,
    color: Annotated[str, typer.Option(help="Colour as #rrggbb.")] = "#777777",
) -> None:
    """Add a movement beyond the default five."""
    movement = services.add_movement(_store(ctx), {"id": id, "name": name, "color": color})
    out.print(f"Added movement {movement.id}")


@movement_app.command("list")
def movement_list(ctx: typer.Context, as_json: JsonOption = False, audience: AudienceOption = "private") -> None:
    """List movements and how many organizations each has."""
    rows = services.list_movements(_store(ctx), audience)
    if as_json:
        _print_json(rows)
    else:
        _table(rows, ["id", "name", "color", "organizations"])


# organizations ---------------------------------------------------------------------
def _org_fields(**options: Any) -> dict[str, Any]:
    """The organization fields given on the command line (None means not given)."""
    lists = ("movements", "languages", "issues", "offers", "needs")
    fields = {k: (_split(v) if k in lists else v) for k, v in options.items()}
    return {k: v for k, v in fields.items() if v is not None}


OrgName = Annotated[str | None, typer.Option(help="Organization name.")]
Movements = Annotated[str | None, typer.Option(help="Movement ids, ';'-separated, e.g. 'housing;migrant'.")]
Kind = Annotated[str | None, typer.Option(help=f"One of {', '.join(ORG_KINDS)}.")]
CommunityLed = Annotated[
    bool | None, typer.Option("--community-led/--not-community-led", help="Led by the people most affected.")
]
Region = Annotated[str | None, typer.Option(help="Region or district.")]
Languages = Annotated[str | None, typer.Option(help="Languages, ';'-separated.")]
Issues = Annotated[str | None, typer.Option(help="Issue tags, ';'-separated.")]
Offers = Annotated[str | None, typer.Option(help="What it offers, ';'-separated (meeting_space, legal_advice...).")]
Needs = Annotated[str | None, typer.Option(help="What it needs, ';'-separated.")]
Access = Annotated[str | None, typer.Option(help="Access notes (step-free, ASL, childcare...).")]
Contact = Annotated[
    str | None,
    typer.Option(help="Contact; shown only to the private audience unless --contact-visibility says otherwise."),
]
ContactVisibility = Annotated[str | None, typer.Option(help="Who may see the contact: public, coalition or private.")]
Visibility = Annotated[str | None, typer.Option(help="Who may see it: public, coalition or private.")]
Consent = Annotated[
    bool | None, typer.Option("--consent/--no-consent", help="Agrees to be suggested for introductions.")
]
Capacity = Annotated[int | None, typer.Option("--capacity", help="Introductions accepted per month.")]
Notes = Annotated[str | None, typer.Option(help="Free notes.")]


@org_app.command("add")
def org_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Organization name.")],
    movements: Annotated[str, typer.Option(help="Movement ids, ';'-separated, e.g. 'housing;migrant'.")],
    id: Annotated[str | None, typer.Option("--id", help="Stable slug id; made from the name when absent.")] = None,
    kind: Kind = None, community_led: CommunityLed = None, region: Region = None, languages: Languages = None,
    issues: Issues = None, offers: Offers = None, needs: Needs = None, access: Access = None, contact: Contact = None,
    contact_visibility: ContactVisibility = None, visibility: Visibility = None, consent: Consent = None,
    capacity: Capacity = None, notes: Notes = None,
) -> None:  # fmt: skip
    """Add an organization."""
    fields = _org_fields(
        id=id, name=name, movements=movements, kind=kind, community_led=community_led, region=region,
        languages=languages, issues=issues, offers=offers, needs=needs, access=access, contact=contact,
        contact_visibility=contact_visibility, visibility=visibility, consent_to_introductions=consent,
        intro_capacity_per_month=capacity, notes=notes,
    )  # fmt: skip
    org = services.add_organization(_store(ctx), fields)
    out.print(f"Added {org.id} ({org.name})")


@org_app.command("edit")
def org_edit(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="Id of the organization to change.")],
    name: OrgName = None, movements: Movements = None, kind: Kind = None, community_led: CommunityLed = None,
    region: Region = None, languages: Languages = None, issues: Issues = None, offers: Offers = None,
    needs: Needs = None, access: Access = None, contact: Contact = None, contact_visibility: ContactVisibility = None,
    visibility: Visibility = None, consent: Consent = None, capacity: Capacity = None, notes: Notes = None,
) -> None:  # fmt: skip
    """Change the given fields of an organization; the others stay as they are."""
    changes = _org_fields(
        name=name, movements=movements, kind=kind, community_led=community_led, region=region,
        languages=languages, issues=issues, offers=offers, needs=needs, access=access, contact=contact,
        contact_visibility=contact_visibility, visibility=visibility, consent_to_introductions=consent,
        intro_capacity_per_month=capacity, notes=notes,
    )  # fmt: skip
    if not changes:
        raise CoalitionError("nothing to change: give at least one option, e.g. --region eastport")
    org = services.edit_organization(_store(ctx), org_id, changes)
    out.print(f"Updated {org.id} (version {org.version})")


@org_app.command("list")
def org_list(
    ctx: typer.Context,
    as_json: JsonOption = False,
    audience: AudienceOption = "private",
    movement: Annotated[str | None, typer.Option(help="Only organizations of this movement.")] = None,
    search: Annotated[str | None, typer.Option(help="Only names or ids containing this text.")] = None,
) -> None:
    """List organizations the audience may see."""
    rows = services.list_organizations(_store(ctx), audience, movement=movement, search=search)
    if as_json:
        _print_json(rows)
    else:
        _table(rows, ["id", "name", "movements", "kind", "community_led", "region", "visibility"])


@org_app.command("show")
def org_show(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="Id of the organization.")],
    as_json: JsonOption = False,
) -> None:
    """Show every field of one organization and its ties."""
    store = _store(ctx)
    org = services.get_organization(store, org_id)
    ties = services.list_ties(store, "private", org=org_id)
    if as_json:
        _print_json({**org, "ties": ties})
        return
    for key, value in org.items():
        out.print(f"{key}: {_show(value)}", markup=False)
    _table(ties, ["source", "target", "kind", "strength", "visibility"], title="Ties")


@org_app.command("remove")
def org_remove(ctx: typer.Context, org_id: Annotated[str, typer.Argument(help="Id of the organization.")]) -> None:
    """Remove an organization together with its ties."""
    removed = services.remove_organization(_store(ctx), org_id)
    out.print(f"Removed {org_id} and {removed} tie{'s' if removed != 1 else ''}")


# ties ------------------------------------------------------------------------------
@tie_app.command("add")
def tie_add(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Id of one organization.")],
    target: Annotated[str, typer.Argument(help="Id of the other organization.")],
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(TIE_KINDS)}.")] = "coalition",
    strength: Annotated[int, typer.Option(help="How strong, 1 (weak) to 5 (strong).")] = 3,
    since: Annotated[str | None, typer.Option(help="Start date, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="End date, YYYY-MM-DD.")] = None,
    visibility: Annotated[str, typer.Option(help="Who may see it: public, coalition or private.")] = "coalition",
    notes: Annotated[str, typer.Option(help="Free notes.")] = "",
) -> None:
    """Add (or update) a tie between two organizations."""
    tie = services.add_tie(
        _store(ctx),
        {"source": source, "target": target, "kind": kind, "strength": strength, "since": since,
         "until": until, "visibility": visibility, "notes": notes},
    )  # fmt: skip
    out.print(f"Tied {tie.source} and {tie.target} ({tie.kind}, strength {tie.strength})")


@tie_app.command("list")
def tie_list(
    ctx: typer.Context,
    as_json: JsonOption = False,
    audience: AudienceOption = "private",
    org: Annotated[str | None, typer.Option(help="Only ties of this organization.")] = None,
) -> None:
    """List ties the audience may see."""
    rows = services.list_ties(_store(ctx), audience, org=org)
    if as_json:
        _print_json(rows)
    else:
        _table(rows, ["source", "target", "kind", "strength", "since", "until", "visibility"])


@tie_app.command("remove")
def tie_remove(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Id of one organization.")],
    target: Annotated[str, typer.Argument(help="Id of the other organization.")],
    kind: Annotated[str | None, typer.Option(help="Only this kind of tie; all kinds when absent.")] = None,
) -> None:
    """Remove the ties between two organizations."""
    removed = services.remove_tie(_store(ctx), source, target, kind)
    out.print(f"Removed {removed} tie{'s' if removed != 1 else ''}")


def quiet_driver_logs() -> None:
    """The Neo4j driver logs connection failures as warnings, which Python would print
    on stderr next to our own one-line error; the error already says it all."""
    logger = logging.getLogger("neo4j")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


def main() -> None:
    """Entry point: runs the app and turns user errors into one line on stderr.

    Every write is recorded in the audit trail as ``cli:<login name>``."""
    quiet_driver_logs()
    try:
        with acting_as(f"cli:{getpass.getuser()}"):
            code = app(standalone_mode=False)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except USER_ERRORS as e:
        typer.echo(f"coalition: error: {e}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
