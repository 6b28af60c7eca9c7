"""The one error hierarchy, rooted here at the bottom layer so every layer above can
raise and catch the same classes. The CLI and the dashboard turn any ``CoalitionError``
into one clear sentence; anything else is a bug and keeps its traceback."""

from __future__ import annotations

from typing import Any

__all__ = ["CoalitionError", "StaleEdit", "StoreError", "StoreUnavailable"]


class CoalitionError(Exception):
    """Something a user asked for cannot be done; the message says why, for people."""


class StoreError(CoalitionError):
    """A store could not do what was asked; nothing was changed."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened (no server, bad credentials, bad path)."""


class StaleEdit(StoreError):
    """An edit was made from a stale copy: the stored record has another version, and
    nothing was written.

    ``current`` is the record as stored now (None when it was removed), ``expected_version``
    the version the edit started from, and ``changed`` the fields changed since then with
    their newer values (filled in by the use case, which can read the audit trail).
    """

    def __init__(
        self,
        kind: str,
        key: str | tuple[str, ...],
        expected_version: int,
        current: dict[str, Any] | None,
        message: str | None = None,
        changed: dict[str, Any] | None = None,
    ) -> None:
        self.kind = kind
        self.key = key
        self.expected_version = expected_version
        self.current = current
        self.changed = changed or {}
        if message is None:
            now = f"version {current.get('version')}" if current else "removed"
            shown = "|".join(key) if isinstance(key, tuple) else key
            message = f"{kind} {shown} was changed by someone else ({now}, edited from version {expected_version})"
        super().__init__(message)
