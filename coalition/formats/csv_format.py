"""CSV: ``organizations.csv`` + ``ties.csv`` (+ optional ``movements.csv``), in a folder
or a .zip. List fields are ``;``-separated. The files are what spreadsheets open, so
cells a spreadsheet would run as a formula are neutralized on export with a leading
apostrophe, which import removes again.

Import streams the files (from the folder, or straight out of the archive). When their
line endings alone show that they cannot hold more than ``ImportLimits.max_rows``
records (one count of bytes), each file is read once, its cells measured as they come;
otherwise a first pass counts records and measures cells, holding one row at a time, and
stops at the first record past ``max_rows`` or the first cell past ``max_cell_chars``,
and only a file within the limits is read a second time into rows. Either way the first
cell or record past a limit is the one refused, and fifteen million rows are refused
after two million, in constant memory.

Rows become records a column at a time (``table_rows``): each distinct cell of a column
is unquoted once, which is what made reading 250,000 rows take seconds instead of tens.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from datetime import date, datetime, time
from functools import partial
from itertools import compress, repeat
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from coalition.domain.errors import InvalidInput, Problem
from coalition.domain.settings import ImportLimits
from coalition.domain.validation import RawMap, RawRow
from coalition.formats.common import banner, today_text, withheld_note
from coalition.formats.files import ReadBudget, atomic_path
from coalition.i18n import _

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
    "ties": (
        "source", "target", "kind", "strength", "since", "until", "visibility", "notes", "provenance", "confirmed",
    ),
}  # fmt: skip
#: Columns that must be present: one of each group.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "movements": (("id", "name"),),
    "organizations": (("id", "name"), ("movements",)),
    "ties": (("source",), ("target",)),
}
LIST_FIELDS = {"movements", "languages", "issues", "offers", "needs"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: How much of a file is counted at a time when its line endings are counted.
COUNT_CHUNK = 1 << 20


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
            raw.problems.append(Problem(_("no organizations.csv in {folder}").format(folder=path.name), file=path.name))
            return raw
        if _most_rows(tables) > budget.limits.max_rows:
            _count(tables, budget)
        for kind, (label, opener) in tables.items():
            header, rows = _read_table(label, opener, budget)
            getattr(raw, kind).extend(table_rows(label, header, rows, kind, raw.problems))
    return raw


def write(view: dict[str, Any], path: Path) -> list[Path]:
    """Write a folder (or a .zip when the path ends in .zip); return what was written.

    A ``README.txt`` beside the tables names the audience and date and says what was
    withheld (counts only), in the interface's language; import ignores it."""
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
    lines = [
        # TRANSLATORS: {audience} is public, coalition or private, as stored; {date} is YYYY-MM-DD
        _("Coalition map for the {audience} audience, exported {date}.").format(
            audience=view["audience"], date=today_text()
        ),
        banner(view["audience"]) + ".",
        withheld_note(view),
        "",
        _("organizations.csv, ties.csv and movements.csv open in any spreadsheet; list fields are separated by ;."),
        _("Cells that a spreadsheet would run as a formula start with an apostrophe, which import removes."),
    ]
    return "".join(line + "\r\n" for line in lines)


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


#: A table's file label and how to open it as bytes, by kind, in reading order.
_Tables = dict[str, tuple[str, Callable[[], IO[bytes]]]]


def _text(opener: Callable[[], IO[bytes]]) -> io.TextIOWrapper:
    return io.TextIOWrapper(opener(), encoding="utf-8-sig", newline="")


def _folder_tables(folder: Path) -> _Tables:
    tables: _Tables = {}
    for kind in COLUMNS:
        candidate = folder / f"{kind}.csv"
        if candidate.is_file():
            tables[kind] = (f"{kind}.csv", lambda c=candidate: c.open("rb"))
    return tables


def _zip_tables(archive_path: Path, stack: ExitStack) -> _Tables:
    """The tables of a .zip, read straight out of it (never unpacked whole in memory)."""
    try:
        archive = stack.enter_context(zipfile.ZipFile(archive_path))
        names = {Path(name).name.lower(): name for name in archive.namelist() if not name.endswith("/")}
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise InvalidInput([Problem(_("not a readable .zip archive"), file=archive_path.name)]) from e
    tables: _Tables = {}
    for kind in COLUMNS:
        if f"{kind}.csv" in names:
            tables[kind] = (f"{kind}.csv", lambda m=names[f"{kind}.csv"]: archive.open(m))
    return tables


