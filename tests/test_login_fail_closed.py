"""The sign-in gate fails closed: every doubt or error in sign-in denies.

A secrets file that does not load, or an ``[auth]`` section that names no usable
provider, turns identity-provider sign-in off and says so on the sign-in form (no
secrets file simply means no provider); a provider session ends once its configuration
breaks; an unexpected error while checking a password lets nobody in; local mode
refuses a request it cannot place on this computer; an unknown page address counts as
unencrypted; a download with no session to check is refused. Driven by AppTest.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit
from streamlit import config as st_config
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest

from coalition.auth import accounts, browsers
from coalition.ui import login, state
from graph.store import Store

from .conftest import ROOT
from .test_access_control import CHEAP, PASSWORD, plain, sign_in

PROVIDER = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
}
EDA_AT_THE_PROVIDER = {"is_logged_in": True, "email": "eda", "email_verified": True}


@pytest.fixture
def accounts_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An admin and an editor, named by COALITION_ACCOUNTS."""
    monkeypatch.setattr(accounts, "_hasher", lambda: CHEAP)
    monkeypatch.setattr(accounts, "_dummy_hash", functools.cache(lambda: CHEAP.hash("dummy")))
    path = tmp_path / "accounts.db"
    accounts.add_user(path, "ana", "admin", PASSWORD)
    accounts.add_user(path, "eda", "editor", PASSWORD)
    monkeypatch.setenv("COALITION_ACCOUNTS", str(path))
    return path


@pytest.fixture
def secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Where Streamlit looks for secrets.toml in this test (nothing there yet), read afresh."""
    path = tmp_path / ".streamlit" / "secrets.toml"
    before = st_config.get_option("secrets.files")
    st_config.set_option("secrets.files", [str(path)])
    monkeypatch.setattr(streamlit, "secrets", Secrets())
    yield path
    st_config.set_option("secrets.files", before)


def run_app(store: Store, monkeypatch: pytest.MonkeyPatch, **setup: Any) -> AppTest:
    """streamlit_app.py with ``secrets``, ``user`` or ``context`` set first, run once."""
    monkeypatch.setenv("COALITION_DB", store.url)
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    for name, value in setup.items():
        setattr(app, name, value)
    return app.run()


def provider_buttons(app: AppTest) -> list[str]:
    return [str(b.key) for b in app.button if str(b.key).startswith("login_provider")]


def let_in(app: AppTest) -> bool:
    return state.SIGNED_IN_USER in app.session_state


def shows_nothing_of_the_map(app: AppTest) -> bool:
    return not app.dataframe and not app.metric and not app.get("iframe")


# identity-provider configuration ---------------------------------------------------------------
def test_a_secrets_file_that_does_not_parse_turns_provider_sign_in_off_and_says_so(
    demo_store: Store, accounts_file: Path, secrets_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets_file.parent.mkdir()
    secrets_file.write_text('[auth\nclient_id = "id"\n', encoding="utf-8")
    app = run_app(demo_store, monkeypatch, user=EDA_AT_THE_PROVIDER)
    assert not app.exception, [e.value for e in app.exception]
    assert not let_in(app) and [t.value for t in app.title] == ["Sign in"] and shows_nothing_of_the_map(app)
    errors = [plain(e.value) for e in app.error]
    assert len(errors) == 1 and errors[0].startswith("Sign-in through an identity provider is off"), errors
    assert "the secrets file cannot be read" in errors[0] and "line 1" in errors[0]  # the TOML error, located
    assert not provider_buttons(app)
    assert sign_in(app, "ana").session_state[state.SIGNED_IN_USER].name == "ana"  # passwords still work


def test_no_secrets_file_simply_means_no_provider(
    demo_store: Store, accounts_file: Path, secrets_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not secrets_file.exists()
    app = run_app(demo_store, monkeypatch, user=EDA_AT_THE_PROVIDER)
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert not provider_buttons(app) and not let_in(app) and [t.value for t in app.title] == ["Sign in"]


@pytest.mark.parametrize(
    ("auth", "problem"),
    [
        ("google", "[auth] in secrets.toml must be a table, not str"),
        ({"redirect_uri": PROVIDER["redirect_uri"], "cookie_secret": "x" * 32}, "names no provider"),
        ({**PROVIDER, "google": {"client_secret": "secret"}}, "[auth.google] in secrets.toml has no client_id"),
    ],
)
def test_an_auth_section_without_usable_providers_is_refused_out_loud(
    demo_store: Store, accounts_file: Path, monkeypatch: pytest.MonkeyPatch, auth: Any, problem: str
) -> None:
    app = run_app(demo_store, monkeypatch, secrets={"auth": auth}, user=EDA_AT_THE_PROVIDER)
    assert not app.exception, [e.value for e in app.exception]
    assert any(problem in plain(e.value) for e in app.error), [e.value for e in app.error]
    assert not provider_buttons(app) and not let_in(app) and shows_nothing_of_the_map(app)


def test_a_provider_session_ends_once_the_provider_configuration_breaks(
    demo_store: Store, accounts_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run_app(demo_store, monkeypatch, secrets={"auth": dict(PROVIDER)}, user=EDA_AT_THE_PROVIDER)
    assert app.session_state[state.SIGNED_IN_USER].name == "eda"
    app.secrets = {"auth": {key: value for key, value in PROVIDER.items() if key != "client_id"}}
    app.run()
    assert not let_in(app) and [t.value for t in app.title] == ["Sign in"] and shows_nothing_of_the_map(app)
    assert any("identity provider is off" in plain(i.value) for i in app.info), [i.value for i in app.info]


@pytest.mark.parametrize("verified", [None, False, "true", 1])
def test_a_provider_email_not_said_to_be_verified_is_refused(
    demo_store: Store, accounts_file: Path, monkeypatch: pytest.MonkeyPatch, verified: Any
) -> None:
    user = {"is_logged_in": True, "email": "eda"}
    if verified is not None:  # None: the provider leaves the claim out
        user["email_verified"] = verified
    app = run_app(demo_store, monkeypatch, secrets={"auth": dict(PROVIDER)}, user=user)
    assert not app.exception, [e.value for e in app.exception]
    assert not let_in(app) and shows_nothing_of_the_map(app)
    assert any("did not confirm an email address" in plain(e.value) for e in app.error), [e.value for e in app.error]


def test_in_the_dashboards_server_a_browser_without_its_cookie_is_not_let_in(
    demo_store: Store, accounts_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``coalition serve`` gives every browser a cookie that binds its sign-in and downloads;
    a browser that does not send it back (AppTest sends no cookie) cannot be bound."""
    monkeypatch.setattr(browsers, "served", lambda: True)
    app = run_app(demo_store, monkeypatch)
    assert not app.exception and not let_in(app) and shows_nothing_of_the_map(app)
    assert [t.value for t in app.title] == ["Not served"] and not app.text_input
    assert any("did not keep the dashboard's cookie" in plain(e.value) for e in app.error)


