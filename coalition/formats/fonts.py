"""Which font draws which script, for the PDF brief and the PNG/SVG maps.

Names come in every script a coalition writes: Latin, Arabic, Hebrew, Devanagari,
Chinese, Japanese, Korean. Each script has a face (a regular and a bold TrueType file)
from a Debian package that ``scripts/setup-fonts.sh`` installs (``make install`` runs it):

=============  ==========================  =====================  ======================
script         face                        file                   Debian package
=============  ==========================  =====================  ======================
Latin, Greek,  Noto Sans                   NotoSans-*.ttf         fonts-noto-core
Cyrillic
Arabic         Noto Sans Arabic            NotoSansArabic-*.ttf   fonts-noto-core
Hebrew         Noto Sans Hebrew            NotoSansHebrew-*.ttf   fonts-noto-core
Devanagari     Noto Sans Devanagari        NotoSansDevanagari-*   fonts-noto-core
Chinese,       Droid Sans Fallback         DroidSansFallbackFull  fonts-droid-fallback
Japanese
Korean         NanumGothic                 NanumGothic*.ttf       fonts-nanum
symbols        DejaVu Sans                 (ships with matplotlib)
=============  ==========================  =====================  ======================

Why these files: reportlab embeds TrueType (``glyf``) outlines only; it cannot embed the
CFF outlines of OpenType fonts, and Noto's CJK fonts (``fonts-noto-cjk``) are CFF. Droid
Sans Fallback is TrueType and draws Han and kana, but Debian's copy has no Hangul
syllables, so Korean takes NanumGothic (TrueType too). DejaVu Sans, which matplotlib
ships, comes last, for symbols no other face has.

Each character goes to a face by its Unicode block (``SCRIPTS``); punctuation, digits and
combining marks stay with the face of the letter before them when it has them (so a
comma inside Arabic is drawn, and shaped, with the Arabic), and anything else takes the
first installed face that has it. A name in a script whose font file is missing raises
``MissingFont``, one sentence naming the script and the package, rather than drawing
empty boxes. A character that no installed face has (an emoji) is shown as U+FFFD,
the replacement character, by ``drawable``; the PDF maps it back to the original in its
text layer.

The files are Debian's paths, not read from the environment: ``make install`` puts them
there, and a machine without apt installs the same packages' files at the same paths.
"""

from __future__ import annotations

import dataclasses
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from coalition.domain.errors import CoalitionError
from coalition.i18n import N_, _

__all__ = [
    "FACES",
    "SCRIPTS",
    "REPLACEMENT",
    "Face",
    "MissingFont",
    "Script",
    "covers",
    "drawable",
    "face_runs",
    "matplotlib_families",
]

NOTO = Path("/usr/share/fonts/truetype/noto")
DROID = Path("/usr/share/fonts/truetype/droid")
NANUM = Path("/usr/share/fonts/truetype/nanum")
#: What a character no installed face has is drawn as.
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Face:
    """A typeface: its family name (as matplotlib and SVG viewers know it), its regular
    and bold files, and the Debian package that installs them."""

    key: str
    family: str
    regular: Path
    bold: Path | None
    package: str
    #: Whether its script needs shaping (joining, conjuncts, reordering) to read right.
    shaped: bool = False

    @property
    def installed(self) -> bool:
        return _exists(self.regular)

    def file(self, bold: bool = False) -> Path:
        """The bold file when asked for and installed, else the regular one."""
        return self.bold if bold and self.bold is not None and self.bold.is_file() else self.regular


def _dejavu(name: str) -> Path:
    import matplotlib  # the fonts matplotlib ships are always there

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


