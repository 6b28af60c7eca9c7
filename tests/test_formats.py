"""Every export format: written for an audience, read back by a second reader, and the
import formats round-trip; detection, validation reports, duplicates and progress."""

from __future__ import annotations

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

from coalition.domain.errors import InvalidInput
from coalition.domain.models import Tie
from coalition.domain.privacy import read_view
from coalition.formats import EXPORT_FORMATS, IMPORT_FORMATS, detect
from coalition.formats.cypher_format import script, string_literal
from coalition.maps import services
from coalition.maps.transfer import MAX_DUPLICATES, export_map, import_map
from graph.store import Store

from .test_transfer import comparable, fresh

#: A file name for each format, as a person would type it.
FILE_NAMES = {
    "csv": "map.zip", "xlsx": "map.xlsx", "json": "map.json", "graphml": "map.graphml", "gexf": "map.gexf",
    "kumu": "map.kumu.json", "kumu-xlsx": "map.kumu.xlsx", "cypher": "map.cypher", "html": "map.html",
    "png": "map.png", "svg": "map.svg", "pdf": "brief.pdf",
}  # fmt: skip
PRIVATE_ORG = "kitchen_table_mutual_aid"
PRIVATE_NAME = "Kitchen Table Mutual Aid"
WITHHELD = "withheld (counts only): 2 organizations and 5 ties"


def test_every_format_has_a_file_name_and_is_detected_from_it(tmp_path: Path) -> None:
    assert set(FILE_NAMES) == set(EXPORT_FORMATS)
    assert set(IMPORT_FORMATS) == {"csv", "xlsx", "json", "graphml", "gexf", "kumu", "kumu-xlsx"}
    for fmt, name in FILE_NAMES.items():
        assert detect(tmp_path / name, for_export=True) == fmt


