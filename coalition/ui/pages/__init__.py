"""The dashboard's pages: one short file each, run by ``st.navigation``.

The pages everyone may open, by sidebar section, as ``(file stem, title)``: the app's
navigation is built from them, and the browser tests and the dashboard benchmark walk
them, so a page added here is opened by both.
"""

EXPLORE = (("overview", "Overview"), ("map", "Map"), ("gaps", "Gaps"), ("introductions", "Introductions"))
WORK = (
    ("organizations", "Organizations"),
    ("ties", "Ties"),
    ("import_export", "Import / Export"),
    ("settings", "Settings"),
)
