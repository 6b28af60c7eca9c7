"""Surveys (editors): start a round, follow it, send reminders, and review the answers.

The links a round makes are shown once, here, right after they are made: the store keeps
only a hash of each, so a lost link is replaced by sending a new one. Everything is
limited to the organizations the audience shown may see (never above the account's;
``actions.survey_*``).
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

import streamlit as st

from coalition.auth import permissions
from coalition.survey import links, review
from coalition.survey.messages import message_for
from coalition.ui import actions, login, state
from coalition.ui.charts import md
from coalition.ui.state import Keys, Tables

store, user, audience, view, movements, names = state.open_page("Surveys")
permissions.require(user, permissions.EDIT)
state.show_flash()

st.write(
    "Ask each organization to report its own ties, needs and offers, and whether it wants to be suggested for "
    "introductions. Each gets a private link to a form; nothing it answers enters the map until you accept it here."
)
orgs = {o["id"]: o for o in view["organizations"]}  # the audience shown: never a group above it
rounds = [r["round"] for r in store.side_records("round")]
PART_NAMES = {"record": "its own record", "ties": "its ties", "new_groups": "groups not on the list"}


def _this_address() -> str:
    """The address this page was opened at (scheme and host), as the links' default."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else links.DEFAULT_BASE_URL


def _show_links(made: list[dict[str, str]], round_id: str, kind: str) -> None:
    """Each new link with its message, to copy (shown this once: only hashes are kept)."""
    expires = links.round_record(store, round_id)["body"].get("expires")
    st.warning("Copy these now: the links are not kept and cannot be shown again. Send each to its group only.")
    for link in made:
        message = message_for(kind, orgs.get(link["org"], {"name": link["org"]}), link["url"], expires)
        st.markdown(f"**{md(names.get(link['org'], link['org']))}**")
        st.code(message["text"], language=None, wrap_lines=True)


with st.expander("Start a round, or send new links", expanded=not rounds):
    with st.form(Keys.SURVEY_START):
        round_id = st.text_input("Round name", placeholder="2026-spring", key=Keys.SURVEY_NEW_ROUND)
        chosen = st.multiselect(
            "Organizations (none chosen: every one you may see)",
            sorted(orgs, key=lambda o: orgs[o]["name"].lower()),
            format_func=lambda o: orgs[o]["name"],
            key=Keys.SURVEY_ORGS,
        )
        expires = st.date_input("Links work until", date.today() + timedelta(days=30), key=Keys.SURVEY_EXPIRES)
        base_url = st.text_input(
            "Address of this dashboard, as the groups will open it", _this_address(), key=Keys.SURVEY_BASE_URL
        )
        if st.form_submit_button("Make the links"):
            ok, made = state.attempt(
                lambda: actions.start_survey(user, store, round_id.strip(), chosen, expires, base_url.strip(), audience)
            )
            if ok:
                _show_links(made, round_id.strip(), "invitation")

rounds = [r["round"] for r in store.side_records("round")]
if not rounds:
    st.stop()
picked = st.selectbox("Round", rounds, index=len(rounds) - 1, key=Keys.SURVEY_ROUND)

st.subheader("Progress")
progress = actions.survey_status(user, store, picked, audience)
rows = [{"who": "all surveyed", **{k: progress[k] for k in ("sent", "opened", "answered", "accepted")}}]
rows += [{"who": movements.get(m, m), **counts} for m, counts in progress["by_movement"].items()]
rows.append({"who": "community-led groups", **progress["community_led"]})
st.dataframe(rows, hide_index=True, key=Tables.SURVEY_PROGRESS)
if progress["not_answered"]:
    waiting = ", ".join(o["name"] for o in progress["not_answered"])
    st.write(md(f"Not answered yet: {waiting}."))
    if st.button("Make new links with a reminder for them", key=Keys.SURVEY_REMIND):
        missing = [o["org"] for o in progress["not_answered"] if not o["revoked"]]
        base = links.round_record(store, picked)["body"].get("base_url") or links.DEFAULT_BASE_URL
        ok, made = state.attempt(lambda: actions.start_survey(user, store, picked, missing, None, base, audience))
        if ok:
            _show_links(made, picked, "reminder")

