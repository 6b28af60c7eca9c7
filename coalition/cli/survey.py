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
from coalition.domain.vocabulary import movement_label
from coalition.i18n import N_, _, ngettext
from coalition.survey import links, review
from coalition.survey.messages import MESSAGE_KINDS, message_for

__all__ = ["app"]

app = typer.Typer(
    help="Survey rounds: each organization reports its own ties, needs and consent.", no_args_is_help=True
)

RoundArg = Annotated[str, typer.Argument(help="Name of the round, e.g. 2026-spring.")]
OrgOption = Annotated[str | None, typer.Option("--org", help="Only this organization.")]
AllOption = Annotated[bool, typer.Option("--all", help="Every answer waiting for review.")]

#: What accepting an answer would do to a tie it reports (``review.changes``), with the
#: partner's name and the tie's kind as stored.
TIE_CHANGES = {"new": N_("new tie: {partner} ({kind})"), "changed": N_("changed tie: {partner} ({kind})")}


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CoalitionError(
            # TRANSLATORS: {option} is an option's name (--expires), {value} the text given, in quotes
            _("{option} {value} is not a date: use YYYY-MM-DD").format(option=option, value=repr(value))
        ) from None


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
    # TRANSLATORS: the English says "links" for one too; use your language's forms
    message = ngettext(
        "{count} private links for round {round}: send each to its organization only.",
        "{count} private links for round {round}: send each to its organization only.",
        len(made),
    )
    out.print(message.format(count=len(made), round=round_id))


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
        raise CoalitionError(
            # TRANSLATORS: {message} is the name given to --message, in quotes; {messages} the names it takes
            _("unknown message {message}; messages: {messages}").format(
                message=repr(message), messages=", ".join(MESSAGE_KINDS)
            )
        )
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
        message = _("Every organization surveyed in {round} has answered (or its link was withdrawn).")
        out.print(message.format(round=round_id))
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
    message = ngettext("Withdrew {count} link of round {round}.", "Withdrew {count} links of round {round}.", count)
    out.print(message.format(count=count, round=round_id))


@app.command("status")
def survey_status(ctx: typer.Context, round_id: RoundArg, as_json: JsonOption = False) -> None:
    """Sent, opened, answered and accepted, by movement and for community-led groups."""
    backend = store(ctx)
    progress = review.status(backend, round_id)
    if as_json:
        print_json(progress)
        return
    movement_names = {m["id"]: movement_label(m) for m in backend.snapshot()["movements"]}
    # TRANSLATORS: a row of the survey's progress: every organization surveyed
    rows = [{"group": _("all"), **{k: progress[k] for k in ("sent", "opened", "answered", "accepted")}}]
    rows += [{"group": movement_names.get(m, m), **c} for m, c in progress["by_movement"].items()]
    # TRANSLATORS: a row of the survey's progress: the groups led by the people most affected
    rows.append({"group": _("community-led"), **progress["community_led"]})
    title = _("Round {round}").format(round=round_id)
    table(rows, ["group", "sent", "opened", "answered", "accepted"], title=title)
    if progress["not_answered"]:
        names = _(", ").join(o["name"] for o in progress["not_answered"])
        out.print(_("Not answered yet: {organizations}").format(organizations=names))


