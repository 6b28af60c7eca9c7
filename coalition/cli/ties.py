"""``coalition tie``: add, list, remove, confirm ties between organizations, and list the
stale ones (``coalition.maps.freshness``)."""

from __future__ import annotations

from dataclasses import replace
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
    settings,
    store,
    table,
)
from coalition.domain.models import TIE_KINDS
from coalition.i18n import _, ngettext
from coalition.maps import freshness, services

__all__ = ["app"]

app = typer.Typer(
    help="Add, list, remove and confirm ties between organizations; list the stale ones.", no_args_is_help=True
)


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
    # TRANSLATORS: {kind} is a kind of tie as the command line spells it (joint_campaign)
    message = _("Tied {organization} and {other} ({kind}, strength {strength})")
    out.print(message.format(organization=tie.source, other=tie.target, kind=tie.kind, strength=tie.strength))


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
        table(rows, ["source", "target", "kind", "strength", "since", "until", "visibility", "confirmed"])


@app.command("remove")
def tie_remove(
    ctx: typer.Context,
    source: OneOrg,
    target: OtherOrg,
    kind: Annotated[str | None, typer.Option(help="Only this kind of tie; all kinds when absent.")] = None,
) -> None:
    """Remove the ties between two organizations."""
    removed = services.remove_tie(store(ctx), source, target, kind)
    out.print(ngettext("Removed {count} tie", "Removed {count} ties", removed).format(count=removed))


@app.command("stale")
def tie_stale(
    ctx: typer.Context,
    months: Annotated[
        int | None,
        typer.Option(min=1, help="Not confirmed for this many months (default COALITION_STALE_MONTHS, 12)."),
    ] = None,
    as_json: JsonOption = False,
    audience: AudienceOption = "private",
) -> None:
    """List the current ties nobody has confirmed for a while, oldest first."""
    policy = settings(ctx).freshness
    if months is not None:
        policy = replace(policy, months=months)
    found = freshness.stale_ties(store(ctx), policy, audience)
    if as_json:
        print_json(found)
        return
    months = found["months"]
    if not found["ties"]:
        # TRANSLATORS: the English says "months" for one too; use your language's forms
        message = ngettext(
            "No tie has gone unconfirmed since {day} ({count} months).",
            "No tie has gone unconfirmed since {day} ({count} months).",
            months,
        )
        out.print(message.format(day=found["before"], count=months))
        return
    count = len(found["ties"])
    # TRANSLATORS: the English says "tie(s)" whatever the count; {months} is "12 months"
    message = ngettext(
        "{count} tie(s) not confirmed since {day} ({months}):",
        "{count} tie(s) not confirmed since {day} ({months}):",
        count,
    )
    # TRANSLATORS: the English says "months" for one too; use your language's forms
    period = ngettext("{count} months", "{count} months", months).format(count=months)
    out.print(message.format(count=count, day=found["before"], months=period))
    table(found["ties"], ["source", "target", "kind", "strength", "confirmed", "provenance"])


@app.command("confirm")
def tie_confirm(
    ctx: typer.Context,
    source: OneOrg,
    target: OtherOrg,
    kind: Annotated[str | None, typer.Option(help="Which tie, when the two have several kinds.")] = None,
) -> None:
    """Mark the tie between two organizations confirmed today (either direction)."""
    tie = freshness.confirm_tie(store(ctx), source, target, kind)
    # TRANSLATORS: {kind} is a kind of tie as the command line spells it (joint_campaign)
    message = _("Confirmed the {kind} tie {organization} -> {other} on {day}")
    out.print(message.format(kind=tie["kind"], organization=tie["source"], other=tie["target"], day=tie["confirmed"]))
