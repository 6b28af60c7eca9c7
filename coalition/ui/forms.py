"""The organization and tie forms, shared by the add and edit tabs.

The widgets only collect raw values; ``coalition.maps.services`` validates them with the
models and says what is wrong. Editing sends only the fields a person changed, so a
field the audience may not see (a redacted contact) is never overwritten with a blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import streamlit as st

from coalition.domain.models import AUDIENCES, ORG_KINDS, RESOURCES, TIE_KINDS
from coalition.ui.state import field_key

__all__ = ["organization_fields", "changed_fields", "tie_fields", "split_list"]

EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)

BLANK_ORG: dict[str, Any] = {
    "name": "",
    "movements": [],
    "kind": "collective",
    "community_led": False,
    "region": "",
    "languages": [],
    "issues": [],
    "offers": [],
    "needs": [],
    "access": "",
    "contact": "",
    "contact_visibility": "private",
    "visibility": "coalition",
    "consent_to_introductions": True,
    "intro_capacity_per_month": 3,
    "notes": "",
}


def split_list(text: str) -> list[str]:
    """``"English; Spanish"`` -> ``["English", "Spanish"]``."""
    return [part.strip() for part in text.split(";") if part.strip()]


def organization_fields(
    prefix: str,
    movements: dict[str, str],
    current: dict[str, Any] | None = None,
    suffix: str = "",
    show_contact: bool = True,
    visibilities: Sequence[str] = AUDIENCES,
) -> dict[str, Any]:
    """Draw the organization fields (inside a form) and return what they hold.

    ``visibilities`` are the levels the account may set (an editor: never private).
    """
    org = {**BLANK_ORG, **(current or {})}

    def key(name: str) -> str:
        return field_key(prefix, name, suffix)

    resources = list(dict.fromkeys([*RESOURCES, *org["offers"], *org["needs"]]))
    left, right = st.columns(2)
    data: dict[str, Any] = {}
    data["name"] = left.text_input("Name", value=org["name"], max_chars=200, key=key("name"))
    data["movements"] = left.multiselect(
        "Movements",
        options=list(movements),
        default=[m for m in org["movements"] if m in movements],
        format_func=lambda m: movements.get(m, m),
        key=key("movements"),
        help="One or more. Add new movements with `coalition movement add`.",
    )
    data["kind"] = left.selectbox("Kind", ORG_KINDS, index=_index(ORG_KINDS, org["kind"]), key=key("kind"))
    data["community_led"] = left.checkbox(
        "Community-led (led by the people most affected)", value=bool(org["community_led"]), key=key("community_led")
    )
    data["region"] = left.text_input("Region", value=org["region"], key=key("region"))
    data["languages"] = split_list(
        left.text_input("Languages (separate with ;)", value="; ".join(org["languages"]), key=key("languages"))
    )
    data["issues"] = split_list(
        left.text_input("Issues (separate with ;)", value="; ".join(org["issues"]), key=key("issues"))
    )
    data["offers"] = right.multiselect(
        "Offers", resources, default=org["offers"], accept_new_options=True, key=key("offers")
    )
    data["needs"] = right.multiselect(
        "Needs", resources, default=org["needs"], accept_new_options=True, key=key("needs")
    )
    data["access"] = right.text_area("Access notes", value=org["access"], height=68, key=key("access"))
    if show_contact:
        data["contact"] = right.text_input(
            "Contact (private unless marked otherwise)", value=org["contact"], key=key("contact")
        )
        data["contact_visibility"] = right.selectbox(
            "Who may see the contact",
            visibilities,
            index=_level_index(visibilities, org["contact_visibility"]),
            key=key("contact_visibility"),
        )
    else:
        right.caption("The contact is hidden for this audience; choose the private audience in Settings to edit it.")
    data["visibility"] = right.selectbox(
        "Who may see this organization",
        visibilities,
        index=_level_index(visibilities, org["visibility"]),
        key=key("visibility"),
    )
    data["consent_to_introductions"] = right.checkbox(
        "Agrees to be suggested for introductions", value=bool(org["consent_to_introductions"]), key=key("consent")
    )
    data["intro_capacity_per_month"] = right.number_input(
        "Introductions accepted per month",
        min_value=0,
        max_value=100,
        step=1,
        value=int(org["intro_capacity_per_month"]),
        key=key("capacity"),
    )
    data["notes"] = st.text_area("Notes", value=org["notes"], height=68, key=key("notes"))
    return data


def changed_fields(current: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value differs from the record's."""
    return {name: value for name, value in data.items() if value != current.get(name)}


def tie_fields(
    prefix: str,
    names: dict[str, str],
    current: dict[str, Any] | None = None,
    suffix: str = "",
    visibilities: Sequence[str] = AUDIENCES,
) -> dict[str, Any]:
    """Draw the tie fields (inside a form); the two ends and the kind are fixed when editing."""
    tie = {"kind": "coalition", "strength": 3, "visibility": "coalition", "notes": "", **(current or {})}
    editing = current is not None
    ids = list(names)

    def key(name: str) -> str:
        return field_key(prefix, name, suffix)

    left, right = st.columns(2)
    data: dict[str, Any] = {}
    data["source"] = left.selectbox(
        "From organization",
        ids,
        index=_index(ids, tie.get("source"), None),
        format_func=lambda i: names.get(i, i),
        placeholder="Pick by name",
        disabled=editing,
        key=key("source"),
    )
    data["target"] = left.selectbox(
        "To organization",
        ids,
        index=_index(ids, tie.get("target"), None),
        format_func=lambda i: names.get(i, i),
        placeholder="Pick by name",
        disabled=editing,
        key=key("target"),
    )
    data["kind"] = left.selectbox(
        "Kind of tie",
        TIE_KINDS,
        index=_index(TIE_KINDS, tie["kind"]),
        format_func=lambda k: k.replace("_", " "),
        disabled=editing,
        key=key("kind"),
        help="A conflict is recorded so that no introduction is ever suggested across it.",
    )
    data["strength"] = left.slider("Strength", 1, 5, int(tie["strength"]), key=key("strength"))
    span = {"min_value": EARLIEST, "max_value": LATEST}
    data["since"] = right.date_input("Since", value=_date(tie.get("since")), key=key("since"), **span)
    data["until"] = right.date_input(
        "Until (empty if ongoing)", value=_date(tie.get("until")), key=key("until"), **span
    )
    data["visibility"] = right.selectbox(
        "Who may see this tie",
        visibilities,
        index=_level_index(visibilities, tie["visibility"]),
        key=key("visibility"),
    )
    data["notes"] = right.text_area("Notes", value=tie["notes"], height=68, key=key("notes"))
    if editing:
        data.update(source=current["source"], target=current["target"], kind=current["kind"])
    data["since"] = data["since"].isoformat() if data["since"] else None
    data["until"] = data["until"].isoformat() if data["until"] else None
    return data


def _index(options, value, default: int | None = 0) -> int | None:
    options = list(options)
    return options.index(value) if value in options else default


def _level_index(levels: Sequence[str], value: str) -> int:
    """The value's place among the levels offered; a level above them all (a private
    default shown to an editor) falls to the most restricted one offered, never public."""
    levels = list(levels)
    return levels.index(value) if value in levels else len(levels) - 1


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
