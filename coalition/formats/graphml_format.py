"""GraphML, for Gephi, Cytoscape and yEd: organizations are nodes, ties directed edges.

Attributes are typed (``strength`` and ``intro_capacity_per_month`` int,
``community_led`` and ``consent_to_introductions`` boolean, the rest string; list fields
joined with ``;``). Nodes carry ``label`` (the name, which Gephi and yEd show) besides
``name``. Graph attributes: ``audience``, ``exported``, ``withheld`` (the note of what
was left out, counts only) and ``movements`` (the movement table as JSON text, so a map
survives the round trip). Characters XML 1.0 forbids are removed; everything else is
escaped by ElementTree, so the file is well-formed whatever the names hold.

Import reads any GraphML: attributes by their ``attr.name`` (``label`` stands in for
``name``), values as text for validation; problems name the n-th node or edge. A file
within the byte limit is refused before it is parsed when it holds a DTD or more
node and edge elements than the record limit; values are measured as they are read.
"""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from coalition.domain.errors import InvalidInput, Problem
from coalition.domain.settings import ImportLimits
from coalition.domain.validation import RawMap, RawRow
from coalition.formats.common import ORG_ATTRIBUTES, TIE_ATTRIBUTES, today_text, typed_value, withheld_note, xml_safe
from coalition.formats.files import ReadBudget, atomic_path, has_doctype, read_bytes
from coalition.i18n import _

__all__ = ["read", "write", "parse_xml", "local", "read_movements"]

NS = "http://graphml.graphdrawing.org/xmlns"
TYPES = {"string": "string", "list": "string", "boolean": "boolean", "int": "int"}
GRAPH_ATTRIBUTES = ("audience", "exported", "withheld", "movements")
#: A node or edge start tag (with or without a namespace prefix), counted before parsing.
RECORD_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:node|edge)[\s/>]")


def write(view: dict[str, Any], path: Path) -> list[Path]:
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}graphml")
    for name in GRAPH_ATTRIBUTES:
        _key(root, f"g_{name}", "graph", name, "string")
    _key(root, "n_label", "node", "label", "string")
    for name, kind in ORG_ATTRIBUTES:
        _key(root, f"n_{name}", "node", name, TYPES[kind])
    for name, kind in TIE_ATTRIBUTES:
        _key(root, f"e_{name}", "edge", name, TYPES[kind])
    graph = ET.SubElement(root, f"{{{NS}}}graph", id="coalition", edgedefault="directed")
    movements = [{"id": m["id"], "name": m["name"], "color": m.get("color")} for m in view["movements"]]
    for name, value in (
        ("audience", view["audience"]),
        ("exported", today_text()),
        ("withheld", withheld_note(view)),
        ("movements", json.dumps(movements, ensure_ascii=False)),
    ):
        _data(graph, f"g_{name}", value)
    for org in view["organizations"]:
        node = ET.SubElement(graph, f"{{{NS}}}node", id=xml_safe(org["id"]))
        _data(node, "n_label", org["name"])
        for name, kind in ORG_ATTRIBUTES:
            _data(node, f"n_{name}", typed_value(org.get(name), kind))
    for number, tie in enumerate(view["ties"], start=1):
        edge = ET.SubElement(
            graph, f"{{{NS}}}edge", id=f"t{number}", source=xml_safe(tie["source"]), target=xml_safe(tie["target"])
        )
        for name, kind in TIE_ATTRIBUTES:
            _data(edge, f"e_{name}", typed_value(tie.get(name), kind))
    ET.indent(root)
    with atomic_path(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)
    return [path]


