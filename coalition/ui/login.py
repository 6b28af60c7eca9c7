"""The sign-in gate: runs before any page, so nothing is read from the map before it lets
someone in.

Three situations (``gate``):

- local single-user mode: no accounts, the server on a loopback address, and a request
  from this computer: the person here owns the map (``LOCAL_OWNER``), no sign-in;
- no accounts but reachable from the network (another address, or a request through a
  proxy, under another host name, or one whose origin cannot be told): the page says it
  refuses, and stops;
- accounts configured: a sign-in form (and a button per identity provider when
  ``[auth]`` is set in ``.streamlit/secrets.toml``); the account, sign-in time and last
  activity live in ``st.session_state`` (keys in ``state``). Every run re-reads the
  account, so a removed account, a new password or a new role takes effect at the next
  click; a session ends after ``SessionPolicy.idle`` without a click or
  ``SessionPolicy.absolute`` in all (``Settings.session``), and a timer clears an
  unattended screen.

Identity providers (``st.login``, OpenID Connect): the provider's email, only when the
provider says it is verified (``email_verified`` true; a missing claim is refused), is
looked up as an account name in the accounts file, which gives the role; an email
without an account is refused. The provider's sign-in time counts towards the absolute
limit, and signing out (or expiring) also clears the provider's cookie (``st.logout``).
A ``secrets.toml`` that exists but cannot be used turns provider sign-in off and says so;
no secrets file simply means no provider.

Sessions and downloads belong to one browser. The dashboard's own server
(``coalition.auth.server``, what ``coalition serve`` starts) gives each browser a cookie no
script can read; a sign-in is bound to that cookie (``coalition.auth.browsers``), so a
session id presented by another browser (read before sign-in, or from a log) is not let
in, and a download is served only to the browser whose session made it, until sign-out or
expiry. Shared mode is refused under plain ``streamlit run``, which has no such checks,
and in a browser that does not keep the cookie.

Every doubt denies: an error in this code stops the page before anyone is let in, a
request whose headers cannot be read is not local, a page whose address is unknown is
not known to be encrypted, and a download outside a known session is refused. Until
someone is let in, the page declares only hidden stand-ins for its pages, so the sidebar
never lists the last person's pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from coalition.auth import accounts, browsers, serving
from coalition.auth.accounts import LOCAL_OWNER, User
from coalition.auth.permissions import PermissionDenied
from coalition.domain.errors import USER_ERRORS
from coalition.domain.settings import SessionPolicy, Settings, SettingsError
from coalition.i18n import N_, _
from coalition.ui import language, state
from coalition.ui.charts import md
from coalition.ui.client import client_address
from coalition.ui.state import Keys

__all__ = [
    "gate",
    "sign_out",
    "guarded",
    "server_address",
    "request_headers",
    "identity_providers",
    "session_caption",
    "browser_cookie",
    "SessionGuard",
]

PASSWORD = "password"
PROVIDER = "identity provider"
#: How often an open page checks whether its session has expired.
WATCH_EVERY = timedelta(seconds=60)
#: Why a shared map is not served by plain ``streamlit run`` (read through ``_()`` when shown).
UNGUARDED = N_(
    "Start this shared dashboard with `coalition serve`: plain `streamlit run` would hand downloads to "
    "anyone who has their address, and sessions to anyone who has their id"
)
#: Why a browser without the dashboard's cookie is not let in (read through ``_()`` when shown).
NO_COOKIE = N_(
    "This browser did not keep the dashboard's cookie, which ties a sign-in and its downloads to this browser: "
    "allow cookies for this address, then reload the page"
)
#: The page files, and the one ``streamlit_app.py`` opens by default.
PAGES_DIR = Path(__file__).resolve().parent / "pages"
HOME_PAGE = "overview"
T = TypeVar("T")


class SessionGuard:
    """The session's times and browser, shared with work done outside a page run (a
    deferred download, the server's check of a download or an upload), which must stop
    once the session ends."""

    def __init__(
        self, user: User, accounts_path: Any, signed_in_at: datetime, policy: SessionPolicy, browser: str = ""
    ) -> None:
        self.user = user
        self.browser = browser
        self.accounts_path = accounts_path
        self.signed_in_at = signed_in_at
        self.last_activity = signed_in_at
        self.policy = policy
        self.revoked = False

    def expired(self, now: datetime | None = None) -> str | None:
        """Why the session is over (signed out, expired, account changed), or None."""
        if self.revoked:
            return _("you signed out")
        reason = accounts.session_expired(self.signed_in_at, self.last_activity, now, self.policy)
        if reason is None and accounts.get_user(self.accounts_path, self.user.name) != self.user:
            return _("this account was removed or changed")
        return reason


def server_address() -> str | None:
    """The address Streamlit listens on (unset means every interface)."""
    return st.get_option("server.address")


def browser_cookie() -> str:
    """The cookie ``coalition.auth.server`` gave this browser ("" without one: under plain
    ``streamlit run``, in AppTest, or in a browser that refuses cookies)."""
    cookie = dict(st.context.cookies).get(browsers.COOKIE)  # as a dict: AppTest's stand-in answers any get()
    return cookie if isinstance(cookie, str) else ""


def request_headers() -> Mapping[str, str]:
    """The headers of the request behind this session; empty when Streamlit has none
    (AppTest sends no request, so tests of local mode stand in for this function)."""
    return dict(st.context.headers)


def gate(settings: Settings) -> User:
    """Who may see the pages, or show the sign-in form (or the refusal) and stop."""
    path, policy = settings.accounts_path, settings.session
    try:
        configured = accounts.accounts_configured(path)
    except USER_ERRORS as e:
        st.error(md(_("Cannot check who may open this page: {error}").format(error=e)))
        st.stop()
    if not configured:
        address = server_address()
        if not serving.is_loopback(address):
            _refuse(serving.refusal(address))
        if not serving.request_is_local(request_headers()):
            _refuse(serving.refusal(address, proxied=True))
        if browsers.served() and not browser_cookie():
            _refuse(_(NO_COOKIE))
        if st.session_state.get(state.SIGNED_IN_USER) != LOCAL_OWNER:
            _clear_session()
        st.session_state[state.SIGNED_IN_USER] = LOCAL_OWNER
        _bind(browsers.FOREVER)
        return LOCAL_OWNER
    problem = _unguarded()
    if problem:
        _clear_session()
        _refuse(problem)
    try:
        providers, provider_problem = identity_providers(), None
    except SettingsError as e:
        providers, provider_problem = [], str(e)
    user = _signed_in(path, policy, providers) or _from_identity_provider(path, policy, providers)
    if user is None:
        _no_pages()
        _sign_in_form(path, policy, providers, provider_problem)
        st.stop()
    _watch_expiry()
    return user


def sign_out(reason: str | None = None) -> None:
    """End the session: forget everything it held (widget values too), and the identity
    provider's cookie when signed in through one."""
    guard = st.session_state.get(state.SESSION_GUARD)
    if isinstance(guard, SessionGuard):
        guard.revoked = True
    via = st.session_state.get(state.SIGNED_IN_VIA)
    _clear_session()
    if reason:
        st.session_state[state.SIGNED_OUT_BECAUSE] = reason
    if via == PROVIDER:
        st.logout()


