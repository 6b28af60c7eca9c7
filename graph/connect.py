"""The one place that turns a store URL into a store object.

``sqlite:///coalition.db`` (relative to the working folder), ``sqlite:////abs/map.db``
(absolute) or a Neo4j URL (``neo4j://``, ``neo4j+s://``, ``bolt://``...). Nothing
connects until a store method is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from graph.errors import StoreUnavailable
from graph.store import Store

if TYPE_CHECKING:
    from graph.sqlite.cipher import Passphrase

__all__ = ["DEFAULT_URL", "Neo4jOptions", "open_store", "SCHEMES", "sqlite_path"]

DEFAULT_URL = "sqlite:///coalition.db"
NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
SCHEMES = ("sqlite", *NEO4J_SCHEMES)


@dataclass(frozen=True)
class Neo4jOptions:
    """Neo4j credentials and database for a URL that carries none (the edge reads them
    from NEO4J_USERNAME, NEO4J_PASSWORD and NEO4J_DATABASE)."""

    user: str = "neo4j"
    password: str | None = None
    database: str | None = None


def sqlite_path(url: str | None) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for any other URL, or one naming no file)."""
    url = url or DEFAULT_URL
    path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
    return Path(path) if path else None


def open_store(
    url: str | None = None, neo4j: Neo4jOptions | None = None, passphrase: Passphrase | None = None
) -> Store:
    """A store for the URL (the default embedded file when None or empty); ``neo4j``
    gives the credentials a Neo4j URL does not carry itself, ``passphrase`` opens (or
    creates) an encrypted SQLite map."""
    url = url or DEFAULT_URL
    scheme = urlsplit(url).scheme if "://" in url else ""
    if scheme == "sqlite":
        from graph.sqlite.store import SQLiteStore

        path = sqlite_path(url)
        if path is None:
            raise StoreUnavailable(f"store URL {url!r} names no file: use sqlite:///map.db or sqlite:////abs/map.db")
        return SQLiteStore(path, url=url, passphrase=passphrase)
    if passphrase is not None:
        raise StoreUnavailable(
            "a passphrase encrypts a SQLite map file; a Neo4j server is protected by its own disk encryption "
            "and accounts: drop --passphrase-file / COALITION_PASSPHRASE_FILE for this store"
        )
    if scheme in NEO4J_SCHEMES:
        from graph.neo4j.store import Neo4jStore

        return Neo4jStore.from_url(url, neo4j or Neo4jOptions())
    raise StoreUnavailable(
        f"unknown store URL {url!r}: use sqlite:///FILE or one of {', '.join(s + '://' for s in NEO4J_SCHEMES)}"
    )
