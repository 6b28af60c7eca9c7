"""The survey form a link opens (``/?survey=TOKEN``, issue 16), with no account even on a
shared server: driven by AppTest, and once in real Chromium at a phone's width.

Every test runs in accounts mode (an accounts file with one admin) and never signs in:
the form must open, save and refuse on its own. What the form shows is checked against
the demo's private organizations and contacts, which must never reach the page.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from coalition.auth import accounts
from coalition.maps.transfer import load_demo
from coalition.survey.links import REFUSED, revoke, round_record, start_round
from coalition.ui import survey_form
from coalition.ui.state import FormKeys, Keys
from coalition.ui.survey_form import SAVED, TOO_MANY, Limiter, matching
from graph.sqlite.store import SQLiteStore
from graph.store import Store

from .conftest import ROOT, serving

ROUND = "spring"
ORG = "eastport_migrant_workers_center"  # tied to a private group, by a private tie
OTHER = "riverside_tenants_union"
PARTNER, PARTNER_NAME = "cielo_abierto_collective", "Cielo Abierto Trans Migrant Collective"
PRIVATE = ("kitchen_table_mutual_aid", "quiet_hours_support_line")
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def accounts_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An accounts file with one admin (COALITION_ACCOUNTS): a shared server."""
    monkeypatch.setattr(accounts, "_hasher", lambda: CHEAP)
    monkeypatch.setattr(accounts, "_dummy_hash", functools.cache(lambda: CHEAP.hash("dummy")))
    path = tmp_path / "accounts.db"
    accounts.add_user(path, "ana", "admin", "correct horse battery")
    monkeypatch.setenv("COALITION_ACCOUNTS", str(path))
    return path


@pytest.fixture(autouse=True)
def fresh_limiter() -> Iterator[None]:
    """Each test starts with no tries counted (the limiter lives as long as the process)."""
    survey_form._limiter.clear()
    yield
    survey_form._limiter.clear()


@pytest.fixture
def tokens(demo_store: Store) -> dict[str, str]:
    """``{org: token}`` of a round sent to every organization of the demo."""
    return {link["org"]: link["url"].split("survey=", 1)[1] for link in start_round(demo_store, ROUND)}


