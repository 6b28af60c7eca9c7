"""Configuration read once, at the edge: which store to use."""

from __future__ import annotations

import os

from graph.connect import DEFAULT_URL

__all__ = ["resolve_url"]


def resolve_url(url: str | None = None) -> str:
    """The store URL: the one given, else COALITION_DB, else the default SQLite file."""
    return url or os.environ.get("COALITION_DB") or DEFAULT_URL
