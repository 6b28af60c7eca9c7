"""The dashboard's pages: one short file each, run by ``st.navigation``.

The pages everyone may open, by sidebar section, as ``(file stem, title)``: the app's
navigation is built from them, and the browser tests and the dashboard benchmark walk
them, so a page added here is opened by both. The titles are in English, marked for the
catalogue; whoever shows one reads it through ``_()`` (the stem, the page's address, is
the same in every language).
"""

from coalition.i18n import N_

EXPLORE = (
    ("overview", N_("Overview")),
    ("map", N_("Map")),
    ("gaps", N_("Gaps")),
    ("introductions", N_("Introductions")),
)
WORK = (
    ("organizations", N_("Organizations")),
    ("ties", N_("Ties")),
    ("import_export", N_("Import / Export")),
    ("settings", N_("Settings")),
)
