"""The survey form: what a survey link (``/?survey=TOKEN``, issue 16) opens.

It is not one of the pages: a respondent has no account, so ``streamlit_app.py`` draws
this form before the sign-in gate and stops, declaring no page and reading nothing from
the map but what ``coalition.survey`` gives a link (``open_link``, ``form_for``: the
coalition audience's names, never a private group, a contact or another group's answer).
Whatever the token, a refusal is the one sentence ``REFUSED``, so a link never tells
whether an organization exists.

The form is pre-filled once per session and link (``form_for``), then lives in the
session: the partners being edited are rows with stable numbers, so removing one leaves
the others' widgets in place. Saving sends the whole answer to ``save_answer``, which
checks the token again (a link revoked meanwhile saves nothing) and replaces this round's
earlier answer, so saving twice keeps one answer.

Openings and saves are rate-limited per link and per client address (``Limiter``), in
this process: ``coalition serve`` runs one. Every widget is stacked or in two
``st.columns``, which a phone shows one under the other.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import streamlit as st

from coalition.domain.errors import USER_ERRORS
from coalition.domain.models import AUDIENCES, ORG_KINDS, RESOURCES, TIE_KINDS
from coalition.domain.vocabulary import movement_label, region_label, term_label
from coalition.i18n import N_, _, ngettext
from coalition.survey.answers import form_for, save_answer
from coalition.survey.links import REFUSED, SurveyRefused, hash_token, open_link
from coalition.ui import state
from coalition.ui.charts import md
from coalition.ui.client import client_address
from coalition.ui.forms import org_kind_label, tie_kind_label
from coalition.ui.state import FormKeys

__all__ = ["SAVED", "TOO_MANY", "Limiter", "matching", "show"]

#: What the respondent is told (read through ``_()`` when shown).
SAVED = N_("Thank you: your answer was saved. You can change it with this link until the round ends.")
TOO_MANY = N_("Too many tries with this link or from this address: wait ten minutes, then try again.")
UNAVAILABLE = N_("This survey cannot be opened right now: try again later, or ask the person who sent the link.")
#: Openings and saves allowed per link, and per client address, in any ``WINDOW`` seconds.
PER_TOKEN, PER_ADDRESS, WINDOW = 30, 60, 600.0
#: The most names the partner picker lists; beyond, it asks for a filter first (a picker
#: sends every name to the browser on each run, and nobody scrolls 1,500 on a phone).
LIST_UP_TO = 300
VISIBILITY_LABELS = {
    "public": N_("Anyone (public)"),
    "coalition": N_("Coalition members"),
    "private": N_("Only the map's keepers (private)"),
}
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


def show(token: str) -> None:
    """Draw the form ``token`` opens, or one sentence (refused, too many tries)."""
    link_key = hash_token(token)
    if st.session_state.get(FormKeys.LINK) != link_key:  # a first opening in this session: it counts
        for key in [k for k in st.session_state if str(k).startswith(FormKeys.PREFIX)]:
            del st.session_state[key]
        if not _limiter().allow(link_key, client_address()):
            st.error(_(TOO_MANY))
            return
    try:
        store = state.get_store()
        link = open_link(store, token)  # every run: a link revoked meanwhile stops at the next click
        if st.session_state.get(FormKeys.LINK) != link_key:
            form = form_for(store, link)
            st.session_state[FormKeys.FORM] = form
            st.session_state[FormKeys.PARTNERS] = [{**p, "row": n} for n, p in enumerate(form["partners"])]
            st.session_state[FormKeys.NEXT_ROW] = len(form["partners"])
            st.session_state[FormKeys.LINK] = link_key
    except SurveyRefused:
        st.error(_(REFUSED))
        return
    except USER_ERRORS:
        st.error(_(UNAVAILABLE))  # never the store's own words: a respondent need not see paths
        return
    _draw(store, token, st.session_state[FormKeys.FORM])


def _draw(store: Any, token: str, form: dict[str, Any]) -> None:
    choices = {c["id"]: c for c in form["choices"]}
    movements = {m["id"]: movement_label(m) for m in form["movements"]}
    st.title(_("Relationship survey"))
    st.markdown(
        _(
            "For **{organization}**. Check what the coalition map says about your organization, "
            "correct what is wrong, and list the groups you work with. Nobody else's answers are shown here, and "
            "the map's keepers review your answer before it enters the map."
        ).format(organization=md(form["record"]["name"]))
    )
    if form["status"]:
        st.info(_("You already answered in this round: saving again replaces that answer."))
    st.header(_("Your organization"))
    record = _record_fields(form["record"])
    st.header(_("The groups you work with"))
    partners = _partner_fields(st.session_state[FormKeys.PARTNERS], choices, movements)
    _picker(form, choices, movements)
    _not_listed(movements)
    problem = st.session_state.pop(FormKeys.PROBLEM, None)
    if problem:
        st.warning(_(problem))
    st.divider()
    if st.button(_("Save my answer"), type="primary", key=FormKeys.SAVE):
        _save(store, token, {"record": record, "partners": partners})


def _record_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The organization's own fields, pre-filled; returns what they hold."""

    def key(field: str) -> str:
        return f"{FormKeys.FIELD}_{field}"

    left, right = st.columns(2)
    data: dict[str, Any] = {}
    data["name"] = left.text_input(_("Name"), value=record["name"], max_chars=200, key=key("name"))
    data["kind"] = left.selectbox(
        _("Kind of group"), ORG_KINDS, index=_index(ORG_KINDS, record["kind"]), format_func=org_kind_label,
        key=key("kind"),
    )  # fmt: skip
    data["region"] = left.text_input(
        _("Region or neighbourhood"), value=record["region"], max_chars=200, key=key("region")
    )
    data["languages"] = _words(left, _("Languages you work in"), record["languages"], (), key("languages"), str)
    data["issues"] = _words(left, _("Issues you work on"), record["issues"], (), key("issues"), term_label)
    data["needs"] = _words(right, _("What you need"), record["needs"], RESOURCES, key("needs"), term_label)
    data["offers"] = _words(right, _("What you can offer"), record["offers"], RESOURCES, key("offers"), term_label)
    data["access"] = right.text_area(
        _("Access needs and notes"), value=record["access"], max_chars=5000, height=80, key=key("access"),
        help=_("Step-free entrance, interpretation, childcare, meeting times..."),
    )  # fmt: skip
    data["visibility"] = right.selectbox(
        _("Who may see your organization on the map"),
        AUDIENCES,
        index=_index(AUDIENCES, record["visibility"], 1),
        format_func=_visibility_label,
        key=key("visibility"),
    )
    data["consent_to_introductions"] = right.checkbox(
        _("We agree to be suggested for introductions to other groups"),
        value=bool(record["consent_to_introductions"]),
        key=key("consent_to_introductions"),
    )
    data["intro_capacity_per_month"] = right.number_input(
        _("Introductions we can take per month"),
        min_value=0,
        max_value=100,
        step=1,
        value=int(record["intro_capacity_per_month"]),
        key=key("intro_capacity_per_month"),
    )
    return data


