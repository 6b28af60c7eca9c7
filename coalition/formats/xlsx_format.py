"""XLSX: sheets ``organizations``, ``ties`` and ``movements`` with the CSV columns, plus an
``about`` sheet (audience, date, what was withheld) that import ignores.

Cells are what CSV holds, typed where a spreadsheet helps (numbers and true/false).
Text a spreadsheet would run as a formula is neutralized exactly as in CSV (a leading
apostrophe, removed again on import) and every text cell is written as a string, never
as a formula. Problems name the file, the sheet and the spreadsheet row.

Import reads sheets row by row (openpyxl's read-only mode) and counts records as it
goes, stopping at the first past ``ImportLimits.max_rows``; the sheet sizes a file
states are not trusted (no row is padded to them, and no sheet is read past the row
limit, blank rows included). A workbook holding a DTD is refused before it is opened;
anything else openpyxl cannot parse is one problem naming the file, never a traceback.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from coalition.domain.errors import CoalitionError, InvalidInput, Problem
from coalition.domain.settings import ImportLimits
from coalition.domain.validation import RawMap
from coalition.formats.common import banner, today_text, withheld_note, xml_safe
from coalition.formats.csv_format import COLUMNS, cell_text, table_rows
from coalition.formats.files import ReadBudget, atomic_path, stream_has_doctype
from coalition.i18n import _

__all__ = [
    "read", "write", "write_sheet", "sheet_rows", "open_workbook", "read_workbook", "about_rows", "sheet_label",
    "workbook_title",
]  # fmt: skip

SHEETS = ("organizations", "ties", "movements")
TYPED = {"strength": int, "intro_capacity_per_month": int, "community_led": bool, "consent_to_introductions": bool}
MAX_CELL = 32_767  # Excel's limit on the characters in a cell
#: The most columns a header is read across (ours have 17; Kumu's a few more).
MAX_COLUMNS = 1024
#: ``read_sheets(workbook, names, path, raw, budget)`` fills a map from an open workbook.
SheetReader = Callable[[Any, dict[str, str], Path, RawMap, ReadBudget], None]


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


def read(path: Path, limits: ImportLimits | None = None) -> RawMap:
    return read_workbook(path, "organizations", _read_sheets, limits)


def _read_sheets(workbook: Any, names: dict[str, str], path: Path, raw: RawMap, budget: ReadBudget) -> None:
    for kind in ("movements", "organizations", "ties"):
        if kind in names:
            label = sheet_label(path, names[kind])
            header, rows = sheet_rows(workbook[names[kind]], label, budget)
            getattr(raw, kind).extend(table_rows(label, header, rows, kind, raw.problems))


# shared with the Kumu spreadsheet ---------------------------------------------------
def sheet_label(path: Path, sheet: str) -> str:
    """Where a problem of a sheet is: "map.xlsx sheet ties" (the sheet named as in the file)."""
    return _("{file} sheet {sheet}").format(file=path.name, sheet=sheet)


def workbook_title(view: dict[str, Any]) -> str:
    """The title in a workbook's properties."""
    # TRANSLATORS: {audience} is public, coalition or private, as stored
    return _("Coalition map ({audience} audience)").format(audience=view["audience"])


def read_workbook(path: Path, required: str, read_sheets: SheetReader, limits: ImportLimits | None = None) -> RawMap:
    """Open ``path`` and let ``read_sheets(workbook, names, path, raw, budget)`` fill a map
    from it, ``names`` mapping lower-case sheet names to the workbook's own. A workbook
    without the ``required`` sheet is one problem, named with the sheets it has."""
    budget = ReadBudget(limits)
    workbook = open_workbook(path)
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        raw = RawMap()
        if required.lower() not in names:
            found = ", ".join(workbook.sheetnames)
            message = _("no sheet named {sheet} (found: {sheets})").format(sheet=required, sheets=found)
            raw.problems.append(Problem(message, file=path.name))
            return raw
        read_sheets(workbook, names, path, raw, budget)
        return raw
    except CoalitionError:
        raise
    except Exception as e:  # openpyxl's parse errors (ParseError, ValueError, KeyError...) as it streams a sheet
        raise InvalidInput([_unreadable(e, path)]) from e
    finally:
        workbook.close()


def open_workbook(path: Path, formulas: bool = False) -> Any:
    """An .xlsx opened for reading, or one clear error: cells give the values a
    spreadsheet last computed, or with ``formulas`` what was typed (a formula as its
    text, never run). A workbook holding a DTD is refused first."""
    _refuse_doctype(path)
    try:
        return load_workbook(path, read_only=True, data_only=not formulas)
    except FileNotFoundError as e:
        raise InvalidInput([Problem(_("no such file"), file=str(path))]) from e
    except (InvalidFileException, OSError, KeyError, ValueError) as e:
        raise InvalidInput([Problem(_("not a readable .xlsx workbook"), file=path.name)]) from e
    except Exception as e:  # zipfile.BadZipFile and openpyxl's parse errors
        raise InvalidInput([_unreadable(e, path)]) from e


def sheet_rows(sheet: Any, label: str, budget: ReadBudget) -> tuple[list[Any], Iterator[tuple[int, list[Any]]]]:
    """The header and an iterator of ``(row number, cells)`` of a read-only sheet.

    Rows are as wide as the header plus one (so that a row with more cells than columns
    is seen), whatever size the sheet claims; records are counted into ``budget`` and
    their texts measured as they stream."""
    sheet.reset_dimensions()  # a stated size of A1:XFD1048576 must not pad every row
    first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), None)
    header = list(first or [])
    while header and header[-1] is None:
        header.pop()
    rows = sheet.iter_rows(min_row=2, max_col=len(header) + 1, values_only=True)
    return header, _counted_rows(rows, header, label, budget)


def _counted_rows(rows: Any, header: list[Any], label: str, budget: ReadBudget) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in enumerate(rows, start=2):
        if number > budget.limits.max_rows + 1:  # blank rows too: a row numbered 10**9 is a time bomb
            raise budget.too_many(label)
        if any(cell is not None and cell != "" for cell in cells):
            budget.take(label)
            for column, value in enumerate(cells):
                budget.check_cell(value, label, number, str(header[column] or "") if column < len(header) else "")
        yield number, list(cells)


def _refuse_doctype(path: Path) -> None:
    """Refuse a workbook any part of which holds a DTD (a spreadsheet never does)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                with archive.open(info) as member:
                    if stream_has_doctype(member):
                        # TRANSLATORS: {part} is a file inside the workbook: xl/worksheets/sheet1.xml
                        message = _(
                            "{part} holds a DTD (<!DOCTYPE>), which a spreadsheet never has; refused for safety"
                        )
                        raise InvalidInput([Problem(message.format(part=info.filename), file=path.name)])
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as e:
        raise InvalidInput([_unreadable(e, path)]) from e


def _unreadable(error: Exception, path: Path) -> Problem:
    """A workbook the parser refused, named with the kind of error (for whoever reports it)."""
    return Problem(_("not a readable .xlsx workbook ({error})").format(error=type(error).__name__), file=path.name)


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
    props.title = workbook_title(view)
    props.subject = banner(view["audience"])
    props.description = withheld_note(view)
    props.creator = "Coalition Mapper"
    props.lastModifiedBy = None
    props.keywords = None