def _most_rows(tables: _Tables) -> float:
    """The most records the tables can hold: each ends at a line ending (``\\n`` or
    ``\\r``) or at the end of its file. Infinite when a file cannot be counted (the
    first pass then says why)."""
    most = 0
    for _label, opener in tables.values():
        try:
            with opener() as stream:
                while chunk := stream.read(COUNT_CHUNK):
                    most += chunk.count(b"\n") + chunk.count(b"\r")
        except (OSError, EOFError, RuntimeError, zipfile.BadZipFile, zlib.error):
            return float("inf")
        most += 1
    return most


def _read_table(
    label: str, opener: Callable[[], IO[bytes]], budget: ReadBudget
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the numbered rows of one table, its cells measured against
    ``max_cell_chars``: a cell past it is refused before a row the reader cannot read
    further down, as the first pass would."""
    rows: list[tuple[int, list[str]]] = []
    with _text(opener) as stream:
        try:
            _all_csv_rows(label, stream, budget, rows)
        except InvalidInput:
            _measure(label, rows, budget)
            raise
    _measure(label, rows, budget)
    return (rows[0][1], rows[1:]) if rows else ([], [])


def _measure(label: str, rows: list[tuple[int, list[str]]], budget: ReadBudget) -> None:
    """Refuse the first row after the header holding a cell past ``max_cell_chars``."""
    most = budget.limits.max_cell_chars
    lines = [cells for _number, cells in rows[1:]]
    if not lines or max(map(len, map("".join, lines))) <= most:
        return  # no row holds that many characters in all
    for number, cells in rows[1:]:
        longest = max(map(len, cells), default=0)
        if longest > most:
            column = [len(c) for c in cells].index(longest)
            header = rows[0][1]
            field = str(header[column]).strip() if column < len(header) else ""
            raise budget.cell_too_large(label, number, field, longest)


def _count(tables: _Tables, budget: ReadBudget) -> None:
    """The first pass: count the records of every table and measure their cells, one row
    in memory at a time; refuse at the first record or cell past the limits."""
    kinds = list(tables)
    for index, kind in enumerate(kinds):
        label, opener = tables[kind]
        with _text(opener) as stream:
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
        with _text(opener) as stream:
            rows = _csv_rows(label, stream, budget)
            next(rows, None)
            if any(any(cells) for _number, cells in rows):
                return True
    return False


def _csv_rows(label: str, stream: io.TextIOBase, budget: ReadBudget) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of a CSV stream (the header is row 1), turning what the
    csv module, the decoder and the archive refuse into one problem naming the row."""
    number = 0
    try:
        for number, cells in enumerate(csv.reader(stream), start=1):
            yield number, cells
    except _UNREADABLE as e:
        raise _unreadable(e, label, number + 1, budget) from None


def _all_csv_rows(label: str, stream: io.TextIOBase, budget: ReadBudget, rows: list[tuple[int, list[str]]]) -> None:
    """``_csv_rows`` into ``rows`` at once (the csv module's own loop: a third faster)."""
    try:
        rows.extend(enumerate(csv.reader(stream), start=1))
    except _UNREADABLE as e:
        raise _unreadable(e, label, len(rows) + 1, budget) from None


_UNREADABLE = (csv.Error, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError, OSError)


def _unreadable(error: Exception, label: str, row: int, budget: ReadBudget) -> InvalidInput:
    """What the csv module, the decoder or the archive refused at ``row``, as one problem."""
    if isinstance(error, csv.Error):
        if "field larger than field limit" in str(error):
            return budget.cell_too_large(label, row)
        return InvalidInput(
            [Problem(_("not a readable CSV file ({reason})").format(reason=error), file=label, row=row)]
        )
    if isinstance(error, UnicodeDecodeError):
        return InvalidInput([Problem(_("is not UTF-8 text; save it as UTF-8 and try again"), file=label, row=row)])
    if isinstance(error, zipfile.BadZipFile | zlib.error | EOFError):
        return InvalidInput([Problem(_("cannot be unpacked ({reason})").format(reason=error), file=label)])
    reason = getattr(error, "strerror", None) or error
    return InvalidInput([Problem(_("cannot be read ({reason})").format(reason=reason), file=label)])


def table_rows(
    file: str,
    header: list[Any],
    rows: Iterable[tuple[int, list[Any]]],
    kind: str,
    problems: list[Problem],
) -> list[RawRow]:
    """Raw rows of one table (a CSV file or a spreadsheet sheet) whose first row is the
    header; ``rows`` are ``(row number, cells)``. Cells are text or spreadsheet values.

    A row with cells past the header's is a problem; an empty cell (None) is no value,
    and a row without any value is skipped. The work is done a column at a time."""
    header = [str(h or "").strip().lower() for h in header]
    for group in REQUIRED[kind]:
        if not any(column in header for column in group):
            # TRANSLATORS: {columns} names one column, or two joined by " or ": "id or name" (the
            # column names stay as they are)
            columns = _(" or ").join(group)
            problems.append(Problem(_("missing column {columns}").format(columns=columns), file=file, row=1))
            return []
    numbers, lines = _within(file, len(header), rows if isinstance(rows, list) else list(rows), problems)
    kept = [(i, column) for i, column in enumerate(header) if column in COLUMNS[kind]]
    if not lines or not kept:
        return []
    columns = [_cells(_column(lines, i), column in LIST_FIELDS) for i, column in kept]
    names = [column for _index, column in kept]
    if any(_EMPTY in column for column in columns):
        datas = [
            {name: value for name, value in zip(names, values, strict=True) if value is not _EMPTY}
            for values in zip(*columns, strict=True)
        ]
    else:
        datas = list(map(dict, map(partial(zip, names), zip(*columns, strict=True))))
    return list(compress(map(RawRow, datas, repeat(file), numbers), map(any, map(dict.values, datas))))


def _within(file: str, width: int, rows: list[tuple[int, Any]], problems: list[Problem]) -> tuple[list, list]:
    """Row numbers and cells of the rows with no cell past the header's ``width`` (a
    problem each for the others)."""
    numbers, lines = list(map(itemgetter(0), rows)), list(map(itemgetter(1), rows))
    if max(map(len, lines), default=0) <= width:
        return numbers, lines
    numbers, lines = [], []
    for number, cells in rows:
        if len(cells) > width and any(cell_value(c) for c in cells[width:]):
            problems.append(Problem(_("more cells than columns"), file=file, row=number))
            continue
        numbers.append(number)
        lines.append(cells)
    return numbers, lines


#: A cell a row does not have (a short row) or holds empty (None): the record has no such field.
_EMPTY = object()


def _column(lines: list[Any], index: int) -> list[Any]:
    try:
        return list(map(itemgetter(index), lines))
    except IndexError:  # a row shorter than the header
        return [cells[index] if index < len(cells) else _EMPTY for cells in lines]


def _cells(values: list[Any], is_list: bool) -> list[Any]:
    """A column's cells as record values: text unquoted (``unneutralize``), list fields
    split on ``;``; each distinct text once, each list a list of its own."""
    convert = _list_cell if is_list else _text_cell
    if set(map(type, values)) != {str}:  # spreadsheet values: 1, 1.0 and True are equal keys
        values = [v if v is _EMPTY or v is None else cell_value(v) for v in values]
        converted = [_EMPTY if v is _EMPTY or v is None else convert(v) for v in values]
    else:
        answers = {v: convert(v.strip()) for v in set(values)}
        if not is_list and all(answer is text for text, answer in answers.items()):
            return values  # every cell is its own value (no spaces, no apostrophe): no pass to map them
        converted = list(map(answers.__getitem__, values))
    return list(map(_fresh, converted)) if is_list else converted


def _text_cell(value: str) -> str:
    return unneutralize(value)


def _list_cell(value: str) -> tuple[str, ...]:
    return tuple(unneutralize(v.strip()) for v in value.split(";") if v.strip())


def _fresh(value: Any) -> Any:
    return value if value is _EMPTY else list(value)


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
