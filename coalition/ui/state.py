"""What every page shares: the session keys (all declared here), the settings, the store,
and cached reads of it.

The settings (``coalition.domain.settings.Settings``) are read from the environment once
per session and passed down from here; nothing in ``coalition.ui`` reads the environment.

The store lives in ``st.cache_resource`` (one per URL for the server process). Every
query result lives in Streamlit's cache keyed by the store's URL, its version and the
audience (the audience's view of the map shared as is, never to be changed: ``view``;
the analyses in ``st.cache_data``); the store itself is passed as ``_store`` so it is
never hashed. A write bumps the version, so the next read of anything that depends on
the map recomputes, and a page never shows a stale map. This is the one cache: the use cases behind it (gaps,
introductions) compute afresh each time they are called; on a big map
``coalition.ui.ahead`` fills it in the background. Those use cases are imported when
first called: networkx, igraph, pyvis and scipy cost a second the first page need not wait
for. The map layout is keyed by the drawn structure instead (the organizations and ties
on it), so editing a note or a region does not move the nodes.

Hidden data never reaches the browser: every read here goes through
``coalition.domain.privacy.read_view`` (or a use case built on it) for the chosen audience,
and ``audience()`` never exceeds what the signed-in account may see
(``coalition.auth.permissions.max_audience``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, NamedTuple

import streamlit as st

from coalition.auth import permissions
from coalition.auth.accounts import User
from coalition.domain.errors import USER_ERRORS, InvalidInput, Problem, StaleEdit
from coalition.domain.privacy import read_view
from coalition.domain.settings import Settings
from coalition.domain.vocabulary import movement_label
from coalition.i18n import DEFAULT_LANGUAGE, N_, _, current_language, ngettext, use_language
from coalition.maps import services
from coalition.ui.charts import md
from graph.connect import Neo4jOptions
from graph.sqlite.cipher import Passphrase
from graph.store import Store

# Session keys that are not widgets: they survive page switches. -----------------------
SETTINGS = "settings"  # the coalition.domain.settings.Settings this session runs with
AUDIENCE = "audience"  # the audience every page shows: public, coalition or private
FLASH = "flash"  # a success message shown once after a rerun
FLASH_ERROR = "flash_error"  # a refusal shown once after a rerun (a stale edit)
PROFILE_ORG = "profile_org"  # the organization a profile (or a map focus) is about
# sign-in (coalition.ui.login): who is signed in, since when, and their last click
SIGNED_IN_USER = "signed_in_user"  # a coalition.auth.accounts.User (LOCAL_OWNER in local mode)
SIGNED_IN_AT = "signed_in_at"  # aware UTC datetime of the sign-in
LAST_ACTIVITY = "last_activity"  # aware UTC datetime of the last page run
SIGNED_IN_VIA = "signed_in_via"  # "password" or "identity provider"
SESSION_GUARD = "session_guard"  # lets a deferred download check the session is still good
SIGNED_OUT_BECAUSE = "signed_out_because"  # why a session ended, shown on the sign-in form
SIGN_IN_FAILED = "sign_in_failed"  # why the last sign-in was refused, shown once
#: ``{(kind, key): record}``: the record as an edit form first showed it, so that only
#: the fields the person changed are saved, and only if nobody saved a newer version since
EDIT_STARTED_FROM = "edit_started_from"

DEFAULT_AUDIENCE = "coalition"
#: Above this many organizations, a profile analyses the whole map only when asked.
ANALYSE_PROFILE_UP_TO = 2000
#: The most choices a picker of organizations or ties lists; beyond it, those a search finds.
PICK_UP_TO = 1000


class Keys:
    """Every widget key, by page. AppTest drives widgets by these names."""

    # audit trail (admins)
    AUDIT_KIND = "audit_kind"
    AUDIT_LIMIT = "audit_limit"
    AUDIT_DOWNLOAD = "audit_download"

    # sign-in (every page)
    LOGIN_FORM = "login_form"
    LOGIN_NAME = "login_name"
    LOGIN_PASSWORD = "login_password"
    LOGIN_SUBMIT = "login_submit"
    LOGIN_PROVIDER = "login_provider"  # ``login_provider:<name>`` per identity provider
    SIGN_OUT = "sign_out"
    # unlocking an encrypted map (local mode)
    UNLOCK_PASSPHRASE = "unlock_passphrase"
    UNLOCK_BUTTON = "unlock_button"
    SIDEBAR_PAGES = "sidebar_pages"
    LANGUAGE_PICK = "language_pick"  # the sidebar's language list (every page)
    # accounts (admins)
    ACCOUNT_ADD_FORM = "account_add_form"
    ACCOUNT_ADD_NAME = "account_add_name"
    ACCOUNT_ADD_ROLE = "account_add_role"
    ACCOUNT_ADD_AUDIENCE = "account_add_audience"
    ACCOUNT_ADD_PASSWORD = "account_add_password"
    ACCOUNT_ADD_REPEAT = "account_add_repeat"
    ACCOUNT_ADD_SUBMIT = "account_add_submit"
    ACCOUNT_PICK = "account_pick"
    ACCOUNT_ROLE = "account_role"
    ACCOUNT_AUDIENCE = "account_audience"
    ACCOUNT_ROLE_SAVE = "account_role_save"
    ACCOUNT_PASSWORD = "account_password"
    ACCOUNT_PASSWORD_REPEAT = "account_password_repeat"
    ACCOUNT_PASSWORD_SAVE = "account_password_save"
    ACCOUNT_REMOVE_CONFIRM = "account_remove_confirm"
    ACCOUNT_REMOVE = "account_remove"
    # settings
    SETTINGS_AUDIENCE = "settings_audience"
    # overview
    OVERVIEW_SINCE = "overview_since"
    # map
    MAP_MOVEMENTS = "map_movements"
    MAP_REGIONS = "map_regions"
    MAP_TIE_KINDS = "map_tie_kinds"
    MAP_MIN_STRENGTH = "map_min_strength"
    MAP_ACTIVE_FROM = "map_active_from"
    MAP_ACTIVE_UNTIL = "map_active_until"
    MAP_COMMUNITY_LED = "map_community_led"
    MAP_SEARCH = "map_search"
    MAP_FOCUS = "map_focus"
    MAP_STEPS = "map_steps"
    MAP_SIZE_BY = "map_size_by"
    MAP_CLEAR_FILTERS = "map_clear_filters"
    MAP_DOWNLOAD_HTML = "map_download_html"
    MAP_DOWNLOAD_PNG = "map_download_png"
    MAP_SHARE = "map_share"
    MAP_TABLE_TABS = "map_table_tabs"
    MAP_LINK = "map_link"  # not a widget: the saved view's query parameters the page last wrote
    # organizations
    ORG_SEARCH = "org_search"
    ORG_MOVEMENT = "org_movement"
    ORG_TABLE = "org_table"
    ORG_PROFILE = "org_profile"
    ORG_PROFILE_ANALYSES = "org_profile_analyses"
    ORG_ADD_FORM = "org_add_form"
    ORG_ADD_SUBMIT = "org_add_submit"
    ORG_EDIT_PICK = "org_edit_pick"
    ORG_EDIT_FORM = "org_edit_form"
    ORG_EDIT_SUBMIT = "org_edit_submit"
    ORG_REMOVE_PICK = "org_remove_pick"
    ORG_REMOVE_CONFIRM = "org_remove_confirm"
    ORG_REMOVE_BUTTON = "org_remove_button"
    #: field keys of the add form are ``org_add_<field>``, of the edit form
    #: ``org_edit_<field>:<org id>`` (see ``field_key``)
    ORG_ADD_PREFIX = "org_add"
    ORG_EDIT_PREFIX = "org_edit"
    # ties
    TIE_SEARCH = "tie_search"
    TIE_TABLE = "tie_table"
    TIE_ADD_FORM = "tie_add_form"
    TIE_ADD_PREFIX = "tie_add"
    TIE_ADD_SUBMIT = "tie_add_submit"
    TIE_EDIT_PICK = "tie_edit_pick"
    TIE_EDIT_FORM = "tie_edit_form"
    TIE_EDIT_PREFIX = "tie_edit"
    TIE_EDIT_SUBMIT = "tie_edit_submit"
    TIE_REMOVE_PICK = "tie_remove_pick"
    TIE_REMOVE_BUTTON = "tie_remove_button"
    TIE_STALE_PICK = "tie_stale_pick"
    TIE_CONFIRM_BUTTON = "tie_confirm_button"
    # gaps and introductions
    GAPS_TABLES = "gaps_tables"
    INTRO_TOP = "intro_top"
    INTRO_BOLDNESS = "intro_boldness"
    INTRO_STATUS = "intro_status"
    INTRO_PICK = "intro_pick"
    INTRO_NOTE = "intro_note"  # ``intro_note:<a>|<b>``: one note per pair
    INTRO_PLAN = "intro_plan"
    INTRO_MADE = "intro_made"
    INTRO_DECLINE = "intro_decline"
    INTRO_ASK = "intro_ask"
    INTRO_ANSWER = "intro_answer"  # ``intro_answer:<org>``: one side's answer
    INTRO_ANSWER_SAVE = "intro_answer_save"
    INTRO_OVERRIDE = "intro_override"
    INTRO_CREATE_TIE = "intro_create_tie"
    # import / export
    IMPORT_FILES = "import_files"
    IMPORT_CONFIRM = "import_confirm"
    EXPORT_AUDIENCE = "export_audience"
    EXPORT_FORMAT = "export_format"
    EXPORT_DOWNLOAD = "export_download"
    # survey rounds (editors; the survey form has its own keys, ``FormKeys``)
    SURVEY_ROUND = "surveys_round"
    SURVEY_NEW_ROUND = "surveys_new_round"
    SURVEY_ORGS = "surveys_orgs"
    SURVEY_EXPIRES = "surveys_expires"
    SURVEY_BASE_URL = "surveys_base_url"
    SURVEY_START = "surveys_start"
    SURVEY_REMIND = "surveys_remind"
    SURVEY_PARTS = "surveys_parts"  # ``surveys_parts:<org>``
    SURVEY_ACCEPT = "surveys_accept"  # ``surveys_accept:<org>``
    SURVEY_REJECT = "surveys_reject"  # ``surveys_reject:<org>``
    SURVEY_SHEET_ORG = "surveys_sheet_org"
    SURVEY_SHEET_DOWNLOAD = "surveys_sheet_download"
    SURVEY_SHEET_LINK = "surveys_sheet_link"
    SURVEY_SHEET_UPLOAD = "surveys_sheet_upload"
    SURVEY_SHEET_SAVE = "surveys_sheet_save"


class FormKeys:
    """The survey form's session and widget keys (``coalition.ui.survey_form``), all prefixed ``survey_`` (none is a page's),
    so that a new link forgets every one of them."""

    PREFIX = "survey_"
    LINK = "survey_link"  # not a widget: the hash of the token whose form the session holds
    FORM = "survey_form"  # not a widget: what form_for gave for that link
    PARTNERS = "survey_partners"  # not a widget: the partner rows being edited
    NEXT_ROW = "survey_next_row"  # not a widget: the number the next partner row gets
    PROBLEM = "survey_problem"  # not a widget: why the last "add" did nothing, shown once
    FIELD = "survey_field"  # ``survey_field_<name>``: the organization's own fields
    PARTNER = "survey_partner"  # ``survey_partner_<field>:<row>``: one partner's fields
    PICK_MOVEMENT = "survey_pick_movement"
    PICK_REGION = "survey_pick_region"
    PICK_SEARCH = "survey_pick_search"
    PICK_NEW_ONLY = "survey_pick_new_only"
    PICK = "survey_pick"
    PICK_ADD = "survey_pick_add"
    NEW_NAME = "survey_new_name"
    NEW_MOVEMENT = "survey_new_movement"
    NEW_ADD = "survey_new_add"
    SAVE = "survey_save"


class Tables:
    """Keys of tables and charts (not widgets, but keyed too so that none collide)."""

    ACCOUNT_LOG = "account_log"
    AUDIT_ENTRIES = "audit_entries"
    GAPS_MATRIX = "gaps_matrix"
    GAPS_PAIRS = "gaps_pairs"
    GAPS_SPOF = "gaps_spof"
    GAPS_LOCAL_BRIDGES = "gaps_local_bridges"
    GAPS_BROKERS = "gaps_brokers"
    GAPS_BROKER_MEASURES = "gaps_broker_measures"
    GAPS_ISOLATED = "gaps_isolated"
    GAPS_NEEDS = "gaps_needs"
    GAPS_SILOS = "gaps_silos"
    IMPORT_PROBLEMS = "import_problems"
    IMPORT_PREVIEW = "import_preview"
    INTRO_TABLE = "intro_table"
    MAP_NODES_TABLE = "map_nodes_table"
    MAP_EDGES_TABLE = "map_edges_table"
    MAP_LEGEND_TABLE = "map_legend_table"
    ORG_PROFILE_DETAILS = "org_profile_details"
    ORG_PROFILE_MEASURES = "org_profile_measures"
    ORG_PROFILE_TIES = "org_profile_ties"
    ORG_PROFILE_INTROS = "org_profile_intros"
    OVERVIEW_MOVEMENTS = "overview_movements"
    OVERVIEW_RECENT = "overview_recent"
    OVERVIEW_MATRIX = "overview_matrix"
    OVERVIEW_INTRODUCTIONS = "overview_introductions"
    SETTINGS_COUNTS = "settings_counts"
    ACCOUNTS_TABLE = "accounts_table"
    SURVEY_PROGRESS = "surveys_progress"
    SURVEY_RECIPROCITY = "surveys_reciprocity"


def field_key(prefix: str, field: str, suffix: str = "") -> str:
    """The key of one form field; ``suffix`` (an id) gives each record its own widgets,
    so switching the record being edited shows that record's values."""
    return f"{prefix}_{field}:{suffix}" if suffix else f"{prefix}_{field}"


