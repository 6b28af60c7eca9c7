"""Ties: the table (with where each tie came from and when it was last confirmed), add /
edit / remove between organizations picked by name, and confirm the stale ones."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition.auth import permissions
from coalition.domain.freshness import last_confirmed, mark_stale
from coalition.i18n import N_, _, ngettext
from coalition.ui import actions, forms, state
from coalition.ui.charts import md
from coalition.ui.forms import audience_label, tie_kind_label
from coalition.ui.state import Keys, field_key

#: The link "Add a tie between A and B" opens ``ties?add_source=A&add_target=B`` (ids).
LINK_ENDS = {"add_source": "source", "add_target": "target"}

store, user, audience, view, movements, names = state.open_page(_("Ties"))


def describe(tie: dict) -> str:
    return f"{names[tie['source']]} – {names[tie['target']]} ({tie_kind_label(tie['kind'])})"


def _confirmed(tie: dict) -> str:
    """When the tie was last confirmed (or added), and "stale" when that is too long ago."""
    day = last_confirmed(tie)
    # TRANSLATORS: after a date: nobody has confirmed the tie for too long
    stale = " " + _("(stale)") if tie["stale"] else ""
    return f"{day or ''}{stale}"


def picked_from_link() -> bool:
    """Start the add form with the two organizations a link names, when the audience may
    see both (a link naming one it may not is ignored: the page never says it exists);
    the link's parameters are used once, so a later visit starts empty."""
    ends = {field: st.query_params.get(param) for param, field in LINK_ENDS.items()}
    for param in LINK_ENDS:
        st.query_params.pop(param, None)
    if not all(end in names for end in ends.values()):
        return False
    for field, end in ends.items():
        st.session_state[field_key(Keys.TIE_ADD_PREFIX, field)] = end
    return True


find = st.text_input(_("Search ties by organization"), key=Keys.TIE_SEARCH, placeholder=_("Part of a name"))
needle = find.strip().lower()
ties = sorted(
    (
        t
        for t in view["ties"]
        if not needle or needle in names[t["source"]].lower() or needle in names[t["target"]].lower()
    ),
    key=describe,
)
freshness = state.settings().freshness
ties = mark_stale(ties, freshness)
by_key = {f"{t['source']}|{t['target']}|{t['kind']}": t for t in ties}
st.dataframe(
    pd.DataFrame(
        [
            {
                "from": names[t["source"]],
                "to": names[t["target"]],
                "kind": t["kind"],
                "strength": t["strength"],
                "since": t.get("since") or "",
                "until": t.get("until") or "",
                "visibility": audience_label(t["visibility"]),
                "confirmed": _confirmed(t),
                "from where": t.get("provenance") or "",
                "notes": t.get("notes") or "",
            }
            for t in ties[: state.TABLE_ROWS]
        ],
        columns=[
            N_("from"),
            N_("to"),
            N_("kind"),
            N_("strength"),
            N_("since"),
            N_("until"),
            N_("visibility"),
            N_("confirmed"),
            N_("from where"),
            N_("notes"),
        ],
    ).rename(columns=_),  # the headings are shown in the session's language
    hide_index=True,
    key=Keys.TIE_TABLE,
    height=300,
)
st.caption(state.listed(len(ties), len(view["ties"]), "ties", audience))
stale = [key for key, t in by_key.items() if t["stale"]]
if stale:
    unconfirmed = ngettext(
        '{count:,} of them not confirmed for {months} months (marked "stale"): '
        "confirm it on the Stale tab once someone has checked it still holds.",
        '{count:,} of them not confirmed for {months} months (marked "stale"): '
        "confirm them on the Stale tab once someone has checked they still hold.",
        len(stale),
    )
    st.caption(unconfirmed.format(count=len(stale), months=freshness.months))

if not permissions.allowed(user, permissions.EDIT):
    # TRANSLATORS: {role} is the account's role as the CLI spells it (viewer)
    look = _("A {role} account can look but not change: ask an editor or an admin for changes.")
    st.caption(look.format(role=user.role))
    st.stop()
