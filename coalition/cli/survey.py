"""``coalition survey``: run a relationship survey round from the command line.

Start a round (one private link per organization, with an invitation to copy), follow
its progress, remind who has not answered, review the answers, and take answers back
from the spreadsheet form. What the commands print for ``--json`` is a contract.
"""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from coalition.cli.common import JsonOption, out, print_json, store, table
from coalition.domain.errors import CoalitionError
from coalition.survey import links, review
from coalition.survey.messages import MESSAGE_KINDS, message_for

__all__ = ["app"]

app = typer.Typer(
    help="Survey rounds: each organization reports its own ties, needs and consent.", no_args_is_help=True
)

RoundArg = Annotated[str, typer.Argument(help="Name of the round, e.g. 2026-spring.")]
OrgOption = Annotated[str | None, typer.Option("--org", help="Only this organization.")]
AllOption = Annotated[bool, typer.Option("--all", help="Every answer waiting for review.")]


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CoalitionError(f"{option} {value!r} is not a date: use YYYY-MM-DD") from None


def _with_messages(ctx: typer.Context, round_id: str, made: list[dict[str, str]], kind: str) -> list[dict[str, str]]:
    backend = store(ctx)
    orgs = {o["id"]: o for o in backend.snapshot()["organizations"]}
    expires = links.round_record(backend, round_id)["body"].get("expires")
    made_messages = [message_for(kind, orgs[link["org"]], link["url"], expires) for link in made]
    return [
        {**link, "language": m["language"], "message": m["text"]} for link, m in zip(made, made_messages, strict=True)
    ]


def _print_links(round_id: str, made: list[dict[str, str]], as_json: bool) -> None:
    if as_json:
        print_json({"round": round_id, "links": made})
        return
    for link in made:
        out.print(f"{link['org']}  {link['url']}")
    out.print(f"{len(made)} private links for round {round_id}: send each to its organization only.")


@app.command("start")
def survey_start(
    ctx: typer.Context,
    round_id: RoundArg,
    org: Annotated[
        list[str] | None, typer.Option("--org", help="Survey this organization (repeat); default: all.")
    ] = None,
    expires: Annotated[str | None, typer.Option(help="Last day the links work, YYYY-MM-DD.")] = None,
    base_url: Annotated[str, typer.Option(help="Address of the dashboard the links open.")] = links.DEFAULT_BASE_URL,
    message: Annotated[
        str, typer.Option(help=f"Text to go with each link: {', '.join(MESSAGE_KINDS)}.")
    ] = "invitation",
    as_json: JsonOption = False,
) -> None:
    """Start a round (or send new links in one): one private link per organization."""
    if message not in MESSAGE_KINDS:
        raise CoalitionError(f"unknown message {message!r}; messages: {', '.join(MESSAGE_KINDS)}")
    made = links.start_round(store(ctx), round_id, org or None, _day(expires, "--expires"), base_url)
    _print_links(round_id, _with_messages(ctx, round_id, made, message), as_json)


@app.command("remind")
def survey_remind(ctx: typer.Context, round_id: RoundArg, as_json: JsonOption = False) -> None:
    """New links, with a reminder text, for the organizations that have not answered
    (their old links stop working: only the hash of each link is kept)."""
    backend = store(ctx)
    progress = review.status(backend, round_id)
    missing = [o["org"] for o in progress["not_answered"] if not o["revoked"]]
    if not missing:
        out.print(f"Every organization surveyed in {round_id} has answered (or its link was withdrawn).")
        if as_json:
            print_json({"round": round_id, "links": []})
        return
    base_url = links.round_record(backend, round_id)["body"].get("base_url") or links.DEFAULT_BASE_URL
    made = links.start_round(backend, round_id, missing, None, base_url)
    _print_links(round_id, _with_messages(ctx, round_id, made, "reminder"), as_json)


@app.command("revoke")
def survey_revoke(ctx: typer.Context, round_id: RoundArg, org: OrgOption = None) -> None:
    """Withdraw the links of a round, or of one organization."""
    count = links.revoke(store(ctx), round_id, org)
    out.print(f"Withdrew {count} link{'s' if count != 1 else ''} of round {round_id}.")


@app.command("status")
def survey_status(ctx: typer.Context, round_id: RoundArg, as_json: JsonOption = False) -> None:
    """Sent, opened, answered and accepted, by movement and for community-led groups."""
    backend = store(ctx)
    progress = review.status(backend, round_id)
    if as_json:
        print_json(progress)
        return
    movement_names = {m["id"]: m["name"] for m in backend.snapshot()["movements"]}
    rows = [{"group": "all", **{k: progress[k] for k in ("sent", "opened", "answered", "accepted")}}]
    rows += [{"group": movement_names.get(m, m), **c} for m, c in progress["by_movement"].items()]
    rows.append({"group": "community-led", **progress["community_led"]})
    table(rows, ["group", "sent", "opened", "answered", "accepted"], title=f"Round {round_id}")
    if progress["not_answered"]:
        out.print("Not answered yet: " + ", ".join(o["name"] for o in progress["not_answered"]))


