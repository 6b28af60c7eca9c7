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
from coalition.i18n import N_, _, ngettext
from coalition.survey import links, review
from coalition.survey.messages import message_for
from coalition.ui import actions, login, state
from coalition.ui.charts import md
from coalition.ui.forms import tie_kind_label
from coalition.ui.state import Keys, Tables

#: The parts of an answer that can be accepted on their own (``review.PARTS``), as the picker names them.
PART_NAMES = {"record": N_("its own record"), "ties": N_("its ties"), "new_groups": N_("groups not on the list")}
#: What the progress table counts, by ``actions.survey_status``'s keys.
PROGRESS = {
    # TRANSLATORS: how many survey links were sent, opened, answered, and answers accepted
    "sent": N_("sent"),
    "opened": N_("opened"),
    "answered": N_("answered"),
    "accepted": N_("accepted"),
}
#: How an answer would change a tie the map holds (``review.changes``), one sentence each.
TIE_CHANGES = {
    # TRANSLATORS: {kind} is a kind of tie, e.g. "joint campaign"
    "new": N_("new tie with {partner} ({kind})"),
    "changed": N_("changed tie with {partner} ({kind})"),
}
#: Where the two sides' reports of a tie differ (``review.reciprocity``).
DIFFERENCES = {"kind": N_("kind"), "strength": N_("strength")}

store, user, audience, view, movements, names = state.open_page(_("Surveys"))
permissions.require(user, permissions.EDIT)
state.show_flash()

st.write(
    _(
        "Ask each organization to report its own ties, needs and offers, and whether it wants to be suggested for "
        "introductions. Each gets a private link to a form; nothing it answers enters the map until you accept it "
        "here."
    )
)
orgs = {o["id"]: o for o in view["organizations"]}  # the audience shown: never a group above it
rounds = [r["round"] for r in store.side_records("round")]


def _this_address() -> str:
    """The address this page was opened at (scheme and host), as the links' default."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else links.DEFAULT_BASE_URL


def _show_links(made: list[dict[str, str]], round_id: str, kind: str) -> None:
    """Each new link with its message, to copy (shown this once: only hashes are kept)."""
    expires = links.round_record(store, round_id)["body"].get("expires")
    st.warning(_("Copy these now: the links are not kept and cannot be shown again. Send each to its group only."))
    for link in made:
        message = message_for(kind, orgs.get(link["org"], {"name": link["org"]}), link["url"], expires)
        st.markdown(f"**{md(names.get(link['org'], link['org']))}**")
        st.code(message["text"], language=None, wrap_lines=True)


with st.expander(_("Start a round, or send new links"), expanded=not rounds):
    with st.form(Keys.SURVEY_START):
        round_id = st.text_input(_("Round name"), placeholder="2026-spring", key=Keys.SURVEY_NEW_ROUND)
        chosen = st.multiselect(
            _("Organizations (none chosen: every one you may see)"),
            sorted(orgs, key=lambda o: orgs[o]["name"].lower()),
            format_func=lambda o: orgs[o]["name"],
            key=Keys.SURVEY_ORGS,
        )
        expires = st.date_input(_("Links work until"), date.today() + timedelta(days=30), key=Keys.SURVEY_EXPIRES)
        base_url = st.text_input(
            _("Address of this dashboard, as the groups will open it"), _this_address(), key=Keys.SURVEY_BASE_URL
        )
        if st.form_submit_button(_("Make the links")):
            ok, made = state.attempt(
                lambda: actions.start_survey(user, store, round_id.strip(), chosen, expires, base_url.strip(), audience)
            )
            if ok:
                _show_links(made, round_id.strip(), "invitation")

rounds = [r["round"] for r in store.side_records("round")]
if not rounds:
    st.stop()
picked = st.selectbox(_("Round"), rounds, index=len(rounds) - 1, key=Keys.SURVEY_ROUND)

st.subheader(_("Progress"))
progress = actions.survey_status(user, store, picked, audience)


def progress_row(who: str, counts: dict) -> dict:
    """One row of the progress table, headed in the session's language."""
    return {_("who"): who, **{_(heading): counts[key] for key, heading in PROGRESS.items()}}


rows = [progress_row(_("all surveyed"), progress)]
rows += [progress_row(movements.get(m, m), counts) for m, counts in progress["by_movement"].items()]
rows.append(progress_row(_("community-led groups"), progress["community_led"]))
st.dataframe(rows, hide_index=True, key=Tables.SURVEY_PROGRESS)
if progress["not_answered"]:
    waiting = ", ".join(o["name"] for o in progress["not_answered"])
    st.write(md(_("Not answered yet: {organizations}.").format(organizations=waiting)))
    if st.button(_("Make new links with a reminder for them"), key=Keys.SURVEY_REMIND):
        missing = [o["org"] for o in progress["not_answered"] if not o["revoked"]]
        base = links.round_record(store, picked)["body"].get("base_url") or links.DEFAULT_BASE_URL
        ok, made = state.attempt(lambda: actions.start_survey(user, store, picked, missing, None, base, audience))
        if ok:
            _show_links(made, picked, "reminder")

