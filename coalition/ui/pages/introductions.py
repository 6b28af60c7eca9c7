"""Introductions: who should meet whom, who can introduce them and why; plan, mark made
or decline them here (``coalition.introductions.recommend`` and ``coalition.maps.tracking``)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import streamlit as st

from coalition.auth import permissions
from coalition.domain.models import AUDIENCES, INTRODUCTION_STATUSES
from coalition.i18n import N_, _, ngettext
from coalition.introductions.draft import draft_message
from coalition.introductions.recommend import DEFAULT_BOLDNESS
from coalition.maps.changes import STALLED_DAYS, is_stalled
from coalition.ui import actions, charts, state
from coalition.ui.charts import md
from coalition.ui.state import Keys, Tables

#: What the "Show" picker offers for each status (the status itself is what is stored).
SHOWN = {
    "suggested": N_("new suggestions"),
    "planned": N_("introductions marked planned"),
    "made": N_("introductions marked made"),
    "declined": N_("introductions marked declined"),
    "on_hold": N_("introductions marked on hold"),
    "asking": N_("introductions marked asking"),
    "agreed": N_("introductions marked agreed"),
}
#: What the flash says once the answers are recorded, by where the introduction stands
#: then (``tracking.answer_introduction``), one sentence each.
ANSWERED = {
    # TRANSLATORS: each group is still being asked whether it wants to meet
    "asking": N_("{first} and {second}: asking."),
    # TRANSLATORS: both groups said yes to the introduction
    "agreed": N_("{first} and {second}: agreed."),
    "declined": N_("{first} and {second}: declined."),
}
#: What the flash says once a status is set by a button, one sentence each.
MARKED = {
    "planned": N_("Marked {first} and {second} as planned."),
    "made": N_("Marked {first} and {second} as made."),
    "declined": N_("Marked {first} and {second} as declined."),
}
#: How a group's answer is picked: the choice is compared, its label read through ``_()``.
ANSWERS = {"not yet": N_("not yet"), "yes": N_("yes"), "no": N_("no")}

store, user, audience, view, movements, names = state.open_page(_("Introductions"))


def pair(a: str, b: str) -> str:
    """Two organizations, by name."""
    return _("{first} and {second}").format(first=names.get(a, a), second=names.get(b, b))


def status_count(status: str, n: int) -> str:
    """``2 agreed``: how many introductions have a status that stalls (``changes.STALLING``)."""
    counted = {
        "planned": ngettext("{count} planned", "{count} planned", n),
        # TRANSLATORS: introductions whose groups are being asked whether they want to meet
        "asking": ngettext("{count} asking", "{count} asking", n),
        "agreed": ngettext("{count} agreed", "{count} agreed", n),
    }[status]
    return counted.format(count=n)


def status_counts(items: list[dict]) -> str:
    """``2 agreed, 1 planned``: how many of each status."""
    return ", ".join(status_count(s, n) for s, n in Counter(i["status"] for i in items).most_common())


st.write(
    _(
        "Pairs of organizations that do not work together yet and would bridge movements, ranked by how likely the "
        "introduction is to work times how much it bridges. For each gap the Gaps page names, the best introduction "
        "that would close it is on the list too (the closes column says which gap). Only groups that agreed to be "
        "suggested appear, never "
        "more often than they said they can take each month, never across a conflict, and never again once declined. "
        "Community-led groups come first."
    )
)
left, middle, right = st.columns(3)
status = left.selectbox(
    _("Show"),
    INTRODUCTION_STATUSES,
    format_func=lambda s: _(SHOWN[s]),
    key=Keys.INTRO_STATUS,
)
top = middle.slider(_("How many"), 5, 100, 20, step=5, key=Keys.INTRO_TOP)
boldness = right.slider(
    _("Boldness"),
    0.0,
    1.0,
    DEFAULT_BOLDNESS,
    step=0.1,
    key=Keys.INTRO_BOLDNESS,
    help=_(
        "0: rank by the chance an introduction works. 1: lean hard on what it bridges. The default, "
        "{boldness:g}, is as likely to be right as the best classic predictor on every map we tested; "
        "the gaps get their places in the list at any boldness."
    ).format(boldness=DEFAULT_BOLDNESS),
)
rows = state.introductions(store, audience, top=top, status=status, boldness=boldness)
stalled = [i for i in view["introductions"] if is_stalled(i, date.today())]
if stalled:
    pairs_text = ", ".join(pair(i["a"], i["b"]) for i in stalled[:10])
    stalled_text = ngettext(
        "Stalled for over {days} day ({statuses}): {pairs}.",
        "Stalled for over {days} days ({statuses}): {pairs}.",
        STALLED_DAYS,
    )
    st.warning(md(stalled_text.format(days=STALLED_DAYS, statuses=status_counts(stalled), pairs=pairs_text)))
if status == "suggested":
    for missed in state.gaps_without_introduction(store, audience):
        # TRANSLATORS: {gap} is what an introduction would do, e.g. "closes the gap between housing and
        # health, which have no tie at all"; {why} says why none does
        st.info(md(_("No introduction {gap}: {why}.").format(gap=missed["gap"]["text"], why=missed["why"])))
if not rows:
    st.write(_("None for this audience."))
    st.stop()

charts.show_introductions(rows, names, movements, key=Tables.INTRO_TABLE)

st.subheader(_("Act on an introduction"))
pairs = {f"{r['a']}|{r['b']}": r for r in rows}
picked = st.selectbox(
    _("Introduction"),
    list(pairs),
    index=None,  # never a pair nobody picked: after an action the list changes under it
    format_func=lambda k: pair(pairs[k]["a"], pairs[k]["b"]),
    key=Keys.INTRO_PICK,
    placeholder=_("Pick the pair to plan, mark made or decline"),
)
if picked is None:
    st.stop()
row = pairs[picked]
broker = row.get("broker")
st.markdown(
    md(
        _("Broker: {organization}").format(organization=names.get(broker, broker))
        if broker
        else _("No common partner: a cold introduction.")
    )
    + "\n"
    + "\n".join(f"- {md(reason)}" for reason in row.get("reasons") or [])
)
with st.expander(_("A message the broker can send to both groups")):
    # for both groups: never wider than the coalition, whatever audience this page shows
    ok, drafted = state.attempt(
        lambda: draft_message(store, row["a"], row["b"], audience=min(audience, "coalition", key=AUDIENCES.index))
    )
    if ok:
        st.code(drafted["text"], language=None, wrap_lines=True)
if not permissions.allowed(user, permissions.TRACK):
    # TRANSLATORS: {role} is the account's role as the CLI spells it (viewer)
    st.caption(_("A {role} account can look but not plan: ask an editor or an admin.").format(role=user.role))
    st.stop()
note_key = f"{Keys.INTRO_NOTE}:{picked}"  # one note per pair: a note never moves to another pair
note = st.text_input(_("Note (optional)"), key=note_key, max_chars=500)
create_tie = st.checkbox(_("When marked made, record the tie between them"), value=True, key=Keys.INTRO_CREATE_TIE)
st.caption(
    _("Introductions are made only when both groups said yes: ask both, record their answers, then mark it made.")
)
if row["status"] == "asking":
    sides = {}
    for side, column in zip((row["a"], row["b"]), st.columns(2), strict=True):
        sides[side] = column.selectbox(
            _("Answer of {organization}").format(organization=names.get(side, side)),
            list(ANSWERS),
            format_func=lambda said: _(ANSWERS[said]),
            key=f"{Keys.INTRO_ANSWER}:{side}",
        )
    if st.button(_("Record the answers"), key=Keys.INTRO_ANSWER_SAVE):
        answered = [(side, said == "yes") for side, said in sides.items() if said != "not yet"]
        ok, result = state.attempt(
            lambda: [actions.answer_introduction(user, store, row["a"], row["b"], s, y, audience) for s, y in answered]
        )
        if ok and result:
            answered = _(ANSWERED[result[-1]["status"]])
            state.flash(answered.format(first=names.get(row["a"]), second=names.get(row["b"])))
            state.forget(Keys.INTRO_PICK, *(f"{Keys.INTRO_ANSWER}:{side}" for side in sides))
            st.rerun()
override = None
if row["status"] != "agreed" and permissions.allowed(user, permissions.OVERRIDE):
    override = st.text_input(
        _("Reason to mark it made without both groups' yes (admins; kept in the audit trail)"),
        key=Keys.INTRO_OVERRIDE,
        max_chars=500,
    )
buttons = st.columns(4)
buttons_pressed = {
    "planned": buttons[0].button(_("Plan it"), key=Keys.INTRO_PLAN, type="primary"),
    "asking": buttons[1].button(_("Ask both groups"), key=Keys.INTRO_ASK),
    "made": buttons[2].button(_("Mark made"), key=Keys.INTRO_MADE),
    "declined": buttons[3].button(_("Decline"), key=Keys.INTRO_DECLINE),
}
chosen = next((s for s, pressed in buttons_pressed.items() if pressed), None)
if chosen == "asking":
    ok, _ignored = state.attempt(
        lambda: actions.ask_introduction(user, store, row["a"], row["b"], audience, note or None)
    )
    if ok:
        state.flash(
            _("Asking {first} and {second} whether they want to meet.").format(
                first=names.get(row["a"]), second=names.get(row["b"])
            )
        )
        state.forget(note_key, Keys.INTRO_PICK)
        st.rerun()
elif chosen:
    ok, _ignored = state.attempt(
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
        state.flash(_(MARKED[chosen]).format(first=names.get(row["a"]), second=names.get(row["b"])))
        state.forget(note_key, Keys.INTRO_PICK)
        st.rerun()
