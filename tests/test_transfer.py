"""Import and export: round trips, re-imports, and bad input that changes nothing."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from coalition.domain.errors import InvalidInput
from coalition.maps.transfer import export_map, import_map, load_demo
from graph.sqlite.store import SQLiteStore
from graph.store import Store

from .conftest import ROOT

ORGS = "id,name,movements\ncasa,Casa Y,migrant\ntenants,Riverside Tenants,housing;migrant\n"
TIES = "source,target,kind,strength\ncasa,tenants,coalition,4\n"


def write_folder(folder: Path, orgs: str = ORGS, ties: str = TIES, **more: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organizations.csv").write_text(orgs, encoding="utf-8")
    (folder / "ties.csv").write_text(ties, encoding="utf-8")
    for name, text in more.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def comparable(store: Store) -> dict:
    """The map without bookkeeping that legitimately differs between two stores."""
    snap = store.snapshot()
    strip = ("created_at", "updated_at")
    return {
        kind: [{k: v for k, v in record.items() if k not in strip} for record in snap[kind]]
        for kind in ("movements", "organizations", "ties", "introductions")
    }


def fresh(tmp_path: Path, name: str) -> Store:
    store = SQLiteStore(tmp_path / f"{name}.db")
    store.init()
    return store


@pytest.mark.parametrize("target", ["map.json", "map_csv", "map.zip"])
def test_demo_round_trips_through_every_format(demo_store: Store, tmp_path: Path, target: str) -> None:
    export_map(demo_store, tmp_path / target, audience="private")
    other = fresh(tmp_path, "other")
    import_map(other, tmp_path / target)
    assert comparable(other) == comparable(demo_store)


def test_reimport_updates_by_id_and_never_duplicates(sqlite_store: Store, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in")
    import_map(sqlite_store, folder)
    write_folder(folder, orgs=ORGS.replace("Casa Y", "Casa Y Renamed"))
    report = import_map(sqlite_store, folder)
    assert (report.new_organizations, report.updated_organizations) == (0, 2)
    assert sqlite_store.counts()["organizations"] == 2
    assert sqlite_store.get_organization("casa")["name"] == "Casa Y Renamed"


def test_utf8_with_bom_and_movements_file(sqlite_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_folder(folder, orgs="id,name,movements\nola,Olá Coletivo,labor\n", ties="source,target\n",
                 movements="id,name,color\nlabor,Labor,#112233\n")  # fmt: skip
    (folder / "organizations.csv").write_bytes(b"\xef\xbb\xbf" + (folder / "organizations.csv").read_bytes())
    import_map(sqlite_store, folder)
    assert sqlite_store.get_organization("ola")["name"] == "Olá Coletivo"


def test_zip_with_files_in_a_subfolder_imports(sqlite_store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "map.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("export/organizations.csv", ORGS)
        z.writestr("export/ties.csv", TIES)
    import_map(sqlite_store, archive)
    assert sqlite_store.counts()["ties"] == 1


def test_csv_export_neutralizes_formulas_and_import_restores_them(sqlite_store: Store, tmp_path: Path) -> None:
    import_map(
        sqlite_store,
        write_folder(
            tmp_path / "in",
            orgs='id,name,movements,notes\na,"=HYPERLINK(""x"")",housing,@SUM(A1)\n',
            ties="source,target\n",
        ),
    )
    export_map(sqlite_store, tmp_path / "out", fmt="csv", audience="private")
    text = (tmp_path / "out" / "organizations.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@SUM" in text
    other = fresh(tmp_path, "other")
    import_map(other, tmp_path / "out")
    assert other.get_organization("a")["name"] == '=HYPERLINK("x")'


def test_exports_for_lower_audiences_leave_out_private_data(demo_store: Store, tmp_path: Path) -> None:
    result = export_map(demo_store, tmp_path / "coalition.json", audience="coalition")
    doc = json.loads((tmp_path / "coalition.json").read_text(encoding="utf-8"))
    text = (tmp_path / "coalition.json").read_text(encoding="utf-8")
    assert "kitchen_table_mutual_aid" not in text and "quiet_hours_support_line" not in text
    assert all(o["contact"] == "" for o in doc["organizations"])
    assert doc["withheld"]["organizations"] == result.withheld["organizations"] == 2
    assert doc["audience"] == "coalition"


BAD_INPUTS = [
    ("missing column", {"orgs": "id,name\na,A\n"}, "organizations.csv, row 1: missing column movements"),
    ("bad value", {"ties": "source,target,strength\ncasa,tenants,9\n"}, "ties.csv, row 2, field strength"),
    (
        "unknown organization",
        {"ties": "source,target\ncasa,nobody\n"},
        "ties.csv, row 2, field target: unknown organization 'nobody'",
    ),
    (
        "unknown movement",
        {"orgs": "id,name,movements\na,A,housng\n"},
        "known: disability, housing, migrant, queer_trans, sex_work",
    ),
    ("duplicate row", {"orgs": ORGS + "casa,Casa Again,migrant\n"}, "organizations.csv, row 4: duplicate of row 2"),
]


@pytest.mark.parametrize("label,files,message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_csv_is_refused_and_the_store_is_unchanged(
    demo_store: Store, tmp_path: Path, label: str, files: dict, message: str
) -> None:
    before = comparable(demo_store)
    folder = write_folder(tmp_path / "bad", orgs=files.get("orgs", ORGS), ties=files.get("ties", TIES))
    with pytest.raises(InvalidInput) as error:
        import_map(demo_store, folder)
    assert message in str(error.value)
    assert comparable(demo_store) == before


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("broken.json", b'{"format": "coalition-map", "version": 1, ', "not valid JSON"),
        ("other.json", b'{"nodes": []}', "not a coalition map"),
        ("picture.png", b"\x89PNG\r\n", "cannot tell the format"),
        ("latin1.json", '{"name": "Olá"}'.encode("latin-1"), "not UTF-8"),
        ("fake.zip", b"not a zip", "not a readable .zip"),
    ],
)
def test_wrong_files_are_refused_clearly(
    sqlite_store: Store, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        import_map(sqlite_store, path)
    assert sqlite_store.is_empty()


def test_dry_run_reports_every_problem_and_writes_nothing(sqlite_store: Store, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "bad", ties="source,target,strength\ncasa,tenants,9\ncasa,nobody,2\n")
    report = import_map(sqlite_store, folder, dry_run=True)
    assert len(report.problems) == 2 and not report.written
    assert sqlite_store.is_empty()


def test_demo_holds_the_planted_structures(sqlite_store: Store) -> None:
    load_demo(sqlite_store)
    snap = sqlite_store.snapshot()
    movements_of = {o["id"]: set(o["movements"]) for o in snap["organizations"]}
    pairs = {frozenset(movements_of[t["source"]] | movements_of[t["target"]]) for t in snap["ties"]}
    assert not any({"disability", "sex_work"} <= pair for pair in pairs)
    assert len(snap["organizations"]) >= 40 and len(snap["ties"]) >= 60
    assert any(t["kind"] == "conflict" for t in snap["ties"])
    assert sum(o["visibility"] == "private" for o in snap["organizations"]) >= 1
    tied = {t["source"] for t in snap["ties"]} | {t["target"] for t in snap["ties"]}
    assert "night_shift_collective" not in tied
    languages = {lang for o in snap["organizations"] for lang in o["languages"]}
    assert {"Spanish", "Tagalog", "Arabic", "ASL"} <= languages
    assert (ROOT / "seeds" / "README.md").exists()


def test_migrate_copies_everything_into_an_empty_store(demo_store: Store, tmp_path: Path) -> None:
    from coalition.maps.transfer import migrate

    demo_store.write_map(
        introductions=[
            {"a": "riverside_tenants_union", "b": "night_shift_collective", "status": "planned", "reasons": ["x"]}
        ]
    )
    other = fresh(tmp_path, "copy")
    copied = migrate(demo_store, other)
    assert copied["organizations"] == 46 and copied["introductions"] == 1
    assert other.snapshot() | {"version": 0} == demo_store.snapshot() | {"version": 0}


def test_migrate_refuses_a_store_that_holds_a_map(demo_store: Store, sqlite_store: Store) -> None:
    from coalition.domain.errors import CoalitionError
    from coalition.maps.transfer import migrate

    with pytest.raises(CoalitionError, match="already holds 46 organizations"):
        migrate(sqlite_store, demo_store)
