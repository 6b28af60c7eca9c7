"""CSV: ``organizations.csv`` + ``ties.csv`` (+ optional ``movements.csv``), in a folder
or a .zip. List fields are ``;``-separated. The files are what spreadsheets open, so
cells a spreadsheet would run as a formula are neutralized on export with a leading
apostrophe, which import removes again.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from coalition.errors import InvalidInput, Problem
from coalition.formats.files import atomic_path, read_text
from coalition.validation import RawMap, RawRow

__all__ = ["COLUMNS", "REQUIRED", "read", "write", "neutralize", "unneutralize"]

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
    """Write a folder (or a .zip when the path ends in .zip); return what was written."""
    tables = {kind: _table(kind, view[kind]) for kind in ("movements", "organizations", "ties")}
    if path.suffix.lower() == ".zip":
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for kind, text in tables.items():
                archive.writestr(f"{kind}.csv", text)
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, text in tables.items():
        target = path / f"{kind}.csv"
        with atomic_path(target) as tmp:
            tmp.write_text(text, encoding="utf-8", newline="")
        written.append(target)
    return written


def _table(kind: str, records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = COLUMNS[kind]
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
    return out.getvalue()


def _cell(value: Any) -> str:
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
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    for group in REQUIRED[kind]:
        if not any(column in header for column in group):
            problems.append(Problem(f"missing column {' or '.join(group)}", file=file, row=1))
            return []
    reader.fieldnames = header
    rows = []
    for number, record in enumerate(reader, start=2):
        if None in record:
            problems.append(Problem("more cells than columns", file=file, row=number))
            continue
        data = {}
        for column, value in record.items():
            if column not in COLUMNS[kind] or value is None:
                continue
            value = value.strip()
            if column in LIST_FIELDS:
                data[column] = [unneutralize(v.strip()) for v in value.split(";") if v.strip()]
            else:
                data[column] = unneutralize(value)
        if not any(data.values()):
            continue
        rows.append(RawRow(data, file=file, row=number))
    return rows