def guarded(make: Callable[[], T]) -> Callable[[], T]:
    """``make`` for a deferred download: refused once this session has ended (it may be
    asked for later, outside any page run), and refused outright without a session to
    check, unless it is the local owner's. What it makes is recorded as this session's
    download, which the server then hands only to this session's browser, and only
    until the session ends (``coalition.auth.browsers``)."""
    guard = st.session_state.get(state.SESSION_GUARD)
    user = st.session_state.get(state.SIGNED_IN_USER)
    local = isinstance(user, User) and user.local
    session_id = _session_id()
    ended = _("this sign-in has ended; sign in again to download")  # in this session's language, known now

    def run() -> T:
        if not local and (not isinstance(guard, SessionGuard) or guard.expired()):
            raise PermissionDenied(ended)
        made = make()
        if session_id and isinstance(made, bytes | str):  # as Streamlit stores it: str as UTF-8
            browsers.REGISTRY.add_download(session_id, made.encode() if isinstance(made, str) else made)
        return made

    return run


def session_caption(user: User, policy: SessionPolicy) -> str:
    """What the banner says about who is signed in."""
    # TRANSLATORS: {role} is the account's role as the CLI spells it (viewer, editor, admin); {duration} is
    # e.g. "30 minutes without a click or 8 hours in all"
    return _(
        "signed in as **{account}** ({role}) · shared mode: everyone signs in; a sign-in ends after {duration}"
    ).format(account=md(user.name), role=user.role, duration=policy.describe())