def _words(
    column: Any, label: str, current: list[str], known: Sequence[str], key: str, shown: Callable[[str], str]
) -> list[str]:
    """A list field: the known words and the current ones to pick, and new ones typed in."""
    return column.multiselect(
        label,
        list(dict.fromkeys([*known, *current])),
        default=list(current),
        format_func=shown,
        accept_new_options=True,
        key=key,
        help=_("Type a word that is not listed and press Enter to add it."),
    )


def _partner_fields(
    rows: list[dict[str, Any]], choices: dict[str, dict[str, Any]], movements: dict[str, str]
) -> list[dict[str, Any]]:
    """One box per partner (kind, strength, since, visibility, remove); returns the
    partners as ``save_answer`` takes them."""
    if not rows:
        st.caption(_("No partners listed yet: add them below."))
    partners = []
    for row in rows:

        def key(field: str, number: int = row["row"]) -> str:
            return f"{FormKeys.PARTNER}_{field}:{number}"

        name = _partner_name(row, choices)
        with st.container(border=True):
            if row["org"]:
                st.markdown(f"**{md(name)}**")
                st.caption(md(choices.get(row["org"], {}).get("line", "")))
            else:
                movement = movements.get(row["new_movement"], row["new_movement"])
                st.markdown(f"**{md(name)}**")
                st.caption(_("Not on the list yet · {movement}").format(movement=md(movement)))
            left, right = st.columns(2)
            kind = left.selectbox(
                _("Kind of tie"), TIE_KINDS, index=_index(TIE_KINDS, row["kind"]), format_func=tie_kind_label,
                key=key("kind"), help=_("A conflict is recorded so that no introduction is ever suggested across it."),
            )  # fmt: skip
            strength = left.slider(
                _("Strength (1 loose, 5 very close)"), 1, 5, _strength(row["strength"]), key=key("strength")
            )
            since = right.date_input(
                _("Working together since (leave empty if unsure)"),
                value=_date(row["since"]),
                min_value=EARLIEST,
                max_value=LATEST,
                key=key("since"),
            )
            visibility = right.selectbox(
                _("Who may see this tie"),
                AUDIENCES,
                index=_index(AUDIENCES, row["visibility"], 1),
                format_func=_visibility_label,
                key=key("visibility"),
            )
            st.button(
                _("Remove {partner}").format(partner=md(name)), key=key("remove"), on_click=_remove, args=(row["row"],)
            )
        partners.append({
            "org": row["org"], "new_name": row["new_name"], "new_movement": row["new_movement"], "kind": kind,
            "strength": strength, "since": since.isoformat() if since else None, "visibility": visibility,
        })  # fmt: skip
    return partners


