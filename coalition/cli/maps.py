"""Commands on a whole map: create it, load the demo, import, export, copy between
stores, count.

``transfer`` (numpy, rapidfuzz) and rich's progress bar are imported by the commands that
use them, so that the others start without them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from coalition.cli.common import (
    AudienceOption,
    JsonOption,
    map_passphrase,
    new_passphrase,
    out,
    print_json,
    settings,
    store,
    table,
)
from coalition.domain.errors import CoalitionError
from coalition.domain.settings import check_passphrase_length
from coalition.formats import EXPORT_FORMATS, IMPORT_FORMATS
from coalition.i18n import N_, _, ngettext
from coalition.maps import services
from graph.connect import open_store

__all__ = ["commands"]

commands = typer.Typer()

#: How ``export`` and ``migrate`` count records, by kind: (singular, plural) for ngettext.
COUNTED = {
    # TRANSLATORS: the English says "movements" for one too; use your language's forms
    "movements": (N_("{count} movements"), N_("{count} movements")),
    # TRANSLATORS: the English says "organizations" for one too; use your language's forms
    "organizations": (N_("{count} organizations"), N_("{count} organizations")),
    # TRANSLATORS: the English says "ties" for one too; use your language's forms
    "ties": (N_("{count} ties"), N_("{count} ties")),
    # TRANSLATORS: the English says "introductions" for one too; use your language's forms
    "introductions": (N_("{count} introductions"), N_("{count} introductions")),
}


@commands.command()
def init(
    ctx: typer.Context,
    encrypt: Annotated[
        bool,
        typer.Option("--encrypt", help="Create the map encrypted (the passphrase from --passphrase-file or asked)."),
    ] = False,
    passphrase_file: Annotated[
        Path | None,
        typer.Option("--passphrase-file", help="With --encrypt: the new map's passphrase, from this file."),
    ] = None,
) -> None:
    """Create the store (or upgrade an older one) with the default movements."""
    if passphrase_file is not None and not encrypt:
        raise CoalitionError(_("--passphrase-file after `init` is for --encrypt; an existing map's goes before `init`"))
    if encrypt:
        _init_encrypted(ctx, passphrase_file)
    opened = store(ctx)
    services.init_map(opened)
    out.print(_("Ready: {store}").format(store=opened.describe()))


def _init_encrypted(ctx: typer.Context, passphrase_file: Path | None) -> None:
    """Open a new encrypted map for ``init --encrypt``: refused for a plain map that
    exists (``coalition encrypt`` converts one) and for a Neo4j store."""
    current = settings(ctx)
    file = current.map_file
    if file is None:
        raise CoalitionError(_("--encrypt is for a SQLite map file; a Neo4j server keeps its own disk encryption"))
    if file.exists() and file.stat().st_size and not current.map_is_encrypted():
        raise CoalitionError(_("{file} already holds a plain map: `coalition encrypt` encrypts it").format(file=file))
    run = ctx.find_root().obj
    given = passphrase_file or current.passphrase_file
    key = new_passphrase(given, new_map=True)
    check_passphrase_length(key.reveal())
    run.store = current.open_store(key)
    ctx.find_root().call_on_close(run.store.close)


@commands.command()
def demo(
    ctx: typer.Context,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Load only when the store holds no organization.")
    ] = False,
) -> None:
    """Load the fictional demo coalition from seeds/ into the store."""
    from coalition.maps import transfer

    current = settings(ctx)
    if if_empty and current.map_is_encrypted() and current.passphrase_file is None:
        # `make run` on an encrypted map: it was made on purpose, and the dashboard asks for its passphrase
        out.print(_("{file} is an encrypted map; the demo was not loaded").format(file=current.map_file))
        return
    opened = store(ctx)
    report = transfer.load_demo(opened, if_empty=if_empty)
    if report is None:
        out.print(_("{store} already holds a map; the demo was not loaded").format(store=opened.describe()))
        return
    out.print(report.summary())


@commands.command("import")
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
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from coalition.maps import transfer

    opened = store(ctx)
    services.init_map(opened)
    errors = Console(stderr=True, highlight=False)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True, disable=not errors.is_terminal) as bar:
        task = bar.add_task(_("Checking") if dry_run else _("Importing"), total=None)
        report = transfer.import_map(
            opened, path, fmt=format, dry_run=dry_run, limits=settings(ctx).import_limits,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )  # fmt: skip
    for problem in report.problems:
        typer.echo(_("problem: {problem}").format(problem=problem), err=True)
    for duplicate in report.duplicates:
        message = _("possible duplicate ({where}): {suggestion}")
        typer.echo(message.format(where=duplicate["where"], suggestion=duplicate["suggestion"]), err=True)
    out.print(report.summary())
    if report.problems:
        raise typer.Exit(1)


@commands.command()
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
    from coalition.maps import transfer

    result = transfer.export_map(
        store(ctx), path, fmt=format, audience=audience, anonymize=anonymize, freshness=settings(ctx).freshness
    )
    withheld = _(", ").join(_counted(kind, n) for kind, n in result.withheld.items() if n)
    # TRANSLATORS: what an export withheld: nothing
    withheld = withheld or _("nothing")
    stand_ins = result.anonymized.get("organizations", 0)
    paths = ", ".join(str(p) for p in result.paths)
    if stand_ins:
        # TRANSLATORS: {audience} is public, coalition or private; the English says "shown" for one too
        message = ngettext(
            "Wrote {paths} for the {audience} audience (withheld: {withheld}; {count} shown as anonymous stand-ins)",
            "Wrote {paths} for the {audience} audience (withheld: {withheld}; {count} shown as anonymous stand-ins)",
            stand_ins,
        )
    else:
        # TRANSLATORS: {audience} is public, coalition or private; {withheld} "3 organizations, 5 ties" or "nothing"
        message = _("Wrote {paths} for the {audience} audience (withheld: {withheld})")
    out.print(message.format(paths=paths, audience=audience, withheld=withheld, count=stand_ins))


@commands.command()
def migrate(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="Store URL to copy from.")],
    destination: Annotated[str, typer.Option("--to", help="Store URL to copy into (must hold no map yet).")],
) -> None:
    """Copy a whole map between two stores, e.g. SQLite to Neo4j, without loss."""
    from coalition.maps import transfer

    neo4j = settings(ctx).neo4j
    from_file = replace(settings(ctx), db_url=source)
    source_key = map_passphrase(from_file) if from_file.map_is_encrypted() else None
    with open_store(source, neo4j, source_key) as src, open_store(destination, neo4j) as dst:
        copied = transfer.migrate(src, dst)
        counts = _(", ").join(_counted(kind, n) for kind, n in copied.items())
        # TRANSLATORS: {counts} is "5 movements, 300 organizations, 900 ties, 12 introductions"
        out.print(_("Copied {counts} into {store}").format(counts=counts, store=dst.describe()))


def _counted(kind: str, count: int) -> str:
    """``"3 ties"``: a count of records of one kind, in the run's language."""
    if kind not in COUNTED:
        return f"{count} {kind}"
    return ngettext(*COUNTED[kind], count).format(count=count)


@commands.command()
def stats(ctx: typer.Context, as_json: JsonOption = False, audience: AudienceOption = "private") -> None:
    """Count organizations, ties, movements, community-led groups and cross-movement ties."""
    figures = services.map_stats(store(ctx), audience)
    if as_json:
        print_json(figures)
        return
    ties = services.ties_in_words(figures["working_ties"], figures["conflict_ties"], figures["ended_ties"])
    # TRANSLATORS: {ties} is "77 ties: 71 working now (...), 1 conflict, 5 ended"; the English says
    # "organizations" for one too
    summary = ngettext(
        "{count} organizations ({community_led} community-led); {ties}; {across} across movements",
        "{count} organizations ({community_led} community-led); {ties}; {across} across movements",
        figures["organizations"],
    )
    out.print(
        summary.format(
            count=figures["organizations"],
            community_led=figures["community_led"],
            ties=ties,
            across=figures["cross_movement_ties"],
        )
    )
    table([{"movement": m, "organizations": n} for m, n in figures["movements"].items()], ["movement", "organizations"])