def read(path: Path, limits: ImportLimits | None = None) -> RawMap:
    budget = ReadBudget(limits)
    root = parse_xml(path, "graphml", budget)
    keys: dict[str, tuple[str, str]] = {}
    defaults: dict[str, dict[str, str]] = {"node": {}, "edge": {}, "graph": {}}
    for key in root:
        if local(key.tag) != "key" or not key.get("attr.name"):
            continue
        name = _field(key.get("attr.name", ""))
        keys[key.get("id", "")] = (name, key.get("for", "all"))
        default = next((child.text for child in key if local(child.tag) == "default"), None)
        for kind in ("node", "edge", "graph") if key.get("for", "all") == "all" else (key.get("for"),):
            if default is not None and kind in defaults:
                defaults[kind][name] = default
    graph = next((child for child in root if local(child.tag) == "graph"), None)
    raw = RawMap()
    if graph is None:
        raw.problems.append(Problem(_("no <graph> element"), file=path.name))
        return raw
    about = {**defaults["graph"], **_values(graph, keys)}
    if about.get("movements"):
        read_movements(about["movements"], path.name, raw)
    nodes = edges = 0
    for element in graph:
        tag = local(element.tag)
        if tag == "node":
            nodes += 1
            data = {**defaults["node"], **_values(element, keys)}
            data.setdefault("name", data.get("label", ""))
            data["id"] = element.get("id", "")
            budget.check_record(data, f"{path.name} nodes", nodes)
            raw.organizations.append(RawRow(data, file=f"{path.name} nodes", row=nodes))
        elif tag == "edge":
            edges += 1
            data = {**defaults["edge"], **_values(element, keys)}
            data.update(source=element.get("source", ""), target=element.get("target", ""))
            if not data.get("kind") and data.get("label"):
                data["kind"] = data["label"]
            budget.check_record(data, f"{path.name} edges", edges)
            raw.ties.append(RawRow(data, file=f"{path.name} edges", row=edges))
    return raw


# shared with GEXF -------------------------------------------------------------------
def parse_xml(path: Path, root_tag: str, budget: ReadBudget | None = None) -> ET.Element:
    """The root of an XML file, checked to be ``root_tag``, or one clear error.

    A DTD is refused before parsing (no graph file needs one, and its entities can
    expand a small file into gigabytes); so is a file with more node and edge elements
    than the record limit, counted on the bytes. Python's expat never fetches external
    entities.
    """
    budget = budget or ReadBudget()
    data = read_bytes(path)
    if has_doctype(data):
        # TRANSLATORS: {format} is graphml or gexf
        message = _("holds a DTD (<!DOCTYPE>), which a {format} file never needs; refused for safety")
        raise InvalidInput([Problem(message.format(format=root_tag), file=path.name)])
    limit = budget.limits.max_rows
    held = sum(1 for _tag in itertools.islice(RECORD_TAG.finditer(data), limit + 2))
    if held > limit:
        raise budget.too_many(path.name, held if held == limit + 1 else None)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        line, column = e.position
        message = _("not well-formed XML at line {line} column {column}").format(line=line, column=column)
        raise InvalidInput([Problem(message, file=path.name)]) from e
    if local(root.tag) != root_tag:
        # TRANSLATORS: {format} is graphml or gexf; {element} the name of an XML element
        message = _("not a {format} file (the root element is <{element}>)")
        raise InvalidInput([Problem(message.format(format=root_tag, element=local(root.tag)), file=path.name)])
    return root


def local(tag: Any) -> str:
    """A tag without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# helpers ----------------------------------------------------------------------------
def _key(root: ET.Element, key_id: str, domain: str, name: str, kind: str) -> None:
    ET.SubElement(root, f"{{{NS}}}key", {"id": key_id, "for": domain, "attr.name": name, "attr.type": kind})


def _data(parent: ET.Element, key: str, value: Any) -> None:
    if value is None:
        return
    element = ET.SubElement(parent, f"{{{NS}}}data", key=key)
    element.text = ("true" if value else "false") if isinstance(value, bool) else xml_safe(str(value))


def _values(element: ET.Element, keys: dict[str, tuple[str, str]]) -> dict[str, str]:
    values = {}
    for child in element:
        if local(child.tag) == "data" and child.get("key") in keys:
            values[keys[child.get("key")][0]] = (child.text or "").strip()
    return values


def _field(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def read_movements(text: str, file: str, raw: RawMap) -> None:
    """The movement table a graph file carries as JSON text."""
    try:
        movements = json.loads(text, parse_int=_short_int)
    except (ValueError, RecursionError):
        raw.problems.append(Problem(_("the movement table is not JSON"), file=file, field="movements"))
        return
    if not isinstance(movements, list):
        raw.problems.append(Problem(_("the movement table must be a list"), file=file, field="movements"))
        return
    for number, movement in enumerate(movements, start=1):
        if isinstance(movement, dict):
            raw.movements.append(RawRow(movement, file=f"{file} movements", row=number))
        else:
            raw.problems.append(Problem(_("must be an object"), file=f"{file} movements", row=number))


def _short_int(text: str) -> int:
    if len(text) > 100:
        raise ValueError("a number too long")
    return int(text)
