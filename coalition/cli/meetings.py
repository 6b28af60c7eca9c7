"""``coalition snapshot`` and ``coalition changes``: what changed since the last meeting."""

from __future__ import annotations

from typing import Annotated

import typer

from coalition.cli.common import AudienceOption, JsonOption, out, print_json, settings, store, table
from coalition.i18n import _
from coalition.maps import changes as meeting

__all__ = ["commands", "snapshot"]

snapshot = typer.Typer(help="Mark the map before a meeting, to see later what changed.", no_args_is_help=True)
commands = typer.Typer()


@snapshot.command("save")
def snapshot_save(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name of the snapshot, e.g. 2026-12-meeting.")],
    note: Annotated[str, typer.Option(help="A note to find it by.")] = "",
) -> None:
    """Mark the map as it is now (cheap: no copy is made)."""
    saved = meeting.save_snapshot(store(ctx), name, note)
    out.print(_("Saved snapshot {snapshot} at {time}.").format(snapshot=saved["name"], time=saved["at"]))


@snapshot.command("list")
def snapshot_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The snapshots, oldest first."""
    found = meeting.list_snapshots(store(ctx))
    if as_json:
        print_json(found)
        return
    table(found, ["name", "at", "note"])


@commands.command("changes")
def changes(
    ctx: typer.Context,
    since: Annotated[str, typer.Option("--since", help="A snapshot's name or a day, YYYY-MM-DD.")],
    audience: AudienceOption = "private",
    as_json: JsonOption = False,
) -> None:
    """What changed since a snapshot or a day: organizations, ties, gaps, introductions."""
    found = meeting.changes_since(store(ctx), since, audience, freshness=settings(ctx).freshness)
    if as_json:
        print_json(found)
        return
    # TRANSLATORS: {since} is a snapshot's name or a day, {time} when that was
    out.print(_("Since {since} ({time}):").format(since=found["since"], time=found["since_at"]))
    for line in meeting.summary_lines(found):
        out.print(f"- {line}")
