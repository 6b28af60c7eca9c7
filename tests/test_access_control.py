"""Access control on the dashboard, driven by AppTest, and the server-side checks behind it.

With accounts configured nothing renders before sign-in; a viewer sees and downloads
only its audience (never the demo's private organizations, never a contact) and has no
edit form, and the functions behind those forms refuse it; an editor edits within the
coalition audience; an admin sees private data; sessions expire; serving to the network
without accounts is refused, by ``check_serving`` and by the app itself.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from coalition.auth import accounts, permissions
from coalition.auth.permissions import PermissionDenied
from coalition.auth.serving import check_serving, is_loopback, request_is_local
from coalition.domain.errors import CoalitionError, NotFound
from coalition.maps import services
from coalition.ui import actions, state
from graph.store import Store

from .conftest import ROOT
from .test_app_pages import PAGES, everything_shown, from_this_computer, table

PASSWORD = "correct horse battery"
PRIVATE = ("kitchen_table_mutual_aid", "quiet_hours_support_line")
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
USERS = {
    "ana": ("admin", None),
    "eda": ("editor", None),
    "vic": ("viewer", "coalition"),
    "pia": ("viewer", "public"),
}


@pytest.fixture
def accounts_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An accounts file with an admin, an editor and two viewers, named by COALITION_ACCOUNTS."""
    monkeypatch.setattr(accounts, "_hasher", lambda: CHEAP)
    monkeypatch.setattr(accounts, "_dummy_hash", functools.cache(lambda: CHEAP.hash("dummy")))
    path = tmp_path / "accounts.db"
    for name, (role, audience) in USERS.items():
        accounts.add_user(path, name, role, PASSWORD, audience)
    monkeypatch.setenv("COALITION_ACCOUNTS", str(path))
    return path


@pytest.fixture
def no_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "no-accounts.db"
    monkeypatch.setenv("COALITION_ACCOUNTS", str(path))
    return path


@pytest.fixture
def served_on() -> Iterator[Callable[[str | None], None]]:
    """Set Streamlit's server.address for the test (restored after)."""
    before = st_config.get_option("server.address")
    yield lambda address: st_config.set_option("server.address", address)
    st_config.set_option("server.address", before)


def open_app(store: Store, monkeypatch: pytest.MonkeyPatch, page: str | None = None) -> AppTest:
    """The dashboard opened at ``page`` (its address typed in: before sign-in no page is
    declared that a click could switch to)."""
    monkeypatch.setenv("COALITION_DB", store.url)
    from_this_computer(monkeypatch)
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    if page:
        app.switch_page(page)
    return app.run()


