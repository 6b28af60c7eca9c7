"""The audit trail: who changed what, when, from which values to which.

Every committed write records its entries in the store, in the write's own transaction
(``graph.store``): one per record created, changed or removed. ``before`` and ``after``
hold the values themselves, contacts and private notes included, so the trail is for
admins only: it is never part of an audience's view or of a map export, and pages and
commands that show it must be limited to admins.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coalition.domain.errors import CoalitionError
from coalition.formats.csv_format import neutralize
from coalition.formats.files import atomic_path
from coalition.i18n import _
from graph.store import AUDIT_KINDS, Store

__all__ = ["AUDIT_FORMAT", "list_audit", "describe_entry", "audit_document", "export_audit"]

AUDIT_FORMAT = "coalition-audit"
CSV_COLUMNS = ("seq", "at", "actor", "action", "kind", "key", "before", "after")


def list_audit(
    store: Store,
    limit: int | None = 100,
    since: str | None = None,
    kind: str | None = None,
    key: str | None = None,
    actor: str | None = None,
) -> list[dict[str, Any]]:
    """Audit entries, newest first, optionally since an ISO date or time, about one kind
    (movement, organization, tie, introduction, map) or one record (an organization id,
    ``source|target|kind`` for a tie, ``a|b`` for an introduction), or by one actor."""
    if kind is not None and kind not in AUDIT_KINDS:
        raise CoalitionError(_("unknown kind '{kind}'; known: {kinds}").format(kind=kind, kinds=", ".join(AUDIT_KINDS)))
    if since is not None:
        _check_time(since)
    if limit is not None and limit < 1:
        raise CoalitionError(_("limit must be at least 1"))
    if actor is None:
        return store.audit(limit=limit, since=since, kind=kind, key=key)
    entries = [e for e in store.audit(limit=None, since=since, kind=kind, key=key) if e["actor"] == actor]
    return entries if limit is None else entries[:limit]


def describe_entry(entry: dict[str, Any], width: int = 60) -> str:
    """One line for people: ``update organization casa_y: region 'riverside' -> 'eastport'``.

    Made of the entry as stored (its action, kind, key, field names and values), so it
    reads the same in every interface language, as the trail itself does."""
    head = f"{entry['action']} {entry['kind']} {entry['key']}"
    before, after = entry.get("before") or {}, entry.get("after") or {}
    if entry["action"] == "update":
        changes = [
            f"{f} {_short(before.get(f), width)} -> {_short(after.get(f), width)}" for f in after if f != "version"
        ]
        return f"{head}: {', '.join(changes)}" if changes else head
    if entry["kind"] == "map":
        counts = after or before
        return f"{head}: " + ", ".join(f"{n} {what}" for what, n in counts.items())
    record = after or before
    name = record.get("name")
    return f"{head} ({name})" if name else head


def audit_document(entries: list[dict[str, Any]], store: Store) -> dict[str, Any]:
    """The JSON export of some entries (oldest first)."""
    return {
        "format": AUDIT_FORMAT,
        "version": 1,
        "store": store.describe(),
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "entries": sorted(entries, key=lambda e: e["seq"]),
    }


def export_audit(store: Store, path: Path, fmt: str | None = None, **filters: Any) -> int:
    """Write the entries matching ``filters`` (as ``list_audit``) to a ``.json`` or ``.csv``
    file that appears whole or not at all, readable by its owner only (it holds private
    data). Returns how many entries were written."""
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in ("json", "csv"):
        raise CoalitionError(
            _("the audit trail is exported as json or csv, not {format}").format(format=fmt)
            if fmt
            else _("the audit trail is exported as json or csv, not a file without a suffix")
        )
    entries = list_audit(store, **{"limit": None, **filters})
    if fmt == "json":
        text = json.dumps(audit_document(entries, store), ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, CSV_COLUMNS)
        writer.writeheader()
        for entry in sorted(entries, key=lambda e: e["seq"]):
            row = {**entry, **{f: json.dumps(entry[f], ensure_ascii=False) for f in ("before", "after")}}
            writer.writerow({c: neutralize(str(row[c])) for c in CSV_COLUMNS})
        text = buffer.getvalue()
    with atomic_path(path) as tmp:  # a private temporary file (mode 0600), then renamed
        tmp.write_text(text, encoding="utf-8")
    return len(entries)


def _check_time(value: str) -> None:
    try:
        datetime.fromisoformat(value)
    except ValueError as e:
        raise CoalitionError(
            _("since must be an ISO date or time such as 2026-11-01 (got '{value}')").format(value=value)
        ) from e


def _short(value: Any, width: int) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 3] + "..."
