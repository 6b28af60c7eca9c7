"""Interchange formats: each module reads a file into a ``RawMap`` and/or writes a view.

``FORMATS`` maps a format name (the ``--format`` value) to its module; ``detect`` picks
one from a path when ``--format`` is absent.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from coalition.errors import InvalidInput, Problem
from coalition.formats import csv_format, json_format

__all__ = ["FORMATS", "IMPORT_FORMATS", "EXPORT_FORMATS", "detect", "module_for"]

FORMATS: dict[str, ModuleType] = {"csv": csv_format, "json": json_format}
IMPORT_FORMATS = tuple(name for name, module in FORMATS.items() if hasattr(module, "read"))
EXPORT_FORMATS = tuple(name for name, module in FORMATS.items() if hasattr(module, "write"))
SUFFIXES = {".csv": "csv", ".zip": "csv", ".json": "json"}


def detect(path: Path, for_export: bool = False) -> str:
    """The format a path holds (import) or asks for (export), from what it is or its name."""
    if path.is_dir() or (for_export and path.suffix == ""):
        return "csv"
    name = SUFFIXES.get(path.suffix.lower())
    if name is None:
        known = ", ".join(sorted(set(SUFFIXES)))
        raise InvalidInput(
            [Problem(f"cannot tell the format from the name (known endings: {known}); pass --format", file=path.name)]
        )
    return name


def module_for(name: str, path: Path) -> ModuleType:
    """The module of a format, or a clear error listing the known formats."""
    if name not in FORMATS:
        raise InvalidInput([Problem(f"unknown format {name!r}; known: {', '.join(FORMATS)}", file=path.name)])
    return FORMATS[name]