@app.command("answers")
def survey_answers(ctx: typer.Context, round_id: RoundArg, as_json: JsonOption = False) -> None:
    """The review queue: each answer and what accepting it would change."""
    items = review.queue(store(ctx), round_id)
    if as_json:
        print_json({"round": round_id, "answers": items})
        return
    if not items:
        out.print(f"No answers in round {round_id} yet.")
    for item in items:
        found = item["changes"]
        out.print(f"{item['name']} ({item['org']}): {item['status']}")
        for field, change in found["record"].items():
            out.print(f"  {field}: {change['before']!r} -> {change['after']!r}")
        for tie in found["ties"]:
            if tie["change"] != "same":
                out.print(f"  {tie['change']} tie: {tie['partner_name']} ({tie['kind']})")
        for group in found["new_groups"]:
            match = f", nearly {group['matches'][0]['name']!r}" if group["matches"] else ""
            out.print(f"  new group: {group['new_name']!r} ({group['kind']}{match})")


@app.command("accept")
def survey_accept(
    ctx: typer.Context,
    round_id: RoundArg,
    org: OrgOption = None,
    everyone: AllOption = False,
    part: Annotated[
        list[str] | None, typer.Option("--part", help=f"Accept only this part (repeat): {', '.join(review.PARTS)}.")
    ] = None,
) -> None:
    """Write waiting answers into the map, as reported by each organization."""
    written = review.accept(
        store(ctx), round_id, org, everyone, tuple(part or review.PARTS), reviewer=f"cli:{getpass.getuser()}"
    )
    out.print(
        f"Accepted {written['answers']} answer(s): {written['organizations']} organization record(s) corrected, "
        f"{written['ties']} tie(s) written, {written['confirmed']} confirmed as they were, "
        f"{written['new_groups']} new group(s) added."
    )
    if written["disagreements"]:
        out.print(
            f"{written['disagreements']} tie(s) left as they were: both sides reported them differently "
            "(see `coalition survey ties`)."
        )


@app.command("reject")
def survey_reject(ctx: typer.Context, round_id: RoundArg, org: OrgOption = None, everyone: AllOption = False) -> None:
    """Set waiting answers aside without changing the map."""
    count = review.reject(store(ctx), round_id, org, everyone, reviewer=f"cli:{getpass.getuser()}")
    out.print(f"Rejected {count} answer(s) of round {round_id}.")


@app.command("ties")
def survey_ties(
    ctx: typer.Context,
    round_id: Annotated[str | None, typer.Argument(help="One round; default: every round.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Ties as the organizations reported them: confirmed by both sides, reported by one
    side only (unconfirmed), or reported differently (disagreements)."""
    found = review.reciprocity(store(ctx), round_id)
    if as_json:
        print_json(found)
        return
    for item in found["disagreements"]:
        out.print(f"disagree: {item['a_name']} / {item['b_name']} ({', '.join(item['differ'])})")
    for item in found["unconfirmed"]:
        out.print(
            f"unconfirmed: {item['a_name']} / {item['b_name']} (reported by {item['reported_by']})", highlight=False
        )
    out.print(
        f"{len(found['confirmed'])} confirmed, {len(found['unconfirmed'])} unconfirmed, "
        f"{len(found['disagreements'])} disagreement(s)."
    )


@app.command("form")
def survey_form(
    ctx: typer.Context,
    round_id: RoundArg,
    org: Annotated[str, typer.Argument(help="Id of the organization the form is for.")],
    out_file: Annotated[Path, typer.Argument(metavar="OUT.xlsx", help="Where to write the spreadsheet form.")],
) -> None:
    """Write an organization's form as a spreadsheet, for groups that answer by email or
    on paper (it holds no link: the answer comes back with ``survey answer``)."""
    from coalition.survey import sheet  # openpyxl: not for every command

    written = sheet.write_form(store(ctx), round_id, org, out_file)
    out.print(f"Wrote the form of {org} for round {round_id} to {written}")


@app.command("answer")
def survey_answer(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(help="The token of the organization's link (the part after survey=).")],
    answer_file: Annotated[Path, typer.Argument(metavar="FILE.xlsx", help="The filled-in spreadsheet form.")],
) -> None:
    """Take back a filled-in spreadsheet form as that organization's answer (checked like
    any import: a bad file stores nothing); it then waits for review."""
    from coalition.survey import sheet  # openpyxl: not for every command

    link = sheet.answer_from_file(store(ctx), token.rsplit("survey=", 1)[-1], answer_file)
    out.print(
        f"Saved the answer of {link.org} for round {link.round}; it waits for review (`coalition survey answers`)."
    )