visibilities = permissions.allowed_audiences(user)
add_tab, edit_tab, remove_tab, stale_tab = st.tabs([_("Add"), _("Edit"), _("Remove"), _("Stale")])
with add_tab:
    if len(names) < 2:
        st.info(_("A tie needs two organizations: add them on the Organizations page first."))
    else:
        if picked_from_link():
            first, second = (
                names[st.session_state[field_key(Keys.TIE_ADD_PREFIX, end)]] for end in ("source", "target")
            )
            from_map = _("From the map: a tie between {first} and {second}; pick the kind and add it.")
            st.caption(from_map.format(first=md(first), second=md(second)))
        ends = [field_key(Keys.TIE_ADD_PREFIX, end) for end in ("source", "target")]
        found = [org_id for org_id, name in names.items() if needle and needle in name.lower()]
        listed = state.pickable(names, found, keep=[st.session_state.get(end) for end in ends])
        with st.form(Keys.TIE_ADD_FORM):
            data = forms.tie_fields(
                Keys.TIE_ADD_PREFIX,
                names,
                visibilities=visibilities,
                listed=listed,
                placeholder=state.pick_placeholder(listed, names, "by name"),
            )
            submitted = st.form_submit_button(_("Add tie"), type="primary", key=Keys.TIE_ADD_SUBMIT)
        if submitted:
            if not data["source"] or not data["target"]:
                st.error(_("Pick both organizations."))
            else:
                ok, tie = forms.attempt(lambda: actions.add_tie(user, store, data))
                if ok:
                    # TRANSLATORS: {kind} is a kind of tie, e.g. "joint campaign"
                    saved = _("Saved the {kind} tie {first} – {second}.")
                    state.flash(
                        saved.format(kind=tie_kind_label(tie.kind), first=names[tie.source], second=names[tie.target])
                    )
                    state.forget(*[k for k in st.session_state if str(k).startswith(Keys.TIE_ADD_PREFIX + "_")])
                    st.rerun()

with edit_tab:
    listed = state.pickable(by_key, by_key, keep=[st.session_state.get(Keys.TIE_EDIT_PICK)])
    picked = st.selectbox(
        _("Tie to edit"),
        list(listed),
        index=None,
        format_func=lambda k: describe(by_key[k]),
        key=Keys.TIE_EDIT_PICK,
        placeholder=state.pick_placeholder(listed, by_key, "a tie"),
    )
    if picked:
        current = state.started_from("tie", picked, by_key[picked])
        with st.form(Keys.TIE_EDIT_FORM):
            data = forms.tie_fields(
                Keys.TIE_EDIT_PREFIX, names, current=current, suffix=picked, visibilities=visibilities
            )
            st.caption(
                _("The two organizations and the kind identify a tie; to change them, remove it and add another.")
            )
            saved = st.form_submit_button(_("Save tie"), type="primary", key=Keys.TIE_EDIT_SUBMIT)
        if saved:
            identity = ("source", "target", "kind")
            changes = {k: v for k, v in forms.changed_fields(current, data).items() if k not in identity}
            if not changes:
                st.info(_("Nothing changed."))
            else:
                ok, tie = forms.attempt(
                    lambda: actions.edit_tie(
                        user, store, *(current[k] for k in identity), changes, expected_version=current.get("version")
                    ),
                    edit=("tie", picked, Keys.TIE_EDIT_PREFIX),
                )
                if ok:
                    state.flash(_("Saved {tie}.").format(tie=describe(current)))
                    st.rerun()

with remove_tab:
    listed = state.pickable(by_key, by_key, keep=[st.session_state.get(Keys.TIE_REMOVE_PICK)])
    removing = st.selectbox(
        _("Tie to remove"),
        list(listed),
        index=None,
        format_func=lambda k: describe(by_key[k]),
        key=Keys.TIE_REMOVE_PICK,
        placeholder=state.pick_placeholder(listed, by_key, "a tie"),
    )
    if st.button(_("Remove tie"), disabled=removing is None, key=Keys.TIE_REMOVE_BUTTON):
        tie = by_key[removing]
        ok, _ignored = state.attempt(lambda: actions.remove_tie(user, store, tie["source"], tie["target"], tie["kind"]))
        if ok:
            state.flash(_("Removed {tie}.").format(tie=describe(tie)))
            state.forget(Keys.TIE_REMOVE_PICK)
            st.rerun()

with stale_tab:
    stale_ties = ngettext(
        "Ties nobody has confirmed for {months} month. They are drawn faded on the map and weigh "
        "less in the gaps and introductions. Confirm the ones that still hold (an edit confirms a tie too).",
        "Ties nobody has confirmed for {months} months. They are drawn faded on the map and weigh "
        "less in the gaps and introductions. Confirm the ones that still hold (an edit confirms a tie too).",
        freshness.months,
    )
    st.write(stale_ties.format(months=freshness.months))
    confirming = st.multiselect(
        _("Ties to confirm"),
        stale,
        format_func=lambda k: _("{tie}, last confirmed {date}").format(
            tie=describe(by_key[k]), date=last_confirmed(by_key[k])
        ),
        key=Keys.TIE_STALE_PICK,
        placeholder=_("Pick stale ties") if stale else _("No stale tie"),
    )
    if st.button(_("Confirm they still hold"), disabled=not confirming, key=Keys.TIE_CONFIRM_BUTTON):
        done = 0
        for key in confirming:
            tie = by_key[key]
            ok, _ignored = state.attempt(
                lambda tie=tie: actions.confirm_tie(user, store, tie["source"], tie["target"], tie["kind"])
            )
            done += ok
        if done:
            state.flash(
                ngettext("Confirmed {count} tie today.", "Confirmed {count} ties today.", done).format(count=done)
            )
            state.forget(Keys.TIE_STALE_PICK)
            st.rerun()
