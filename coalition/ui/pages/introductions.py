"""Introductions: who should meet whom, who can introduce them and why; plan, mark made
or decline them here (``coalition.introductions.recommend`` and ``coalition.maps.tracking``)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import streamlit as st

from coalition.auth import permissions
from coalition.domain.models import AUDIENCES, INTRODUCTION_STATUSES
from coalition.introductions.draft import draft_message
from coalition.introductions.recommend import DEFAULT_BOLDNESS
from coalition.maps.changes import STALLED_DAYS, is_stalled
from coalition.ui import actions, charts, state
from coalition.ui.charts import md
from coalition.ui.state import Keys, Tables

store, user, audience, view, movements, names = state.open_page("Introductions")


def status_counts(items: list[dict]) -> str:
    """``2 agreed, 1 planned``: how many of each status."""
    return ", ".join(f"{n} {s}" for s, n in Counter(i["status"] for i in items).most_common())


st.write(
    "Pairs of organizations that do not work together yet and would bridge movements, ranked by how likely the "
    "introduction is to work times how much it bridges. For each gap the Gaps page names, the best introduction "
    "that would close it is on the list too (the closes column says which gap). Only groups that agreed to be "
    "suggested appear, never "
    "more often than they said they can take each month, never across a conflict, and never again once declined. "
    "Community-led groups come first."
)
left, middle, right = st.columns(3)
status = left.selectbox(
    "Show",
    INTRODUCTION_STATUSES,
    format_func=lambda s: "new suggestions" if s == "suggested" else f"introductions marked {s.replace('_', ' ')}",
    key=Keys.INTRO_STATUS,
)
top = middle.slider("How many", 5, 100, 20, step=5, key=Keys.INTRO_TOP)
boldness = right.slider(
    "Boldness",
    0.0,
    1.0,
    DEFAULT_BOLDNESS,
    step=0.1,
    key=Keys.INTRO_BOLDNESS,
    help="0: rank by the chance an introduction works. 1: lean hard on what it bridges. The default, "
    f"{DEFAULT_BOLDNESS:g}, is as likely to be right as the best classic predictor on every map we tested; "
    "the gaps get their places in the list at any boldness.",
)
rows = state.introductions(store, audience, top=top, status=status, boldness=boldness)
stalled = [i for i in view["introductions"] if is_stalled(i, date.today())]
if stalled:
    pairs_text = ", ".join(f"{names.get(i['a'], i['a'])} and {names.get(i['b'], i['b'])}" for i in stalled[:10])
    st.warning(md(f"Stalled for over {STALLED_DAYS} days ({status_counts(stalled)}): {pairs_text}."))
if status == "suggested":
    for missed in state.gaps_without_introduction(store, audience):
        st.info(md(f"No introduction {missed['gap']['text']}: {missed['why']}."))
if not rows:
    st.write("None for this audience.")
    st.stop()

charts.show_introductions(rows, names, movements, key=Tables.INTRO_TABLE)

st.subheader("Act on an introduction")
pairs = {f"{r['a']}|{r['b']}": r for r in rows}
picked = st.selectbox(
    "Introduction",
    list(pairs),
    index=None,  # never a pair nobody picked: after an action the list changes under it
    format_func=lambda k: f"{names.get(pairs[k]['a'], pairs[k]['a'])} and {names.get(pairs[k]['b'], pairs[k]['b'])}",
    key=Keys.INTRO_PICK,
    placeholder="Pick the pair to plan, mark made or decline",
)
if picked is None:
    st.stop()
row = pairs[picked]
broker = row.get("broker")
st.markdown(
    md(f"Broker: {names.get(broker, broker)}" if broker else "No common partner: a cold introduction.")
    + "\n"
    + "\n".join(f"- {md(reason)}" for reason in row.get("reasons") or [])
)
with st.expander("A message the broker can send to both groups"):
    # for both groups: never wider than the coalition, whatever audience this page shows
    ok, drafted = state.attempt(
        lambda: draft_message(store, row["a"], row["b"], audience=min(audience, "coalition", key=AUDIENCES.index))
    )
    if ok:
        st.code(drafted["text"], language=None, wrap_lines=True)
if not permissions.allowed(user, permissions.TRACK):
    st.caption(f"A {user.role} account can look but not plan: ask an editor or an admin.")
    st.stop()
note_key = f"{Keys.INTRO_NOTE}:{picked}"  # one note per pair: a note never moves to another pair
note = st.text_input("Note (optional)", key=note_key, max_chars=500)
create_tie = st.checkbox("When marked made, record the tie between them", value=True, key=Keys.INTRO_CREATE_TIE)
st.caption("Introductions are made only when both groups said yes: ask both, record their answers, then mark it made.")
if row["status"] == "asking":
    sides = {}
    for side, column in zip((row["a"], row["b"]), st.columns(2), strict=True):
        sides[side] = column.selectbox(
            f"Answer of {names.get(side, side)}", ["not yet", "yes", "no"], key=f"{Keys.INTRO_ANSWER}:{side}"
        )
    if st.button("Record the answers", key=Keys.INTRO_ANSWER_SAVE):
        answered = [(side, said == "yes") for side, said in sides.items() if said != "not yet"]
        ok, result = state.attempt(
            lambda: [actions.answer_introduction(user, store, row["a"], row["b"], s, y, audience) for s, y in answered]
        )
        if ok and result:
            state.flash(f"{names.get(row['a'])} and {names.get(row['b'])}: {result[-1]['status']}.")
            state.forget(Keys.INTRO_PICK, *(f"{Keys.INTRO_ANSWER}:{side}" for side in sides))
            st.rerun()
override = None
if row["status"] != "agreed" and permissions.allowed(user, permissions.OVERRIDE):
    override = st.text_input(
        "Reason to mark it made without both groups' yes (admins; kept in the audit trail)",
        key=Keys.INTRO_OVERRIDE,
        max_chars=500,
    )
buttons = st.columns(4)
buttons_pressed = {
    "planned": buttons[0].button("Plan it", key=Keys.INTRO_PLAN, type="primary"),
    "asking": buttons[1].button("Ask both groups", key=Keys.INTRO_ASK),
    "made": buttons[2].button("Mark made", key=Keys.INTRO_MADE),
    "declined": buttons[3].button("Decline", key=Keys.INTRO_DECLINE),
}
chosen = next((s for s, pressed in buttons_pressed.items() if pressed), None)
if chosen == "asking":
    ok, _ = state.attempt(lambda: actions.ask_introduction(user, store, row["a"], row["b"], audience, note or None))
    if ok:
        state.flash(f"Asking {names.get(row['a'])} and {names.get(row['b'])} whether they want to meet.")
        state.forget(note_key, Keys.INTRO_PICK)
        st.rerun()
elif chosen:
    ok, _ = state.attempt(
        lambda: actions.set_introduction_status(
            user,
            store,
            row["a"],
            row["b"],
            chosen,
            audience,
            note=note or None,
            create_tie=create_tie and chosen == "made",
            score=row.get("score"),
            override=(override or None) if chosen == "made" else None,
        )
    )
    if ok:
        state.flash(f"Marked {names.get(row['a'])} and {names.get(row['b'])} as {chosen}.")
        state.forget(note_key, Keys.INTRO_PICK)
        st.rerun()
