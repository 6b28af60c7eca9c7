"""Kumu's spreadsheet layout (.xlsx): an ``Elements`` sheet (ID, Label, Type, Description,
Tags...) and a ``Connections`` sheet (From, To, Type, Direction, Strength...), several
values in one cell separated by ``|`` as Kumu expects. Sheets Kumu must skip carry
"(ignore)" in their name: ``Movements (ignore)`` (the movement table, so custom
movements survive the round trip) and ``About (ignore)`` (audience, date, withheld
note). The fields are those of the Kumu blueprint (``kumu_format``).

Text a spreadsheet would run as a formula is neutralized as in CSV. On import a
``To`` cell naming several elements makes one tie to each; problems name the sheet and
the spreadsheet row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from coalition.domain.settings import ImportLimits
from coalition.domain.validation import RawMap
from coalition.formats.csv_format import cell_value, neutralize, table_rows, unneutralize
from coalition.formats.files import ReadBudget, atomic_path
from coalition.formats.kumu_format import CONNECTION_FIELDS, ELEMENT_FIELDS, LISTS, connection, element, raw_map
from coalition.formats.xlsx_format import (
    about_rows,
    read_workbook,
    sheet_label,
    sheet_rows,
    workbook_title,
    write_sheet,
)

__all__ = ["read", "write", "is_kumu_workbook"]

MOVEMENTS_SHEET = "Movements (ignore)"
ABOUT_SHEET = "About (ignore)"
LIST_COLUMNS = {kumu.lower() for field, kumu in ELEMENT_FIELDS if field in LISTS} | {"to"}


def write(view: dict[str, Any], path: Path) -> list[Path]:
    workbook = Workbook(write_only=True)
    write_sheet(
        workbook,
        "Elements",
        tuple(kumu for _field, kumu in ELEMENT_FIELDS),
        ([_cell(v) for v in element(org).values()] for org in view["organizations"]),
    )
    write_sheet(
        workbook,
        "Connections",
        tuple(kumu for _field, kumu in CONNECTION_FIELDS),
        ([_cell(v) for v in connection(tie).values()] for tie in view["ties"]),
    )
    write_sheet(
        workbook,
        MOVEMENTS_SHEET,
        ("id", "name", "color"),
        ([_cell(m["id"]), _cell(m["name"]), m.get("color") or ""] for m in view["movements"]),
    )
    write_sheet(workbook, ABOUT_SHEET, ("about", ""), about_rows(view))
    workbook.properties.title = workbook_title(view)
    workbook.properties.creator = "Coalition Mapper"
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return [path]


def read(path: Path, limits: ImportLimits | None = None) -> RawMap:
    return read_workbook(path, "Elements", _read_sheets, limits)


def _read_sheets(workbook: Any, names: dict[str, str], path: Path, raw: RawMap, budget: ReadBudget) -> None:
    if MOVEMENTS_SHEET.lower() in names:
        label = sheet_label(path, names[MOVEMENTS_SHEET.lower()])
        header, rows = sheet_rows(workbook[names[MOVEMENTS_SHEET.lower()]], label, budget)
        raw.movements.extend(table_rows(label, header, rows, "movements", raw.problems))
    parts = {}
    for part in ("elements", "connections"):
        if part not in names:
            parts[part] = []
            continue
        header, rows = sheet_rows(workbook[names[part]], sheet_label(path, names[part]), budget)
        header = [str(h or "").strip() for h in header]
        parts[part] = [(number, _record(header, cells)) for number, cells in rows]
    raw_map(
        parts["elements"],
        parts["connections"],
        sheet_label(path, names["elements"]),
        sheet_label(path, names.get("connections", "Connections")),
        raw,
    )


def is_kumu_workbook(sheet_names: list[str]) -> bool:
    """True for a workbook laid out for Kumu (an Elements sheet)."""
    return any(name.strip().lower() == "elements" for name in sheet_names)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "|".join(neutralize(str(v)) for v in value)
    if isinstance(value, bool | int):
        return value
    return neutralize(str(value))


def _record(header: list[str], cells: list[Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, value in zip(header, cells, strict=False):
        if not name:
            continue
        text = cell_value(value)
        if name.strip().lower() in LIST_COLUMNS:
            record[name] = [unneutralize(part.strip()) for part in text.split("|") if part.strip()]
        else:
            record[name] = unneutralize(text)
    return record