def _picker(form: dict[str, Any], choices: dict[str, dict[str, Any]], movements: dict[str, str]) -> None:
    """Filters (movement, region, part of the name, new since the last answer), then a
    list of the groups they leave, each shown with its one-line description."""
    st.subheader(_("Add a group from the list"))
    left, right = st.columns(2)
    movement = left.selectbox(
        _("Movement"),
        ["", *movements],
        format_func=lambda m: movements.get(m, _("All movements")),
        key=FormKeys.PICK_MOVEMENT,
    )
    regions = sorted({c["region"] for c in form["choices"] if c["region"]}, key=region_label)
    region = right.selectbox(
        _("Region"),
        ["", *regions],
        format_func=lambda r: region_label(r) if r else _("All regions"),
        key=FormKeys.PICK_REGION,
    )
    search = st.text_input(_("Part of the name"), max_chars=200, key=FormKeys.PICK_SEARCH)
    fresh = form["new_since_last_answer"]
    only = None
    if fresh and st.checkbox(
        ngettext(
            "Only the {count:,} group added since your last answer",
            "Only the {count:,} groups added since your last answer",
            len(fresh),
        ).format(count=len(fresh)),
        key=FormKeys.PICK_NEW_ONLY,
    ):
        only = fresh
    found = matching(form["choices"], movement, region, search, only)
    if not found:
        st.caption(_("No group on the list matches: change the filters, or add it below as a group not on the list."))
        return
    if len(found) > LIST_UP_TO:
        st.caption(
            ngettext(
                "{count:,} group matches: choose a movement or a region, or type part of the name.",
                "{count:,} groups match: choose a movement or a region, or type part of the name.",
                len(found),
            ).format(count=len(found))
        )
        return
    st.selectbox(
        _("Group"),
        [c["id"] for c in found],
        index=None,
        format_func=lambda i: (
            f"{choices[i]['name']} ({choices[i]['line']})" if choices[i]["line"] else choices[i]["name"]
        ),
        placeholder=ngettext("Pick a group ({count:,} listed)", "Pick a group ({count:,} listed)", len(found)).format(
            count=len(found)
        ),
        key=FormKeys.PICK,
    )
    st.button(_("Add as a partner"), key=FormKeys.PICK_ADD, on_click=_add_picked, args=(choices,))


def _not_listed(movements: dict[str, str]) -> None:
    st.subheader(_("Add a group not on the list"))
    st.text_input(_("Name of the group"), max_chars=200, key=FormKeys.NEW_NAME)
    st.selectbox(
        _("Its movement"),
        list(movements),
        index=None,
        format_func=lambda m: movements.get(m, m),
        placeholder=_("Pick a movement"),
        key=FormKeys.NEW_MOVEMENT,
    )
    st.button(_("Add the new group"), key=FormKeys.NEW_ADD, on_click=_add_new)


