"""Hostile names survive every format safely: script tags, spreadsheet formulas, quotes,
newlines, right-to-left overrides, markup of the PDF and template engines, characters
XML forbids and a 10,000-character name.

Two kinds of check: names the model accepts go through a store and back through every
import format unchanged; anything at all, handed straight to each writer, gives a file
that its second reader opens, where formulas are neutralized, markup is text and XML is
well-formed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import networkx as nx
import openpyxl
import pytest
from PIL import Image
from pypdf import PdfReader

from coalition.domain.models import DEFAULT_MOVEMENTS, MAX_NAME, Organization, Tie
from coalition.domain.privacy import read_view
from coalition.formats import FORMATS, IMPORT_FORMATS
from coalition.formats.common import xml_safe
from coalition.formats.cypher_format import script
from coalition.maps.transfer import export_map, import_map
from graph.store import Store

from .test_formats import FILE_NAMES, run_script, strip_strings
from .test_transfer import comparable, fresh

FORMULAS = ("=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3*cmd|' /C calc'!A0", "@SUM(A1:A9)")
HOSTILE = (
    "<script>alert('owned')</script>",
    *FORMULAS,
    'O\'Brien "the" \\ back\\slash; semi',
    "first line\nsecond line",
    "\u202eexe.gnp Right-to-left \u2066isolate\u2069",
    '<img src="/etc/passwd"/> <a href="javascript:x">link</a> <b>bold</b> <font size=40>big</font>',
    "{{ 7*7 }} {% raw %} $x^2$ $\\frac{a}{",
    "]]> </svg> </body> <!-- -->",
    "Colectivo Mujeres \u00e1\u00e9 \u0639\u0645\u0627\u0644 \u5de5\u4eba \U0001f3f3\ufe0f\u200d\u26a7\ufe0f",
)
LONG = "L" * 10_000
# (lone surrogates never reach a writer: the model refuses them, see the last test)
FORBIDDEN = "nul\x00 bell\x07 vt\x0b ff\x0c esc\x1b del\x7f fffe\ufffe ffff\uffff end"
FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def hostile_store(store: Store) -> Store:
    organizations = [
        Organization(id=f"h{n}", name=name[:200], movements=[DEFAULT_MOVEMENTS[n % 5]["id"]], region=name[:200],
                     notes=name, access=name, contact=name, community_led=n % 2 == 0).to_record()
        for n, name in enumerate(HOSTILE)
    ]  # fmt: skip
    ties = [
        Tie(
            source=f"h{n}",
            target=f"h{(n + 1) % len(HOSTILE)}",
            notes=name,
            strength=1 + n % 5,
            provenance=name[:MAX_NAME],
        ).to_record()
        for n, name in enumerate(HOSTILE)
    ]
    store.write_map(organizations=organizations, ties=ties)
    return store


def hostile_view() -> dict:
    """A view no model would let through: what a writer must survive anyway."""
    names = [*HOSTILE, LONG, FORBIDDEN]
    organizations = [
        {"id": f"h{n}", "name": name, "movements": [DEFAULT_MOVEMENTS[n % 5]["id"]], "kind": "collective",
         "community_led": n % 2 == 0, "region": name, "languages": [name, "Spanish"], "issues": [], "offers": [],
         "needs": [], "access": name, "contact": name, "contact_visibility": "private", "visibility": "private",
         "consent_to_introductions": True, "intro_capacity_per_month": 3, "notes": name}
        for n, name in enumerate(names)
    ]  # fmt: skip
    ties = [
        {"source": f"h{n}", "target": f"h{(n + 1) % len(names)}", "kind": "conflict" if n == 3 else "coalition",
         "strength": 1 + n % 5, "since": None, "until": None, "visibility": "private", "notes": name,
         "provenance": name[:MAX_NAME]}
        for n, name in enumerate(names)
    ]  # fmt: skip
    movements = [dict(m) for m in DEFAULT_MOVEMENTS] + [{"id": "odd", "name": HOSTILE[0] + LONG, "color": "#123456"}]
    return {
        "movements": movements, "organizations": organizations, "ties": ties, "introductions": [],
        "audience": "private", "version": 1, "withheld": {"organizations": 0, "ties": 0, "introductions": 0},
        "anonymized": {"organizations": 0, "ties": 0},
    }  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(IMPORT_FORMATS))
def test_hostile_names_round_trip_unchanged(sqlite_store: Store, tmp_path: Path, fmt: str) -> None:
    hostile_store(sqlite_store)
    path = tmp_path / FILE_NAMES[fmt]
    export_map(sqlite_store, path, audience="private")
    other = fresh(tmp_path, "other")
    import_map(other, path)
    assert comparable(other) == comparable(sqlite_store)
    assert other.get_organization("h4")["name"] == HOSTILE[4]  # the right-to-left override is kept in data


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every format written straight from the hostile view."""
    folder = tmp_path_factory.mktemp("hostile")
    view = hostile_view()
    return {fmt: FORMATS[fmt].write(view, folder / FILE_NAMES[fmt])[0] for fmt in FORMATS}


