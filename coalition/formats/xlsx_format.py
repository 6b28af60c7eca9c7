"""XLSX: sheets ``organizations``, ``ties`` and ``movements`` with the CSV columns, plus an
``about`` sheet (audience, date, what was withheld) that import ignores.

Cells are what CSV holds, typed where a spreadsheet helps (numbers and true/false).
Text a spreadsheet would run as a formula is neutralized exactly as in CSV (a leading
apostrophe, removed again on import) and every text cell is written as a string, never
as a formula. Problems name the file, the sheet and the spreadsheet row.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from coalition.domain.errors import InvalidInput, Problem
from coalition.domain.validation import RawMap
from coalition.formats.common import banner, today_text, withheld_note, xml_safe
from coalition.formats.csv_format import COLUMNS, cell_text, table_rows
from coalition.formats.files import atomic_path

__all__ = ["read", "write", "write_sheet", "sheet_rows", "open_workbook", "read_workbook", "about_rows"]

SHEETS = ("organizations", "ties", "movements")
TYPED = {"strength": int, "intro_capacity_per_month": int, "community_led": bool, "consent_to_introductions": bool}
MAX_CELL = 32_767  # Excel's limit on the characters in a cell


def write(view: dict[str, Any], path: Path) -> list[Path]:
    workbook = Workbook(write_only=True)
    for kind in SHEETS:
        columns = COLUMNS[kind]
        write_sheet(workbook, kind, columns, ([_cell(column, r.get(column)) for column in columns] for r in view[kind]))
    write_sheet(workbook, "about", ("about", ""), about_rows(view))
    _properties(workbook, view)
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return [path]


def read(path: Path) -> RawMap:
    return read_workbook(path, "organizations", _read_sheets)


def _read_sheets(workbook: Any, names: dict[str, str], path: Path, raw: RawMap) -> None:
    for kind in ("movements", "organizations", "ties"):
        if kind in names:
            header, rows = sheet_rows(workbook[names[kind]])
            label = f"{path.name} sheet {names[kind]}"
            getattr(raw, kind).extend(table_rows(label, header, rows, kind, raw.problems))


# shared with the Kumu spreadsheet ---------------------------------------------------
def read_workbook(
    path: Path, required: str, read_sheets: Callable[[Any, dict[str, str], Path, RawMap], None]
) -> RawMap:
    """Open ``path`` and let ``read_sheets(workbook, names, path, raw)`` fill a map from
    it, ``names`` mapping lower-case sheet names to the workbook's own. A workbook
    without the ``required`` sheet is one problem, named with the sheets it has."""
    workbook = open_workbook(path)
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        raw = RawMap()
        if required.lower() not in names:
            found = ", ".join(workbook.sheetnames)
            raw.problems.append(Problem(f"no sheet named {required} (found: {found})", file=path.name))
            return raw
        read_sheets(workbook, names, path, raw)
        return raw
    finally:
        workbook.close()


def open_workbook(path: Path) -> Any:
    """An .xlsx opened for reading values only, or one clear error."""
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as e:
        raise InvalidInput([Problem("no such file", file=str(path))]) from e
    except (InvalidFileException, OSError, KeyError, ValueError) as e:
        raise InvalidInput([Problem("not a readable .xlsx workbook", file=path.name)]) from e
    except Exception as e:  # zipfile.BadZipFile and openpyxl's parse errors
        raise InvalidInput([Problem(f"not a readable .xlsx workbook ({type(e).__name__})", file=path.name)]) from e


def sheet_rows(sheet: Any) -> tuple[list[Any], Any]:
    """The header and an iterator of ``(row number, cells)`` of a read-only sheet."""
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows, None) or [])
    return header, ((number, list(cells)) for number, cells in enumerate(rows, start=2))


def write_sheet(workbook: Workbook, title: str, header: tuple[str, ...], rows: Any) -> None:
    """A sheet with a bold header row; strings are always stored as text, never formulas."""
    sheet = workbook.create_sheet(title)
    sheet.append([_bold(sheet, name) for name in header])
    for row in rows:
        sheet.append([_string(sheet, value) if isinstance(value, str) else value for value in row])


def about_rows(view: dict[str, Any]) -> list[list[str]]:
    """The about sheet: counts and fixed words only."""
    return [
        ["audience", view["audience"]],
        ["exported", today_text()],
        ["note", banner(view["audience"])],
        ["withheld", withheld_note(view)],
        ["organizations", str(len(view["organizations"]))],
        ["ties", str(len(view["ties"]))],
    ]


# helpers ----------------------------------------------------------------------------
def _cell(column: str, value: Any) -> Any:
    if column in TYPED and value not in (None, ""):
        return TYPED[column](value)
    return cell_text(value)


def _string(sheet: Any, value: str) -> Any:
    cell = WriteOnlyCell(sheet, value=xml_safe(ILLEGAL_CHARACTERS_RE.sub("", value))[:MAX_CELL])
    cell.data_type = "s"  # text, even if it looks like a formula or a number
    return cell


def _bold(sheet: Any, value: str) -> Any:
    cell = _string(sheet, value)
    cell.font = Font(bold=True)
    return cell


def _properties(workbook: Workbook, view: dict[str, Any]) -> None:
    props = workbook.properties
    props.title = f"Coalition map ({view['audience']} audience)"
    props.subject = banner(view["audience"])
    props.description = withheld_note(view)
    props.creator = "Coalition Mapper"
    props.lastModifiedBy = None
    props.keywords = None
