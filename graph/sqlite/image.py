"""A SQLite map as bytes and back, for backups: a copy made with SQLite's online backup
API (one committed state even while others write), and a copy opened in memory only, so
a backup's content is never written to disk in plain form."""

from __future__ import annotations

import sqlite3

from graph.errors import StoreError
from graph.sqlite.rows import read_content
from graph.sqlite.schema import apply_migrations
from graph.store import MapSnapshot

__all__ = ["SQLITE_MAGIC", "image_of", "read_image"]

#: How every SQLite file starts.
SQLITE_MAGIC = b"SQLite format 3\x00"


def image_of(conn: sqlite3.Connection) -> bytes:
    """The whole database behind ``conn`` as the bytes of a self-contained file."""
    memory = sqlite3.connect(":memory:")
    try:
        conn.backup(memory)
        return _rollback_journal(memory.serialize())
    finally:
        memory.close()


def read_image(image: bytes) -> MapSnapshot:
    """The map and audit trail of a file image (``image_of``), upgraded to the current
    schema when an older version made it; ``StoreError`` when it is not a readable map."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.deserialize(_rollback_journal(image))
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA trusted_schema = OFF")
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreError("it is a damaged SQLite file")
        conn.execute("BEGIN")
        apply_migrations(conn)
        return read_content(conn)
    except sqlite3.DatabaseError as e:
        raise StoreError(f"it is not a readable map: {e}") from e
    finally:
        conn.close()


def _rollback_journal(image: bytes) -> bytes:
    """A copy of a WAL file is marked WAL in its header; mark it as a plain file so it
    opens from memory and on its own (bytes 18 and 19: file format write and read
    versions)."""
    fixed = bytearray(image)
    if len(fixed) > 19 and fixed[18] == fixed[19] == 2:
        fixed[18] = fixed[19] = 1
    return bytes(fixed)
