"""Import limits hold for every role and interface, while the file streams (issue 12,
findings 2, 5 and 6).

One import path (``transfer.import_map``) serves the CLI, an admin's and an editor's
dashboard: sizes, unpacked sizes, records and cells are checked before or while a file
is read, so memory never grows with a hostile file; and every hostile file is one line
in the CLI (exit 1, store unchanged, no traceback) and one ``InvalidInput`` from the use
case the Import page calls.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from coalition.auth.accounts import User
from coalition.domain.errors import InvalidInput
from coalition.domain.settings import ImportLimits
from coalition.maps import services
from coalition.maps.transfer import import_map
from coalition.ui import actions
from graph.sqlite.store import SQLiteStore
from graph.store import Store

from .conftest import ROOT

EDITOR = User("eda", "editor", "coalition")
ADMIN = User("ana", "admin", "private")
MB = 1024 * 1024


def measured(action: Callable[[], object]) -> tuple[BaseException | None, float, float]:
    """What ``action`` raised, the seconds it took and the most memory (MB) Python
    allocated meanwhile above what it held before."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    start_memory = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    error = None
    try:
        action()
    except BaseException as e:  # noqa: BLE001 - returned for the test to check
        error = e
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] - start_memory
    tracemalloc.stop()
    return error, seconds, peak / MB


# finding 5: records counted while streaming ------------------------------------------------
#: Run in a fresh interpreter, so that its peak memory is the import's own.
MEASURE = """
import json, resource, sys, time
from pathlib import Path
from coalition.maps.transfer import import_map
from graph.sqlite.store import SQLiteStore
store = SQLiteStore(Path(sys.argv[2]))
store.snapshot()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    import_map(store, Path(sys.argv[1]))
    error = None
except Exception as e:
    error = f"{type(e).__name__}: {e}"
seconds = time.perf_counter() - started
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps({"error": error, "seconds": seconds, "grown_mb": grown, "empty": store.is_empty()}))
"""