@app.command("answers")
def survey_answers(ctx: typer.Context, round_id: RoundArg, as_json: JsonOption = False) -> None:
    """The review queue: each answer and what accepting it would change."""
    items = review.queue(store(ctx), round_id)
    if as_json:
        print_json({"round": round_id, "answers": items})
        return
    if not items:
        out.print(_("No answers in round {round} yet.").format(round=round_id))
    for item in items:
        found = item["changes"]
        # TRANSLATORS: {status} is an answer's status as stored (waiting, accepted, rejected)
        message = _("{name} ({organization}): {status}")
        out.print(message.format(name=item["name"], organization=item["org"], status=item["status"]))
        for field, change in found["record"].items():
            # a field's values as stored: texts in quotes, lists and numbers as Python writes them
            out.print(f"  {field}: {change['before']!r} -> {change['after']!r}")
        for tie in found["ties"]:
            if tie["change"] != "same":
                change = TIE_CHANGES[tie["change"]]
                line = _(change).format(partner=tie["partner_name"], kind=tie["kind"])
                out.print("  " + line)
        for group in found["new_groups"]:
            # the names as given: in quotes
            new_name = repr(group["new_name"])
            if group["matches"]:
                # TRANSLATORS: a group an answer names that the map lacks, and the closest one the map has;
                # {kind} is a kind of tie as stored, the names come in quotes
                line = _("new group: {name} ({kind}, nearly {match})").format(
                    name=new_name, kind=group["kind"], match=repr(group["matches"][0]["name"])
                )
            else:
                line = _("new group: {name} ({kind})").format(name=new_name, kind=group["kind"])
            out.print("  " + line)


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
    # TRANSLATORS: the English says "answer(s)", "record(s)", "tie(s)" and "group(s)" whatever the counts;
    # use your language's forms ({count} is the answers)
    message = ngettext(
        "Accepted {count} answer(s): {organizations} organization record(s) corrected, {ties} tie(s) written, "
        "{confirmed} confirmed as they were, {new_groups} new group(s) added.",
        "Accepted {count} answer(s): {organizations} organization record(s) corrected, {ties} tie(s) written, "
        "{confirmed} confirmed as they were, {new_groups} new group(s) added.",
        written["answers"],
    )
    out.print(
        message.format(
            count=written["answers"],
            organizations=written["organizations"],
            ties=written["ties"],
            confirmed=written["confirmed"],
            new_groups=written["new_groups"],
        )
    )
    if written["disagreements"]:
        # TRANSLATORS: the English says "tie(s)" whatever the count; use your language's forms
        message = ngettext(
            "{count} tie(s) left as they were: both sides reported them differently (see `coalition survey ties`).",
            "{count} tie(s) left as they were: both sides reported them differently (see `coalition survey ties`).",
            written["disagreements"],
        )
        out.print(message.format(count=written["disagreements"]))


@app.command("reject")
def survey_reject(ctx: typer.Context, round_id: RoundArg, org: OrgOption = None, everyone: AllOption = False) -> None:
    """Set waiting answers aside without changing the map."""
    count = review.reject(store(ctx), round_id, org, everyone, reviewer=f"cli:{getpass.getuser()}")
    # TRANSLATORS: the English says "answer(s)" whatever the count; use your language's forms
    message = ngettext(
        "Rejected {count} answer(s) of round {round}.", "Rejected {count} answer(s) of round {round}.", count
    )
    out.print(message.format(count=count, round=round_id))


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
        # TRANSLATORS: two groups that reported one tie differently; {fields} the fields they differ on (kind, strength)
        message = _("disagree: {organization} / {other} ({fields})")
        out.print(message.format(organization=item["a_name"], other=item["b_name"], fields=", ".join(item["differ"])))
    for item in found["unconfirmed"]:
        message = _("unconfirmed: {organization} / {other} (reported by {reporter})")
        line = message.format(organization=item["a_name"], other=item["b_name"], reporter=item["reported_by"])
        out.print(line, highlight=False)
    # TRANSLATORS: the English says "disagreement(s)" whatever the count; use your language's forms
    message = ngettext(
        "{confirmed} confirmed, {unconfirmed} unconfirmed, {count} disagreement(s).",
        "{confirmed} confirmed, {unconfirmed} unconfirmed, {count} disagreement(s).",
        len(found["disagreements"]),
    )
    out.print(
        message.format(
            confirmed=len(found["confirmed"]),
            unconfirmed=len(found["unconfirmed"]),
            count=len(found["disagreements"]),
        )
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
    out.print(
        _("Wrote the form of {organization} for round {round} to {path}").format(
            organization=org, round=round_id, path=written
        )
    )


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
    message = _(
        "Saved the answer of {organization} for round {round}; it waits for review (`coalition survey answers`)."
    )
    out.print(message.format(organization=link.org, round=link.round))
