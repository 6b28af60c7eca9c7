"""``coalition movement``: add and list movements."""

from __future__ import annotations

from typing import Annotated

import typer

from coalition.cli.common import AudienceOption, JsonOption, out, print_json, store, table
from coalition.domain.vocabulary import movement_label
from coalition.i18n import _
from coalition.maps import services

__all__ = ["app"]

app = typer.Typer(help="Add and list movements.", no_args_is_help=True)


@app.command("add")
def movement_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Readable name, e.g. 'Racial justice'.")],
    id: Annotated[str | None, typer.Option("--id", help="Slug id; made from the name when absent.")] = None,
    color: Annotated[str, typer.Option(help="Colour as #rrggbb.")] = "#777777",
) -> None:
    """Add a movement beyond the default five."""
    movement = services.add_movement(store(ctx), {"id": id, "name": name, "color": color})
    out.print(_("Added movement {movement}").format(movement=movement.id))


@app.command("list")
def movement_list(ctx: typer.Context, as_json: JsonOption = False, audience: AudienceOption = "private") -> None:
    """List movements and how many organizations each has."""
    rows = services.list_movements(store(ctx), audience)
    if as_json:
        print_json(rows)
    else:
        table([{**row, "name": movement_label(row)} for row in rows], ["id", "name", "color", "organizations"])
