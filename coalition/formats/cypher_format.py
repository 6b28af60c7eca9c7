"""A Cypher script that recreates the map in Neo4j (run it with ``cypher-shell -f``).

It builds the graph model of ``graph/neo4j/queries.py``: the same constraints,
``(:Movement)``, ``(:Organization)-[:IN_MOVEMENT {position}]->(:Movement)``,
``(:Organization)-[:TIE {kind, ...}]->(:Organization)``, ``(:Introduction {key})`` and
the store's ``(:StoreMeta)`` node and its migrations (recorded as ``(:SchemaMigration)``),
so that Coalition Mapper can open the database afterwards. Every statement is ``MERGE``, so running the script
twice changes nothing.

The script has no parameters, so every value is a literal: strings in single quotes
with backslash, quote and every control, format or line-breaking character escaped
(``\\uXXXX``), so no value can end its string or a statement. Labels, relationship types
and property keys are fixed here, never taken from the data. Each statement is on one
line and ends with ``;``; records go in batches through ``UNWIND``. Comments at the top
hold only the audience, the date and counts, in the interface's language (each on one line).
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any

from coalition.formats.common import banner, today_text, withheld_note
from coalition.formats.files import atomic_path
from coalition.i18n import _
from graph.neo4j.queries import ENSURE_META, MIGRATIONS, SCHEMA
from graph.records import INTRO_FIELDS, ORG_FIELDS, TIE_FIELDS

__all__ = ["write", "script", "literal", "string_literal"]

BATCH = 200
ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
# Categories escaped as \uXXXX: controls, formats (bidi marks...), separators other than
# the space, surrogates, private use and unassigned.
ESCAPED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}

MOVEMENTS = "UNWIND {rows} AS row MERGE (m:Movement {{id: row.id}}) SET m.name = row.name, m.color = row.color;"
ORGANIZATIONS = (
    "UNWIND {rows} AS row MERGE (o:Organization {{id: row.id}}) SET o += row.props "
    "WITH o, row OPTIONAL MATCH (o)-[old:IN_MOVEMENT]->() DELETE old "
    "WITH DISTINCT o, row UNWIND range(0, size(row.movements) - 1) AS position "
    "MATCH (m:Movement {{id: row.movements[position]}}) CREATE (o)-[:IN_MOVEMENT {{position: position}}]->(m);"
)
TIES = (
    "UNWIND {rows} AS row MATCH (s:Organization {{id: row.source}}), (t:Organization {{id: row.target}}) "
    "MERGE (s)-[r:TIE {{kind: row.kind}}]->(t) SET r += row.props;"
)
INTRODUCTIONS = "UNWIND {rows} AS row MERGE (i:Introduction {{key: row.key}}) SET i += row.props;"
BUMP_VERSION = "MATCH (s:StoreMeta {key: 'store'}) SET s.version = s.version + 1;"
RECORD_MIGRATION = "MERGE (s:SchemaMigration {{name: {name}}}) ON CREATE SET s.applied_at = {now};"


def write(view: dict[str, Any], path: Path) -> list[Path]:
    with atomic_path(path) as tmp:
        tmp.write_text(script(view), encoding="utf-8")
    return [path]


def script(view: dict[str, Any]) -> str:
    """The whole script as text."""
    comments = [
        _("Coalition map: a Cypher script that recreates it in Neo4j 5 (cypher-shell -f this-file)."),
        # TRANSLATORS: {audience} is public, coalition or private, as stored; {banner} is "Coalition only -- do
        # not forward"; {date} is YYYY-MM-DD
        _("Audience: {audience}. {banner}. Exported {date}.").format(
            audience=view["audience"], banner=banner(view["audience"]), date=today_text()
        ),
        withheld_note(view),
        # TRANSLATORS: bare numbers of each kind of record ("organizations: 12" reads well in any language)
        _("{organizations} organizations, {ties} ties, {introductions} introductions.").format(
            organizations=len(view["organizations"]), ties=len(view["ties"]), introductions=len(view["introductions"])
        ),
    ]
    lines = [f"// {_one_line(comment)}" for comment in comments] + [""]
    lines += [f"{statement};" for statement in SCHEMA]
    lines += [f"{ENSURE_META};", BUMP_VERSION]
    for name, statements in MIGRATIONS:  # the store's own, constant statements
        lines += [f"{_one_line(statement)};" for statement in statements]
        lines.append(RECORD_MIGRATION.format(name=literal(name), now=literal(today_text())))
    movements = [{"id": m["id"], "name": m["name"], "color": m.get("color") or "#777777"} for m in view["movements"]]
    lines += _batched(MOVEMENTS, movements)
    organizations = [
        {"id": o["id"], "movements": list(o.get("movements") or []), "props": _props(o, ORG_FIELDS, ("id",))}
        for o in view["organizations"]
    ]
    lines += _batched(ORGANIZATIONS, organizations)
    ties = [
        {"source": t["source"], "target": t["target"], "kind": t["kind"], "props": _props(t, TIE_FIELDS, ("source", "target", "kind"))}
        for t in view["ties"]
    ]  # fmt: skip
    lines += _batched(TIES, ties)
    introductions = [{"key": f"{i['a']}|{i['b']}", "props": _props(i, INTRO_FIELDS, ())} for i in view["introductions"]]
    lines += _batched(INTRODUCTIONS, introductions)
    return "\n".join(lines) + "\n"


def literal(value: Any) -> str:
    """A Cypher literal for a value: null, boolean, number, string, list or map."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return string_literal(str(value))


def string_literal(text: str) -> str:
    """``text`` as a single-quoted Cypher string that cannot end early."""
    out = []
    for char in text:
        if char in ESCAPES:
            out.append(ESCAPES[char])
        elif unicodedata.category(char) in ESCAPED_CATEGORIES:
            code = ord(char)
            if code > 0xFFFF:  # as a UTF-16 surrogate pair, which Neo4j's strings are
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}")
            else:
                out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def _props(record: dict[str, Any], fields: tuple[str, ...], skip: tuple[str, ...]) -> dict[str, Any]:
    return {f: record[f] for f in fields if f not in skip and record.get(f) is not None}


def _batched(template: str, rows: list[dict[str, Any]]) -> list[str]:
    return [template.format(rows=literal(rows[i : i + BATCH])) for i in range(0, len(rows), BATCH)]


def _one_line(statement: str) -> str:
    return " ".join(statement.split())


def _key(name: str) -> str:
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ValueError(f"not a property key: {name!r}")  # keys come from this module, never from data
    return name