def matching(
    choices: Iterable[dict[str, Any]],
    movement: str = "",
    region: str = "",
    search: str = "",
    only: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The choices in ``movement`` and ``region`` (empty: any) whose name holds ``search``
    (any case), and among ``only`` when it is given; in the order given.

    >>> groups = [{"id": "a", "name": "Casa", "movements": ["migrant"], "region": "east"},
    ...           {"id": "b", "name": "Tenants", "movements": ["housing"], "region": "east"}]
    >>> [c["id"] for c in matching(groups, region="east", search="TEN")]
    ['b']
    """
    wanted = search.strip().casefold()
    among = None if only is None else set(only)
    return [
        c
        for c in choices
        if (not movement or movement in c["movements"])
        and (not region or c["region"] == region)
        and (not wanted or wanted in c["name"].casefold())
        and (among is None or c["id"] in among)
    ]


def _save(store: Any, token: str, data: dict[str, Any]) -> None:
    if not _limiter().allow(hash_token(token), client_address()):
        st.error(_(TOO_MANY))
        return
    try:
        save_answer(store, token, data)
    except SurveyRefused:
        st.error(_(REFUSED))
        return
    except USER_ERRORS as e:
        state.show_error(e)
        return
    st.session_state[FormKeys.FORM] = {**st.session_state[FormKeys.FORM], "status": "waiting"}
    st.success(_(SAVED))


# callbacks: they run before the script, so the list drawn already holds the change; a
# problem is kept untranslated and read through ``_()`` when the form shows it ----------
def _remove(row: int) -> None:
    st.session_state[FormKeys.PARTNERS] = [p for p in st.session_state[FormKeys.PARTNERS] if p["row"] != row]


def _add_picked(choices: dict[str, dict[str, Any]]) -> None:
    picked = st.session_state.get(FormKeys.PICK)
    if picked not in choices:
        st.session_state[FormKeys.PROBLEM] = N_("Pick a group in the list first.")
        return
    _add_row(org=picked)
    st.session_state[FormKeys.PICK] = None


def _add_new() -> None:
    name = (st.session_state.get(FormKeys.NEW_NAME) or "").strip()
    movement = st.session_state.get(FormKeys.NEW_MOVEMENT)
    if not name or not movement:
        st.session_state[FormKeys.PROBLEM] = N_("Give the group's name and pick its movement first.")
        return
    _add_row(new_name=name, new_movement=movement)
    st.session_state[FormKeys.NEW_NAME] = ""
    st.session_state[FormKeys.NEW_MOVEMENT] = None


def _add_row(org: str = "", new_name: str = "", new_movement: str = "") -> None:
    number = st.session_state[FormKeys.NEXT_ROW]
    st.session_state[FormKeys.NEXT_ROW] = number + 1
    row = {"org": org, "new_name": new_name, "new_movement": new_movement, "kind": "coalition", "strength": 3,
           "since": None, "visibility": "coalition", "row": number}  # fmt: skip
    st.session_state[FormKeys.PARTNERS] = [*st.session_state[FormKeys.PARTNERS], row]


# rate limit -------------------------------------------------------------------------------
class Limiter:
    """At most ``per_token`` openings and saves per link and ``per_address`` per client
    address in any ``window`` seconds (a sliding window). A try over either limit is
    refused and not counted. Links and addresses quiet for a whole window are forgotten
    once more than ``keep`` are held, so random tokens cannot fill the memory."""

    def __init__(
        self,
        per_token: int = PER_TOKEN,
        per_address: int = PER_ADDRESS,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
        keep: int = 10_000,
    ) -> None:
        self.per_token, self.per_address, self.window, self.keep = per_token, per_address, window, keep
        self._clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, token_key: str, address: str) -> bool:
        """Count one try of ``token_key`` (the token's hash) from ``address``, if allowed."""
        with self._lock:
            now = self._clock()
            if len(self._hits) > self.keep:
                self._forget_quiet(now)
            token_hits = self._recent(("token", token_key), now)
            address_hits = self._recent(("address", address), now)
            if len(token_hits) >= self.per_token or len(address_hits) >= self.per_address:
                return False
            token_hits.append(now)
            address_hits.append(now)
            return True

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _forget_quiet(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]


@st.cache_resource(show_spinner=False)
def _limiter() -> Limiter:
    """The server process's one limiter, made at the first opening (never at import)."""
    return Limiter()


# small helpers -----------------------------------------------------------------------------
def _partner_name(row: dict[str, Any], choices: dict[str, dict[str, Any]]) -> str:
    """The partner's name; never an id the list does not offer (it could be a hidden group's)."""
    return choices[row["org"]]["name"] if row["org"] in choices else row["new_name"] or _("A group no longer listed")


def _visibility_label(level: str) -> str:
    return _(VISIBILITY_LABELS[level]) if level in VISIBILITY_LABELS else level


def _index(options: Sequence[str], value: Any, default: int = 0) -> int:
    return list(options).index(value) if value in options else default


def _strength(value: Any) -> int:
    try:
        return min(5, max(1, int(value)))
    except (TypeError, ValueError):
        return 3


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
