"""``coalition org``: add, list, show, edit and remove organizations."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from coalition.cli.common import (
    AudienceOption,
    JsonOption,
    NotesOption,
    VisibilityOption,
    heading,
    out,
    print_json,
    settings,
    shown,
    split,
    store,
    table,
)
from coalition.domain.errors import CoalitionError
from coalition.domain.models import ORG_KINDS
from coalition.i18n import _, ngettext
from coalition.maps import services

__all__ = ["app"]

app = typer.Typer(help="Add, list, show, edit and remove organizations.", no_args_is_help=True)

OrgId = Annotated[str, typer.Argument(help="Id of the organization.")]
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
Consent = Annotated[
    bool | None, typer.Option("--consent/--no-consent", help="Agrees to be suggested for introductions.")
]
Capacity = Annotated[int | None, typer.Option("--capacity", help="Introductions accepted per month.")]

#: Options whose name on the command line differs from the organization's field.
FIELD_OF_OPTION = {"consent": "consent_to_introductions", "capacity": "intro_capacity_per_month"}
LIST_FIELDS = ("movements", "languages", "issues", "offers", "needs")


@app.command("add")
def org_add(
    ctx: typer.Context,
    name: OrgName,
    movements: Movements,
    id: Annotated[str | None, typer.Option("--id", help="Stable slug id; made from the name when absent.")] = None,
    kind: Kind = None, community_led: CommunityLed = None, region: Region = None, languages: Languages = None,
    issues: Issues = None, offers: Offers = None, needs: Needs = None, access: Access = None, contact: Contact = None,
    contact_visibility: ContactVisibility = None, visibility: VisibilityOption = None, consent: Consent = None,
    capacity: Capacity = None, notes: NotesOption = None,
) -> None:  # fmt: skip
    """Add an organization."""
    org = services.add_organization(store(ctx), _org_fields(ctx.params))
    out.print(_("Added {organization} ({name})").format(organization=org.id, name=org.name))


@app.command("edit")
def org_edit(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="Id of the organization to change.")],
    name: OrgName = None, movements: Movements = None, kind: Kind = None, community_led: CommunityLed = None,
    region: Region = None, languages: Languages = None, issues: Issues = None, offers: Offers = None,
    needs: Needs = None, access: Access = None, contact: Contact = None, contact_visibility: ContactVisibility = None,
    visibility: VisibilityOption = None, consent: Consent = None, capacity: Capacity = None, notes: NotesOption = None,
) -> None:  # fmt: skip
    """Change the given fields of an organization; the others stay as they are."""
    changes = _org_fields({k: v for k, v in ctx.params.items() if k != "org_id"})
    if not changes:
        raise CoalitionError(_("nothing to change: give at least one option, e.g. --region eastport"))
    org = services.edit_organization(store(ctx), org_id, changes)
    out.print(_("Updated {organization} (version {version})").format(organization=org.id, version=org.version))


@app.command("list")
def org_list(
    ctx: typer.Context,
    as_json: JsonOption = False,
    audience: AudienceOption = "private",
    movement: Annotated[str | None, typer.Option(help="Only organizations of this movement.")] = None,
    search: Annotated[str | None, typer.Option(help="Only names or ids containing this text.")] = None,
) -> None:
    """List organizations the audience may see."""
    rows = services.list_organizations(store(ctx), audience, movement=movement, search=search)
    if as_json:
        print_json(rows)
    else:
        table(rows, ["id", "name", "movements", "kind", "community_led", "region", "visibility"])


@app.command("show")
def org_show(
    ctx: typer.Context, org_id: OrgId, as_json: JsonOption = False, audience: AudienceOption = "private"
) -> None:
    """Show every field of one organization and its ties."""
    from coalition.maps.profile import organization_profile  # the analyses: only this command needs them

    profile = organization_profile(store(ctx), org_id, audience, freshness=settings(ctx).freshness)
    org = profile["organization"]
    if as_json:
        print_json({**org, **{key: value for key, value in profile.items() if key != "organization"}})
        return
    for key, value in org.items():
        # TRANSLATORS: one field of an organization: "region: eastport"
        out.print(_("{field}: {value}").format(field=heading(key), value=shown(value)))
    ties_columns = ["source", "target", "partner_name", "kind", "strength", "visibility"]
    table(profile["ties"], ties_columns, title=_("Ties"))
    measures = profile["measures"]
    # TRANSLATORS: the English says "ties" for one too; use your language's forms
    summary = ngettext(
        "measures: {count} ties, summed strength {strength}",
        "measures: {count} ties, summed strength {strength}",
        measures["ties"],
    )
    out.print(summary.format(count=measures["ties"], strength=measures["summed_strength"]))
    for finding in profile["findings"]:
        out.print(f"  - {finding}")
    if profile["introductions"]:
        table(profile["introductions"], ["a", "b", "status", "score", "broker"], title=_("Introductions"))


@app.command("remove")
def org_remove(ctx: typer.Context, org_id: OrgId) -> None:
    """Remove an organization together with its ties."""
    removed = services.remove_organization(store(ctx), org_id)
    message = ngettext("Removed {organization} and {count} tie", "Removed {organization} and {count} ties", removed)
    out.print(message.format(organization=org_id, count=removed))


def _org_fields(options: dict[str, Any]) -> dict[str, Any]:
    """The organization fields given on the command line (None means not given).

    Read from the command's own parameters (``ctx.params``) so each option is spelled
    once, in the command's signature, and not again in a hand-written mapping."""
    return {
        FIELD_OF_OPTION.get(option, option): split(value) if option in LIST_FIELDS else value
        for option, value in options.items()
        if value is not None
    }