# errors in the sign-in code ----------------------------------------------------------------------
def test_an_unexpected_error_while_checking_a_password_lets_nobody_in(
    demo_store: Store, accounts_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> accounts.User:
        raise RuntimeError("the password check broke")

    monkeypatch.setattr(accounts, "authenticate", broken)
    app = sign_in(run_app(demo_store, monkeypatch), "ana")
    assert app.exception  # a bug, shown as one
    assert not let_in(app) and shows_nothing_of_the_map(app)
    app.run()
    assert not let_in(app) and [t.value for t in app.title] == ["Sign in"] and shows_nothing_of_the_map(app)


def test_local_mode_refuses_a_request_it_cannot_place_on_this_computer(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COALITION_ACCOUNTS", str(tmp_path / "no-accounts.db"))
    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    try:
        app = run_app(demo_store, monkeypatch)  # AppTest sends no headers, so no Host either
        assert not app.exception and not let_in(app) and shows_nothing_of_the_map(app)
        assert any("refusing to serve through a proxy" in plain(e.value) for e in app.error)

        def unreadable() -> dict[str, str]:
            raise RuntimeError("no headers today")

        monkeypatch.setattr(login, "request_headers", unreadable)
        app = run_app(demo_store, monkeypatch)
        assert app.exception and not let_in(app) and shows_nothing_of_the_map(app)
    finally:
        st_config.set_option("server.address", before)


def test_a_page_address_streamlit_does_not_know_counts_as_unencrypted(
    demo_store: Store, accounts_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for context, warned in (({}, True), ({"url": "http://localhost:8501/"}, False)):
        app = run_app(demo_store, monkeypatch, context=context)
        assert any("not served over HTTPS" in w.value for w in app.warning) is warned, context


def _download_page(local: bool) -> None:
    """A page offering a guarded download with a signed-in user but no session guard."""
    import streamlit as st

    from coalition.auth.accounts import LOCAL_OWNER, User
    from coalition.auth.permissions import PermissionDenied
    from coalition.ui import login, state

    st.session_state[state.SIGNED_IN_USER] = LOCAL_OWNER if local else User("vic", "viewer", "coalition")
    make = login.guarded(lambda: "the map")
    try:
        st.text(make())
    except PermissionDenied as e:
        st.text(f"refused: {e}")


@pytest.mark.parametrize(("local", "shown"), [(False, "refused: this sign-in has ended"), (True, "the map")])
def test_a_download_with_no_session_to_check_is_refused_unless_local(local: bool, shown: str) -> None:
    app = AppTest.from_function(_download_page, kwargs={"local": local}, default_timeout=60).run()
    assert not app.exception and app.text[0].value.startswith(shown)
