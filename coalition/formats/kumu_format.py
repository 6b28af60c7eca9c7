"""Kumu's JSON blueprint: ``{"elements": [...], "connections": [...]}``.

An organization is an element: ``id``, ``label`` (the name), ``type`` (the kind),
``description`` (the notes), ``tags`` (the issues) and the other fields under Kumu-style
names ("Movements", "Community-led", "Region"...). A tie is a directed connection
``from`` / ``to`` organization ids with its ``type`` (the kind) and ``strength``.
Connection ids are ``tie:N``, which no organization id can be. A top-level ``about``
object carries the audience, the date, the note of what was withheld (counts only) and
the movement table; Kumu ignores it.

Import reads blueprints made elsewhere too: keys in any case, ``|``-separated text or
lists for multi-value fields, connections naming elements by id or by label, an
element type of "Organization" meaning no particular kind.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from coalition.domain.errors import InvalidInput, Problem
from coalition.domain.models import ORG_KINDS, slugify
from coalition.domain.settings import ImportLimits
from coalition.domain.validation import RawMap, RawRow
from coalition.formats.common import banner, today_text, withheld_note
from coalition.formats.files import ReadBudget, atomic_path, load_json
from coalition.i18n import _

__all__ = ["ELEMENT_FIELDS", "CONNECTION_FIELDS", "read", "write", "element", "connection", "raw_map", "is_blueprint"]

#: (our field, Kumu's name) for elements and connections, in column order.
ELEMENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "ID"), ("name", "Label"), ("kind", "Type"), ("notes", "Description"), ("issues", "Tags"),
    ("movements", "Movements"), ("community_led", "Community-led"), ("region", "Region"),
    ("languages", "Languages"), ("offers", "Offers"), ("needs", "Needs"), ("access", "Access"),
    ("contact", "Contact"), ("contact_visibility", "Contact visibility"), ("visibility", "Visibility"),
    ("consent_to_introductions", "Consent to introductions"),
    ("intro_capacity_per_month", "Intro capacity per month"),
)  # fmt: skip
CONNECTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("source", "From"), ("target", "To"), ("kind", "Type"), ("direction", "Direction"), ("strength", "Strength"),
    ("since", "Since"), ("until", "Until"), ("visibility", "Visibility"), ("notes", "Description"),
    ("provenance", "Provenance"), ("confirmed", "Confirmed"),
)  # fmt: skip
LISTS = {"issues", "movements", "languages", "offers", "needs"}
# Kumu's element types that mean no more than "an organization"
GENERIC_TYPES = {"organization", "organisation", "org", "group"}
_KEY = re.compile(r"[\s\-]+")


def write(view: dict[str, Any], path: Path) -> list[Path]:
    document = {
        "elements": [{_json_key(name): value for name, value in element(org).items()} for org in view["organizations"]],
        "connections": [
            {"id": f"tie:{n}", **{_json_key(name): value for name, value in connection(tie).items()}}
            for n, tie in enumerate(view["ties"], start=1)
        ],
        "about": {
            "format": "coalition-map kumu blueprint",
            "audience": view["audience"],
            "exported": today_text(),
            "note": banner(view["audience"]),
            "withheld": withheld_note(view),
            "movements": [{"id": m["id"], "name": m["name"], "color": m.get("color")} for m in view["movements"]],
        },
    }
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [path]


def read(path: Path, limits: ImportLimits | None = None) -> RawMap:
    """The rows of a blueprint. The file is within the byte limit before it is parsed; its
    records (a connection to several elements counts once per element) are counted
    before any row is made, and every text measured."""
    document = load_json(path)
    if not is_blueprint(document):
        raise InvalidInput([Problem(_('not a Kumu blueprint: expected "elements" and "connections"'), file=path.name)])
    budget = ReadBudget(limits)
    about = document.get("about") if isinstance(document.get("about"), dict) else {}
    movements = about.get("movements") if isinstance(about.get("movements"), list) else []
    parts: dict[str, Any] = {part: document.get(part) or [] for part in ("elements", "connections")}
    connections = parts["connections"] if isinstance(parts["connections"], list) else []
    held = len(movements) + sum(len(items) for items in parts.values() if isinstance(items, list))
    held += sum(len(_ends(item)) - 1 for item in connections if isinstance(item, dict))
    if held > budget.limits.max_rows:
        raise budget.too_many(path.name, held)
    raw = RawMap()
    for number, movement in enumerate(movements, start=1):
        if isinstance(movement, dict):
            budget.check_record(movement, f"{path.name} about.movements", number)
            raw.movements.append(RawRow(movement, file=f"{path.name} about.movements", row=number))
    for part, items in parts.items():
        if not isinstance(items, list):
            raw.problems.append(Problem(_("{kind} must be a list").format(kind=part), file=path.name, field=part))
            parts[part] = []
            continue
        rows = []
        for number, item in enumerate(items, start=1):
            if isinstance(item, dict):
                budget.check_record(item, f"{path.name} {part}", number)
                rows.append((number, item))
            else:
                raw.problems.append(Problem(_("must be an object"), file=f"{path.name} {part}", row=number))
        parts[part] = rows
    return raw_map(parts["elements"], parts["connections"], f"{path.name} elements", f"{path.name} connections", raw)


def is_blueprint(document: Any) -> bool:
    """True for a JSON document shaped like a Kumu blueprint."""
    return isinstance(document, dict) and ("elements" in document or "connections" in document)


# shared with the Kumu spreadsheet ---------------------------------------------------
def element(org: dict[str, Any]) -> dict[str, Any]:
    """An organization as a Kumu element, keyed by Kumu's names."""
    return {kumu: _value(org.get(field)) for field, kumu in ELEMENT_FIELDS}


