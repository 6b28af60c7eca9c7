"""Reading and writing files safely: clear errors for unreadable input, limits checked
while a file is read (``ReadBudget``), and outputs that appear whole or not at all
(written to a temporary name, then renamed).

A hostile file (a cell of megabytes, JSON nested a hundred thousand deep, a number of
thousands of digits, XML with a DTD) is refused with one ``InvalidInput`` naming the file,
and the row and field when known; never a traceback.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from coalition.domain.errors import InvalidInput, Problem
from coalition.domain.settings import ImportLimits
from coalition.domain.validation import too_many_records
from coalition.i18n import _, ngettext

__all__ = [
    "MAX_DIGITS",
    "ReadBudget",
    "atomic_path",
    "check_import_size",
    "has_doctype",
    "load_json",
    "read_bytes",
    "read_text",
    "scratch_folder",
    "stream_has_doctype",
]

#: The most digits a number in a JSON file may have (Python refuses more than 4,300).
MAX_DIGITS = 100
#: ``<!DOCTYPE`` as UTF-8 (and every ASCII-compatible encoding), UTF-16 LE and UTF-16 BE:
#: the encodings an XML parser reads. No format we import needs a DTD; one can define
#: entities that expand a small file into gigabytes.
_DOCTYPES = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))
_OVERLAP = max(len(d) for d in _DOCTYPES)


class ReadBudget:
    """What one import may still read: records are counted as a reader streams them and
    cells are measured as they are read, so that a file past a limit is refused at the
    first record or cell over it, before memory grows with the file.

    ``take`` counts one record; ``check_cell`` and ``check_record`` measure text.
    """

    def __init__(self, limits: ImportLimits | None = None) -> None:
        self.limits = limits or ImportLimits()
        self.records = 0

    def take(self, file: str, count: int = 1) -> None:
        """Count records; refuse the file once they pass ``max_rows``."""
        self.records += count
        if self.records > self.limits.max_rows:
            raise self.too_many(file)

    def too_many(self, file: str, held: int | None = None) -> InvalidInput:
        """The refusal of a file with more records than the limit (``held`` when the
        exact number is known, else "more than the limit")."""
        return InvalidInput([too_many_records(held, self.limits.max_rows, file)])

    def check_cell(self, value: Any, file: str, row: int | None = None, field: str = "") -> None:
        """Refuse a text longer than ``max_cell_chars``."""
        if isinstance(value, str) and len(value) > self.limits.max_cell_chars:
            raise self.cell_too_large(file, row, field, len(value))

    def check_record(self, data: dict[str, Any], file: str, row: int | None = None) -> None:
        """Measure every text of a record, and the texts of its lists."""
        for name, value in data.items():
            field = str(name)[:40]
            self.check_cell(name, file, row, field)
            for item in value if isinstance(value, list) else (value,):
                self.check_cell(item, file, row, field)

    def cell_too_large(self, file: str, row: int | None, field: str = "", size: int | None = None) -> InvalidInput:
        """The refusal of a cell over ``max_cell_chars`` (``size`` when it was measured;
        the csv module stops reading a cell just past the limit)."""
        most = self.limits.max_cell_chars
        message = (
            ngettext(
                "a cell holds {size:,} character; the most accepted is {most:,}",
                "a cell holds {size:,} characters; the most accepted is {most:,}",
                size,
            )
            if size
            else ngettext(
                "a cell holds more than {most:,} character", "a cell holds more than {most:,} characters", most
            )
        )
        return InvalidInput([Problem(message.format(size=size, most=most), file=file, row=row, field=field)])


def load_json(path: Path) -> Any:
    """The JSON document in a file, or one clear error: not UTF-8, not JSON, a number of
    more than ``MAX_DIGITS`` digits, ``NaN``, or nesting too deep for the parser."""
    text = read_text(path)
    try:
        return json.loads(text, parse_int=_whole_number, parse_constant=_no_constant)
    except _BadNumber as e:
        raise InvalidInput([Problem(_("not valid JSON: {problem}").format(problem=e), file=path.name)]) from None
    except json.JSONDecodeError as e:
        # TRANSLATORS: {problem} is Python's own English words, "Expecting ',' delimiter"
        message = _("not valid JSON: {problem} at line {line} column {column}")
        raise InvalidInput(
            [Problem(message.format(problem=e.msg, line=e.lineno, column=e.colno), file=path.name)]
        ) from None
    except RecursionError:
        raise InvalidInput(
            [Problem(_("not a map: arrays or objects are nested too deeply to read"), file=path.name)]
        ) from None
    except ValueError as e:  # anything else Python's parser refuses
        raise InvalidInput([Problem(_("not valid JSON ({problem})").format(problem=e), file=path.name)]) from None


def has_doctype(data: bytes) -> bool:
    """True when XML bytes hold a document type declaration (``<!DOCTYPE``)."""
    return any(doctype in data for doctype in _DOCTYPES)


def stream_has_doctype(stream: Any, chunk: int = 1 << 20) -> bool:
    """``has_doctype`` for a binary stream, read a chunk at a time."""
    tail = b""
    while block := stream.read(chunk):
        if has_doctype(tail + block):
            return True
        tail = block[-_OVERLAP:]
    return False


def check_import_size(path: Path, limit: int) -> None:
    """Refuse an import larger than ``limit`` bytes before reading it.

    A folder counts the files in it; a .zip or .xlsx counts what it would unpack to, so
    a small archive that expands to gigabytes (a zip bomb) is refused too.
    """
    if path.is_dir():
        size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    else:
        size = path.stat().st_size
        if zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as archive:
                    size = max(size, sum(info.file_size for info in archive.infolist()))
            except zipfile.BadZipFile:
                pass
    if size > limit:
        raise InvalidInput(
            [
                Problem(
                    _(
                        "is {size:,.0f} MB; the largest import accepted is {limit:,.0f} MB "
                        "(set COALITION_MAX_IMPORT_MB to change it)"
                    ).format(size=size / 1024 / 1024, limit=limit / 1024 / 1024),
                    file=path.name,
                )
            ]
        )


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or one clear error naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise InvalidInput([Problem(_("no such file or folder"), file=str(path))]) from e
    except IsADirectoryError as e:
        raise InvalidInput([Problem(_("is a folder, expected a file"), file=str(path))]) from e
    except OSError as e:
        raise InvalidInput([Problem(_("cannot be read ({reason})").format(reason=e.strerror), file=str(path))]) from e


def read_text(path: Path, data: bytes | None = None, inner: str | None = None) -> str:
    """UTF-8 text with or without a byte-order mark; anything else is refused clearly."""
    name = f"{path.name}:{inner}" if inner else str(path)
    raw = read_bytes(path) if data is None else data
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidInput(
            [
                Problem(
                    _("is not UTF-8 text (byte {byte}); save it as UTF-8 and try again").format(byte=e.start), file=name
                )
            ]
        ) from e


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


#: A folder in memory (tmpfs) where the system has one: scratch copies of map data made
#: there never reach a disk. Elsewhere (macOS, Windows) the system's temporary folder.
MEMORY_FOLDER = Path("/dev/shm")


def scratch_folder(prefix: str) -> tempfile.TemporaryDirectory[str]:
    """A private temporary folder for the dashboard's uploads and downloads, deleted when
    the block ends: in memory (``MEMORY_FOLDER``) when the system offers it, so that an
    encrypted map's data is not written to disk in plain form on its way through."""
    memory = MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK)
    return tempfile.TemporaryDirectory(prefix=prefix, dir=MEMORY_FOLDER if memory else None)


class _BadNumber(ValueError):
    pass


def _whole_number(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _BadNumber(
            ngettext(
                "a number of {count:,} digit (the most accepted is {most})",
                "a number of {count:,} digits (the most accepted is {most})",
                digits,
            ).format(count=digits, most=MAX_DIGITS)
        )
    return int(text)


def _no_constant(name: str) -> Any:
    raise _BadNumber(_("{name} is not a number JSON allows").format(name=name))