#: Every face, in fallback order: a character outside the scripts below goes to the first
#: installed face that has it, as in matplotlib's fallback. DejaVu Sans comes last: it has
#: Arabic and Hebrew letters of its own, which would otherwise draw those scripts unshaped.
FACES: dict[str, Face] = {
    face.key: face
    for face in (
        Face("latin", "Noto Sans", NOTO / "NotoSans-Regular.ttf", NOTO / "NotoSans-Bold.ttf", "fonts-noto-core"),
        Face("arabic", "Noto Sans Arabic", NOTO / "NotoSansArabic-Regular.ttf", NOTO / "NotoSansArabic-Bold.ttf",
             "fonts-noto-core", shaped=True),
        Face("hebrew", "Noto Sans Hebrew", NOTO / "NotoSansHebrew-Regular.ttf", NOTO / "NotoSansHebrew-Bold.ttf",
             "fonts-noto-core"),
        Face("devanagari", "Noto Sans Devanagari", NOTO / "NotoSansDevanagari-Regular.ttf",
             NOTO / "NotoSansDevanagari-Bold.ttf", "fonts-noto-core", shaped=True),
        Face("cjk", "Droid Sans Fallback", DROID / "DroidSansFallbackFull.ttf", None, "fonts-droid-fallback"),
        Face("hangul", "NanumGothic", NANUM / "NanumGothic.ttf", NANUM / "NanumGothicBold.ttf", "fonts-nanum"),
        Face("symbols", "DejaVu Sans", _dejavu("DejaVuSans.ttf"), _dejavu("DejaVuSans-Bold.ttf"), "matplotlib"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Script:
    """A script whose characters (by Unicode block) must be drawn by one face."""

    name: str
    face: str
    ranges: tuple[tuple[int, int], ...]


#: The scripts that need a face of their own; the name is shown in ``MissingFont``.
SCRIPTS: tuple[Script, ...] = (
    Script(N_("Arabic"), "arabic", ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF),
                                    (0xFE70, 0xFEFF))),
    Script(N_("Hebrew"), "hebrew", ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    Script(N_("Devanagari"), "devanagari", ((0x0900, 0x097F), (0xA8E0, 0xA8FF))),
    Script(N_("Korean"), "hangul", ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))),
    Script(N_("Chinese or Japanese"), "cjk", ((0x2E80, 0x2FFF), (0x3000, 0x30FF), (0x3190, 0x33FF),
                                               (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
                                               (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))),
)  # fmt: skip


class MissingFont(CoalitionError):
    """A name is written in a script whose font is not installed: drawing it would give
    empty boxes, so the brief or image is refused with what to install."""

    def __init__(self, script: Script) -> None:
        face = FACES[script.face]
        self.script, self.package = script.name, face.package
        super().__init__(
            _(
                "Names in {script} need the font {font}, which is not installed: install Debian's "
                "{package} package (make install does)."
            ).format(script=_(script.name), font=face.regular, package=face.package)
        )


@cache
def covers(face: Face) -> frozenset[int]:
    """The code points ``face`` has a glyph for (its regular file's Unicode cmap)."""
    from matplotlib.ft2font import FT2Font

    return frozenset(code for code, glyph in FT2Font(str(face.regular)).get_charmap().items() if glyph)


@cache
def script_of(char: str) -> Script | None:
    """The script ``char`` belongs to among ``SCRIPTS``, or None (Latin, common, symbols)."""
    code = ord(char)
    for script in SCRIPTS:
        if any(low <= code <= high for low, high in script.ranges):
            return script
    return None


def face_runs(text: str) -> Iterator[tuple[Face | None, str]]:
    """``text`` cut into runs of one face each, in order; ``None`` for characters no
    installed face has. Raises ``MissingFont`` for a script whose font is missing."""
    run_face: Face | None = None
    run: list[str] = []
    for char in text:
        face = _face(char, run_face)
        if run and face is not run_face:
            yield run_face, "".join(run)
            run = []
        run_face = face
        run.append(char)
    if run:
        yield run_face, "".join(run)


def drawable(text: str) -> str:
    """``text`` with every character no installed face has replaced by U+FFFD, so that no
    renderer draws an empty box for it. Raises ``MissingFont`` as ``face_runs`` does."""
    return "".join(part if face else REPLACEMENT * len(part) for face, part in face_runs(text))


def check(texts: Iterable[str]) -> None:
    """Raises ``MissingFont`` when any of ``texts`` needs a script whose font is missing."""
    for text in texts:
        for _ignored in face_runs(text):
            pass


_registered = threading.Lock()


def matplotlib_families() -> list[str]:
    """The installed faces' families, in fallback order, for ``font.family``: matplotlib
    draws each character with the first that has it, shaping and ordering each run
    (libraqm). The files are registered with matplotlib's font manager on the first call
    (its cache may predate ``make install``), with an entry of weight 700 for a face whose
    bold file says another (NanumGothic Bold: 600) or that has none (Droid Sans Fallback),
    so that bold text finds each family without a warning."""
    from matplotlib import font_manager, ft2font

    installed = [face for face in FACES.values() if face.installed]
    manager = font_manager.fontManager
    with _registered:
        known = {entry.fname for entry in manager.ttflist}
        for face in installed:
            if str(face.regular) in known:
                continue
            files = [str(face.file(bold)) for bold in (False, True) if not bold or face.file(True) != face.regular]
            entries = [font_manager.ttfFontProperty(ft2font.FT2Font(path)) for path in files]
            if all(entry.weight != 700 for entry in entries):
                manager.ttflist.append(dataclasses.replace(entries[-1], weight=700))
            for path in files:
                manager.addfont(path)  # which also empties findfont's cache
    return [face.family for face in installed]


# helpers ----------------------------------------------------------------------------
_found: set[Path] = set()


def _exists(path: Path) -> bool:
    """Whether ``path`` is a file; a file found once is not looked for again (names are
    drawn a character at a time), a missing one is, so installing it needs no restart."""
    if path in _found:
        return True
    if path.is_file():
        _found.add(path)
        return True
    return False


NEUTRAL_CATEGORIES = ("M", "P", "S", "N", "Z", "C")


def _face(char: str, previous: Face | None) -> Face | None:
    """The face that draws ``char`` after a character drawn by ``previous``."""
    code = ord(char)
    script = script_of(char)
    if script is not None:
        face = FACES[script.face]
        if not face.installed:
            raise MissingFont(script)
        if code in covers(face):
            return face
    elif previous is not None and unicodedata.category(char)[0] in NEUTRAL_CATEGORIES and code in covers(previous):
        return previous  # punctuation, digits, spaces and marks go with the letters before them
    if char.isspace() and previous is not None:
        return previous
    return next((face for face in FACES.values() if face.installed and code in covers(face)), None)