def connection(tie: dict[str, Any]) -> dict[str, Any]:
    """A tie as a Kumu connection, keyed by Kumu's names."""
    values = {**tie, "direction": "directed"}
    return {kumu: _value(values.get(field)) for field, kumu in CONNECTION_FIELDS}


def raw_map(
    elements: list[tuple[int, dict[str, Any]]],
    connections: list[tuple[int, dict[str, Any]]],
    element_file: str,
    connection_file: str,
    raw: RawMap | None = None,
) -> RawMap:
    """Raw rows from Kumu elements and connections given as ``(row number, {name: value})``."""
    raw = raw or RawMap()
    by_name = {_plain(kumu): field for field, kumu in ELEMENT_FIELDS}
    ids: dict[str, str] = {}
    for number, item in elements:
        data = _fields(item, by_name)
        if isinstance(data.get("kind"), str) and data["kind"].strip().lower() in GENERIC_TYPES - set(ORG_KINDS):
            del data["kind"]
        if not any(v not in (None, "", []) for v in data.values()):
            continue
        org_id = str(data.get("id") or "").strip() or slugify(str(data.get("name") or ""))
        for name in (org_id, str(data.get("name") or "").strip()):
            if name:
                ids.setdefault(name, org_id)
                ids.setdefault(name.lower(), org_id)
        raw.organizations.append(RawRow(data, file=element_file, row=number))
    by_name = {_plain(kumu): field for field, kumu in CONNECTION_FIELDS}
    for number, item in connections:
        data = _fields(item, by_name)
        data.pop("direction", None)
        targets = data.get("target")
        targets = targets if isinstance(targets, list) else [targets]
        for target in targets or [""]:
            row = {**data, "source": _end(data.get("source"), ids), "target": _end(target, ids)}
            raw.ties.append(RawRow(row, file=connection_file, row=number))
    return raw


# helpers ----------------------------------------------------------------------------
def _value(value: Any) -> Any:
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else value


def _json_key(kumu_name: str) -> str:
    """Kumu's own keys are lower case in a blueprint (id, label, type, description, tags)."""
    return (
        kumu_name.lower()
        if kumu_name in ("ID", "Label", "Type", "Description", "Tags", "From", "To", "Direction")
        else kumu_name
    )


def _plain(name: Any) -> str:
    return _KEY.sub("_", str(name or "").strip().lower())


def _fields(item: dict[str, Any], by_name: dict[str, str]) -> dict[str, Any]:
    data = {}
    for key, value in item.items():
        field = by_name.get(_plain(key))
        if field is None:
            continue
        if isinstance(value, str) and (field in LISTS or field == "target") and "|" in value:
            value = [part.strip() for part in value.split("|") if part.strip()]
        if isinstance(value, list) and field not in LISTS and field != "target":
            value = "|".join(str(v) for v in value)
        data[field] = value
    return data


def _ends(connection_: dict[str, Any]) -> list[Any]:
    """The elements a connection goes to: one, or several (a list or ``|``-separated)."""
    target = next((v for k, v in connection_.items() if _plain(k) == "to"), None)
    if isinstance(target, str) and "|" in target:
        return [part for part in target.split("|") if part.strip()] or [""]
    return target if isinstance(target, list) and target else [target]


def _end(value: Any, ids: dict[str, str]) -> str:
    text = str(value or "").strip()
    return ids.get(text, ids.get(text.lower(), text))