def identity_providers() -> list[str]:
    """The identity providers set in ``[auth]`` of secrets.toml: ``""`` for the single
    default provider, else the names of its sub-sections. Empty when there is no secrets
    file or no ``[auth]``.

    Raises ``SettingsError`` when a secrets file exists but cannot be read or parsed, or
    when ``[auth]`` is not a table of providers each with a ``client_id``: a broken
    configuration is said out loud, never taken as "no provider".
    """
    try:
        auth = st.secrets.get("auth")
    except (OSError, UnicodeDecodeError) as e:  # Streamlit's StreamlitSecretNotFoundError is a FileNotFoundError
        if not any(Path(place).exists() for place in st.get_option("secrets.files")):
            return []
        raise SettingsError(
            _(
                "Sign-in through an identity provider is off until whoever runs this server fixes it: "
                "the secrets file cannot be read ({error})"
            ).format(error=e.__cause__ or e)
        ) from e
    if auth is None:
        return []
    if not isinstance(auth, Mapping):
        raise SettingsError(
            _(
                "Sign-in through an identity provider is off until whoever runs this server fixes it: "
                "[auth] in secrets.toml must be a table, not {type}"
            ).format(type=type(auth).__name__)
        )
    sections = {name: section for name, section in auth.items() if isinstance(section, Mapping)}
    incomplete = sorted(name for name, section in sections.items() if "client_id" not in section)
    if incomplete:
        raise SettingsError(
            _(
                "Sign-in through an identity provider is off until whoever runs this server fixes it: "
                "[auth.{provider}] in secrets.toml has no client_id"
            ).format(provider=incomplete[0])
        )
    providers = ([""] if "client_id" in auth else []) + sorted(sections)
    if not providers:
        raise SettingsError(
            _(
                "Sign-in through an identity provider is off until whoever runs this server fixes it: "
                "[auth] in secrets.toml names no provider (no client_id)"
            )
        )
    return providers


# the session ----------------------------------------------------------------------------------
def _signed_in(path: Any, policy: SessionPolicy, providers: list[str]) -> User | None:
    """The session's account while the session is good (and, for a provider's sign-in,
    while a provider is still configured); else sign it out."""
    user = st.session_state.get(state.SIGNED_IN_USER)
    if not isinstance(user, User) or user.local:
        if user is not None:
            _clear_session()
        return None
    now = _now()
    guard = st.session_state.get(state.SESSION_GUARD)
    reason = accounts.session_expired(
        st.session_state.get(state.SIGNED_IN_AT, now - policy.absolute),
        st.session_state.get(state.LAST_ACTIVITY, now - policy.idle),
        now,
        policy,
    )
    if not reason and st.session_state.get(state.SIGNED_IN_VIA) == PROVIDER and not providers:
        reason = _("sign-in through the identity provider is off")
    if reason:
        # TRANSLATORS: {reason} says why, e.g. "sign-in through the identity provider is off"
        sign_out(_("Signed out: {reason}. Sign in again.").format(reason=reason))
        return None
    if not isinstance(guard, SessionGuard):
        sign_out(_("Signed out: the session was not complete. Sign in again."))
        return None
    if guard.browser != browser_cookie():  # a session id presented by another browser
        sign_out(_("Signed out: this sign-in belongs to another browser. Sign in again."))
        return None
    fresh = accounts.get_user(path, user.name)
    password_changed = (
        st.session_state.get(state.SIGNED_IN_VIA) == PASSWORD
        and fresh is not None
        and fresh.password_changed_at != user.password_changed_at
    )
    if fresh is None or password_changed:
        sign_out(_("Signed out: this account was removed or its password changed. Sign in again."))
        return None
    st.session_state[state.SIGNED_IN_USER] = guard.user = fresh  # a new role or audience applies at once
    st.session_state[state.LAST_ACTIVITY] = guard.last_activity = now
    guard.policy = policy
    _bind(guard)
    return fresh