def test_fifteen_million_rows_are_refused_at_the_limit_in_bounded_memory_and_time(
    sqlite_store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "rows"
    folder.mkdir()
    with (folder / "organizations.csv").open("w", encoding="utf-8") as f:
        f.write("id,name,movements\n")
        for _ in range(15):
            f.write("a\n" * 1_000_000)
    assert (folder / "organizations.csv").stat().st_size == 30_000_018
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(folder), str(tmp_path / "map.db")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    measured_run = json.loads(run.stdout)
    assert measured_run["error"].startswith("InvalidInput: organizations.csv: holds more than 2,000,000 records")
    assert measured_run["grown_mb"] < 300, measured_run  # before: 5.1 GB
    assert measured_run["seconds"] < 20, measured_run  # before: 78 s
    assert measured_run["empty"]


def test_a_record_count_past_the_limit_is_exact_when_the_file_ends_there(sqlite_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "rows"
    folder.mkdir()
    rows = "".join(f"o{i},O{i},housing\n" for i in range(6))
    (folder / "organizations.csv").write_text("id,name,movements\n" + rows, encoding="utf-8")
    with pytest.raises(InvalidInput, match="holds 6 records; the most one import accepts is 5"):
        import_map(sqlite_store, folder, limits=ImportLimits(max_rows=5))
    (folder / "ties.csv").write_text("source,target\no0,o1\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="holds more than 5 records"):
        import_map(sqlite_store, folder, limits=ImportLimits(max_rows=5))


def test_a_spreadsheet_stops_at_the_row_limit_whatever_size_it_claims(sqlite_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("organizations")
    sheet.append(["id", "name", "movements"])
    for i in range(50):
        sheet.append([f"o{i}", f"O{i}", "housing"])
    workbook.save(path)
    with pytest.raises(InvalidInput, match="holds more than 20 records"):
        import_map(sqlite_store, path, limits=ImportLimits(max_rows=20))
    # a single row numbered a billion would make openpyxl yield a billion blank rows
    header = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in ("id", "name", "movements"))
    far = '<row r="1000000000"><c t="inlineStr"><is><t>x</t></is></c></row>'
    gap = _with_part(path, "xl/worksheets/sheet1.xml", _sheet_xml(f'<row r="1">{header}</row>{far}'))
    error, seconds, _ = measured(lambda: import_map(sqlite_store, gap, limits=ImportLimits(max_rows=1000)))
    assert isinstance(error, InvalidInput) and "more than 1,000" in str(error) and seconds < 5
    # a sheet that claims to span every column does not make every row 16,384 cells wide
    wide = _with_part(
        path,
        "xl/worksheets/sheet1.xml",
        _sheet_xml(
            "".join(
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{v}</t></is></c></row>'
                for r, v in ((1, "id"), *((n, f"o{n}") for n in range(2, 3000)))
            ),
            dimension="A1:XFD1048576",
        ),
    )
    error, seconds, peak = measured(lambda: import_map(sqlite_store, wide, dry_run=True))
    assert isinstance(error, InvalidInput) or error is None, error
    assert seconds < 10 and peak < 200
    assert sqlite_store.is_empty()


# finding 2: one import path, so an editor's upload gets every limit -------------------------
def test_an_editors_zip_bomb_is_refused_before_it_is_unpacked(sqlite_store: Store, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("organizations.csv", "id,name,movements\n" + "a\n" * (40 * MB // 2))
    assert bomb.stat().st_size < 200_000
    limits = ImportLimits(max_bytes=5 * MB)
    for user in (EDITOR, ADMIN):
        for dry_run in (True, False):
            error, _, peak = measured(
                lambda u=user, d=dry_run: actions.import_file(u, sqlite_store, bomb, dry_run=d, limits=limits)
            )
            assert isinstance(error, InvalidInput), error
            assert "bomb.zip: is 40 MB; the largest import accepted is 5 MB" in str(error)
            assert peak < 20, f"{user.role}: memory grew by {peak:.0f} MB"
    assert sqlite_store.is_empty()


def test_an_archive_that_lies_about_its_unpacked_size_is_never_unpacked_past_it(
    sqlite_store: Store, tmp_path: Path
) -> None:
    bomb = tmp_path / "liar.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("organizations.csv", "id,name,movements\n" + "a\n" * (40 * MB // 2))
    data = bytearray(bomb.read_bytes())
    _claim_size(data, 1000)  # headers now say the CSV unpacks to 1,000 bytes
    bomb.write_bytes(bytes(data))
    error, _, peak = measured(lambda: actions.import_file(EDITOR, sqlite_store, bomb, dry_run=True))
    assert isinstance(error, InvalidInput), error
    assert peak < 20, f"memory grew by {peak:.0f} MB"
    assert sqlite_store.is_empty()


# finding 6: hostile files are one clear line --------------------------------------------------
def _deep_json(tmp_path: Path) -> Path:
    path = tmp_path / "deep.json"
    nested = "[" * 100_000 + "]" * 100_000
    path.write_text('{"format": "coalition-map", "version": 1, "organizations": [{"notes": ' + nested + "}]}")
    return path


def _deep_kumu(tmp_path: Path) -> Path:
    path = tmp_path / "deep.kumu.json"
    path.write_text('{"elements": [{"label": "A", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}], "
                    '"connections": []}')  # fmt: skip
    return path


def _long_number(tmp_path: Path) -> Path:
    path = tmp_path / "number.json"
    org = '{"id": "casa", "name": "Casa", "movements": ["housing"], "intro_capacity_per_month": ' + "9" * 5000 + "}"
    path.write_text('{"format": "coalition-map", "version": 1, "organizations": [' + org + "]}")
    return path


def _big_csv_cell(tmp_path: Path) -> Path:
    folder = tmp_path / "cell"
    folder.mkdir()
    (folder / "organizations.csv").write_text(
        "id,name,movements,notes\ncasa,Casa,housing,ok\nlucha,Lucha,migrant," + "x" * 200_000 + "\n", encoding="utf-8"
    )
    return folder


def _big_json_cell(tmp_path: Path) -> Path:
    path = tmp_path / "cell.json"
    org = {"id": "casa", "name": "Casa", "movements": ["housing"], "notes": "x" * 200_000}
    path.write_text(json.dumps({"format": "coalition-map", "version": 1, "organizations": [org]}))
    return path


def _workbook(tmp_path: Path) -> Path:
    path = tmp_path / "base.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("organizations")
    sheet.append(["id", "name", "movements"])
    sheet.append(["casa", "Casa", "housing"])
    workbook.save(path)
    return path


def _xlsx_with_dtd(tmp_path: Path) -> Path:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    body = _sheet_xml('<row r="1"><c t="inlineStr"><is><t>&c;</t></is></c></row>').split("?>", 1)[1]
    return _with_part(_workbook(tmp_path), "xl/worksheets/sheet1.xml", laughs + body, "dtd.xlsx")


def _xlsx_broken(tmp_path: Path) -> Path:
    rows = '<row r="1"><c t="inlineStr"><is><t>id</t></is></c></row><row r="2"><c>'
    broken = _sheet_xml(rows, dimension="A1:C3")[:-40]  # the stated size is read on opening, the rows later
    return _with_part(_workbook(tmp_path), "xl/worksheets/sheet1.xml", broken, "broken.xlsx")


def _graphml_with_dtd(tmp_path: Path) -> Path:
    path = tmp_path / "dtd.graphml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE graphml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph><node id="a">&x;</node></graph></graphml>'
    )
    return path


HOSTILE_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "csv cell over 128 KiB": (_big_csv_cell, "organizations.csv, row 3: a cell holds more than 131,072 characters"),
    "json cell over 128 KiB": (_big_json_cell, "cell.json organizations, row 1, field notes: a cell holds 200,000"),
    "json nested 100,000 deep": (_deep_json, "deep.json: not a map: arrays or objects are nested too deeply"),
    "kumu json nested 100,000 deep": (_deep_kumu, "deep.kumu.json: not a map: arrays or objects are nested too"),
    "json integer of 5,000 digits": (_long_number, "number.json: not valid JSON: a number of 5,000 digits"),
    "xlsx sheet with a DTD": (_xlsx_with_dtd, "dtd.xlsx: xl/worksheets/sheet1.xml holds a DTD"),
    "xlsx sheet of broken XML": (_xlsx_broken, "broken.xlsx: not a readable .xlsx workbook"),
    "graphml with a DTD": (_graphml_with_dtd, "dtd.graphml: holds a DTD"),
}


@pytest.fixture
def map_file(tmp_path: Path) -> tuple[SQLiteStore, dict]:
    store = SQLiteStore(tmp_path / "x.db")
    services.init_map(store)
    services.add_organization(store, {"id": "rio", "name": "Rio", "movements": ["sex_work"]})
    return store, store.snapshot()


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_a_hostile_file_is_one_line_in_the_cli_and_changes_nothing(
    kind: str, tmp_path: Path, map_file: tuple[SQLiteStore, dict]
) -> None:
    store, before = map_file
    make, expected = HOSTILE_FILES[kind]
    path = make(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "coalition", "--db", f"sqlite:///{tmp_path / 'x.db'}", "import", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and len(lines) == 1, result.stderr
    assert lines[0].startswith("coalition: error: ") and expected in lines[0], lines[0]
    assert store.snapshot() == before


@pytest.mark.parametrize("kind", HOSTILE_FILES)
@pytest.mark.parametrize("user", [ADMIN, EDITOR], ids=["admin", "editor"])
def test_a_hostile_file_is_one_problem_from_the_use_case_the_import_page_calls(
    kind: str, user: User, tmp_path: Path, map_file: tuple[SQLiteStore, dict]
) -> None:
    store, before = map_file
    make, expected = HOSTILE_FILES[kind]
    with pytest.raises(InvalidInput) as refused:
        actions.import_file(user, store, make(tmp_path), dry_run=True)
    assert len(refused.value.problems) == 1 and expected in str(refused.value)
    assert store.snapshot() == before


# helpers ----------------------------------------------------------------------------------
def _sheet_xml(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{rows}</sheetData></worksheet>"
    )


def _with_part(path: Path, part: str, text: str, name: str | None = None) -> Path:
    """A copy of the workbook with one part replaced."""
    target = path.with_name(name or f"{path.stem}-{abs(hash(text)) % 10**8}.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            copy.writestr(info.filename, text.encode("utf-8") if info.filename == part else source.read(info))
    target.write_bytes(buffer.getvalue())
    return target


def _claim_size(data: bytearray, size: int) -> None:
    """Make an archive's local and central headers claim ``size`` unpacked bytes."""
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, size)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, size)