# the settings and the store --------------------------------------------------------------
def settings() -> Settings:
    """The settings, read from the environment the first time a session asks.

    Kept in the session rather than the process, so that every session (and every
    AppTest) sees the environment it started with. Raises ``SettingsError`` naming the
    variable when a value cannot be used; ``streamlit_app.py`` shows it and stops.
    """
    current = st.session_state.get(SETTINGS)
    if not isinstance(current, Settings):
        current = st.session_state[SETTINGS] = Settings.from_env()
    return current


@st.cache_resource(show_spinner=False)
def _store_for(url: str, neo4j: Neo4jOptions, _settings: Settings, _passphrase: Passphrase | None) -> Store:
    """One store per URL (and credentials) for the whole server process (connections
    are per thread). A wrong passphrase raises here, and nothing is cached."""
    store = _settings.open_store(_passphrase)
    try:
        services.init_map(store)
    except BaseException:
        store.close()
        raise
    _OPENED[url] = store.encrypted
    return store


#: Whether each map this process opened is encrypted, by URL: once its store is open the
#: file is not read again (reading it beside SQLite drops SQLite's locks:
#: ``graph.sqlite.cipher.is_encrypted``).
_OPENED: dict[str, bool] = {}


def map_is_encrypted(current: Settings) -> bool:
    """Whether the map the settings name is encrypted, without touching an open file."""
    if current.db_url in _OPENED:
        return _OPENED[current.db_url]
    return current.map_is_encrypted()


