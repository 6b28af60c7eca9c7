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
from coalition.i18n import N_, _
from coalition.ui import state
from coalition.ui.charts import md
from coalition.ui.state import field_key

__all__ = [
    "AUDIENCE_LABELS",
    "FIELD_LABELS",
    "ORG_KIND_LABELS",
    "TIE_KIND_LABELS",
    "MapWords",
    "attempt",
    "audience_label",
    "changed_fields",
    "confirm_new_words",
    "map_words",
    "new_words",
    "org_kind_label",
    "organization_fields",
    "split_list",
    "tie_fields",
    "tie_kind_label",
]

#: How the forms name each field, so that a problem is told in the words next to its box
#: (read through ``_()`` when shown).
FIELD_LABELS = {
    "name": N_("Name"),
    "movements": N_("Movements"),
    "kind": N_("Kind"),
    "region": N_("Region"),
    "languages": N_("Languages"),
    "issues": N_("Issues"),
    "offers": N_("Offers"),
    "needs": N_("Needs"),
    "access": N_("Access notes"),
    "contact": N_("Contact"),
    "contact_visibility": N_("Who may see the contact"),
    "visibility": N_("Who may see it"),
    "intro_capacity_per_month": N_("Introductions accepted per month"),
    "notes": N_("Notes"),
    "source": N_("From organization"),
    "target": N_("To organization"),
    "strength": N_("Strength"),
    "since": N_("Since"),
    "until": N_("Until"),
}
#: The word lists whose new words are shown before they are stored: the box for new
#: words, and how one new word is announced (``{word}`` its label, ``{slug}`` as stored).
WORD_FIELDS = {
    "needs": (N_("New needs (separate with ;)"), N_("New need: '{word}' (stored as `{slug}`)")),
    "offers": (N_("New offers (separate with ;)"), N_("New offer: '{word}' (stored as `{slug}`)")),
    "issues": (N_("New issues (separate with ;)"), N_("New issue: '{word}' (stored as `{slug}`)")),
}
#: How a selectbox shows a kind of organization, a kind of tie and an audience: the
#: values stay as stored (and as the CLI and the files spell them), their labels are
#: read through ``_()`` in the session's language.
ORG_KIND_LABELS = {
    # TRANSLATORS: kinds of organization
    "collective": N_("collective"),
    # TRANSLATORS: a non-governmental organization
    "ngo": N_("ngo"),
    "union": N_("union"),
    "legal": N_("legal"),
    "health": N_("health"),
    "media": N_("media"),
    "funder": N_("funder"),
    "coalition": N_("coalition"),
    "ally": N_("ally"),
    "other": N_("other"),
}
TIE_KIND_LABELS = {
    # TRANSLATORS: kinds of tie between two organizations
    "coalition": N_("coalition"),
    "joint_campaign": N_("joint campaign"),
    "referral": N_("referral"),
    "funding": N_("funding"),
    "shared_space": N_("shared space"),
    "personal_contact": N_("personal contact"),
    # TRANSLATORS: a memorandum of understanding
    "mou": N_("mou"),
    "conflict": N_("conflict"),
}
AUDIENCE_LABELS = {
    # TRANSLATORS: who may see a record or a view of the map
    "public": N_("public"),
    "coalition": N_("coalition"),
    "private": N_("private"),
}

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
    data["name"] = left.text_input(_("Name"), value=org["name"], max_chars=200, key=key("name"))
    data["movements"] = left.multiselect(
        _("Movements"),
        options=list(movements),
        default=[m for m in org["movements"] if m in movements],
        format_func=lambda m: movements.get(m, m),
        key=key("movements"),
        help=_("One or more. Add new movements with `coalition movement add`."),
    )
    data["kind"] = left.selectbox(
        _("Kind"), ORG_KINDS, index=_index(ORG_KINDS, org["kind"]), format_func=org_kind_label, key=key("kind")
    )
    data["community_led"] = left.checkbox(
        _("Community-led (led by the people most affected)"), value=bool(org["community_led"]), key=key("community_led")
    )
    data["region"] = _region_field(left, key, words.regions, org["region"])
    data["languages"] = _language_field(left, key, words.languages, org["languages"])
    for column, field in ((left, "issues"), (right, "offers"), (right, "needs")):
        data[field] = _word_field(column, key, field, words.known(field), org[field])
    data["access"] = right.text_area(_("Access notes"), value=org["access"], height=68, key=key("access"))
    if show_contact:
        data["contact"] = right.text_input(
            _("Contact (private unless marked otherwise)"), value=org["contact"], key=key("contact")
        )
        data["contact_visibility"] = right.selectbox(
            _("Who may see the contact"),
            visibilities,
            index=_level_index(visibilities, org["contact_visibility"]),
            format_func=audience_label,
            key=key("contact_visibility"),
        )
    else:
        right.caption(_("The contact is hidden for this audience; choose the private audience in Settings to edit it."))
    data["visibility"] = right.selectbox(
        _("Who may see this organization"),
        visibilities,
        index=_level_index(visibilities, org["visibility"]),
        format_func=audience_label,
        key=key("visibility"),
    )
    data["consent_to_introductions"] = right.checkbox(
        _("Agrees to be suggested for introductions"), value=bool(org["consent_to_introductions"]), key=key("consent")
    )
    data["intro_capacity_per_month"] = right.number_input(
        _("Introductions accepted per month"),
        min_value=0,
        max_value=100,
        step=1,
        value=int(org["intro_capacity_per_month"]),
        key=key("capacity"),
    )
    data["notes"] = st.text_area(_("Notes"), value=org["notes"], height=68, key=key("notes"))
    return data