with st.expander("Answers by email or on paper"):
    st.write(
        "Some groups prefer a spreadsheet: download an organization's form, send it with its link, and take the "
        "filled-in file back here with the link you sent (it says whose answer it is). The file is checked like any "
        "import and then waits for review like any answer."
    )
    sheet_org = st.selectbox(
        "Form of",
        sorted(orgs, key=lambda o: orgs[o]["name"].lower()),
        index=None,
        format_func=lambda o: orgs[o]["name"],
        key=Keys.SURVEY_SHEET_ORG,
    )
    if sheet_org:
        st.download_button(  # made on click, for this session's browser only (login.guarded)
            "Download the spreadsheet form",
            data=login.guarded(lambda: actions.survey_sheet(user, store, picked, sheet_org, audience)),
            file_name=f"survey-{picked}-{sheet_org}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            key=Keys.SURVEY_SHEET_DOWNLOAD,
        )
    sent_link = st.text_input("The link you sent with it", key=Keys.SURVEY_SHEET_LINK)
    returned = st.file_uploader("The filled-in form", type=["xlsx"], key=Keys.SURVEY_SHEET_UPLOAD)
    if st.button("Take the answer", key=Keys.SURVEY_SHEET_SAVE, disabled=not (returned and sent_link)):
        ok, link = state.attempt(
            lambda: actions.survey_sheet_answer(user, store, sent_link, returned.name, returned.getvalue())
        )
        if ok:
            state.flash(f"Took the answer of {names.get(link.org, link.org)}: it waits for review below.")
            st.rerun()

st.subheader("Answers waiting for review")
items, others = actions.survey_queue(user, store, picked, audience)
if others:
    st.caption(f"{others} more answer(s) come from groups above the audience shown (an admin reviews them as private).")
waiting_items = [item for item in items if item["status"] == "waiting"]
if not waiting_items:
    st.write("None waiting.")
for item in waiting_items:
    found = item["changes"]
    with st.container(border=True):
        st.markdown(f"**{md(item['name'])}** answered on {item['submitted_at'][:10]}")
        for field, change in found["record"].items():
            st.write(md(f"{field}: {change['before']} → {change['after']}"))
        for tie in found["ties"]:
            if tie["change"] != "same":
                st.write(md(f"{tie['change']} tie with {tie['partner_name']} ({tie['kind'].replace('_', ' ')})"))
        for group in found["new_groups"]:
            match = f": nearly {group['matches'][0]['name']}, which it will be" if group["matches"] else ""
            st.write(md(f"a group not on the list, {group['new_name']}{match}"))
        if not (found["record"] or found["new_groups"] or any(t["change"] != "same" for t in found["ties"])):
            st.write("It confirms what the map holds: accepting it marks its ties confirmed today.")
        parts = st.multiselect(
            "Accept",
            review.PARTS,
            default=list(review.PARTS),
            format_func=PART_NAMES.get,
            key=f"{Keys.SURVEY_PARTS}:{item['org']}",
        )
        left, right = st.columns(2)
        if left.button("Accept", key=f"{Keys.SURVEY_ACCEPT}:{item['org']}", disabled=not parts):
            ok, written = state.attempt(
                lambda item=item, parts=parts: actions.review_survey_answer(
                    user, store, picked, item["org"], True, tuple(parts), audience
                )
            )
            if ok:
                state.flash(
                    f"Accepted the answer of {item['name']}: {written['ties']} tie(s) written, "
                    f"{written['confirmed']} confirmed."
                )
                st.rerun()
        if right.button("Reject", key=f"{Keys.SURVEY_REJECT}:{item['org']}"):
            ok, _ = state.attempt(
                lambda item=item: actions.review_survey_answer(
                    user, store, picked, item["org"], False, audience=audience
                )
            )
            if ok:
                state.flash(f"Rejected the answer of {item['name']}; the map is unchanged.")
                st.rerun()

st.subheader("Ties as both sides reported them")
found = review.reciprocity(store, picked)
both_seen = [
    i for key in ("confirmed", "disagreements", "unconfirmed") for i in found[key] if {i["a"], i["b"]} <= orgs.keys()
]
shown = []
for i in both_seen:
    if "differ" in i:
        shown.append(
            {"between": f"{i['a_name']} and {i['b_name']}", "reported": f"differently ({', '.join(i['differ'])})"}
        )
    elif "reported_by" in i:
        shown.append(
            {
                "between": f"{i['a_name']} and {i['b_name']}",
                "reported": f"by {names.get(i['reported_by'], i['reported_by'])} only",
            }
        )
st.caption(f"{len(both_seen) - len(shown)} tie(s) reported alike by both sides.")
if shown:
    st.dataframe(shown, hide_index=True, key=Tables.SURVEY_RECIPROCITY)
