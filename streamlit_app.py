"""The dashboard entry point: the sign-in gate, the pages, the store in use, and the banner.

Each page is a short file in ``coalition/ui/`` that calls ``coalition`` use cases; this
file only declares them (``st.navigation``) and shows what every page shares. The sidebar
lists them with ``st.page_link`` under a heading per section rather than Streamlit's own
sectioned menu, whose headings sit inside its ``<ul>`` where screen readers expect only
list items (axe-core's "list" rule, tests/test_accessibility.py). The gate
(``coalition.ui.login``) runs first, so no page and no map read happen before someone is
let in: in local mode (no accounts, served on 127.0.0.1) that is the person at this
computer; otherwise everyone signs in, and the pages and audiences offered follow the
account's role. A survey link (``/?survey=TOKEN``) opens its form instead, before the
gate and with no page (``coalition.ui.survey_form``): a respondent has no account. The
settings (``coalition.domain.settings``, the same as the CLI's) are read once per session
before anything else; a bad one is one error line, never a traceback. The store they
name is opened on first use, never at import. Once a page has run, a big map's analyses
are begun in the background (``coalition.ui.ahead``), so the pages that show them need
not wait.
"""

from __future__ import annotations

import streamlit as st

from coalition.auth import permissions
from coalition.domain.errors import USER_ERRORS
from coalition.i18n import N_, _
from coalition.ui import actions, ahead, language, login, state, survey_form, unlock
from coalition.ui.charts import md
from coalition.ui.forms import audience_label
from coalition.ui.pages import EXPLORE, WORK
from coalition.ui.state import Keys
from graph.store import acting_as

UI = "coalition/ui/pages"
# No page icons: Streamlit fetches Material icons from a font server, and nothing may phone home.

st.set_page_config(page_title="Coalition Mapper", layout="wide")
try:
    settings = state.settings()
except USER_ERRORS as e:
    st.error(md(_("Cannot start the dashboard: {error}").format(error=e)))
    st.stop()
language.start(settings)  # the link's, the session's or the server's language, before any text
if "survey" in st.query_params:  # a survey link: its form only, no account needed (issue 16)
    survey_form.show(st.query_params["survey"])
    st.stop()
unlock.key_accounts(settings)
user = login.gate(settings)
language.use_account_choice(user)
unlock.gate(settings, user)  # an encrypted map: its passphrase before any page reads it

# Sections are keyed by their English heading, read through _() where shown; a page's title
# is in the session's language, its address (the file's stem) the same in every language.
editing = permissions.allowed(user, permissions.EDIT)
work = N_("Edit") if editing else N_("Browse")
pages = {
    N_("Explore"): [st.Page(f"{UI}/{stem}.py", title=_(title), default=stem == "overview") for stem, title in EXPLORE],
    work: [st.Page(f"{UI}/{stem}.py", title=_(title)) for stem, title in WORK],
}
if editing:
    pages[work].append(st.Page(f"{UI}/surveys.py", title=_("Surveys")))
admin_pages = []
if permissions.allowed(user, permissions.MANAGE_USERS) and not user.local:
    admin_pages.append(st.Page(f"{UI}/accounts.py", title=_("Accounts")))
if permissions.allowed(user, permissions.SEE_AUDIT):
    admin_pages.append(st.Page(f"{UI}/audit.py", title=_("Audit trail")))
if admin_pages:
    pages[N_("Admin")] = admin_pages
page = st.navigation([p for section in pages.values() for p in section], position="hidden")
with st.sidebar.container(key=Keys.SIDEBAR_PAGES):
    for section, section_pages in pages.items():
        st.markdown(f"**{_(section)}**")
        for listed in section_pages:
            st.page_link(listed)

try:
    store = state.get_store()
    where = store.describe()
except USER_ERRORS as e:
    st.error(_("Cannot open the map: {error}").format(error=e))
    st.stop()

# The banner: independent parts, each one message, joined by " · ".
stored = _("Map stored in: `{where}`").format(where=where.replace("`", ""))
audience = audience_label(state.audience())
# TRANSLATORS: {audience} is public, coalition or private
showing = _("showing what the **{audience}** audience may see").format(audience=audience)
# TRANSLATORS: {audience} is public, coalition or private
choosing = _("showing what the **{audience}** audience may see (change it in Settings)").format(audience=audience)
if user.local:
    st.caption(" · ".join([stored, choosing, _("local mode: only this computer can open this page")]))
else:
    parts = [stored] if permissions.allowed(user, permissions.SEE_PRIVATE) else []
    parts.append(choosing if len(permissions.allowed_audiences(user)) > 1 else showing)
    st.caption(" · ".join([*parts, login.session_caption(user, settings.session)]))
    st.sidebar.button(_("Sign out"), key=Keys.SIGN_OUT, on_click=login.sign_out, args=(_("You signed out."),))
state.show_flash()
with acting_as(actions.actor(user)):  # the audit trail names the signed-in account
    page.run()
if ahead.big(store.counts()["organizations"]):  # the page is sent: now work out what others show
    ahead.start(store, state.audience())