def _start_session(
    user: User, via: str, path: Any, policy: SessionPolicy, signed_in_at: datetime | None = None
) -> None:
    _clear_session()
    now = _now()
    started = min(signed_in_at or now, now)
    guard = SessionGuard(user, path, started, policy, browser_cookie())
    guard.last_activity = now
    st.session_state.update({
        state.SIGNED_IN_USER: user,
        state.SIGNED_IN_AT: started,
        state.LAST_ACTIVITY: now,
        state.SIGNED_IN_VIA: via,
        state.SESSION_GUARD: guard,
    })  # fmt: skip
    _bind(guard)


def _clear_session() -> None:
    """Forget the whole session (what the last person picked, typed or focused on), and
    its tie to the browser with every download it made. The language stays: it was
    chosen on the sign-in page, for the person signing in."""
    session_id = _session_id()
    if session_id:
        browsers.REGISTRY.release(session_id)
    for key in list(st.session_state.keys()):
        if key not in language.KEPT_AT_SIGN_IN:
            del st.session_state[key]


def _session_id() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _bind(live: browsers.Live) -> None:
    """Tie this session (and the downloads it will make) to this browser while ``live`` lasts."""
    browser, session_id = browser_cookie(), _session_id()
    if browser and session_id:
        browsers.REGISTRY.bind(session_id, browser, live)


def _unguarded() -> str | None:
    """Why a shared map cannot be served to this request: plain ``streamlit run`` checks
    no download or session against its browser, and a browser without the cookie cannot
    be told apart. AppTest has neither a server nor a request (no headers): nothing there
    can be fetched."""
    if browsers.served():
        return None if browser_cookie() else _(NO_COOKIE)
    return _(UNGUARDED) if dict(st.context.headers) else None


def _no_pages() -> None:
    """Declare no page but hidden stand-ins, so the sidebar forgets the pages of whoever
    was signed in before (the browser keeps the last navigation it was sent).

    There is one stand-in, titled "Sign in", at the address of every page file, so that
    an address typed in (or the page someone signed out from) is neither "not found" nor
    lost: after sign-in the same address opens the real page, if the account may see it.
    """
    stand_ins = [
        st.Page(_sign_in_page, title=_("Sign in"), url_path=name, default=name == HOME_PAGE)
        for name in sorted(page.stem for page in PAGES_DIR.glob("*.py") if not page.stem.startswith("_"))
    ]
    st.navigation(stand_ins, position="hidden")


def _sign_in_page() -> None:
    """Never run: the gate draws the sign-in form itself."""


@st.fragment(run_every=WATCH_EVERY)
def _watch_expiry() -> None:
    """Rerun the app once the session has expired, so an unattended screen is cleared
    (this timer does not count as activity)."""
    guard = st.session_state.get(state.SESSION_GUARD)
    if isinstance(guard, SessionGuard) and guard.expired():
        st.rerun()


