"""Reading and writing files safely: clear errors for unreadable input, and outputs that
appear whole or not at all (written to a temporary name, then renamed)."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coalition.domain.errors import InvalidInput, Problem

__all__ = ["atomic_path", "read_text", "read_bytes", "check_import_size"]


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
                    f"is {size / 1024 / 1024:,.0f} MB; the largest import accepted is {limit / 1024 / 1024:,.0f} MB "
                    "(set COALITION_MAX_IMPORT_MB to change it)",
                    file=path.name,
                )
            ]
        )


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or one clear error naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise InvalidInput([Problem("no such file or folder", file=str(path))]) from e
    except IsADirectoryError as e:
        raise InvalidInput([Problem("is a folder, expected a file", file=str(path))]) from e
    except OSError as e:
        raise InvalidInput([Problem(f"cannot be read ({e.strerror})", file=str(path))]) from e


def read_text(path: Path, data: bytes | None = None, inner: str | None = None) -> str:
    """UTF-8 text with or without a byte-order mark; anything else is refused clearly."""
    name = f"{path.name}:{inner}" if inner else str(path)
    raw = read_bytes(path) if data is None else data
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidInput(
            [Problem(f"is not UTF-8 text (byte {e.start}); save it as UTF-8 and try again", file=name)]
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
