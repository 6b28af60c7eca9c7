"""CSV: ``organizations.csv`` + ``ties.csv`` (+ optional ``movements.csv``), in a folder
or a .zip. List fields are ``;``-separated. The files are what spreadsheets open, so
cells a spreadsheet would run as a formula are neutralized on export with a leading
apostrophe, which import removes again.

Import streams the files (from the folder, or straight out of the archive) twice: a
first pass counts records and measures cells, holding one row at a time, and stops at
the first record past ``ImportLimits.max_rows`` or the first cell past
``max_cell_chars``; only a file within the limits is read a second time into rows.
Fifteen million rows are refused after two million, in constant memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from coalition.domain.errors import InvalidInput, Problem
from coalition.domain.settings import ImportLimits
from coalition.domain.validation import RawMap, RawRow
from coalition.formats.common import banner, today_text, withheld_note
from coalition.formats.files import ReadBudget, atomic_path

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


def read(path: Path, limits: ImportLimits | None = None) -> RawMap:
    """Read a folder, a .zip, or the organizations.csv inside a folder, within ``limits``."""
    if path.is_file() and path.name.lower().endswith(".csv"):
        path = path.parent
    budget = ReadBudget(limits)
    if budget.limits.max_cell_chars >= csv.field_size_limit():
        csv.field_size_limit(budget.limits.max_cell_chars + 1)  # csv stops a cell just past ours
    raw = RawMap()
    with ExitStack() as stack:
        tables = _zip_tables(path, stack) if path.is_file() else _folder_tables(path)
        if "organizations" not in tables:
            raw.problems.append(Problem(f"no organizations.csv in {path.name}", file=path.name))
            return raw
        _count(tables, budget)
        for kind, (label, opener) in tables.items():
            with opener() as stream:
                rows = _csv_rows(label, stream, budget)
                header = next(rows, (1, []))[1]
                getattr(raw, kind).extend(table_rows(label, header, rows, kind, raw.problems))
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


#: A table's file label and how to open it as text, by kind, in reading order.
_Tables = dict[str, tuple[str, Callable[[], io.TextIOBase]]]


def _folder_tables(folder: Path) -> _Tables:
    tables: _Tables = {}
    for kind in COLUMNS:
        candidate = folder / f"{kind}.csv"
        if candidate.is_file():
            tables[kind] = (f"{kind}.csv", lambda c=candidate: c.open(encoding="utf-8-sig", newline=""))
    return tables


def _zip_tables(archive_path: Path, stack: ExitStack) -> _Tables:
    """The tables of a .zip, read straight out of it (never unpacked whole in memory)."""
    try:
        archive = stack.enter_context(zipfile.ZipFile(archive_path))
        names = {Path(name).name.lower(): name for name in archive.namelist() if not name.endswith("/")}
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise InvalidInput([Problem("not a readable .zip archive", file=archive_path.name)]) from e
    tables: _Tables = {}
    for kind in COLUMNS:
        if f"{kind}.csv" in names:
            member = names[f"{kind}.csv"]
            opener = lambda m=member: io.TextIOWrapper(archive.open(m), encoding="utf-8-sig", newline="")  # noqa: E731
            tables[kind] = (f"{kind}.csv", opener)
    return tables


def _count(tables: _Tables, budget: ReadBudget) -> None:
    """The first pass: count the records of every table and measure their cells, one row
    in memory at a time; refuse at the first record or cell past the limits."""
    kinds = list(tables)
    for index, kind in enumerate(kinds):
        label, opener = tables[kind]
        with opener() as stream:
            rows = _csv_rows(label, stream, budget)
            header = next(rows, (1, []))[1]
            for number, cells in rows:
                if not any(cells):
                    continue
                if budget.records == budget.limits.max_rows:
                    exact = next(rows, None) is None and not _any_rows(tables, kinds[index + 1 :], budget)
                    raise budget.too_many(label, budget.records + 1 if exact else None)
                budget.take(label)
                longest = max(map(len, cells))
                if longest > budget.limits.max_cell_chars:
                    sizes = [len(c) for c in cells]
                    column = sizes.index(longest)
                    field = str(header[column]).strip() if column < len(header) else ""
                    raise budget.cell_too_large(label, number, field, longest)


def _any_rows(tables: _Tables, kinds: list[str], budget: ReadBudget) -> bool:
    """True when one of these tables holds a row after its header."""
    for kind in kinds:
        label, opener = tables[kind]
        with opener() as stream:
            rows = _csv_rows(label, stream, budget)
            next(rows, None)
            if any(any(cells) for _, cells in rows):
                return True
    return False


def _csv_rows(label: str, stream: io.TextIOBase, budget: ReadBudget) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of a CSV stream (the header is row 1), turning what the
    csv module, the decoder and the archive refuse into one problem naming the row."""
    number = 0
    try:
        for number, cells in enumerate(csv.reader(stream), start=1):
            yield number, cells
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise budget.cell_too_large(label, number + 1) from None
        raise InvalidInput([Problem(f"not a readable CSV file ({e})", file=label, row=number + 1)]) from None
    except UnicodeDecodeError:
        raise InvalidInput(
            [Problem("is not UTF-8 text; save it as UTF-8 and try again", file=label, row=number + 1)]
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise InvalidInput([Problem(f"cannot be unpacked ({e})", file=label)]) from None
    except OSError as e:
        raise InvalidInput([Problem(f"cannot be read ({e.strerror or e})", file=label)]) from None


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