def open_form(store: Store, token: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("COALITION_DB", store.url)
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.query_params["survey"] = token
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def add_partner(app: AppTest, name_part: str) -> AppTest:
    app.text_input(key=FormKeys.PICK_SEARCH).input(name_part).run()
    app.selectbox(key=FormKeys.PICK).select_index(0).run()
    return app.button(key=FormKeys.PICK_ADD).click().run()


def save(app: AppTest) -> AppTest:
    app.button(key=FormKeys.SAVE).click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    assert [s.value for s in app.success] == [SAVED]
    return app


def field(name: str) -> str:
    return f"{FormKeys.FIELD}_{name}"


def secrets_of(store: Store) -> list[str]:
    """What a form must never show: the private organizations' ids and names, and every contact."""
    full = store.snapshot()["organizations"]
    hidden = [o for o in full if o["visibility"] == "private"]
    assert sorted(o["id"] for o in hidden) == sorted(PRIVATE)
    contacts = [o["contact"] for o in full if o["contact"]]
    assert contacts
    return [*PRIVATE, *(o["name"] for o in hidden), *contacts]


def everything_shown(app: AppTest) -> str:
    """The text the form sends: markdown, captions, labels, values and every option."""
    parts = [e.value for kind in ("markdown", "caption", "title", "header", "subheader") for e in getattr(app, kind)]
    for kind in ("selectbox", "multiselect"):
        for widget in getattr(app, kind):
            parts += [widget.label, *map(str, widget.options)]
    parts += [f"{w.label}={w.value}" for kind in ("text_input", "text_area") for w in getattr(app, kind)]
    return "\n".join(str(p) for p in parts)


def test_a_link_opens_its_form_without_signing_in_and_saves_the_answer(
    demo_store: Store, tokens: dict[str, str], accounts_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_form(demo_store, tokens[ORG], monkeypatch)
    assert app.title[0].value == "Relationship survey"
    assert not [w for w in app.text_input if w.key == "login_name"]  # no sign-in form, and no page
    app.text_input(key=field("region")).input("Harbour District").run()
    app.number_input(key=field("intro_capacity_per_month")).set_value(5).run()
    add_partner(app, "cielo")
    app.text_input(key=FormKeys.NEW_NAME).input("Harbour Night Kitchen").run()
    app.selectbox(key=FormKeys.NEW_MOVEMENT).select("migrant").run()
    app.button(key=FormKeys.NEW_ADD).click().run()
    save(app)

    [answer] = demo_store.side_records("answer", ROUND)
    assert answer["org"] == ORG and answer["body"]["status"] == "waiting"
    record, partners = answer["body"]["answer"]["record"], answer["body"]["answer"]["partners"]
    assert record["region"] == "Harbour District" and record["intro_capacity_per_month"] == 5
    assert {"org": PARTNER, "kind": "coalition", "strength": 3} in [
        {k: p[k] for k in ("org", "kind", "strength")} for p in partners
    ]
    assert [(p["new_name"], p["new_movement"]) for p in partners if p["new_name"]] == [
        ("Harbour Night Kitchen", "migrant")
    ]


def test_saving_twice_keeps_one_answer_with_the_latest_changes(
    demo_store: Store, tokens: dict[str, str], accounts_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_form(demo_store, tokens[ORG], monkeypatch)
    add_partner(app, "cielo")
    save(app)
    rows = app.session_state[FormKeys.PARTNERS]
    added = next(row["row"] for row in rows if row["org"] == PARTNER)
    app.button(key=f"{FormKeys.PARTNER}_remove:{added}").click().run()
    app.text_input(key=field("name")).input("Eastport Migrant Workers Centre").run()
    save(app)

    [answer] = demo_store.side_records("answer", ROUND)
    assert answer["body"]["answer"]["record"]["name"] == "Eastport Migrant Workers Centre"
    assert PARTNER not in [p["org"] for p in answer["body"]["answer"]["partners"]]
    reopened = open_form(demo_store, tokens[ORG], monkeypatch)  # the next visit starts from the answer
    assert reopened.text_input(key=field("name")).value == "Eastport Migrant Workers Centre"
    assert "saving again replaces that answer" in reopened.info[0].value


@pytest.mark.parametrize("how", ["unknown", "empty", "revoked", "expired"])
def test_a_bad_revoked_or_expired_link_shows_the_refusal_only(
    demo_store: Store, tokens: dict[str, str], accounts_mode: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    token = {"unknown": "x" * 32, "empty": ""}.get(how, tokens[ORG])
    if how == "revoked":
        revoke(demo_store, ROUND, ORG)
    if how == "expired":
        started = round_record(demo_store, ROUND)
        demo_store.write_side_records([{**started, "body": {**started["body"], "expires": "2000-01-01"}}])
    app = open_form(demo_store, token, monkeypatch)
    assert [e.value for e in app.error] == [REFUSED]
    pickers = [s for s in app.selectbox if s.key != Keys.LANGUAGE_PICK]  # the language list tells nothing
    shown = [*app.title, *app.markdown, *app.caption, *app.text_input, *pickers, *app.button, *app.success]
    assert not shown
    assert not demo_store.side_records("answer", ROUND)


def test_a_link_revoked_while_the_form_is_open_saves_nothing(
    demo_store: Store, tokens: dict[str, str], accounts_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_form(demo_store, tokens[ORG], monkeypatch)
    revoke(demo_store, ROUND, ORG)
    app.button(key=FormKeys.SAVE).click().run()
    assert [e.value for e in app.error] == [REFUSED] and not app.success
    assert not demo_store.side_records("answer", ROUND)


def test_a_link_opens_only_its_own_organization(
    demo_store: Store, tokens: dict[str, str], accounts_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = {o["id"]: o["name"] for o in demo_store.snapshot()["organizations"]}
    for org, other in ((ORG, OTHER), (OTHER, ORG)):
        app = open_form(demo_store, tokens[org], monkeypatch)
        assert app.text_input(key=field("name")).value == names[org]
        assert names[org] in app.markdown[0].value and names[other] not in app.markdown[0].value
        save(app)
    assert sorted(a["org"] for a in demo_store.side_records("answer", ROUND)) == sorted([ORG, OTHER])
    answers = {a["org"]: a["body"]["answer"]["record"]["name"] for a in demo_store.side_records("answer", ROUND)}
    assert answers == {ORG: names[ORG], OTHER: names[OTHER]}


def test_the_form_shows_no_private_group_and_no_contact(
    demo_store: Store, tokens: dict[str, str], accounts_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_form(demo_store, tokens[ORG], monkeypatch)
    shown = everything_shown(app)
    assert PARTNER_NAME in shown  # the check can see the names the picker lists
    assert [secret for secret in secrets_of(demo_store) if secret in shown] == []


def test_a_hostile_name_typed_in_is_shown_as_text(
    demo_store: Store, tokens: dict[str, str], accounts_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = "![x](http://evil.example/a.png) <img src=x onerror=alert(1)>"
    app = open_form(demo_store, tokens[ORG], monkeypatch)
    app.text_input(key=FormKeys.NEW_NAME).input(hostile).run()
    app.selectbox(key=FormKeys.NEW_MOVEMENT).select("migrant").run()
    app.button(key=FormKeys.NEW_ADD).click().run()
    shown = [m.value for m in app.markdown if "evil" in m.value]
    assert shown and all("](" not in text and "\\<img" in text for text in shown)  # escaped markdown and HTML
    save(app)
    [answer] = demo_store.side_records("answer", ROUND)
    assert any("evil.example" in p["new_name"] for p in answer["body"]["answer"]["partners"])


def test_the_picker_asks_for_a_filter_before_listing_many_names(
    demo_store: Store, tokens: dict[str, str], accounts_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(survey_form, "LIST_UP_TO", 5)
    app = open_form(demo_store, tokens[ORG], monkeypatch)
    assert not [w for w in app.selectbox if w.key == FormKeys.PICK]
    assert any("groups match: choose a movement or a region" in c.value for c in app.caption)
    app.selectbox(key=FormKeys.PICK_MOVEMENT).select("disability").run()
    app.selectbox(key=FormKeys.PICK_REGION).select("hill_district").run()
    listed = app.selectbox(key=FormKeys.PICK).options
    assert 0 < len(listed) <= 5
    assert all("Disability rights" in option for option in listed)  # each with its one-line description


def test_filtering_fifteen_hundred_names_by_movement_region_and_name() -> None:
    groups = [
        {"id": f"g{n}", "name": f"Group {n}", "movements": [("housing", "migrant", "disability")[n % 3]],
         "region": ("north", "south")[n % 2], "line": ""}
        for n in range(1500)
    ]  # fmt: skip
    assert len(matching(groups)) == 1500
    assert len(matching(groups, movement="housing", region="north")) == 250
    assert [g["id"] for g in matching(groups, search="group 149")] == ["g149", *(f"g{n}" for n in range(1490, 1500))]
    assert [g["id"] for g in matching(groups, region="south", only=["g1", "g2", "g3"])] == ["g1", "g3"]


def test_too_many_tries_with_a_link_get_one_sentence(
    demo_store: Store, tokens: dict[str, str], accounts_mode: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter = Limiter(per_token=2, per_address=100)
    monkeypatch.setattr(survey_form, "_limiter", lambda: limiter)
    app = open_form(demo_store, tokens[ORG], monkeypatch)  # try 1: the opening
    save(app)  # try 2
    app.button(key=FormKeys.SAVE).click().run()
    assert [e.value for e in app.error] == [TOO_MANY]
    again = open_form(demo_store, tokens[ORG], monkeypatch)
    assert [e.value for e in again.error] == [TOO_MANY] and not again.title
    assert open_form(demo_store, tokens[OTHER], monkeypatch).title  # another link still opens


def test_the_limiter_counts_per_link_and_per_address_in_a_sliding_window() -> None:
    now = [0.0]
    limiter = Limiter(per_token=3, per_address=4, window=600, clock=lambda: now[0])
    assert [limiter.allow("a", "1.2.3.4") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b", "1.2.3.4") is True  # the address's fourth try
    assert limiter.allow("c", "1.2.3.4") is False  # its fifth: over the address's limit
    assert limiter.allow("c", "5.6.7.8") is True
    now[0] = 601.0
    assert limiter.allow("a", "1.2.3.4") is True  # the window has passed


def test_the_limiter_forgets_quiet_links() -> None:
    now = [0.0]
    limiter = Limiter(per_address=1000, window=10, clock=lambda: now[0], keep=100)
    for n in range(200):
        limiter.allow(f"token{n}", "1.2.3.4")
    now[0] = 20.0
    limiter.allow("fresh", "1.2.3.4")
    assert len(limiter._hits) == 2  # the fresh link and the address


# real Chromium ---------------------------------------------------------------------------
@pytest.fixture
def shared_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``coalition serve`` on 127.0.0.1 over a fresh demo map, with an accounts file (a
    shared server: everyone else signs in)."""
    store = SQLiteStore(tmp_path / "map.db")
    load_demo(store)
    store.close()
    accounts_path = tmp_path / "accounts.db"
    accounts.add_user(accounts_path, "ana", "admin", "correct horse battery")
    env = {**os.environ, "COALITION_DB": f"sqlite:///{tmp_path / 'map.db'}", "COALITION_ACCOUNTS": str(accounts_path)}
    command = [sys.executable, "-m", "coalition", "serve", "--address", "127.0.0.1", "--port"]
    with serving(command, env, ROOT, tmp_path / "serve.log") as url:
        yield url, tmp_path / "map.db"


def finished(page) -> None:
    """Wait until the script run under way has finished."""
    page.locator("[data-test-script-state='notRunning']").wait_for(timeout=30_000)


def test_a_respondent_answers_in_chromium_and_an_admin_accepts_it(browser, shared_server: tuple[str, Path]) -> None:
    url, db = shared_server
    store = SQLiteStore(db)
    try:
        [link] = start_round(store, ROUND, orgs=[ORG], base_url=url)
        secrets = secrets_of(store)
    finally:
        store.close()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(link["url"])
        page.get_by_role("heading", name="Relationship survey").wait_for(timeout=60_000)
        region = page.get_by_label("Region or neighbourhood")
        region.fill("Harbour District")
        region.press("Enter")
        search = page.get_by_label("Part of the name")
        search.fill("Cielo")
        search.press("Enter")
        picker = page.get_by_placeholder("Pick a group (1 listed)")
        picker.wait_for(timeout=30_000)
        finished(page)
        picker.scroll_into_view_if_needed()
        page.wait_for_timeout(500)  # a list opened while the page still scrolls closes at once (1 run in 3)
        picker.click()
        page.get_by_role("option", name=f"{PARTNER_NAME} (collective · Migrant rights · Riverside)").click()
        page.get_by_role("button", name="Add as a partner").click()
        page.get_by_role("button", name=f"Remove {PARTNER_NAME}").wait_for(timeout=30_000)
        page.get_by_role("button", name="Save my answer").click()
        page.get_by_text(SAVED).wait_for(timeout=30_000)

        html = page.content()
        assert [secret for secret in secrets if secret in html] == []
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        context.close()

    store = SQLiteStore(db)
    try:
        [answer] = store.side_records("answer", ROUND)
    finally:
        store.close()
    assert answer["org"] == ORG
    assert answer["body"]["answer"]["record"]["region"] == "Harbour District"
    assert PARTNER in [p["org"] for p in answer["body"]["answer"]["partners"]]

    # the coordinator sees the answer in the queue, accepts it, and the audit trail names who reported the tie
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(url)
        page.get_by_label("Account name", exact=True).fill("ana")
        page.get_by_label("Password", exact=True).fill("correct horse battery")
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
        _go(page, "Surveys")
        page.get_by_text(f"new tie with {PARTNER_NAME}", exact=False).wait_for()
        page.get_by_role("button", name="Accept", exact=True).click()
        page.get_by_text("Accepted the answer of", exact=False).wait_for()
        _go(page, "Settings")
        page.get_by_text("private:", exact=False).first.click()
        finished(page)
        _go(page, "Audit trail")
        page.get_by_text(f"survey:{ROUND}:{ORG}", exact=False).first.wait_for(state="attached")  # a grid cell
    finally:
        context.close()
    store = SQLiteStore(db)
    try:
        tie = store.get_tie(ORG, PARTNER, "coalition") or store.get_tie(PARTNER, ORG, "coalition")
        assert tie is not None
        assert store.audit(kind="tie", key="|".join((tie["source"], tie["target"], "coalition")))[0]["actor"] == (
            f"survey:{ROUND}:{ORG}"
        )
    finally:
        store.close()


def _go(page, title: str) -> None:
    """Open a page through the sidebar, as a person does."""
    page.locator(".st-key-sidebar_pages").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True).wait_for()
    finished(page)