#: Passphrases typed into the unlock form, by map file: server memory only, for the life
#: of the dashboard process (never a file, a log, the session's URL or a cookie).
_UNLOCKED: dict[str, Passphrase] = {}


def map_passphrase(current: Settings) -> Passphrase | None:
    """The passphrase of the map the settings name: the configured file's, else one
    typed into the unlock form earlier in this process."""
    return current.configured_passphrase() or _UNLOCKED.get(str(current.map_file))


def unlock(current: Settings, passphrase: Passphrase) -> None:
    """Open the encrypted map with ``passphrase`` (``WrongPassphrase`` when it does not)
    and remember it for this process."""
    _store_for(current.db_url, current.neo4j, current, passphrase)
    _UNLOCKED[str(current.map_file)] = passphrase


def get_store() -> Store:
    """The store the settings name (COALITION_DB, or the default file), set up on first use."""
    current = settings()
    return _store_for(current.db_url, current.neo4j, current, map_passphrase(current))


def current_user() -> User:
    """Who is signed in (``LOCAL_OWNER`` in local mode); the sign-in gate in
    ``streamlit_app.py`` runs before any page, so a page always has one."""
    user = st.session_state.get(SIGNED_IN_USER)
    if not isinstance(user, User):
        raise permissions.PermissionDenied(_("sign in first"))
    return user