with st.expander(_("Answers by email or on paper")):
    st.write(
        _(
            "Some groups prefer a spreadsheet: download an organization's form, send it with its link, and take the "
            "filled-in file back here with the link you sent (it says whose answer it is). The file is checked like "
            "any import and then waits for review like any answer."
        )
    )
    sheet_org = st.selectbox(
        _("Form of"),
        sorted(orgs, key=lambda o: orgs[o]["name"].lower()),
        index=None,
        format_func=lambda o: orgs[o]["name"],
        key=Keys.SURVEY_SHEET_ORG,
    )
    if sheet_org:
        st.download_button(  # made on click, for this session's browser only (login.guarded)
            _("Download the spreadsheet form"),
            data=login.guarded(lambda: actions.survey_sheet(user, store, picked, sheet_org, audience)),
            file_name=f"survey-{picked}-{sheet_org}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            key=Keys.SURVEY_SHEET_DOWNLOAD,
        )
    sent_link = st.text_input(_("The link you sent with it"), key=Keys.SURVEY_SHEET_LINK)
    returned = st.file_uploader(_("The filled-in form"), type=["xlsx"], key=Keys.SURVEY_SHEET_UPLOAD)
    if st.button(_("Take the answer"), key=Keys.SURVEY_SHEET_SAVE, disabled=not (returned and sent_link)):
        ok, link = state.attempt(
            lambda: actions.survey_sheet_answer(user, store, sent_link, returned.name, returned.getvalue())
        )
        if ok:
            took = _("Took the answer of {organization}: it waits for review below.")
            state.flash(took.format(organization=names.get(link.org, link.org)))
            st.rerun()

st.subheader(_("Answers waiting for review"))
items, others = actions.survey_queue(user, store, picked, audience)
if others:
    above = ngettext(
        "{count} more answer comes from a group above the audience shown (an admin reviews it as private).",
        "{count} more answers come from groups above the audience shown (an admin reviews them as private).",
        others,
    )
    st.caption(above.format(count=others))
waiting_items = [item for item in items if item["status"] == "waiting"]
if not waiting_items:
    st.write(_("None waiting."))
for item in waiting_items:
    found = item["changes"]
    with st.container(border=True):
        answered_on = _("**{organization}** answered on {date}")
        st.markdown(answered_on.format(organization=md(item["name"]), date=item["submitted_at"][:10]))
        for field, change in found["record"].items():  # the field as stored, its values as answered
            st.write(md(f"{field}: {change['before']} → {change['after']}"))
        for tie in found["ties"]:
            if tie["change"] != "same":
                changed = _(TIE_CHANGES[tie["change"]])
                st.write(md(changed.format(partner=tie["partner_name"], kind=tie_kind_label(tie["kind"]))))
        for group in found["new_groups"]:
            if group["matches"]:
                new = _("a group not on the list, {name}: nearly {match}, which it will be").format(
                    name=group["new_name"], match=group["matches"][0]["name"]
                )
            else:
                new = _("a group not on the list, {name}").format(name=group["new_name"])
            st.write(md(new))
        if not (found["record"] or found["new_groups"] or any(t["change"] != "same" for t in found["ties"])):
            st.write(_("It confirms what the map holds: accepting it marks its ties confirmed today."))
        parts = st.multiselect(
            _("Accept"),
            review.PARTS,
            default=list(review.PARTS),
            format_func=lambda part: _(PART_NAMES[part]),
            key=f"{Keys.SURVEY_PARTS}:{item['org']}",
        )
        left, right = st.columns(2)
        if left.button(_("Accept"), key=f"{Keys.SURVEY_ACCEPT}:{item['org']}", disabled=not parts):
            ok, written = state.attempt(
                lambda item=item, parts=parts: actions.review_survey_answer(
                    user, store, picked, item["org"], True, tuple(parts), audience
                )
            )
            if ok:
                accepted = ngettext(
                    "Accepted the answer of {organization}: {count} tie written, {confirmed} confirmed.",
                    "Accepted the answer of {organization}: {count} ties written, {confirmed} confirmed.",
                    written["ties"],
                )
                state.flash(
                    accepted.format(organization=item["name"], count=written["ties"], confirmed=written["confirmed"])
                )
                st.rerun()
        if right.button(_("Reject"), key=f"{Keys.SURVEY_REJECT}:{item['org']}"):
            ok, _ignored = state.attempt(
                lambda item=item: actions.review_survey_answer(
                    user, store, picked, item["org"], False, audience=audience
                )
            )
            if ok:
                state.flash(
                    _("Rejected the answer of {organization}; the map is unchanged.").format(organization=item["name"])
                )
                st.rerun()

st.subheader(_("Ties as both sides reported them"))
found = review.reciprocity(store, picked)
both_seen = [
    i for key in ("confirmed", "disagreements", "unconfirmed") for i in found[key] if {i["a"], i["b"]} <= orgs.keys()
]
between, reported = _("between"), _("reported")  # the table's headings
shown = []
for i in both_seen:
    pair = _("{first} and {second}").format(first=i["a_name"], second=i["b_name"])
    if "differ" in i:
        # TRANSLATORS: {fields} lists what the two sides reported differently: kind, strength
        differently = _("differently ({fields})").format(fields=", ".join(_(DIFFERENCES[f]) for f in i["differ"]))
        shown.append({between: pair, reported: differently})
    elif "reported_by" in i:
        only = _("by {organization} only").format(organization=names.get(i["reported_by"], i["reported_by"]))
        shown.append({between: pair, reported: only})
alike = len(both_seen) - len(shown)
st.caption(
    ngettext("{count} tie reported alike by both sides.", "{count} ties reported alike by both sides.", alike).format(
        count=alike
    )
)
if shown:
    st.dataframe(shown, hide_index=True, key=Tables.SURVEY_RECIPROCITY)