@pytest.mark.parametrize("fmt", sorted(IMPORT_FORMATS))
def test_import_formats_round_trip_the_private_map(demo_store: Store, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / FILE_NAMES[fmt]
    export_map(demo_store, path, audience="private")
    assert detect(path) == fmt  # told apart by content where endings are shared
    other = fresh(tmp_path, "other")
    report = import_map(other, path)
    assert report.written and report.problems == [] and report.duplicates == []
    assert comparable(other) == comparable(demo_store)


def test_a_custom_movement_survives_every_round_trip(demo_store: Store, tmp_path: Path) -> None:
    demo_store.write_map(
        movements=[{"id": "labor", "name": 'Labor & "workers" <power>', "color": "#112233"}],
        organizations=[{**demo_store.get_organization("riverside_tenants_union"), "movements": ["housing", "labor"]}],
    )
    for fmt in sorted(IMPORT_FORMATS):
        path = tmp_path / fmt / FILE_NAMES[fmt]
        export_map(demo_store, path, fmt=fmt, audience="private")
        other = fresh(tmp_path / fmt, "other")
        import_map(other, path, fmt=fmt)
        assert without_versions(other) == without_versions(demo_store), fmt  # edits count versions, files do not


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_every_export_for_the_coalition_leaves_out_private_groups_and_says_so(
    demo_store: Store, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / FILE_NAMES[fmt]
    result = export_map(demo_store, path, audience="coalition")
    assert result.paths == [path] and result.withheld["organizations"] == 2
    text = readable_text(path)
    assert PRIVATE_ORG not in text and PRIVATE_NAME not in text
    assert "signal: +1-555" not in text and "@example.org" not in text  # contacts are private
    if fmt == "json":
        assert json.loads(text)["withheld"] == {"organizations": 2, "ties": 5, "introductions": 0}
    elif fmt != "png":  # PNG text is pixels; its legend holds the note (checked below)
        assert WITHHELD in re.sub(r"\s+", " ", text), fmt


def test_graphml_is_typed_and_read_by_networkx(demo_store: Store, tmp_path: Path) -> None:
    export_map(demo_store, tmp_path / "map.graphml", audience="private")
    G = nx.read_graphml(tmp_path / "map.graphml")
    node = G.nodes["riverside_tenants_union"]
    assert node["name"] == node["label"] == "Riverside Tenants Union"
    assert node["community_led"] is True and node["intro_capacity_per_month"] == 4
    assert node["languages"] == "English;Spanish"
    strengths = [d["strength"] for _, _, d in G.edges(data=True)]
    assert all(isinstance(s, int) for s in strengths) and G.number_of_edges() == 82
    assert G.graph["audience"] == "private" and "nothing was withheld" in G.graph["withheld"]
    assert {m["id"] for m in json.loads(G.graph["movements"])} >= {"housing", "sex_work"}


def test_gexf_is_typed_and_read_by_networkx(demo_store: Store, tmp_path: Path) -> None:
    export_map(demo_store, tmp_path / "map.gexf", audience="coalition")
    G = nx.read_gexf(tmp_path / "map.gexf")
    node = G.nodes["riverside_tenants_union"]
    assert node["label"] == "Riverside Tenants Union" and node["community_led"] is True
    assert node["intro_capacity_per_month"] == 4 and node["contact"] == ""
    assert {d["strength"] for _, _, d in G.edges(data=True)} <= {1, 2, 3, 4, 5}
    assert "viz" in node and G.number_of_nodes() == 44
    meta = ET.parse(tmp_path / "map.gexf").getroot()[0]
    assert "Coalition only" in "".join(meta.itertext())


def test_xlsx_has_the_import_sheets_an_about_sheet_and_no_formula(demo_store: Store, tmp_path: Path) -> None:
    demo_store.write_map(organizations=[{**demo_store.get_organization("riverside_tenants_union"), "notes": "=1+1"}])
    export_map(demo_store, tmp_path / "map.xlsx", audience="coalition")
    book = openpyxl.load_workbook(tmp_path / "map.xlsx")
    assert book.sheetnames == ["organizations", "ties", "movements", "about"]
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert "'=1+1" in [c.value for c in cells]
    about = dict(book["about"].iter_rows(values_only=True))
    assert about["audience"] == "coalition" and about["note"] == "Coalition only \u2014 do not forward"
    assert isinstance(book["ties"]["D2"].value, int)  # strength is a number


def test_kumu_blueprint_has_elements_and_connections(demo_store: Store, tmp_path: Path) -> None:
    export_map(demo_store, tmp_path / "map.kumu.json", audience="public")
    doc = json.loads((tmp_path / "map.kumu.json").read_text(encoding="utf-8"))
    ids = {e["id"] for e in doc["elements"]}
    assert ids and all(c["from"] in ids and c["to"] in ids for c in doc["connections"])
    assert all(c["id"].startswith("tie:") and c["direction"] == "directed" for c in doc["connections"])
    riverside = next(e for e in doc["elements"] if e["id"] == "riverside_tenants_union")
    assert riverside["label"] == "Riverside Tenants Union" and riverside["type"] == "union"
    assert riverside["Movements"] == ["housing"] and riverside["Contact"] == ""
    assert doc["about"]["audience"] == "public"


def test_a_kumu_spreadsheet_made_by_hand_imports(sqlite_store: Store, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    elements = book.active
    elements.title = "Elements"
    elements.append(["Label", "Type", "Tags", "Movements", "Community-led"])
    elements.append(["Casa Esperanza", "Organization", "wage_theft|housing_rights", "migrant|housing", "yes"])
    elements.append(["Tenant Power", "union", "", "housing", "no"])
    elements.append(["Trans Legal Aid", "legal", "", "queer_trans", ""])
    connections = book.create_sheet("Connections")
    connections.append(["From", "To", "Type", "Strength"])
    connections.append(["Casa Esperanza", "Tenant Power|Trans Legal Aid", "joint_campaign", 4])
    book.create_sheet("Notes (ignore)").append(["anything"])
    book.save(tmp_path / "kumu.xlsx")
    assert detect(tmp_path / "kumu.xlsx") == "kumu-xlsx"
    report = import_map(sqlite_store, tmp_path / "kumu.xlsx")
    assert report.counts["organizations"] == 3 and report.counts["ties"] == 2
    casa = sqlite_store.get_organization("casa_esperanza")
    assert casa["movements"] == ["migrant", "housing"] and casa["community_led"] is True
    assert casa["issues"] == ["wage_theft", "housing_rights"] and casa["kind"] == "collective"


def test_a_kumu_blueprint_made_elsewhere_imports_by_label(sqlite_store: Store, tmp_path: Path) -> None:
    doc = {
        "elements": [{"label": "Night Owls", "Movements": "sex_work"}, {"label": "Day Crew", "Movements": ["housing"]}],
        "connections": [{"from": "Night Owls", "to": "Day Crew", "type": "referral"}],
    }
    (tmp_path / "blueprint.json").write_text(json.dumps(doc), encoding="utf-8")
    assert detect(tmp_path / "blueprint.json") == "kumu"
    import_map(sqlite_store, tmp_path / "blueprint.json")
    tie = sqlite_store.snapshot()["ties"][0]
    assert (tie["source"], tie["target"], tie["kind"]) == ("night_owls", "day_crew", "referral")


def test_graph_files_are_told_apart_by_content(demo_store: Store, tmp_path: Path) -> None:
    export_map(demo_store, tmp_path / "a.graphml", audience="private")
    export_map(demo_store, tmp_path / "b.gexf", audience="private")
    (tmp_path / "a.xml").write_bytes((tmp_path / "a.graphml").read_bytes())
    (tmp_path / "b.xml").write_bytes((tmp_path / "b.gexf").read_bytes())
    assert (detect(tmp_path / "a.xml"), detect(tmp_path / "b.xml")) == ("graphml", "gexf")
    with pytest.raises(InvalidInput, match="pdf is an export format only"):
        (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
        import_map(demo_store, tmp_path / "x.pdf")


def test_xlsx_problems_name_the_sheet_row_and_field_and_a_dry_run_writes_nothing(
    sqlite_store: Store, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    orgs = book.active
    orgs.title = "organizations"
    orgs.append(["id", "name", "movements"])
    orgs.append(["a", "A", "housing"])
    orgs.append(["b", "B", "nowhere"])
    ties = book.create_sheet("ties")
    ties.append(["source", "target", "strength"])
    ties.append(["a", "a", 3])
    ties.append(["a", "nobody", 9])
    book.save(tmp_path / "bad.xlsx")
    report = import_map(sqlite_store, tmp_path / "bad.xlsx", dry_run=True)
    messages = [str(p) for p in report.problems]
    assert any(m.startswith("bad.xlsx sheet organizations, row 3, field movements: unknown movement") for m in messages)
    assert any(m.startswith("bad.xlsx sheet ties, row 2") for m in messages)
    assert any(m.startswith("bad.xlsx sheet ties, row 3, field strength") for m in messages)
    assert sqlite_store.is_empty()
    with pytest.raises(InvalidInput):
        import_map(sqlite_store, tmp_path / "bad.xlsx")
    assert sqlite_store.is_empty()


def test_graphml_problems_name_the_node_and_broken_xml_is_refused(sqlite_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bad.graphml"
    path.write_text(
        '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="m" for="node" attr.name="movements" attr.type="string"/>'
        '<key id="l" for="node" attr.name="label" attr.type="string"/><graph edgedefault="undirected">'
        '<node id="a"><data key="m">housing</data><data key="l">A</data></node>'
        '<node id="b"><data key="m">unknown</data><data key="l">B</data></node>'
        '<edge source="a" target="c"/></graph></graphml>',
        encoding="utf-8",
    )
    messages = [str(p) for p in import_map(sqlite_store, path, dry_run=True).problems]
    assert messages[0].startswith("bad.graphml nodes, row 2, field movements: unknown movement 'unknown'")
    assert messages[1] == "bad.graphml edges, row 1, field target: unknown organization 'c'"
    path.write_text("<graphml><graph>", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not well-formed XML at line 1"):
        import_map(sqlite_store, path)


def test_near_duplicate_names_are_flagged_with_a_merge_suggestion(sqlite_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "first"
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name,movements\ncasa_migrante,Casa Migrante,migrant\n")
    import_map(sqlite_store, folder)
    (folder / "organizations.csv").write_text(
        "id,name,movements\ncasa_migrante_sf,Casa Migrante SF,migrant\n"
        "night_shift,Night Shift Collective,sex_work\nnight_shift_sf,Night Shift Collective (SF),sex_work\n"
        "tenants,Riverside Tenants Union,housing\ncouncil,Riverside Tenants Council,housing\n"
        "local21,SEIU Local 21,housing\nlocal22,SEIU Local 22,housing\n"
    )
    report = import_map(sqlite_store, folder, dry_run=True)
    pairs = {(d["id"], d["similar_id"], d["in"]) for d in report.duplicates}
    assert ("casa_migrante_sf", "casa_migrante", "map") in pairs
    assert {("night_shift", "night_shift_sf", "file"), ("night_shift_sf", "night_shift", "file")} & pairs
    assert not any(
        {d["id"], d["similar_id"]} in ({"tenants", "council"}, {"local21", "local22"}) for d in report.duplicates
    )
    casa = next(d for d in report.duplicates if d["id"] == "casa_migrante_sf")
    assert "use the id casa_migrante" in casa["suggestion"] and casa["where"] == "organizations.csv, row 2"
    assert not report.problems  # a warning, not a problem


def test_duplicates_are_capped(sqlite_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    rows = "".join(f"g{i},Tenant group of building {i % 60} in the north,housing\n" for i in range(300))
    (folder / "organizations.csv").write_text("id,name,movements\n" + rows)
    report = import_map(sqlite_store, folder, dry_run=True)
    assert len(report.duplicates) == MAX_DUPLICATES


def test_progress_is_reported_until_the_import_is_written(sqlite_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    rows = "".join(f"g{i},Group {i},housing\n" for i in range(1200))
    (folder / "organizations.csv").write_text("id,name,movements\n" + rows)
    calls: list[tuple[int, int]] = []
    import_map(sqlite_store, folder, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 1201) and calls[-1] == (1201, 1201)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls) and len(calls) >= 4


def test_the_pdf_brief_has_audience_and_date_on_every_page(demo_store: Store, tmp_path: Path) -> None:
    export_map(demo_store, tmp_path / "brief.pdf", audience="coalition")
    reader = PdfReader(tmp_path / "brief.pdf")
    assert len(reader.pages) >= 2
    for page in reader.pages:
        text = page.extract_text()
        assert "COALITION ONLY \u2014 DO NOT FORWARD" in text and re.search(r"\d{4}-\d{2}-\d{2}", text)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("Movement gap matrix", "Single points of failure", "Introductions to make",
                    "Needs another member could meet", "What this brief leaves out"):  # fmt: skip
        assert heading in text
    assert "Open Door Housing Co-op steps back" in text and "knows both" in text
    assert reader.metadata.title == "Coalition planning brief (coalition audience)"


def test_the_brief_counts_ties_in_the_overviews_words(demo_store: Store, tmp_path: Path) -> None:
    """The brief, the Overview and the Gaps page give one sentence for how the ties divide
    (the issue saw 77 ties on the Overview, 71 on Gaps and 72 in the brief)."""
    export_map(demo_store, tmp_path / "brief.pdf", audience="coalition")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(tmp_path / "brief.pdf").pages).split())
    figures = services.view_stats(read_view(demo_store, "coalition"))
    sentence = services.ties_in_words(figures["working_ties"], figures["conflict_ties"], figures["ended_ties"])
    assert sentence in text and sentence.startswith(f"{figures['ties']} ties:")


def test_images_have_a_legend_with_the_note_and_metadata_without_data(demo_store: Store, tmp_path: Path) -> None:
    export_map(demo_store, tmp_path / "map.png", audience="coalition")
    export_map(demo_store, tmp_path / "map.svg", audience="coalition")
    with Image.open(tmp_path / "map.png") as image:
        assert image.format == "PNG" and image.width > 1000
        assert image.info == {"Title": "Coalition map (coalition audience)", "dpi": image.info["dpi"]}
    svg = ET.parse(tmp_path / "map.svg").getroot()
    text = " ".join(t for t in svg.itertext() if t.strip())
    assert "Coalition only \u2014 do not forward" in text and "Riverside Tenants Union" in text
    assert "diamond: community-led" in text and "2 organizations" in text


def test_the_html_map_names_audience_and_date_and_loads_nothing(demo_store: Store, tmp_path: Path) -> None:
    export_map(demo_store, tmp_path / "map.html", audience="public")
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "Public: may be shared" in page and re.search(r"\d{4}-\d{2}-\d{2}", page)
    assert "<table" in page and "Riverside Tenants Union" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)


def test_the_cypher_script_is_literal_one_statement_a_line(demo_store: Store) -> None:
    text = script(read_view(demo_store, "private"))
    statements = [line for line in text.splitlines() if line and not line.startswith("//")]
    assert all(line.endswith(";") for line in statements)
    assert "$" not in strip_strings(text)  # no parameters
    assert any("MERGE (o:Organization {id: row.id})" in s for s in statements)
    assert string_literal("it's a \\ test\n\u202e") == "'it\\'s a \\\\ test\\n\\u202E'"


def test_the_cypher_script_recreates_the_map_in_neo4j(demo_store: Store, neo4j_store: Store) -> None:
    run_script(neo4j_store, script(read_view(demo_store, "private")))
    assert comparable(neo4j_store) == comparable(demo_store)
    run_script(neo4j_store, script(read_view(demo_store, "private")))  # MERGE: a second run changes nothing
    assert neo4j_store.counts()["organizations"] == 46


def test_an_anonymized_export_keeps_stand_ins_and_their_ties_only(demo_store: Store, tmp_path: Path) -> None:
    demo_store.write_map(
        ties=[
            Tie(source="quiet_hours_support_line", target="lantern_sex_workers_alliance", kind="referral",
                strength=5, visibility="coalition", notes="meets at the back door").to_record()
        ]
    )  # fmt: skip
    result = export_map(demo_store, tmp_path / "anon.json", audience="coalition", anonymize=True)
    doc = json.loads((tmp_path / "anon.json").read_text(encoding="utf-8"))
    stand_ins = [o for o in doc["organizations"] if o["id"].startswith("hidden-")]
    assert len(stand_ins) == 2 == result.anonymized["organizations"]
    for org in stand_ins:
        assert re.fullmatch(r"an? (community-led )?[a-z_]+ group \(hidden-\d\)", org["name"])
        assert org["region"] == org["contact"] == org["notes"] == "" and org["consent_to_introductions"] is False
    assert PRIVATE_ORG not in json.dumps(doc) and PRIVATE_NAME not in json.dumps(doc)
    neutral = [t for t in doc["ties"] if t["source"].startswith("hidden-") or t["target"].startswith("hidden-")]
    assert len(neutral) == 1 == result.anonymized["ties"]
    assert neutral[0]["kind"] == "coalition" and neutral[0]["strength"] == 3 and neutral[0]["notes"] == ""
    assert neutral[0]["target"] == "lantern_sex_workers_alliance" and "back door" not in json.dumps(doc)
    assert doc["anonymized"] == result.anonymized and doc["withheld"]["organizations"] == 2
    other = fresh(tmp_path, "anon")
    import_map(other, tmp_path / "anon.json")  # an anonymized map is still a valid map
    assert other.counts()["organizations"] == 46


# helpers ----------------------------------------------------------------------------
def without_versions(store: Store) -> dict:
    return {
        kind: [{k: v for k, v in r.items() if k != "version"} for r in rows] for kind, rows in comparable(store).items()
    }


def readable_text(path: Path) -> str:
    """Everything a person or a program could read out of an export, as one text."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        reader = PdfReader(path)
        meta = " ".join(str(v) for v in (reader.metadata or {}).values())
        return meta + "\n".join(page.extract_text() for page in reader.pages)
    if path.suffix == ".svg":
        return " ".join(ET.parse(path).getroot().itertext()) + data.decode("utf-8")
    if path.suffix == ".png":
        with Image.open(path) as image:
            return " ".join(f"{k} {v}" for k, v in image.info.items())
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return " ".join(archive.namelist()) + "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return data.decode("utf-8")


def strip_strings(text: str) -> str:
    """Cypher text with every string literal removed (an escape never ends one)."""
    return re.sub(r"'(?:[^'\\]|\\.)*'", "''", text)


def run_script(store: Store, text: str) -> None:
    for line in text.splitlines():
        if line and not line.startswith("//"):
            store.driver.execute_query(line.removesuffix(";"))


def test_the_brief_lists_planned_introductions_with_notes_and_the_gap_each_suggestion_closes(
    demo_store: Store, tmp_path: Path
) -> None:
    from coalition.maps.tracking import set_introduction_status

    set_introduction_status(
        demo_store, "hillside_legal_clinic", "night_shift_collective", "planned", note="call on Tuesday after 6"
    )
    export_map(demo_store, tmp_path / "brief.pdf", audience="coalition")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(tmp_path / "brief.pdf").pages).split())
    assert "Introductions planned" in text and "call on Tuesday after 6" in text
    assert "closes the gap between Disability rights and Sex worker rights" in text
