"""Ties: the table (with where each tie came from and when it was last confirmed), add /
edit / remove between organizations picked by name, and confirm the stale ones."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition.auth import permissions
from coalition.domain.freshness import last_confirmed, mark_stale
from coalition.ui import actions, forms, state
from coalition.ui.charts import md
from coalition.ui.state import Keys, field_key

#: The link "Add a tie between A and B" opens ``ties?add_source=A&add_target=B`` (ids).
LINK_ENDS = {"add_source": "source", "add_target": "target"}

store, user, audience, view, movements, names = state.open_page("Ties")


def describe(tie: dict) -> str:
    return f"{names[tie['source']]} – {names[tie['target']]} ({tie['kind'].replace('_', ' ')})"


def _confirmed(tie: dict) -> str:
    """When the tie was last confirmed (or added), and "stale" when that is too long ago."""
    day = last_confirmed(tie)
    return f"{day or ''}{' (stale)' if tie['stale'] else ''}"


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


find = st.text_input("Search ties by organization", key=Keys.TIE_SEARCH, placeholder="Part of a name")
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
                "visibility": t["visibility"],
                "confirmed": _confirmed(t),
                "from where": t.get("provenance") or "",
                "notes": t.get("notes") or "",
            }
            for t in ties[: state.TABLE_ROWS]
        ],
        columns=["from", "to", "kind", "strength", "since", "until", "visibility", "confirmed", "from where", "notes"],
    ),
    hide_index=True,
    key=Keys.TIE_TABLE,
    height=300,
)
st.caption(state.listed(len(ties), len(view["ties"]), "ties", audience))
stale = [key for key, t in by_key.items() if t["stale"]]
if stale:
    st.caption(
        f'{len(stale):,} of them not confirmed for {freshness.months} months (marked "stale"): '
        "confirm them on the Stale tab once someone has checked they still hold."
    )

if not permissions.allowed(user, permissions.EDIT):
    st.caption(f"A {user.role} account can look but not change: ask an editor or an admin for changes.")
    st.stop()
visibilities = permissions.allowed_audiences(user)
add_tab, edit_tab, remove_tab, stale_tab = st.tabs(["Add", "Edit", "Remove", "Stale"])
with add_tab:
    if len(names) < 2:
        st.info("A tie needs two organizations: add them on the Organizations page first.")
    else:
        if picked_from_link():
            st.caption(
                f"From the map: a tie between {md(names[st.session_state[field_key(Keys.TIE_ADD_PREFIX, 'source')]])}"
                f" and {md(names[st.session_state[field_key(Keys.TIE_ADD_PREFIX, 'target')]])}; pick the kind and add it."
            )
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
            submitted = st.form_submit_button("Add tie", type="primary", key=Keys.TIE_ADD_SUBMIT)
        if submitted:
            if not data["source"] or not data["target"]:
                st.error("Pick both organizations.")
            else:
                ok, tie = forms.attempt(lambda: actions.add_tie(user, store, data))
                if ok:
                    state.flash(
                        f"Saved the {tie.kind.replace('_', ' ')} tie {names[tie.source]} – {names[tie.target]}."
                    )
                    state.forget(*[k for k in st.session_state if str(k).startswith(Keys.TIE_ADD_PREFIX + "_")])
                    st.rerun()

with edit_tab:
    listed = state.pickable(by_key, by_key, keep=[st.session_state.get(Keys.TIE_EDIT_PICK)])
    picked = st.selectbox(
        "Tie to edit",
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
            st.caption("The two organizations and the kind identify a tie; to change them, remove it and add another.")
            saved = st.form_submit_button("Save tie", type="primary", key=Keys.TIE_EDIT_SUBMIT)
        if saved:
            identity = ("source", "target", "kind")
            changes = {k: v for k, v in forms.changed_fields(current, data).items() if k not in identity}
            if not changes:
                st.info("Nothing changed.")
            else:
                ok, tie = forms.attempt(
                    lambda: actions.edit_tie(
                        user, store, *(current[k] for k in identity), changes, expected_version=current.get("version")
                    ),
                    edit=("tie", picked, Keys.TIE_EDIT_PREFIX),
                )
                if ok:
                    state.flash(f"Saved {describe(current)}.")
                    st.rerun()

with remove_tab:
    listed = state.pickable(by_key, by_key, keep=[st.session_state.get(Keys.TIE_REMOVE_PICK)])
    removing = st.selectbox(
        "Tie to remove",
        list(listed),
        index=None,
        format_func=lambda k: describe(by_key[k]),
        key=Keys.TIE_REMOVE_PICK,
        placeholder=state.pick_placeholder(listed, by_key, "a tie"),
    )
    if st.button("Remove tie", disabled=removing is None, key=Keys.TIE_REMOVE_BUTTON):
        tie = by_key[removing]
        ok, _ = state.attempt(lambda: actions.remove_tie(user, store, tie["source"], tie["target"], tie["kind"]))
        if ok:
            state.flash(f"Removed {describe(tie)}.")
            state.forget(Keys.TIE_REMOVE_PICK)
            st.rerun()

with stale_tab:
    st.write(
        f"Ties nobody has confirmed for {freshness.months} months. They are drawn faded on the map and weigh "
        "less in the gaps and introductions. Confirm the ones that still hold (an edit confirms a tie too)."
    )
    confirming = st.multiselect(
        "Ties to confirm",
        stale,
        format_func=lambda k: f"{describe(by_key[k])}, last confirmed {last_confirmed(by_key[k])}",
        key=Keys.TIE_STALE_PICK,
        placeholder="Pick stale ties" if stale else "No stale tie",
    )
    if st.button("Confirm they still hold", disabled=not confirming, key=Keys.TIE_CONFIRM_BUTTON):
        done = 0
        for key in confirming:
            tie = by_key[key]
            ok, _ = state.attempt(
                lambda tie=tie: actions.confirm_tie(user, store, tie["source"], tie["target"], tie["kind"])
            )
            done += ok
        if done:
            state.flash(f"Confirmed {done} tie{'s' if done != 1 else ''} today.")
            state.forget(Keys.TIE_STALE_PICK)
            st.rerun()
