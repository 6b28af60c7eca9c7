"""The embedded backend: one SQLite file (``store``), its rows (``rows``) and its named
migrations (``schema``)."""
