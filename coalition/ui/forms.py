"""The organization and tie forms, shared by the add and edit tabs.

The widgets only collect raw values; ``coalition.maps.services`` validates them with the
models and says what is wrong, which ``attempt`` lists under the form in the form's own
words. Editing sends only the fields a person changed, so a field the audience may not
see (a redacted contact) is never overwritten with a blank.

Regions, languages, needs, offers and issues are picked from the words the map already
uses, with a separate box for new ones: a word typed there that the map knows (in other
capitals, or by its label) is that word, never a different one that merely starts alike,
and a new need, offer or issue is shown as it will be stored before it is
(``confirm_new_words``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from coalition.domain.errors import Problem
from coalition.domain.models import AUDIENCES, ORG_KINDS, RESOURCES, TIE_KINDS, slugify
from coalition.domain.vocabulary import region_key, region_label, region_spellings, term_label
from coalition.ui import state
from coalition.ui.charts import md
from coalition.ui.state import field_key

__all__ = [
    "FIELD_LABELS",
    "MapWords",
    "attempt",
    "changed_fields",
    "confirm_new_words",
    "map_words",
    "new_words",
    "organization_fields",
    "split_list",
    "tie_fields",
]

#: How the forms name each field, so that a problem is told in the words next to its box.
FIELD_LABELS = {
    "name": "Name",
    "movements": "Movements",
    "kind": "Kind",
    "region": "Region",
    "languages": "Languages",
    "issues": "Issues",
    "offers": "Offers",
    "needs": "Needs",
    "access": "Access notes",
    "contact": "Contact",
    "contact_visibility": "Who may see the contact",
    "visibility": "Who may see it",
    "intro_capacity_per_month": "Introductions accepted per month",
    "notes": "Notes",
    "source": "From organization",
    "target": "To organization",
    "strength": "Strength",
    "since": "Since",
    "until": "Until",
}
#: The word lists whose new words are shown before they are stored, one word of each.
WORD_FIELDS = {"needs": "need", "offers": "offer", "issues": "issue"}

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


@dataclass(frozen=True)
class MapWords:
    """The words an organization form offers to pick from."""

    #: ``{region_key: spelling}`` of the regions in use
    regions: dict[str, str]
    #: ``{casefolded: spelling}`` of the languages in use
    languages: dict[str, str]
    #: needs and offers: the shared vocabulary, then the map's own words
    resources: tuple[str, ...]
    issues: tuple[str, ...]

    def known(self, field: str) -> tuple[str, ...]:
        """The words of ``field`` (needs, offers or issues) the map knows."""
        return self.issues if field == "issues" else self.resources


def map_words(organizations: Iterable[dict[str, Any]]) -> MapWords:
    """The words the organizations (of a view: never a hidden one's) use."""
    orgs = list(organizations)
    languages: dict[str, str] = {}
    for language in sorted(lang for o in orgs for lang in o["languages"]):
        languages.setdefault(language.casefold(), language)
    own = sorted({word for o in orgs for field in ("offers", "needs") for word in o[field]})
    return MapWords(
        regions=region_spellings(sorted(o["region"] for o in orgs)),
        languages=languages,
        resources=tuple(dict.fromkeys([*RESOURCES, *own])),
        issues=tuple(sorted({word for o in orgs for word in o["issues"]})),
    )


def organization_fields(
    prefix: str,
    movements: dict[str, str],
    words: MapWords,
    current: dict[str, Any] | None = None,
    suffix: str = "",
    show_contact: bool = True,
    visibilities: Sequence[str] = AUDIENCES,
) -> dict[str, Any]:
    """Draw the organization fields (inside a form) and return what they hold.

    ``words`` are those the map uses (``map_words``); ``visibilities`` the levels the
    account may set (an editor: never private).
    """
    org = {**BLANK_ORG, **(current or {})}

    def key(name: str) -> str:
        return field_key(prefix, name, suffix)

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
    data["region"] = _region_field(left, key, words.regions, org["region"])
    data["languages"] = _language_field(left, key, words.languages, org["languages"])
    for column, field in ((left, "issues"), (right, "offers"), (right, "needs")):
        data[field] = _word_field(column, key, field, words.known(field), org[field])
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


def _region_field(column: Any, key: Callable[[str], str], regions: dict[str, str], current: str) -> str:
    """A pick-list of the map's regions (the current one matched whatever its capitals)
    and a box for a new one; a "new" region the map has in other capitals is that one."""
    chosen = regions.get(region_key(current), current) if current else ""
    options = list(dict.fromkeys(["", *sorted(regions.values(), key=region_label), chosen]))
    picked = column.selectbox(
        FIELD_LABELS["region"],
        options,
        index=options.index(chosen),
        format_func=lambda r: region_label(r) if r else "(none)",
        key=key("region_pick"),
    )
    typed = column.text_input(
        "New region (when it is not in the list)", key=key("region"), placeholder="e.g. Harbour District"
    ).strip()
    return regions.get(region_key(typed), typed) if typed else picked


def _language_field(column: Any, key: Callable[[str], str], languages: dict[str, str], current: list[str]) -> list[str]:
    """A pick-list of the languages the map uses and a box for others; a typed language
    the map knows in other capitals ("spanish") is that one ("Spanish")."""
    options = list(dict.fromkeys([*languages.values(), *current]))
    picked = column.multiselect(FIELD_LABELS["languages"], options, default=current, key=key("languages_pick"))
    typed = column.text_input("Other languages (separate with ;)", key=key("languages"), placeholder="e.g. Tagalog")
    kept: dict[str, str] = {}
    for word in [*picked, *(languages.get(word.casefold(), word) for word in split_list(typed))]:
        kept.setdefault(word.casefold(), word)
    return list(kept.values())


def _word_field(
    column: Any, key: Callable[[str], str], field: str, known: Sequence[str], current: list[str]
) -> list[str]:
    """A pick-list of the words the map knows, shown by label, and a box for new ones,
    stored by slug; a typed word is the known word with the same slug or label, or new."""
    label = FIELD_LABELS[field]
    options = list(dict.fromkeys([*known, *current]))
    picked = column.multiselect(label, options, default=current, format_func=term_label, key=key(f"{field}_pick"))
    typed = column.text_input(
        f"New {label.lower()} (separate with ;)", key=key(field), help="Words not in the list; shown before saving."
    )
    return list(dict.fromkeys([*picked, *(_known_slug(word, options) for word in split_list(typed))]))


def _known_slug(word: str, known: Sequence[str]) -> str:
    """The slug a typed word is stored as: a known word when its slug or its label's slug
    is the typed word's ("Legal advice", "ASL interpretation"), else the word's own slug
    (a word of symbols only is left as typed for the model to refuse)."""
    slug = slugify(word)
    by_label = {slugify(term_label(k)): k for k in known}
    return slug if slug in known else by_label.get(slug, slug or word)


def new_words(data: dict[str, Any], words: MapWords) -> list[tuple[str, str]]:
    """``(field, slug)`` of each need, offer or issue in ``data`` the map does not use yet."""
    return [(field, word) for field in WORD_FIELDS for word in data.get(field, []) if word not in words.known(field)]


def confirm_new_words(prefix: str, data: dict[str, Any], words: MapWords, button: str, suffix: str = "") -> bool:
    """Whether the form may be saved: yes when it brings no new need, offer or issue, or
    when the same new words were shown at the previous press; else they are shown as
    they will be stored ("Mam interpretation", stored as ``mam_interpretation``) and the
    person presses ``button`` again to confirm."""
    fresh = new_words(data, words)
    shown_key = field_key(prefix, "new_words", suffix)
    if not fresh or st.session_state.get(shown_key) == fresh:
        return True
    st.session_state[shown_key] = fresh
    lines = [f"- New {WORD_FIELDS[field]}: '{md(term_label(slug))}' (stored as `{slug}`)" for field, slug in fresh]
    st.info("\n".join(lines) + f"\n\nPress **{md(button)}** again to confirm, or change the words first.")
    return False


def attempt(action: Callable[[], Any], edit: tuple[str, str, str] | None = None) -> tuple[bool, Any]:
    """``state.attempt`` for a form (``state.attempt_edit`` with ``edit=(kind, key,
    field_prefix)``), except that invalid input is listed field by field under the form
    in the words of its labels ("Name: give the organization a name.")."""
    if edit:
        return state.attempt_edit(action, *edit, explain=field_sentence)
    return state.attempt(action, explain=field_sentence)


def field_sentence(problem: Problem) -> str:
    """One problem as a sentence that starts with the field's label."""
    message = problem.message.rstrip(".") + "."
    if not problem.field:
        return message[:1].upper() + message[1:]
    return f"{FIELD_LABELS.get(problem.field, problem.field)}: {message}"


def changed_fields(current: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value differs from the record's."""
    return {name: value for name, value in data.items() if value != current.get(name)}


def tie_fields(
    prefix: str,
    names: dict[str, str],
    current: dict[str, Any] | None = None,
    suffix: str = "",
    visibilities: Sequence[str] = AUDIENCES,
    listed: Mapping[str, str] | None = None,
    placeholder: str = "Pick by name",
) -> dict[str, Any]:
    """Draw the tie fields (inside a form); the two ends and the kind are fixed when editing.
    The two pickers offer the organizations ``listed`` (all of ``names`` by default; on a
    big map the page lists those its search finds, ``state.pickable``), or only the tie's
    own two ends when editing: a picker sends every choice to the browser on each run."""
    tie = {"kind": "coalition", "strength": 3, "visibility": "coalition", "notes": "", **(current or {})}
    editing = current is not None
    ids = [current["source"], current["target"]] if editing else list(names if listed is None else listed)

    def key(name: str) -> str:
        return field_key(prefix, name, suffix)

    left, right = st.columns(2)
    data: dict[str, Any] = {}
    data["source"] = left.selectbox(
        "From organization",
        ids,
        index=_index(ids, tie.get("source"), None),
        format_func=lambda i: names.get(i, i),
        placeholder=placeholder,
        disabled=editing,
        key=key("source"),
    )
    data["target"] = left.selectbox(
        "To organization",
        ids,
        index=_index(ids, tie.get("target"), None),
        format_func=lambda i: names.get(i, i),
        placeholder=placeholder,
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