def _region_field(column: Any, key: Callable[[str], str], regions: dict[str, str], current: str) -> str:
    """A pick-list of the map's regions (the current one matched whatever its capitals)
    and a box for a new one; a "new" region the map has in other capitals is that one."""
    chosen = regions.get(region_key(current), current) if current else ""
    options = list(dict.fromkeys(["", *sorted(regions.values(), key=region_label), chosen]))
    picked = column.selectbox(
        _(FIELD_LABELS["region"]),
        options,
        index=options.index(chosen),
        format_func=lambda r: region_label(r) if r else _("(none)"),
        key=key("region_pick"),
    )
    typed = column.text_input(
        _("New region (when it is not in the list)"), key=key("region"), placeholder=_("e.g. Harbour District")
    ).strip()
    return regions.get(region_key(typed), typed) if typed else picked


def _language_field(column: Any, key: Callable[[str], str], languages: dict[str, str], current: list[str]) -> list[str]:
    """A pick-list of the languages the map uses and a box for others; a typed language
    the map knows in other capitals ("spanish") is that one ("Spanish")."""
    options = list(dict.fromkeys([*languages.values(), *current]))
    picked = column.multiselect(_(FIELD_LABELS["languages"]), options, default=current, key=key("languages_pick"))
    typed = column.text_input(
        _("Other languages (separate with ;)"), key=key("languages"), placeholder=_("e.g. Tagalog")
    )
    kept: dict[str, str] = {}
    for word in [*picked, *(languages.get(word.casefold(), word) for word in split_list(typed))]:
        kept.setdefault(word.casefold(), word)
    return list(kept.values())


