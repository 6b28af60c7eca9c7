"""Interchange formats: each module reads a file into a ``RawMap`` and/or writes a view.

Every format is a ``Format``: its name (the ``--format`` value), the endings that name
it, the MIME type a download gets, the file name a download suggests, whether it can be
read, and ``read``/``write``. ``FORMATS`` maps names to them; ``detect`` picks one from a
path when ``--format`` is absent: by the file's ending, and for ``.json``, ``.xlsx`` and
``.xml`` by what the file holds (a coalition map or a Kumu blueprint; a plain workbook or
Kumu's Elements/Connections layout; GraphML or GEXF).

Reading takes the import's ``ImportLimits``: every reader refuses a file past a limit
while it reads (``coalition.formats.files.ReadBudget``). Telling a file's format reads a
bounded part of it only (the first bytes, or the workbook part of an archive).

A format's module is imported when the format is first used, not with this registry:
the PDF brief, the images and the HTML map pull in matplotlib, reportlab and the
analyses, which an import of a CSV folder never needs (they made every command start
a second later).
"""

from __future__ import annotations

import importlib
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from coalition.domain.errors import InvalidInput, Problem
from coalition.domain.settings import ImportLimits
from coalition.domain.validation import RawMap
from coalition.formats.files import load_json
from coalition.i18n import _

__all__ = ["FORMATS", "IMPORT_FORMATS", "EXPORT_FORMATS", "Format", "detect", "format_for"]


class Format(Protocol):
    """What every interchange format offers."""

    name: str
    suffixes: tuple[str, ...]
    mime_type: str
    download_name: str
    can_read: bool

    def read(self, path: Path, limits: ImportLimits | None = None) -> RawMap:
        """The raw rows of a file, read within ``limits`` (the defaults when None);
        ``InvalidInput`` when it cannot be read at all or passes a limit."""
        ...

    def write(self, view: dict[str, Any], path: Path) -> list[Path]:
        """Write a view (already redacted for its audience); the paths written."""
        ...


@dataclass(frozen=True)
class _ModuleFormat:
    """A format whose reading and writing live in one module of this package, imported
    on first use; ``writer`` is the writing function's name in it (``png.write``)."""

    name: str
    suffixes: tuple[str, ...]
    mime_type: str
    download_name: str
    module: str
    can_read: bool = True
    writer: str = "write"

    def read(self, path: Path, limits: ImportLimits | None = None) -> RawMap:
        if not self.can_read:
            raise InvalidInput(
                [Problem(_("{format} is an export format only").format(format=self.name), file=path.name)]
            )
        return _module(self.module).read(path, limits)

    def write(self, view: dict[str, Any], path: Path) -> list[Path]:
        target: Any = _module(self.module)
        for part in self.writer.split("."):
            target = getattr(target, part)
        return target(view, path)


def _module(name: str) -> Any:
    return importlib.import_module(f"coalition.formats.{name}")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        _ModuleFormat("csv", (".csv", ".zip"), "application/zip", "coalition-map.zip", "csv_format"),
        _ModuleFormat("xlsx", (".xlsx",), XLSX, "coalition-map.xlsx", "xlsx_format"),
        _ModuleFormat("json", (".json",), "application/json", "coalition-map.json", "json_format"),
        _ModuleFormat("graphml", (".graphml",), "application/graphml+xml", "coalition-map.graphml", "graphml_format"),
        _ModuleFormat("gexf", (".gexf",), "application/xml", "coalition-map.gexf", "gexf_format"),
        _ModuleFormat("kumu", (".kumu.json",), "application/json", "coalition-map.kumu.json", "kumu_format"),
        _ModuleFormat("kumu-xlsx", (".kumu.xlsx",), XLSX, "coalition-map.kumu.xlsx", "kumu_sheet_format"),
        _ModuleFormat("cypher", (".cypher", ".cql"), "text/plain", "coalition-map.cypher", "cypher_format", False),
        _ModuleFormat("html", (".html", ".htm"), "text/html", "coalition-map.html", "html_format", False),
        _ModuleFormat("png", (".png",), "image/png", "coalition-map.png", "image_format", False, "png.write"),
        _ModuleFormat("svg", (".svg",), "image/svg+xml", "coalition-map.svg", "image_format", False, "svg.write"),
        _ModuleFormat("pdf", (".pdf",), "application/pdf", "coalition-map.pdf", "pdf_brief", False),
    )
}
IMPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.can_read)
EXPORT_FORMATS = tuple(FORMATS)
#: Endings that name one format, longest first so that two-part endings win: ``map.kumu.json``.
SUFFIXES = dict(sorted(((s, f.name) for f in FORMATS.values() for s in f.suffixes), key=lambda pair: -len(pair[0])))
SNIFF_BYTES = 4096
#: The most of an archive's workbook part read to find the sheet names.
SNIFF_WORKBOOK_BYTES = 1 << 20
_COALITION_MAP = re.compile(r'"format"\s*:\s*"coalition-map"')
_KUMU_KEYS = re.compile(r'^\s*\{\s*"(?:elements|connections)"\s*:')


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
        endings = ", ".join(sorted(s for s, fmt in SUFFIXES.items() if fmt in known) + ([] if for_export else [".xml"]))
        if for_export:
            message = _("cannot tell the format from the name (endings to export: {endings}); pass --format")
        elif name:
            message = _(
                "cannot tell the format from the name: {format} is an export format only "
                "(endings to import: {endings}); pass --format"
            )
        else:
            message = _("cannot tell the format from the name (endings to import: {endings}); pass --format")
        raise InvalidInput([Problem(message.format(format=name, endings=endings), file=path.name)])
    return name


def format_for(name: str, path: Path) -> Format:
    """The format of that name, or a clear error listing the known formats."""
    if name not in FORMATS:
        raise InvalidInput(
            [
                Problem(
                    _("unknown format '{format}'; known: {formats}").format(format=name, formats=", ".join(FORMATS)),
                    file=path.name,
                )
            ]
        )
    return FORMATS[name]


def _sniff(path: Path, by_name: str | None) -> str | None:
    """Tell apart formats that share an ending by what the file holds (reading a bounded
    part of it, or the whole JSON document through the safe parser when its first bytes
    do not tell)."""
    suffix = path.suffix.lower()
    if suffix == ".json" and by_name == "json":
        json_format, kumu_format = _module("json_format"), _module("kumu_format")
        head = _head(path)
        if _COALITION_MAP.search(head):
            return by_name
        if _KUMU_KEYS.search(head):
            return "kumu"
        try:
            document = load_json(path)
        except InvalidInput:
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
                with archive.open("xl/workbook.xml") as part:
                    workbook = part.read(SNIFF_WORKBOOK_BYTES).decode("utf-8", "replace")
        except (OSError, EOFError, KeyError, RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error):
            return by_name  # the reader reports what is wrong
        return "kumu-xlsx" if re.search(r"<sheet [^>]*name=[\"']elements[\"']", workbook, re.I) else "xlsx"
    if suffix == ".xml" or by_name is None:
        head = _head(path)
        if "<graphml" in head:
            return "graphml"
        if "<gexf" in head:
            return "gexf"
    return by_name


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""