def test_csv_cells_never_start_a_formula(written: dict[str, Path]) -> None:
    with zipfile.ZipFile(written["csv"]) as archive:
        for name in ("organizations.csv", "ties.csv", "movements.csv"):
            cells = [c for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8"))) for c in row]
            assert not [c for c in cells if FORMULA_START.match(c)]
            assert any(c.startswith("'=cmd|") for c in cells) or name != "organizations.csv"


@pytest.mark.parametrize("fmt", ["xlsx", "kumu-xlsx"])
def test_spreadsheet_cells_are_text_never_formulas(written: dict[str, Path], fmt: str) -> None:
    book = openpyxl.load_workbook(written[fmt])
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and FORMULA_START.match(c.value)]
    assert LONG in [c.value for c in cells]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_files_are_well_formed_and_read_back_by_networkx(written: dict[str, Path], fmt: str) -> None:
    G = nx.read_graphml(written[fmt]) if fmt == "graphml" else nx.read_gexf(written[fmt])
    names = {d.get("name") for _, d in G.nodes(data=True)}
    assert set(HOSTILE) | {LONG, xml_safe(FORBIDDEN)} <= names
    assert G.number_of_edges() == len(HOSTILE) + 2


@pytest.mark.parametrize("fmt", ["json", "kumu"])
def test_json_keeps_every_character(written: dict[str, Path], fmt: str) -> None:
    doc = json.loads(written[fmt].read_text(encoding="utf-8"))
    names = {o.get("name", o.get("label")) for o in doc.get("organizations", doc.get("elements", []))}
    assert set(HOSTILE) | {LONG} <= names


def test_cypher_strings_never_end_early(written: dict[str, Path]) -> None:
    text = written["cypher"].read_text(encoding="utf-8")
    code = strip_strings(text)
    assert "'" not in code.replace("''", "")  # every quote opens or closes a literal
    for fragment in ("<script", "alert(", "cmd", "Brien", "passwd", "7*7", "calc", "LLLL", "second line"):
        assert fragment not in code, fragment
    lines = [line for line in text.splitlines() if line and not line.startswith("//")]
    assert all(line.endswith(";") for line in lines)
    assert "\\u202E" in text and "\u202e" not in text


def test_html_shows_names_as_text(written: dict[str, Path]) -> None:
    page = written["html"].read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=" not in page and "<a href=" not in page
    assert page.count("</script>") == 3  # the page's own: data, vis-network, start-up
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in page  # in the table below the map
    assert "{{ 7*7 }}" in page or "{{ 7*7 }}".replace(" ", "") not in page  # no template evaluated it
    assert "49" not in re.findall(r"\b49\b", page.split("<table")[1])


def test_svg_is_well_formed_with_no_script(written: dict[str, Path]) -> None:
    root = ET.parse(written["svg"]).getroot()
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert "script" not in tags and "foreignObject" not in tags
    assert not any(k.lower().startswith("on") for e in root.iter() for k in e.attrib)
    text = " ".join(root.itertext())
    assert "<script>alert('owned')</script>"[:39] in text and "\u202e" not in text
    assert "$x^2$" in text  # drawn literally, not as mathematics


def test_pdf_renders_names_as_text(written: dict[str, Path]) -> None:
    reader = PdfReader(written["pdf"])
    text = " ".join(page.extract_text() for page in reader.pages)
    squeezed = re.sub(r"\s+", "", text)  # lines wrap inside names
    assert "<script>alert('owned')</script>" in squeezed and '<imgsrc="/etc/passwd"/>' in squeezed  # shown, not obeyed
    assert "=cmd|'/Ccalc'!A0" in squeezed and "LLLLLLLLLL" in text and "\u202e" not in text
    assert not any("/JavaScript" in str(page.get_object()) for page in reader.pages)


def test_png_renders(written: dict[str, Path]) -> None:
    with Image.open(written["png"]) as image:
        image.verify()


def test_hostile_names_survive_neo4j_through_the_script(sqlite_store: Store, neo4j_store: Store) -> None:
    hostile_store(sqlite_store)
    run_script(neo4j_store, script(read_view(sqlite_store, "private")))
    assert comparable(neo4j_store) == comparable(sqlite_store)


def test_text_that_no_file_can_hold_is_refused_at_the_edge() -> None:
    with pytest.raises(ValueError, match="unicode"):
        Organization(id="x", name="lone \ud800 surrogate", movements=["housing"])