# signing in -------------------------------------------------------------------------------------
def _sign_in_form(path: Any, policy: SessionPolicy, providers: list[str], provider_problem: str | None) -> None:
    st.title(_("Sign in"))
    reason = st.session_state.pop(state.SIGNED_OUT_BECAUSE, None)
    if reason:
        st.info(md(reason))
    st.caption(_("This coalition map is shared: sign in with the account an admin gave you."))
    if not _encrypted():
        st.warning(
            _(
                "This page is not served over HTTPS: the password and the map cross the network unencrypted. "
                "Ask whoever runs this server to put it behind HTTPS."
            )
        )
    with st.form(Keys.LOGIN_FORM):
        st.text_input(_("Account name"), max_chars=100, autocomplete="username", key=Keys.LOGIN_NAME)
        st.text_input(
            _("Password"), type="password", max_chars=1024, autocomplete="current-password", key=Keys.LOGIN_PASSWORD
        )
        st.form_submit_button(
            _("Sign in"), type="primary", key=Keys.LOGIN_SUBMIT, on_click=_submit_password, args=(path, policy)
        )
    failed = st.session_state.pop(state.SIGN_IN_FAILED, None)
    if failed:
        st.error(md(failed))
    if provider_problem:
        st.error(md(f"{provider_problem}."))
    if providers:
        st.divider()
        for provider in providers:
            label = (
                _("Sign in with {provider}").format(provider=provider)
                if provider
                else _("Sign in with your organization's account")
            )
            if st.button(label, key=f"{Keys.LOGIN_PROVIDER}:{provider or 'default'}"):
                st.login(provider or None)


def _submit_password(path: Any, policy: SessionPolicy) -> None:
    """Check the form before the page runs; the password is dropped from the session
    whatever the outcome, and a success starts a fresh session."""
    name = st.session_state.get(Keys.LOGIN_NAME, "")
    password = st.session_state.get(Keys.LOGIN_PASSWORD, "")
    st.session_state[Keys.LOGIN_PASSWORD] = ""
    try:
        user = accounts.authenticate(path, name, password, address=client_address())
    except USER_ERRORS as e:
        st.session_state[state.SIGN_IN_FAILED] = str(e)
    else:
        _start_session(user, PASSWORD, path, policy)


def _from_identity_provider(path: Any, policy: SessionPolicy, providers: list[str]) -> User | None:
    """The account named by the email an identity provider signed in, if any (never
    while no provider is configured, or its configuration is broken)."""
    if not providers:
        return None
    info = st.user
    if not info.get("is_logged_in"):
        return None
    email = str(info.get("email") or "")
    if not email or info.get("email_verified") is not True:  # a provider that does not say is not trusted
        _provider_refusal(_("The identity provider did not confirm an email address for this sign-in."))
    user = accounts.get_user(path, email)
    if user is None:
        _provider_refusal(
            # TRANSLATORS: keep the command between backticks as it is
            _("No account for {email}: ask an admin to add one (`coalition user add {email} --role viewer`).").format(
                email=email
            )
        )
    issued = info.get("iat")
    signed_in_at = datetime.fromtimestamp(int(issued), UTC) if isinstance(issued, int | float) else None
    if signed_in_at is not None and accounts.session_expired(signed_in_at, _now(), policy=policy):
        st.logout()
        st.stop()
    _start_session(user, PROVIDER, path, policy, signed_in_at)
    return user


def _provider_refusal(message: str) -> None:
    _no_pages()
    st.title(_("Sign in"))
    st.error(md(message))
    if st.button(_("Sign out of the identity provider"), key=Keys.SIGN_OUT):
        st.logout()
    st.stop()


def _refuse(message: str) -> None:
    _no_pages()
    st.title(_("Not served"))
    st.error(md(message))
    st.stop()


def _encrypted() -> bool:
    """True when the browser reached this page over HTTPS, or over plain http on this
    computer; an address Streamlit does not know counts as unencrypted."""
    url = st.context.url or ""
    if url.startswith("https://"):
        return True
    return url.startswith("http://") and serving.host_is_loopback(url.split("//", 1)[1].split("/", 1)[0])


def _now() -> datetime:
    return datetime.now(UTC)
