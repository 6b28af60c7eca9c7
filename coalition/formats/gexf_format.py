"""GEXF 1.3, Gephi's own format: organizations are nodes, ties directed edges.

Typed attributes as in GraphML (``integer``, ``boolean``, ``string``; lists joined with
``;``); edges carry the tie kind as ``label`` and the strength as ``weight``; nodes are
coloured by their first movement (``viz:color``). ``<meta>`` holds the creator, the date,
a ``description`` with the audience and the note of what was withheld (counts only),
and ``keywords`` with the movement table as JSON text so that custom movements survive
the round trip. XML 1.0's forbidden characters are removed; ElementTree escapes the
rest (newlines in attribute values become ``&#10;`` and survive).

Import reads any GEXF 1.x: attributes by their ``title`` (the node ``label`` is the
name when there is no ``name`` attribute); problems name the n-th node or edge.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from coalition.domain.errors import Problem
from coalition.domain.settings import ImportLimits
from coalition.domain.validation import RawMap, RawRow
from coalition.formats.common import (
    ORG_ATTRIBUTES,
    TIE_ATTRIBUTES,
    banner,
    today_text,
    typed_value,
    withheld_note,
    xml_safe,
)
from coalition.formats.files import ReadBudget, atomic_path
from coalition.formats.graphml_format import local, parse_xml, read_movements
from coalition.i18n import _

__all__ = ["read", "write"]

NS = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
TYPES = {"string": "string", "list": "string", "boolean": "boolean", "int": "integer"}
MOVEMENTS_PREFIX = "coalition-map movements: "


def write(view: dict[str, Any], path: Path) -> list[Path]:
    ET.register_namespace("", NS)
    ET.register_namespace("viz", VIZ)
    root = ET.Element(f"{{{NS}}}gexf", version="1.3")
    meta = ET.SubElement(root, f"{{{NS}}}meta", lastmodifieddate=today_text())
    ET.SubElement(meta, f"{{{NS}}}creator").text = "Coalition Mapper"
    # TRANSLATORS: {audience} is public, coalition or private, as stored
    title = _("Coalition map for the {audience} audience.").format(audience=view["audience"])
    description = f"{title} {banner(view['audience'])}. {withheld_note(view)}"
    ET.SubElement(meta, f"{{{NS}}}description").text = description
    movements = [{"id": m["id"], "name": m["name"], "color": m.get("color")} for m in view["movements"]]
    ET.SubElement(meta, f"{{{NS}}}keywords").text = MOVEMENTS_PREFIX + xml_safe(json.dumps(movements))
    graph = ET.SubElement(root, f"{{{NS}}}graph", defaultedgetype="directed", mode="static")
    for domain, attributes in (("node", ORG_ATTRIBUTES), ("edge", TIE_ATTRIBUTES)):
        declared = ET.SubElement(graph, f"{{{NS}}}attributes", {"class": domain, "mode": "static"})
        for name, kind in attributes:
            ET.SubElement(declared, f"{{{NS}}}attribute", id=name, title=name, type=TYPES[kind])
    colours = {m["id"]: m.get("color") or "#777777" for m in view["movements"]}
    nodes = ET.SubElement(graph, f"{{{NS}}}nodes")
    for org in view["organizations"]:
        node = ET.SubElement(nodes, f"{{{NS}}}node", id=xml_safe(org["id"]), label=xml_safe(org["name"]))
        _attvalues(node, org, ORG_ATTRIBUTES)
        colour = colours.get((org.get("movements") or [""])[0], "#777777")
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        ET.SubElement(node, f"{{{VIZ}}}color", r=str(red), g=str(green), b=str(blue))
    edges = ET.SubElement(graph, f"{{{NS}}}edges")
    for number, tie in enumerate(view["ties"], start=1):
        edge = ET.SubElement(
            edges,
            f"{{{NS}}}edge",
            id=f"t{number}",
            source=xml_safe(tie["source"]),
            target=xml_safe(tie["target"]),
            label=tie["kind"],
            weight=str(int(tie.get("strength") or 3)),
        )
        _attvalues(edge, tie, TIE_ATTRIBUTES)
    ET.indent(root)
    with atomic_path(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)
    return [path]


def read(path: Path, limits: ImportLimits | None = None) -> RawMap:
    budget = ReadBudget(limits)
    root = parse_xml(path, "gexf", budget)
    raw = RawMap()
    meta = next((child for child in root if local(child.tag) == "meta"), None)
    keywords = next((c.text or "" for c in meta if local(c.tag) == "keywords"), "") if meta is not None else ""
    if keywords.startswith(MOVEMENTS_PREFIX):
        read_movements(keywords.removeprefix(MOVEMENTS_PREFIX), path.name, raw)
    graph = next((child for child in root if local(child.tag) == "graph"), None)
    if graph is None:
        raw.problems.append(Problem(_("no <graph> element"), file=path.name))
        return raw
    titles: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    defaults: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for declared in graph:
        if local(declared.tag) != "attributes" or declared.get("class") not in titles:
            continue
        domain = declared.get("class")
        for attribute in declared:
            name = (attribute.get("title") or attribute.get("id") or "").strip().lower().replace(" ", "_")
            titles[domain][attribute.get("id", "")] = name
            default = next((c.text for c in attribute if local(c.tag) == "default"), None)
            if default is not None:
                defaults[domain][name] = default
    for part in graph:
        if local(part.tag) == "nodes":
            for number, node in enumerate((n for n in part if local(n.tag) == "node"), start=1):
                data = {**defaults["node"], **_values(node, titles["node"])}
                data.setdefault("name", node.get("label", ""))
                data["id"] = node.get("id", "")
                budget.check_record(data, f"{path.name} nodes", number)
                raw.organizations.append(RawRow(data, file=f"{path.name} nodes", row=number))
        elif local(part.tag) == "edges":
            for number, edge in enumerate((e for e in part if local(e.tag) == "edge"), start=1):
                data = {**defaults["edge"], **_values(edge, titles["edge"])}
                data.update(source=edge.get("source", ""), target=edge.get("target", ""))
                if not data.get("kind") and edge.get("label"):
                    data["kind"] = edge.get("label")
                budget.check_record(data, f"{path.name} edges", number)
                raw.ties.append(RawRow(data, file=f"{path.name} edges", row=number))
    return raw


def _attvalues(element: ET.Element, record: dict[str, Any], attributes: tuple[tuple[str, str], ...]) -> None:
    values = ET.SubElement(element, f"{{{NS}}}attvalues")
    for name, kind in attributes:
        value = typed_value(record.get(name), kind)
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else xml_safe(str(value))
        ET.SubElement(values, f"{{{NS}}}attvalue", {"for": name, "value": text})


def _values(element: ET.Element, titles: dict[str, str]) -> dict[str, str]:
    values = {}
    for child in element:
        if local(child.tag) != "attvalues":
            continue
        for value in child:
            if local(value.tag) == "attvalue" and value.get("for") in titles:
                values[titles[value.get("for")]] = (value.get("value") or "").strip()
    return values