def _word_field(
    column: Any, key: Callable[[str], str], field: str, known: Sequence[str], current: list[str]
) -> list[str]:
    """A pick-list of the words the map knows, shown by label, and a box for new ones,
    stored by slug; a typed word is the known word with the same slug or label, or new."""
    options = list(dict.fromkeys([*known, *current]))
    picked = column.multiselect(
        _(FIELD_LABELS[field]), options, default=current, format_func=term_label, key=key(f"{field}_pick")
    )
    typed = column.text_input(
        _(WORD_FIELDS[field][0]), key=key(field), help=_("Words not in the list; shown before saving.")
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
    lines = [f"- {_(WORD_FIELDS[field][1]).format(word=md(term_label(slug)), slug=slug)}" for field, slug in fresh]
    confirm = _("Press **{button}** again to confirm, or change the words first.").format(button=md(button))
    st.info("\n".join(lines) + "\n\n" + confirm)
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
    label = FIELD_LABELS.get(problem.field)
    # TRANSLATORS: a problem with one field of a form, e.g. "Name: give the organization a name."
    return _("{field}: {problem}").format(field=_(label) if label else problem.field, problem=message)


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
    placeholder: str | None = None,
) -> dict[str, Any]:
    """Draw the tie fields (inside a form); the two ends and the kind are fixed when editing.
    The two pickers offer the organizations ``listed`` (all of ``names`` by default; on a
    big map the page lists those its search finds, ``state.pickable``), or only the tie's
    own two ends when editing: a picker sends every choice to the browser on each run.
    ``placeholder`` is what an empty picker says ("Pick by name" unless given)."""
    tie = {"kind": "coalition", "strength": 3, "visibility": "coalition", "notes": "", **(current or {})}
    editing = current is not None
    placeholder = _("Pick by name") if placeholder is None else placeholder
    ids = [current["source"], current["target"]] if editing else list(names if listed is None else listed)

    def key(name: str) -> str:
        return field_key(prefix, name, suffix)

    left, right = st.columns(2)
    data: dict[str, Any] = {}
    data["source"] = left.selectbox(
        _("From organization"),
        ids,
        index=_index(ids, tie.get("source"), None),
        format_func=lambda i: names.get(i, i),
        placeholder=placeholder,
        disabled=editing,
        key=key("source"),
    )
    data["target"] = left.selectbox(
        _("To organization"),
        ids,
        index=_index(ids, tie.get("target"), None),
        format_func=lambda i: names.get(i, i),
        placeholder=placeholder,
        disabled=editing,
        key=key("target"),
    )
    data["kind"] = left.selectbox(
        _("Kind of tie"),
        TIE_KINDS,
        index=_index(TIE_KINDS, tie["kind"]),
        format_func=tie_kind_label,
        disabled=editing,
        key=key("kind"),
        help=_("A conflict is recorded so that no introduction is ever suggested across it."),
    )
    data["strength"] = left.slider(_("Strength"), 1, 5, int(tie["strength"]), key=key("strength"))
    span = {"min_value": EARLIEST, "max_value": LATEST}
    data["since"] = right.date_input(_("Since"), value=_date(tie.get("since")), key=key("since"), **span)
    data["until"] = right.date_input(
        _("Until (empty if ongoing)"), value=_date(tie.get("until")), key=key("until"), **span
    )
    data["visibility"] = right.selectbox(
        _("Who may see this tie"),
        visibilities,
        index=_level_index(visibilities, tie["visibility"]),
        format_func=audience_label,
        key=key("visibility"),
    )
    data["notes"] = right.text_area(_("Notes"), value=tie["notes"], height=68, key=key("notes"))
    if editing:
        data.update(source=current["source"], target=current["target"], kind=current["kind"])
    data["since"] = data["since"].isoformat() if data["since"] else None
    data["until"] = data["until"].isoformat() if data["until"] else None
    return data


def org_kind_label(kind: str) -> str:
    """A kind of organization as a person reads it; a kind the list does not know, as stored."""
    return _(ORG_KIND_LABELS[kind]) if kind in ORG_KIND_LABELS else kind


def tie_kind_label(kind: str) -> str:
    """A kind of tie as a person reads it ("joint campaign"); a kind the list does not know, spaced."""
    return _(TIE_KIND_LABELS[kind]) if kind in TIE_KIND_LABELS else kind.replace("_", " ")


def audience_label(audience: str) -> str:
    """An audience (a visibility level) as a person reads it; an unknown one as stored."""
    return _(AUDIENCE_LABELS[audience]) if audience in AUDIENCE_LABELS else audience


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