def audience() -> str:
    """The audience the pages show: chosen in Settings (default: coalition), never above
    what the signed-in account may see."""
    return permissions.cap_audience(current_user(), st.session_state.get(AUDIENCE, DEFAULT_AUDIENCE))


def set_audience(value: str) -> None:
    if value in permissions.allowed_audiences(current_user()):
        st.session_state[AUDIENCE] = value


def _key(store: Store) -> tuple[str, int]:
    """What cached reads are keyed by: which store, and which version of it."""
    return store.url, store.version()


# cached reads ----------------------------------------------------------------------------
class _Seen(NamedTuple):
    """An audience's view of the map and the names every page labels it with."""

    view: dict[str, Any]
    movements: dict[str, str]
    names: dict[str, str]


@st.cache_resource(max_entries=8, show_spinner=False)
def _seen(_store: Store, key: tuple[str, int], audience: str) -> _Seen:
    seen = read_view(_store, audience)
    with use_language(DEFAULT_LANGUAGE):  # shared by every session: each other language names them afresh
        movements = movement_names(seen)
    return _Seen(seen, movements, org_names(seen))


def view(store: Store, audience: str) -> dict[str, Any]:
    """The map as the audience may see it (cached per store version).

    Every page of every session gets this one object, never a copy: ``st.cache_data``
    unpickled a fresh copy for each page, 0.3 s on a 10,000-organization map (the names
    ``open_page`` hands out are kept with it, sorted once). So nothing may change it;
    pages and the functions they call build new lists and records
    (``tests/test_view_cache.py`` runs every page and checks that the view is unchanged).
    """
    return _seen(store, _key(store), audience).view


