"""The analyses: ``coalition gaps`` and ``coalition introductions`` (suggest and track).

The analyses load networkx, igraph and scipy: they are imported inside the commands that
run them, so that every other command (and ``--help``) starts without them. The two
defaults the options show are spelled here, and a test holds them to the analyses' own.
"""

from __future__ import annotations

from typing import Annotated

import typer

from coalition.cli.common import AudienceOption, JsonOption, OneOrg, OtherOrg, out, print_json, settings, store
from coalition.i18n import _

__all__ = ["TEXT_ITEMS", "DEFAULT_BOLDNESS", "commands", "introductions"]

#: ``coalition.analysis.gaps.TEXT_ITEMS`` and ``coalition.introductions.recommend.DEFAULT_BOLDNESS``.
TEXT_ITEMS = 25
DEFAULT_BOLDNESS = 0.1

commands = typer.Typer()
introductions = typer.Typer(help="Suggest, explain and track bridge-building introductions.")


@commands.command()
def gaps(
    ctx: typer.Context,
    as_json: JsonOption = False,
    audience: AudienceOption = "coalition",
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=1,
            help=f"Show up to N items of every list, those to act on first (default {TEXT_ITEMS} in the text; "
            "with --json 200 needs and offers, 15 brokers, 20 of the others).",
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Show every item of every list (the summary always counts them all).")
    ] = False,
) -> None:
    """Where the coalition is thin: missing movement pairs, single points of failure,
    brokers, isolated community-led groups, needs another member offers, silos."""
    if limit is not None and everything:
        raise typer.BadParameter(_("give --limit or --all, not both"), param_hint="'--limit' / '--all'")
    from coalition.analysis.gaps import gaps_for_store, gaps_text

    report = gaps_for_store(store(ctx), audience, limit=limit, everything=everything, freshness=settings(ctx).freshness)
    if as_json:
        print_json(report)
    else:
        typer.echo(gaps_text(report, limit=None if everything else limit or TEXT_ITEMS))


@introductions.callback(invoke_without_command=True)
def suggest(
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
    boldness: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help=f"0 to 1: lean on what a pair bridges (1) or on its chance of working (0); default {DEFAULT_BOLDNESS:g}.",
        ),
    ] = DEFAULT_BOLDNESS,
) -> None:
    """Who should meet whom, who can introduce them, and why: best first, within consent,
    capacity, conflicts and declined pairs."""
    if ctx.invoked_subcommand is not None:
        return
    from coalition.domain.privacy import read_view
    from coalition.introductions.recommend import introductions_document, introductions_for_store, model_weights

    opened = store(ctx)
    if weights:
        print_json(model_weights(read_view(opened, audience)))
        return
    unmet: list[dict] = []
    rows = introductions_for_store(
        opened, audience, top=top, status=status, unmet=unmet, boldness=boldness, freshness=settings(ctx).freshness
    )
    if as_json:
        print_json(introductions_document(rows, unmet))
        return
    if not rows:
        if status is None:
            out.print(_("No introductions to suggest for this audience."))
        else:
            # TRANSLATORS: {status} is a status as the command line spells it: planned, made, declined, on_hold
            out.print(_("No {status} introductions.").format(status=status))
    for rank, row in enumerate(rows, start=1):
        score = f"{row['score']:.3f}" if isinstance(row.get("score"), int | float) else "-"
        if row.get("broker"):
            # TRANSLATORS: one suggested introduction: "1. casa_y + tenants_union (migrant / housing), via
            # legal_aid, score 0.812, suggested" (ids, movement ids and a status as stored)
            line = _("{rank}. {organization} + {other} ({movements}), via {broker}, score {score}, {status}")
        else:
            # TRANSLATORS: a suggested introduction with no broker to make it: the two groups are introduced cold
            line = _("{rank}. {organization} + {other} ({movements}), cold introduction, score {score}, {status}")
        movements = " / ".join(row["movements"])
        fields = {"organization": row["a"], "other": row["b"], "broker": row.get("broker"), "status": row["status"]}
        out.print(line.format(rank=rank, movements=movements, score=score, **fields))
        for reason in row.get("reasons", []):
            out.print(f"     - {reason}")
    for missed in unmet:
        # TRANSLATORS: {gap} is what an introduction would do, "closes the gap between Housing justice and
        # Migrant rights, which have no tie at all"; {reason} why no introduction can do it
        out.print(_("No introduction {gap}: {reason}.").format(gap=missed["gap"]["text"], reason=missed["why"]))


@introductions.command("draft")
def introductions_draft(
    ctx: typer.Context,
    a: OneOrg,
    b: OtherOrg,
    language: Annotated[str | None, typer.Option(help="en or es (default: a language both groups list).")] = None,
    audience: AudienceOption = "coalition",
    as_json: JsonOption = False,
) -> None:
    """A short introduction message for the broker to send to both groups."""
    from coalition.introductions.draft import draft_message

    drafted = draft_message(store(ctx), a, b, audience=audience, language=language)
    if as_json:
        print_json(drafted)
        return
    out.print(drafted["text"], end="")


@introductions.command("set")
def introductions_set(
    ctx: typer.Context,
    a: OneOrg,
    b: OtherOrg,
    status: Annotated[str, typer.Option(help="suggested, planned, made, declined or on_hold.")],
    note: Annotated[str | None, typer.Option(help="A note kept with the introduction.")] = None,
    create_tie: Annotated[
        bool, typer.Option("--create-tie", help="With --status made: also record the new tie.")
    ] = False,
    override: Annotated[
        str | None,
        typer.Option(
            help="With --status made for a pair that did not both agree: the reason (kept in the audit trail)."
        ),
    ] = None,
) -> None:
    """Track an introduction: plan it, mark it made (optionally adding the tie), decline it."""
    from coalition.maps.tracking import set_introduction_status

    record = set_introduction_status(store(ctx), a, b, status, note=note, create_tie=create_tie, override=override)
    # TRANSLATORS: "casa_y + tenants_union: made on 2026-11-02" (ids, a status as stored, a day)
    out.print(
        _("{organization} + {other}: {status} on {day}").format(
            organization=record["a"], other=record["b"], status=record["status"], day=record["status_date"]
        )
    )


@introductions.command("ask")
def introductions_ask(
    ctx: typer.Context,
    a: OneOrg,
    b: OtherOrg,
    note: Annotated[str | None, typer.Option(help="A note kept with the introduction.")] = None,
) -> None:
    """Ask both groups whether they want to meet (double opt-in): status asking."""
    from coalition.maps.tracking import ask_introduction

    record = ask_introduction(store(ctx), a, b, note=note)
    out.print(
        _("{organization} + {other}: asking both groups since {day}").format(
            organization=record["a"], other=record["b"], day=record["status_date"]
        )
    )


@introductions.command("answer")
def introductions_answer(
    ctx: typer.Context,
    a: OneOrg,
    b: OtherOrg,
    side: Annotated[str, typer.Option(help="Which group answered: the id of A or of B.")],
    yes: Annotated[bool, typer.Option("--yes/--no", help="Its answer.")],
    note: Annotated[str | None, typer.Option(help="What it said (kept for admins only).")] = None,
) -> None:
    """Record one group's answer: agreed once both said yes, declined as soon as one says no."""
    from coalition.maps.tracking import answer_introduction

    record = answer_introduction(store(ctx), a, b, side, yes, note=note)
    out.print(
        _("{organization} + {other}: {status}").format(
            organization=record["a"], other=record["b"], status=record["status"]
        )
    )