def sign_in(app: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    app.text_input(key="login_name").input(name)
    app.text_input(key="login_password").input(password)
    return app.button(key="login_submit").click().run()


def signed_in(store: Store, monkeypatch: pytest.MonkeyPatch, name: str) -> AppTest:
    app = sign_in(open_app(store, monkeypatch), name)
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state[state.SIGNED_IN_USER].name == name
    return app


def secrets_of(store: Store) -> list[str]:
    """What a coalition viewer must never receive: the private organizations' names and
    ids, and every contact (all contacts in the demo are private)."""
    full = store.snapshot()
    hidden = [o for o in full["organizations"] if o["id"] in PRIVATE]
    assert len(hidden) == 2 and all(o["visibility"] == "private" for o in hidden)
    contacts = [o["contact"] for o in full["organizations"] if o["contact"]]
    assert contacts
    return [*PRIVATE, *(o["name"] for o in hidden), *contacts]


def plain(text: str) -> str:
    """Shown text without the backslashes that escape markdown."""
    return text.replace("\\", "")


def options(widget) -> list[str]:
    """A radio's options without their explanations (``"public: what anyone..."``)."""
    return [str(option).split(":")[0] for option in widget.options]


def leaks(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]


def download_text(data: bytes) -> str:
    """A download as text: each member of a zip (csv, xlsx...) or the bytes themselves."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


# before sign-in -------------------------------------------------------------------------------
@pytest.mark.parametrize("page", list(PAGES))
def test_no_page_renders_before_sign_in(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    app = open_app(demo_store, monkeypatch, page)
    assert not app.exception
    assert [t.value for t in app.title] == ["Sign in"]
    assert not app.dataframe and not app.metric and not app.get("iframe") and not app.get("download_button")
    shown = everything_shown(app)
    assert "Riverside Tenants Union" not in shown and "map.db" not in shown  # not even public data, or the store
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # no page is even declared
        app.switch_page(page)


def test_a_wrong_password_is_one_line_and_shows_nothing(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("vic", "nobody"):
        app = sign_in(open_app(demo_store, monkeypatch), name, "not the password")
        assert [plain(e.value) for e in app.error] == ["sign-in failed: wrong name or password"]
        assert [t.value for t in app.title] == ["Sign in"] and not app.dataframe
        assert app.run().text_input(key="login_password").value == ""  # the password is not kept


def test_the_sign_in_form_warns_when_the_page_is_not_encrypted(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COALITION_DB", demo_store.url)
    for url, warned in (("http://map.example.org/", True), ("https://map.example.org/", False)):
        app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
        app.context = {"url": url}
        app.run()
        assert any("not served over HTTPS" in w.value for w in app.warning) is warned, url


def test_the_identity_provider_button_shows_only_when_configured(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store, monkeypatch)
    assert not [b for b in app.button if str(b.key).startswith("login_provider")]
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    app.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
    }
    app.run()
    assert [b.key for b in app.button if str(b.key).startswith("login_provider")] == ["login_provider:default"]
    app.user = {"is_logged_in": True, "email": "EDA", "email_verified": True}  # the account for that email
    app.run()
    assert app.session_state[state.SIGNED_IN_USER].name == "eda" and app.title[0].value == "Overview"
    stranger = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    stranger.secrets["auth"] = app.secrets["auth"]
    stranger.user = {"is_logged_in": True, "email": "stranger@example.org", "email_verified": True}
    stranger.run()
    assert any("No account for stranger@example.org" in plain(e.value) for e in stranger.error)
    assert not stranger.dataframe


# viewers ---------------------------------------------------------------------------------------
def test_a_coalition_viewer_sees_nothing_private_on_any_page(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = secrets_of(demo_store)
    app = signed_in(demo_store, monkeypatch, "vic")
    app.session_state[state.AUDIENCE] = "private"  # even a forged choice is capped on the server
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, [e.value for e in app.exception])
        assert not leaks(everything_shown(app), secrets), page
    app.switch_page("coalition/ui/pages/overview.py").run()
    assert app.metric[0].value == str(len(services.list_organizations(demo_store, "coalition")))
    assert "**coalition**" in app.caption[0].value and "signed in as **vic** (viewer)" in app.caption[0].value
    app.switch_page("coalition/ui/pages/organizations.py").run()
    app.selectbox(key="org_profile").set_value("eastport_migrant_workers_center").run()  # tied to a private org
    assert not leaks(everything_shown(app), secrets)
    app.switch_page("coalition/ui/pages/settings.py").run()
    assert options(app.radio(key="settings_audience")) == ["public", "coalition"]
    assert not app.dataframe  # no counts of everything stored


def test_a_viewer_downloads_nothing_beyond_its_audience_in_any_format(
    demo_store: Store,
    accounts_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    downloads: list[Callable[[], bytes]],
) -> None:
    secrets = secrets_of(demo_store)
    exported: list[str] = []
    export = actions.export_map
    monkeypatch.setattr(actions, "export_map", lambda *a, **k: exported.append(k["audience"]) or export(*a, **k))
    app = signed_in(demo_store, monkeypatch, "vic")
    app.switch_page("coalition/ui/pages/import_export.py").run()
    audiences = list(app.selectbox(key="export_audience").options)
    assert audiences == ["public", "coalition"]
    formats = list(app.selectbox(key="export_format").options)
    for audience in audiences:
        for fmt in formats:
            downloads.clear()
            app.selectbox(key="export_audience").set_value(audience)
            app.selectbox(key="export_format").set_value(fmt).run()
            assert not app.exception, (fmt, [e.value for e in app.exception])
            assert len(downloads) == 1
            text = download_text(downloads[0]())
            assert not leaks(text, secrets), (audience, fmt, leaks(text, secrets))
    assert set(exported) == {"public", "coalition"} and len(exported) == len(audiences) * len(formats)


def test_the_download_check_would_catch_a_leak(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch, downloads: list[Callable[[], bytes]]
) -> None:
    """The same check on an admin's private download finds the private organizations."""
    app = signed_in(demo_store, monkeypatch, "ana")
    app.switch_page("coalition/ui/pages/import_export.py").run()
    for fmt in ("csv", "json"):
        downloads.clear()
        app.selectbox(key="export_audience").set_value("private")
        app.selectbox(key="export_format").set_value(fmt).run()
        assert set(leaks(download_text(downloads[0]()), secrets_of(demo_store))) >= set(PRIVATE), fmt


def test_a_public_viewer_sees_only_the_public_audience(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in(demo_store, monkeypatch, "pia")
    assert app.metric[0].value == str(len(services.list_organizations(demo_store, "public")))
    app.switch_page("coalition/ui/pages/import_export.py").run()
    assert list(app.selectbox(key="export_audience").options) == ["public"]


def test_a_viewer_gets_no_edit_form_anywhere(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in(demo_store, monkeypatch, "vic")
    editing = (
        "org_add",
        "org_edit",
        "org_remove",
        "tie_add",
        "tie_edit",
        "tie_remove",
        "intro_plan",
        "intro_made",
        "intro_decline",
        "intro_note",
    )
    editing += ("intro_create_tie", "import_")
    for page in PAGES:
        app.switch_page(page).run()
        keys = [w.key for kind in ("button", "text_input", "selectbox", "checkbox") for w in app.get(kind)]
        assert not [k for k in keys if str(k).startswith(editing)], page
        assert not app.get("file_uploader"), page
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not even registered
        app.switch_page("coalition/ui/pages/accounts.py")


def test_the_functions_behind_the_forms_refuse_a_viewer(demo_store: Store, tmp_path: Path) -> None:
    viewer = accounts.User("vic", "viewer", "coalition")
    before = demo_store.snapshot()
    org = {"name": "Harbor Renters Network", "movements": ["housing"]}
    tie = {"source": "riverside_tenants_union", "target": "night_shift_collective", "kind": "referral"}
    attempts = {
        "add an organization": lambda: actions.add_organization(viewer, demo_store, org),
        "edit one": lambda: actions.edit_organization(viewer, demo_store, "riverside_tenants_union", {"region": "x"}),
        "remove one": lambda: actions.remove_organization(viewer, demo_store, "night_shift_collective"),
        "add a tie": lambda: actions.add_tie(viewer, demo_store, tie),
        "remove a tie": lambda: actions.remove_tie(
            viewer, demo_store, "kitchen_table_mutual_aid", "eastport_migrant_workers_center"
        ),
        "plan an introduction": lambda: actions.set_introduction_status(
            viewer, demo_store, "riverside_tenants_union", "night_shift_collective", "planned", "coalition"
        ),
        "import": lambda: actions.import_file(viewer, demo_store, ROOT / "seeds" / "demo", fmt="csv"),
        "export private": lambda: actions.export_file(viewer, demo_store, tmp_path / "x.json", audience="private"),
        "add an account": lambda: actions.add_account(viewer, tmp_path / "a.db", "x", "admin", PASSWORD),
    }
    for what, attempt in attempts.items():
        with pytest.raises(PermissionDenied):
            attempt()
            pytest.fail(f"a viewer could {what}")
    assert demo_store.snapshot() == before and not (tmp_path / "x.json").exists()
    for action in (permissions.EDIT, permissions.IMPORT, permissions.SEE_AUDIT, permissions.SEE_PRIVATE):
        with pytest.raises(PermissionDenied, match="viewer accounts cannot"):
            permissions.require(viewer, action)
    permissions.require(viewer, permissions.EXPORT)


# editors ---------------------------------------------------------------------------------------
def test_an_editor_adds_an_organization_but_never_a_private_one(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in(demo_store, monkeypatch, "eda")
    app.switch_page("coalition/ui/pages/organizations.py").run()
    assert list(app.selectbox(key="org_add_visibility").options) == ["public", "coalition"]
    assert app.selectbox(key="org_add_contact_visibility").value == "coalition"  # never defaults to public
    app.text_input(key="org_add_name").input("Harbor Renters Network")
    app.multiselect(key="org_add_movements").set_value(["housing"])
    app.button(key="org_add_submit").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert demo_store.get_organization("harbor_renters_network")["visibility"] == "coalition"
    editor = app.session_state[state.SIGNED_IN_USER]
    private = {"name": "Quiet Harbor Group", "movements": ["housing"], "visibility": "private"}
    with pytest.raises(PermissionDenied, match="coalition only, not private"):
        actions.add_organization(editor, demo_store, private)
    with pytest.raises(PermissionDenied, match="contact"):
        actions.add_organization(
            editor, demo_store, {"name": "Quiet Harbor Group", "movements": ["housing"], "contact": "x@example.org"}
        )
    with pytest.raises(PermissionDenied):
        actions.edit_organization(editor, demo_store, "riverside_tenants_union", {"visibility": " Private"})
    with pytest.raises(NotFound, match="no organization with id 'kitchen_table_mutual_aid'"):  # like a missing one
        actions.edit_organization(editor, demo_store, "kitchen_table_mutual_aid", {"region": "x"})
    assert demo_store.get_organization("quiet_harbor_group") is None
    assert demo_store.get_organization("riverside_tenants_union")["visibility"] == "public"


def test_an_editor_never_changes_what_it_may_not_see(demo_store: Store, accounts_path: Path, tmp_path: Path) -> None:
    editor = accounts.get_user(accounts_path, "eda")
    before = demo_store.snapshot()
    hidden_contact = "riverside_tenants_union"  # a private contact on a public organization
    with pytest.raises(PermissionDenied, match="contact they may not see"):
        actions.edit_organization(editor, demo_store, hidden_contact, {"contact": "", "region": "x"})
    with pytest.raises(PermissionDenied, match="ties or introductions"):  # tied to a private organization
        actions.remove_organization(editor, demo_store, "eastport_migrant_workers_center")
    with pytest.raises(NotFound):
        actions.remove_tie(editor, demo_store, "kitchen_table_mutual_aid", "eastport_migrant_workers_center")
    with pytest.raises(NotFound):
        actions.add_tie(
            editor,
            demo_store,
            {"source": "kitchen_table_mutual_aid", "target": "riverside_tenants_union", "kind": "referral"},
        )
    with pytest.raises(PermissionDenied):  # re-importing the whole demo would overwrite private records
        actions.import_file(editor, demo_store, ROOT / "seeds" / "demo", fmt="csv")
    with pytest.raises(PermissionDenied):
        actions.export_file(editor, demo_store, tmp_path / "all.json", audience="private")
    assert demo_store.snapshot() == before
    changed = actions.edit_organization(editor, demo_store, hidden_contact, {"region": "riverside north"})
    contact = next(o["contact"] for o in before["organizations"] if o["id"] == hidden_contact)
    assert changed.region == "riverside north" and changed.contact == contact


def test_an_editor_imports_a_file_within_the_coalition_audience(
    demo_store: Store, accounts_path: Path, tmp_path: Path
) -> None:
    editor = accounts.get_user(accounts_path, "eda")
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "organizations.csv").write_text(
        "id,name,movements,visibility\nharbor_renters,Harbor Renters,housing,coalition\n", encoding="utf-8"
    )
    report = actions.import_file(editor, demo_store, folder, fmt="csv")
    assert report.written and demo_store.get_organization("harbor_renters")["visibility"] == "coalition"
    (folder / "organizations.csv").write_text(
        "id,name,movements,visibility\nharbor_secret,Harbor Secret,housing,private\n", encoding="utf-8"
    )
    with pytest.raises(PermissionDenied, match="harbor_secret"):
        actions.import_file(editor, demo_store, folder, fmt="csv", dry_run=True)
    assert demo_store.get_organization("harbor_secret") is None


# admins ---------------------------------------------------------------------------------------
def test_an_admin_sees_private_data_and_manages_accounts(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in(demo_store, monkeypatch, "ana")
    app.switch_page("coalition/ui/pages/settings.py").run()
    assert options(app.radio(key="settings_audience")) == ["public", "coalition", "private"]
    app.radio(key="settings_audience").set_value("private").run()
    app.switch_page("coalition/ui/pages/organizations.py").run()
    assert {"Kitchen Table Mutual Aid", "Quiet Hours Support Line"} <= set(table(app, "name", "visibility")["name"])
    app.switch_page("coalition/ui/pages/accounts.py").run()
    assert not app.exception and app.title[0].value == "Accounts"
    assert set(table(app, "name", "role")["name"]) == set(USERS)
    assert "$argon2" not in everything_shown(app)
    app.text_input(key="account_add_name").input("new.viewer")
    app.text_input(key="account_add_password").input(PASSWORD)
    app.text_input(key="account_add_repeat").input(PASSWORD)
    app.button(key="account_add_submit").click().run()
    assert not app.error, [e.value for e in app.error]
    assert accounts.get_user(accounts_path, "new.viewer").role == "viewer"
    app.run()
    changes = table(app, "by", "change", "account")
    assert ("dashboard:ana", "add", "new.viewer") in zip(
        changes["by"], changes["change"], changes["account"], strict=True
    )


# sessions --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "ago", "why"),
    [
        (state.LAST_ACTIVITY, timedelta(minutes=31), "nothing happened for 30 minutes"),
        (state.SIGNED_IN_AT, timedelta(hours=9), "at most 8 hours"),
    ],
)
def test_an_expired_session_signs_out(
    demo_store: Store,
    accounts_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    downloads: list,
    key: str,
    ago: timedelta,
    why: str,
) -> None:
    app = signed_in(demo_store, monkeypatch, "ana")
    app.switch_page("coalition/ui/pages/import_export.py").run()
    offered = downloads[-1]
    moment = datetime.now(UTC) - ago
    app.session_state[key] = moment
    guard = app.session_state[state.SESSION_GUARD]
    if key == state.LAST_ACTIVITY:
        guard.last_activity = moment
    else:
        guard.signed_in_at = moment
    assert guard.expired()
    with pytest.raises(PermissionDenied, match="sign in again"):  # a download offered before expiry
        offered()
    app.run()
    assert [t.value for t in app.title] == ["Sign in"] and not app.dataframe
    assert any(why in i.value for i in app.info), [i.value for i in app.info]
    assert state.SIGNED_IN_USER not in app.session_state


def test_signing_out_forgets_the_session(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in(demo_store, monkeypatch, "vic")
    app.switch_page("coalition/ui/pages/organizations.py").run()
    app.text_input(key="org_search").input("Riverside").run()
    app.button(key="sign_out").click().run()
    assert [t.value for t in app.title] == ["Sign in"]
    assert "org_search" not in app.session_state and state.SIGNED_IN_USER not in app.session_state


def test_after_sign_out_the_sidebar_lists_none_of_the_last_pages(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in(demo_store, monkeypatch, "ana")
    app.switch_page("coalition/ui/pages/accounts.py").run()  # declared for an admin
    assert app.title[0].value == "Accounts"
    app.button(key="sign_out").click().run()
    assert [t.value for t in app.title] == ["Sign in"]
    for page in ("coalition/ui/pages/accounts.py", "coalition/ui/pages/audit.py", *PAGES):
        with pytest.raises(ValueError, match="Could not find a navigation page"):  # the sidebar lists none
            app.switch_page(page)


def test_a_removed_account_or_a_new_password_ends_open_sessions(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in(demo_store, monkeypatch, "vic")
    accounts.set_password(accounts_path, "vic", "another long passphrase")
    app.run()
    assert [t.value for t in app.title] == ["Sign in"]
    app = signed_in(demo_store, monkeypatch, "eda")
    accounts.set_role(accounts_path, "eda", "viewer", "public")  # a new role applies at the next click
    app.switch_page("coalition/ui/pages/organizations.py").run()
    assert app.session_state[state.SIGNED_IN_USER].role == "viewer" and not app.get("form")
    guard = app.session_state[state.SESSION_GUARD]
    assert guard.expired() is None
    accounts.remove_user(accounts_path, "eda")
    assert guard.expired() == "this account was removed or changed"  # its downloads stop at once
    app.run()
    assert [t.value for t in app.title] == ["Sign in"] and not app.dataframe


# serving ---------------------------------------------------------------------------------------
def test_check_serving_refuses_a_network_address_without_accounts(tmp_path: Path) -> None:
    path = tmp_path / "accounts.db"
    for address in ("127.0.0.1", "localhost", "::1", "127.0.1.1"):
        check_serving(address, path)
    for address in ("0.0.0.0", "192.168.1.20", "::", "", None):
        with pytest.raises(CoalitionError, match="refusing to serve on .* without accounts: add one with"):
            check_serving(address, path)
    assert not path.exists()
    with pytest.raises(CoalitionError, match="^refusing to serve on 0.0.0.0 without accounts: add one with `coalition"):
        check_serving("0.0.0.0", path)
    accounts.add_user(path, "ana", "admin", PASSWORD)
    check_serving("0.0.0.0", path)


def test_loopback_and_local_requests() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("[::1]") and not is_loopback("0.0.0.0") and not is_loopback(None)
    assert request_is_local({"Host": "localhost:8501"}) and request_is_local({"Host": "[::1]:8501"})
    assert not request_is_local({}) and not request_is_local({"Accept": "text/html"})  # no host named: not local
    assert not request_is_local({"Host": "map.example.org"})  # a proxy, or a DNS-rebinding page
    assert not request_is_local({"Host": "127.0.0.1:8501", "X-Forwarded-For": "203.0.113.9"})


def test_the_app_refuses_a_network_address_without_accounts(
    demo_store: Store, no_accounts: Path, monkeypatch: pytest.MonkeyPatch, served_on: Callable[[str | None], None]
) -> None:
    served_on("0.0.0.0")
    app = open_app(demo_store, monkeypatch)
    assert not app.exception and not app.dataframe and not app.metric
    assert any("refusing to serve on 0.0.0.0 without accounts" in plain(e.value) for e in app.error)
    accounts.add_user(no_accounts, "ana", "admin", PASSWORD)
    app.run()
    assert [t.value for t in app.title] == ["Sign in"]


def test_local_mode_needs_no_sign_in_and_says_so(
    demo_store: Store, no_accounts: Path, monkeypatch: pytest.MonkeyPatch, served_on: Callable[[str | None], None]
) -> None:
    served_on("127.0.0.1")
    app = open_app(demo_store, monkeypatch)
    assert app.title[0].value == "Overview" and not app.get("button")
    assert "local mode: only this computer can open this page" in app.caption[0].value
    assert app.session_state[state.SIGNED_IN_USER] == accounts.LOCAL_OWNER


# what accounts write ---------------------------------------------------------------------------
def test_the_audit_trail_names_the_signed_in_account(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in(demo_store, monkeypatch, "eda")
    app.switch_page("coalition/ui/pages/organizations.py").run()
    app.text_input(key="org_add_name").input("Harbor Renters Network")
    app.multiselect(key="org_add_movements").set_value(["housing"])
    app.button(key="org_add_submit").click().run()
    latest = demo_store.audit(limit=1)[0]
    assert (latest["actor"], latest["action"], latest["key"]) == ("dashboard:eda", "create", "harbor_renters_network")


def test_a_second_session_saving_from_an_older_version_is_refused(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org_id = "night_shift_collective"
    first, second = (signed_in(demo_store, monkeypatch, name) for name in ("ana", "eda"))
    for app in (first, second):
        app.switch_page("coalition/ui/pages/organizations.py").run()
        app.selectbox(key="org_edit_pick").set_value(org_id).run()
    first.text_input(key=f"org_edit_region:{org_id}").input("harbour side")
    first.button(key="org_edit_submit").click().run()
    assert demo_store.get_organization(org_id)["region"] == "harbour side"
    second.text_area(key=f"org_edit_notes:{org_id}").input("meets on Thursdays")
    second.button(key="org_edit_submit").click().run()
    assert not second.exception
    assert any("changed by someone else" in plain(e.value) and "harbour side" in e.value for e in second.error)
    stored = demo_store.get_organization(org_id)
    assert stored["region"] == "harbour side" and stored["notes"] != "meets on Thursdays" and stored["version"] == 2
    # the form starts again from the newest version
    assert second.selectbox(key=f"org_edit_region_pick:{org_id}").value == "harbour side"
    second.text_area(key=f"org_edit_notes:{org_id}").input("meets on Thursdays")
    second.button(key="org_edit_submit").click().run()
    stored = demo_store.get_organization(org_id)
    assert (stored["region"], stored["notes"], stored["version"]) == ("harbour side", "meets on Thursdays", 3)


def test_an_editor_edits_a_tie_but_cannot_make_it_private(
    demo_store: Store, accounts_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tie = next(t for t in demo_store.snapshot()["ties"] if t["visibility"] == "coalition")
    key = f"{tie['source']}|{tie['target']}|{tie['kind']}"
    app = signed_in(demo_store, monkeypatch, "eda")
    app.switch_page("coalition/ui/pages/ties.py").run()
    app.selectbox(key="tie_edit_pick").set_value(key).run()
    assert list(app.selectbox(key=f"tie_edit_visibility:{key}").options) == ["public", "coalition"]
    app.slider(key=f"tie_edit_strength:{key}").set_value(1 if tie["strength"] != 1 else 2)
    app.button(key="tie_edit_submit").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    stored = next(
        t
        for t in demo_store.snapshot()["ties"]
        if (t["source"], t["target"], t["kind"]) == (tie["source"], tie["target"], tie["kind"])
    )
    assert stored["strength"] != tie["strength"] and stored["version"] == tie["version"] + 1
    editor = app.session_state[state.SIGNED_IN_USER]
    with pytest.raises(PermissionDenied, match="not private"):
        actions.edit_tie(editor, demo_store, tie["source"], tie["target"], tie["kind"], {"visibility": "private"})
    hidden = next(t for t in demo_store.snapshot()["ties"] if t["visibility"] == "private")
    with pytest.raises(NotFound):
        actions.edit_tie(editor, demo_store, hidden["source"], hidden["target"], hidden["kind"], {"strength": 1})
