"""Interchange formats: each module reads a file into a ``RawMap`` and/or writes a view.

``FORMATS`` maps a format name (the ``--format`` value) to its module (or, for the two
image formats, an object with the same ``write``); ``detect`` picks one from a path when
``--format`` is absent: by the file's ending, and for ``.json``, ``.xlsx`` and ``.xml``
by what the file holds (a coalition map or a Kumu blueprint; a plain workbook or Kumu's
Elements/Connections layout; GraphML or GEXF).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from coalition.domain.errors import InvalidInput, Problem
from coalition.formats import (
    csv_format,
    cypher_format,
    gexf_format,
    graphml_format,
    html_format,
    image_format,
    json_format,
    kumu_format,
    kumu_sheet_format,
    pdf_brief,
    xlsx_format,
)

__all__ = ["FORMATS", "IMPORT_FORMATS", "EXPORT_FORMATS", "detect", "module_for"]

FORMATS: dict[str, Any] = {
    "csv": csv_format,
    "xlsx": xlsx_format,
    "json": json_format,
    "graphml": graphml_format,
    "gexf": gexf_format,
    "kumu": kumu_format,
    "kumu-xlsx": kumu_sheet_format,
    "cypher": cypher_format,
    "html": html_format,
    "png": image_format.png,
    "svg": image_format.svg,
    "pdf": pdf_brief,
}
IMPORT_FORMATS = tuple(name for name, module in FORMATS.items() if hasattr(module, "read"))
EXPORT_FORMATS = tuple(name for name, module in FORMATS.items() if hasattr(module, "write"))
#: Endings that name one format. Two-part endings come first: ``map.kumu.json``.
SUFFIXES = {
    ".kumu.json": "kumu", ".kumu.xlsx": "kumu-xlsx", ".csv": "csv", ".zip": "csv", ".json": "json",
    ".xlsx": "xlsx", ".graphml": "graphml", ".gexf": "gexf", ".cypher": "cypher", ".cql": "cypher",
    ".html": "html", ".htm": "html", ".png": "png", ".svg": "svg", ".pdf": "pdf",
}  # fmt: skip
SNIFF_BYTES = 4096


def detect(path: Path, for_export: bool = False) -> str:
    """The format a path holds (import) or asks for (export), from its name and, for an
    import, what the file holds."""
    if path.is_dir() or (for_export and path.suffix == ""):
        return "csv"
    name = next((fmt for suffix, fmt in SUFFIXES.items() if path.name.lower().endswith(suffix)), None)
    if not for_export and path.is_file():
        name = _sniff(path, name)
    known = FORMATS if for_export else IMPORT_FORMATS
    if name is None or name not in known:
        endings = sorted(s for s, fmt in SUFFIXES.items() if fmt in known) + ([] if for_export else [".xml"])
        only = f": {name} is an export format only" if name else ""
        raise InvalidInput(
            [
                Problem(
                    f"cannot tell the format from the name{only} (endings to {'export' if for_export else 'import'}: "
                    f"{', '.join(endings)}); pass --format",
                    file=path.name,
                )
            ]
        )
    return name


def module_for(name: str, path: Path) -> Any:
    """The module of a format, or a clear error listing the known formats."""
    if name not in FORMATS:
        raise InvalidInput([Problem(f"unknown format {name!r}; known: {', '.join(FORMATS)}", file=path.name)])
    return FORMATS[name]


def _sniff(path: Path, by_name: str | None) -> str | None:
    """Tell apart formats that share an ending by what the file holds."""
    suffix = path.suffix.lower()
    if suffix == ".json" and by_name == "json":
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            return by_name  # the reader reports what is wrong
        if (
            isinstance(document, dict)
            and document.get("format") != json_format.FORMAT_NAME
            and kumu_format.is_blueprint(document)
        ):
            return "kumu"
        return by_name
    if suffix in (".xlsx", ".zip") and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                if "xl/workbook.xml" not in archive.namelist():
                    return by_name
                workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        except (OSError, zipfile.BadZipFile, KeyError):
            return by_name
        return "kumu-xlsx" if re.search(r"<sheet [^>]*name=[\"']elements[\"']", workbook, re.I) else "xlsx"
    if suffix == ".xml" or by_name is None:
        try:
            with path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES).decode("utf-8", "replace")
        except OSError:
            return by_name
        if "<graphml" in head:
            return "graphml"
        if "<gexf" in head:
            return "gexf"
    return by_name
