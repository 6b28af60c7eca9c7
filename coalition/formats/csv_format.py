"""CSV: ``organizations.csv`` + ``ties.csv`` (+ optional ``movements.csv``), in a folder
or a .zip. List fields are ``;``-separated. The files are what spreadsheets open, so
cells a spreadsheet would run as a formula are neutralized on export with a leading
apostrophe, which import removes again.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from coalition.domain.errors import InvalidInput, Problem
from coalition.domain.validation import RawMap, RawRow
from coalition.formats.common import banner, today_text, withheld_note
from coalition.formats.files import atomic_path, read_text

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "LIST_FIELDS",
    "read",
    "write",
    "neutralize",
    "unneutralize",
    "table_rows",
    "cell_text",
    "cell_value",
]

COLUMNS: dict[str, tuple[str, ...]] = {
    "movements": ("id", "name", "color"),
    "organizations": (
        "id", "name", "movements", "kind", "community_led", "region", "languages", "issues", "offers",
        "needs", "access", "contact", "visibility", "consent_to_introductions", "intro_capacity_per_month",
        "notes", "contact_visibility",
    ),
    "ties": ("source", "target", "kind", "strength", "since", "until", "visibility", "notes"),
}  # fmt: skip
#: Columns that must be present: one of each group.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "movements": (("id", "name"),),
    "organizations": (("id", "name"), ("movements",)),
    "ties": (("source",), ("target",)),
}
LIST_FIELDS = {"movements", "languages", "issues", "offers", "needs"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unneutralize(value: str) -> str:
    """Undo ``neutralize`` so a map survives export then import unchanged."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def read(path: Path) -> RawMap:
    """Read a folder, a .zip, or the organizations.csv inside a folder."""
    if path.is_file() and path.name.lower().endswith(".csv"):
        path = path.parent
    texts = _zip_texts(path) if path.is_file() else _folder_texts(path)
    raw = RawMap()
    if "organizations" not in texts:
        raw.problems.append(Problem(f"no organizations.csv in {path.name}", file=path.name))
        return raw
    for kind in ("movements", "organizations", "ties"):
        if kind in texts:
            getattr(raw, kind).extend(_rows(f"{kind}.csv", texts[kind], kind, raw.problems))
    return raw


def write(view: dict[str, Any], path: Path) -> list[Path]:
    """Write a folder (or a .zip when the path ends in .zip); return what was written.

    A ``README.txt`` beside the tables names the audience and date and says what was
    withheld (counts only); import ignores it."""
    files = {f"{kind}.csv": _table(kind, view[kind]) for kind in ("movements", "organizations", "ties")}
    files["README.txt"] = _readme(view)
    if path.suffix.lower() == ".zip":
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in files.items():
                archive.writestr(name, text)
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        target = path / name
        with atomic_path(target) as tmp:
            tmp.write_text(text, encoding="utf-8", newline="")
        written.append(target)
    return written


def _readme(view: dict[str, Any]) -> str:
    return (
        f"Coalition map for the {view['audience']} audience, exported {today_text()}.\r\n"
        f"{banner(view['audience'])}.\r\n{withheld_note(view)}\r\n\r\n"
        "organizations.csv, ties.csv and movements.csv open in any spreadsheet; list fields are separated by ;.\r\n"
        "Cells that a spreadsheet would run as a formula start with an apostrophe, which import removes.\r\n"
    )


def _table(kind: str, records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = COLUMNS[kind]
    writer.writerow(columns)
    for record in records:
        writer.writerow([cell_text(record.get(column)) for column in columns])
    return out.getvalue()


def cell_text(value: Any) -> str:
    """A record's value as one neutralized cell (lists joined with ``;``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(neutralize(str(v)) for v in value)
    return neutralize(str(value))


def _folder_texts(folder: Path) -> dict[str, str]:
    texts = {}
    for kind in COLUMNS:
        candidate = folder / f"{kind}.csv"
        if candidate.exists():
            texts[kind] = read_text(candidate)
    return texts


def _zip_texts(archive_path: Path) -> dict[str, str]:
    try:
        with zipfile.ZipFile(archive_path) as archive:
            names = {Path(name).name.lower(): name for name in archive.namelist() if not name.endswith("/")}
            texts = {}
            for kind in COLUMNS:
                if f"{kind}.csv" in names:
                    data = archive.read(names[f"{kind}.csv"])
                    texts[kind] = read_text(archive_path, data=data, inner=f"{kind}.csv")
            return texts
    except zipfile.BadZipFile as e:
        raise InvalidInput([Problem("not a readable .zip archive", file=archive_path.name)]) from e


def _rows(file: str, text: str, kind: str, problems: list[Problem]) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    return table_rows(file, header, enumerate(reader, start=2), kind, problems)


def table_rows(
    file: str,
    header: list[Any],
    rows: Iterable[tuple[int, list[Any]]],
    kind: str,
    problems: list[Problem],
) -> list[RawRow]:
    """Raw rows of one table (a CSV file or a spreadsheet sheet) whose first row is the
    header; ``rows`` are ``(row number, cells)``. Cells are text or spreadsheet values."""
    header = [str(h or "").strip().lower() for h in header]
    for group in REQUIRED[kind]:
        if not any(column in header for column in group):
            problems.append(Problem(f"missing column {' or '.join(group)}", file=file, row=1))
            return []
    records = []
    for number, cells in rows:
        if len(cells) > len(header) and any(cell_value(c) for c in cells[len(header) :]):
            problems.append(Problem("more cells than columns", file=file, row=number))
            continue
        data = {}
        for column, value in zip(header, cells, strict=False):
            if column not in COLUMNS[kind] or value is None:
                continue
            value = cell_value(value)
            if column in LIST_FIELDS:
                data[column] = [unneutralize(v.strip()) for v in value.split(";") if v.strip()]
            else:
                data[column] = unneutralize(value)
        if not any(data.values()):
            continue
        records.append(RawRow(data, file=file, row=number))
    return records


def cell_value(value: Any) -> str:
    """A cell as text: spreadsheets give numbers, booleans and dates too."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