@st.cache_data(max_entries=16, show_spinner=False)
def _layout(structure: str, _nodes: list[str], _edges: list[tuple[str, str, float]]) -> dict[str, tuple]:
    from graph.render import layout_positions  # igraph and pyvis: for the Map page, not the first

    return layout_positions(_nodes, _edges)


def layout(organizations: list[dict[str, Any]], ties: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """Positions for these organizations, cached by the structure drawn (ids and ties)."""
    nodes = [o["id"] for o in organizations]
    edges = [(t["source"], t["target"], float(t.get("strength") or 1)) for t in ties if t["kind"] != "conflict"]
    digest = hashlib.sha256(repr((nodes, sorted(edges))).encode()).hexdigest()
    return _layout(digest, nodes, edges)


@st.cache_data(max_entries=16, show_spinner=False)
def _changes(
    _store: Store, key: tuple[str, int], audience: str, since: str, today: date, language: str
) -> dict[str, Any]:
    from coalition.maps.changes import changes_since  # the gap analysis: not for the first page

    with use_language(language):
        return changes_since(_store, since, audience=audience, today=today, freshness=settings().freshness)


def changes(store: Store, audience: str, since: str) -> dict[str, Any]:
    """What changed since a snapshot, for the audience (cached per store version)."""
    return _changes(store, _key(store), audience, since, date.today(), current_language())


@st.cache_data(max_entries=16, show_spinner=False)
def _gaps(_store: Store, key: tuple[str, int], audience: str, today: date, language: str) -> dict[str, Any]:
    from coalition.analysis.gaps import gaps_for_store  # networkx and igraph: not for the first page

    with use_language(language):  # its sentences are written in the reader's language
        return gaps_for_store(_store, audience, today=today, freshness=settings().freshness)


def gaps(store: Store, audience: str) -> dict[str, Any]:
    """The gap analysis for the audience (cached per store version and day: ended ties
    drop out at midnight) and language."""
    return _gaps(store, _key(store), audience, date.today(), current_language())


@st.cache_data(max_entries=16, show_spinner=False)
def _introductions(
    _store: Store,
    key: tuple[str, int],
    audience: str,
    top: int,
    status: str | None,
    today: date,
    boldness: float,
    language: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from coalition.introductions.recommend import introductions_for_store  # scipy: not for the first page

    unmet: list[dict[str, Any]] = []
    with use_language(language):  # the reasons are written in the reader's language
        rows = introductions_for_store(
            _store, audience, top=top, status=status, today=today, unmet=unmet, boldness=boldness,
            freshness=settings().freshness,
        )  # fmt: skip
    return rows, unmet


def introductions(
    store: Store, audience: str, top: int = 20, status: str | None = None, boldness: float | None = None
) -> list[dict[str, Any]]:
    """Ranked introductions for the audience (or the stored ones with ``status``), cached
    per store version, day (capacity is counted per month), length and boldness: the gap
    slate takes its places within the list asked for, so a longer list is no slice of it.
    ``boldness`` None is the recommender's default."""
    status = None if status == "suggested" else status  # the same list: share its cache entry
    return _introductions(
        store, _key(store), audience, top, status, date.today(), _boldness(boldness), current_language()
    )[0]


def gaps_without_introduction(store: Store, audience: str, top: int = 20) -> list[dict[str, Any]]:
    """The named gaps no introduction in the default list closes, each with why."""
    return _introductions(store, _key(store), audience, top, None, date.today(), _boldness(None), current_language())[1]


def _boldness(value: float | None) -> float:
    if value is not None:
        return value
    from coalition.introductions.recommend import DEFAULT_BOLDNESS  # scipy: not for the first page

    return DEFAULT_BOLDNESS


# showing things --------------------------------------------------------------------------
def show_error(error: Exception, explain: Callable[[Problem], str] | None = None) -> None:
    """A user error as one sentence, with every problem listed for invalid input; a form
    passes ``explain`` to list each problem in the words of its own labels
    (``coalition.ui.forms.field_sentence``)."""
    if isinstance(error, InvalidInput) and explain is not None:
        st.error("\n".join(f"- {md(explain(p))}" for p in error.problems))
    elif isinstance(error, InvalidInput) and len(error.problems) > 1:
        st.error("\n".join(f"- {md(p)}" for p in error.problems))
    else:
        st.error(md(error))


def attempt(action: Callable[[], Any], explain: Callable[[Problem], str] | None = None) -> tuple[bool, Any]:
    """Run a use case; a user error is shown (not raised, see ``show_error``) and gives
    ``(False, None)``."""
    try:
        return True, action()
    except USER_ERRORS as e:
        show_error(e, explain)
        return False, None


def started_from(kind: str, key: str, current: dict[str, Any]) -> dict[str, Any]:
    """The record as the edit form for it first showed it (``current`` the first time)."""
    started = st.session_state.setdefault(EDIT_STARTED_FROM, {})
    return started.setdefault((kind, key), dict(current))


def attempt_edit(
    action: Callable[[], Any],
    kind: str,
    key: str,
    field_prefix: str,
    explain: Callable[[Problem], str] | None = None,
) -> tuple[bool, Any]:
    """``attempt`` for an edit form. After a save, or a save refused because someone saved
    a newer version meanwhile (the message says what is newer), the form starts again
    from the stored record: its fields are reloaded at the next run."""
    try:
        result = action()
    except StaleEdit as e:
        _restart_edit(kind, key, field_prefix)
        st.session_state[FLASH_ERROR] = str(e)
        st.rerun()
    except USER_ERRORS as e:
        show_error(e, explain)
        return False, None
    _restart_edit(kind, key, field_prefix)
    return True, result


def _restart_edit(kind: str, key: str, field_prefix: str) -> None:
    st.session_state.get(EDIT_STARTED_FROM, {}).pop((kind, key), None)
    forget(*[k for k in st.session_state if str(k).startswith(field_prefix + "_") and str(k).endswith(f":{key}")])


def flash(message: str) -> None:
    """Remember a success message to show after the rerun that follows a write."""
    st.session_state[FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(md(message))
    refused = st.session_state.pop(FLASH_ERROR, None)
    if refused:
        st.error(md(refused))


def forget(*keys: str) -> None:
    """Drop widget values (after a successful add) so the form starts empty."""
    for key in keys:
        st.session_state.pop(key, None)


def org_names(view_: dict[str, Any]) -> dict[str, str]:
    """``{id: name}`` of the visible organizations, names made unique for pickers."""
    counts: dict[str, int] = {}
    for org in view_["organizations"]:
        counts[org["name"]] = counts.get(org["name"], 0) + 1
    return {
        o["id"]: o["name"] if counts[o["name"]] == 1 else f"{o['name']} ({o['id']})"
        for o in sorted(view_["organizations"], key=lambda o: o["name"].lower())
    }


def pickable(choices: Mapping[str, Any], found: Iterable[str], keep: Iterable[str | None] = ()) -> dict[str, Any]:
    """What a picker lists: every choice up to ``PICK_UP_TO``; beyond, those the page's
    search ``found`` if they are few enough, and always those in ``keep`` (the current
    picks). A picker of ten thousand names is sent whole to the browser on every run,
    which took seconds, and nobody scrolls it."""
    if len(choices) <= PICK_UP_TO:
        return choices
    wanted = {key for key in found if key in choices}
    if len(wanted) > PICK_UP_TO:
        wanted = set()
    wanted |= {key for key in keep if key in choices}
    return {key: name for key, name in choices.items() if key in wanted}


#: The prompt of a picker that lists every choice, by what the page picks (the ``what``
#: of ``pick_placeholder``: a key, never translated); read through ``_()`` when shown.
PICK_PROMPTS = {
    "an organization": N_("Pick an organization"),
    "a tie": N_("Pick a tie"),
    # TRANSLATORS: the prompt of a picker of organizations, found by their names
    "by name": N_("Pick by name"),
}


def pick_placeholder(listed: Mapping[str, Any], choices: Mapping[str, Any], what: str) -> str:
    """The picker's prompt, asking for a search when it lists only some of ``choices``;
    ``what`` is a key of ``PICK_PROMPTS``, or a page's own prompt, already translated."""
    if len(listed) == len(choices):
        return _(PICK_PROMPTS[what]) if what in PICK_PROMPTS else what
    count = len(choices)
    return ngettext("Search above to pick among {count:,}", "Search above to pick among {count:,}", count).format(
        count=count
    )


def movement_names(view_: dict[str, Any]) -> dict[str, str]:
    return {m["id"]: movement_label(m) for m in view_["movements"]}


#: The most rows a list page's table sends to the browser (the Organizations and Ties
#: pages): on a 10,000-organization map, sending and drawing 40,000 ties took two seconds
#: of every visit, for a table that shows eight rows at a time. Search narrows the list;
#: Import / Export gives the whole of it.
TABLE_ROWS = 1_000


def listed(count: int, total: int, noun: str, audience: str) -> str:
    """The caption under a list page's table: how many match, of how many, and how many
    the table holds when it holds only the first ``TABLE_ROWS``. ``noun`` says what is
    listed, ``"organizations"`` or ``"ties"`` (a key, never translated)."""
    from coalition.ui.forms import audience_label  # forms imports this module

    how_many = _how_many(count, total, noun).format(count=count, total=total, audience=audience_label(audience))
    if count > TABLE_ROWS:
        return ngettext(
            "{how_many}; the table holds the first {rows:,}: search to narrow it, "
            "or export the whole list on Import / Export.",
            "{how_many}; the table holds the first {rows:,}: search to narrow it, "
            "or export the whole list on Import / Export.",
            TABLE_ROWS,
        ).format(how_many=how_many, rows=TABLE_ROWS)
    # TRANSLATORS: how many rows a list shows ("44 organizations the coalition audience may see"), as a sentence
    return _("{how_many}.").format(how_many=how_many)


def _how_many(count: int, total: int, noun: str) -> str:
    """How many of the ``noun`` the table lists, one message per noun and case (fields:
    ``count``, ``total``, ``audience``)."""
    if noun == "organizations":
        if count == total:
            return ngettext(
                "{total:,} organization the {audience} audience may see",
                "{total:,} organizations the {audience} audience may see",
                total,
            )
        return ngettext(
            "{count:,} of {total:,} organization the {audience} audience may see",
            "{count:,} of {total:,} organizations the {audience} audience may see",
            total,
        )
    if noun == "ties":
        if count == total:
            return ngettext(
                "{total:,} tie the {audience} audience may see", "{total:,} ties the {audience} audience may see", total
            )
        return ngettext(
            "{count:,} of {total:,} tie the {audience} audience may see",
            "{count:,} of {total:,} ties the {audience} audience may see",
            total,
        )
    raise ValueError(f"no caption for a list of {noun!r}")


class PageData(NamedTuple):
    """What most pages start from, read once per run."""

    store: Store
    user: User
    audience: str
    view: dict[str, Any]
    movements: dict[str, str]
    names: dict[str, str]


def open_page(title: str) -> PageData:
    """Show the page's title and read what it starts from: the store, the signed-in
    account, the audience shown, its view, and the names of movements and organizations."""
    st.title(title)
    store = get_store()
    shown = audience()
    seen = _seen(store, _key(store), shown)
    movements = movement_names(seen.view) if current_language() != DEFAULT_LANGUAGE else seen.movements
    return PageData(store, current_user(), shown, seen.view, movements, seen.names)
