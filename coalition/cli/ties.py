"""``coalition tie``: add, list and remove ties between organizations."""

from __future__ import annotations

from typing import Annotated

import typer

from coalition.cli.common import (
    AudienceOption,
    JsonOption,
    NotesOption,
    OneOrg,
    OtherOrg,
    VisibilityOption,
    out,
    print_json,
    store,
    table,
)
from coalition.domain.models import TIE_KINDS
from coalition.maps import services

__all__ = ["app"]

app = typer.Typer(help="Add, list and remove ties between organizations.", no_args_is_help=True)


@app.command("add")
def tie_add(
    ctx: typer.Context,
    source: OneOrg,
    target: OtherOrg,
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(TIE_KINDS)}.")] = "coalition",
    strength: Annotated[int, typer.Option(help="How strong, 1 (weak) to 5 (strong).")] = 3,
    since: Annotated[str | None, typer.Option(help="Start date, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="End date, YYYY-MM-DD.")] = None,
    visibility: VisibilityOption = "coalition",
    notes: NotesOption = "",
) -> None:
    """Add (or update) a tie between two organizations."""
    tie = services.add_tie(
        store(ctx),
        {"source": source, "target": target, "kind": kind, "strength": strength, "since": since,
         "until": until, "visibility": visibility, "notes": notes},
    )  # fmt: skip
    out.print(f"Tied {tie.source} and {tie.target} ({tie.kind}, strength {tie.strength})")


@app.command("list")
def tie_list(
    ctx: typer.Context,
    as_json: JsonOption = False,
    audience: AudienceOption = "private",
    org: Annotated[str | None, typer.Option(help="Only ties of this organization.")] = None,
) -> None:
    """List ties the audience may see."""
    rows = services.list_ties(store(ctx), audience, org=org)
    if as_json:
        print_json(rows)
    else:
        table(rows, ["source", "target", "kind", "strength", "since", "until", "visibility"])


@app.command("remove")
def tie_remove(
    ctx: typer.Context,
    source: OneOrg,
    target: OtherOrg,
    kind: Annotated[str | None, typer.Option(help="Only this kind of tie; all kinds when absent.")] = None,
) -> None:
    """Remove the ties between two organizations."""
    removed = services.remove_tie(store(ctx), source, target, kind)
    out.print(f"Removed {removed} tie{'s' if removed != 1 else ''}")
