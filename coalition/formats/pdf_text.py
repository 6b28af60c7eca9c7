"""Text in every script for the PDF brief (reportlab): font runs, shaping, right-to-left
order and a text layer that reads back as typed.

``markup(text)`` turns plain text (a sentence, a name) into reportlab paragraph markup:

1. **Runs.** Each character goes to its face (``coalition.formats.fonts``); each run is a
   ``<font name=...>`` of that face, so Chinese is drawn by Droid Sans Fallback and
   Arabic by Noto Sans Arabic inside one sentence. Plain text is escaped
   (``xml.sax.saxutils.escape``): a name holding ``<b>`` or ``&`` stays text.
2. **Levels.** The Unicode bidirectional algorithm (python-bidi's ``bidi.algorithm``,
   rules up to I2, with rule N0 for paired brackets added here, ``_pair_brackets``) gives each character its embedding level for the whole paragraph,
   left-to-right (base level 0) or, for a right-to-left brief, right-to-left (1).
3. **Shaping.** A run that needs it (Arabic joining, Devanagari conjuncts and vowel signs
   placed before their consonant) or that sits in right-to-left order is shaped by
   HarfBuzz (uharfbuzz) word by word, in its direction: the glyphs come out in visual
   order, mirrored where they are brackets. Each glyph gets a code point of its own in
   Supplementary Private Use Area-A (``_Font.glyph``), with the glyph's shaped advance
   as its width and its level recorded, and the PDF's ToUnicode map sends that code back
   to the characters it stands for.
4. **Order.** Reportlab breaks the lines on the logical text (shaped words keep their
   spaces); ``Paragraph`` then puts each line's words in visual order as it is drawn
   (rule L2: reverse every run at each level from the highest to the lowest odd one), so
   a right-to-left name split over two lines reads from its first line on.

Why not reportlab's own shaping (``ParagraphStyle.shaping``): it shapes each word with the
font of its first fragment, so a word mixing two fonts (``Coop-北京``) draws the wrong
glyphs; its right-to-left order needs ``rlbidi``, which is not on PyPI; and the glyphs it
makes without a code point of their own (conjuncts, contextual forms) read back as
private-use characters. Here each glyph reads back as the characters of its HarfBuzz
cluster, laid out for a text extractor that reads in drawing order: left to right, the
cluster's characters go on its glyphs in order (``हि`` reads back as typed though its
vowel sign is drawn first); right to left, in reverse, since extractors (pypdf, poppler)
reverse right-to-left runs back into logical order. A glyph standing for several
characters (the lam-alef ligature, a conjunct) is followed by invisible zero-width glyphs
carrying the rest, one character each: extractors reverse single characters reliably,
and strings of several not at all. Reportlab has no ActualText, which would say the same
per cluster, and pypdf would not read it.

What is not done: vertical mark offsets (Arabic harakat over tall letters, Devanagari
signs under ``र``) are left at the font's default height (horizontal ones are kept, in
the widths); a word too long for its column is cut where it is, so
the parts of a cut right-to-left word come in visual order; a right-to-left paragraph
in a left-to-right brief (a name alone in a cell) is aligned left like its neighbours.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

import uharfbuzz as hb
from bidi import algorithm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.platypus import Paragraph as _ReportlabParagraph

from coalition.formats.fonts import FACES, REPLACEMENT, Face, face_runs

__all__ = ["Paragraph", "RTLParagraph", "font_name", "markup"]

#: The first code point given to a shaped glyph: Supplementary Private Use Area-A, which
#: no font of ours maps, so a code there is always one of ours.
FIRST_CODE = 0xF0000
LAST_CODE = 0xFFFFD
#: Bidi classes that make a left-to-right paragraph need the algorithm at all.
RIGHT_TO_LEFT = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI"})
FEATURES = {"kern": True, "liga": True}


def font_name(face: Face, bold: bool = False) -> str:
    """The reportlab font that draws ``face`` (registered on first use)."""
    name = f"Coalition-{face.key}{'-Bold' if bold else ''}"
    with _registering:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(_Font(name, face.file(bold)))
    return name


def markup(text: str, bold: bool = False, rtl: bool = False) -> str:
    """Reportlab paragraph markup that draws the plain ``text`` in every script, on a
    left-to-right paragraph or, with ``rtl``, a right-to-left one (draw it with
    ``Paragraph``, ``RTLParagraph``). Raises ``fonts.MissingFont`` for a script whose
    font is not installed."""
    levels = _levels(text, 1 if rtl else 0)
    parts: list[tuple[str, str]] = []  # (font, markup)
    start = 0
    for face, run in face_runs(text):
        font = font_name(face or FACES["symbols"], bold)
        for piece, level in _pieces(run, levels[start : start + len(run)]):
            if piece.isspace():
                drawn = piece
            elif face is None:  # no installed face has it: the replacement character stands in
                drawn = "".join(pdfmetrics.getFont(font).replacement(char, level) for char in piece)
            elif face.shaped or level:
                drawn = _shape(pdfmetrics.getFont(font), piece, level)
            else:
                drawn = escape(piece)
            if parts and parts[-1][0] == font:
                parts[-1] = (font, parts[-1][1] + drawn)
            else:
                parts.append((font, drawn))
        start += len(run)
    return "".join(f'<font name="{font}">{drawn}</font>' for font, drawn in parts)


class Paragraph(_ReportlabParagraph):
    """A reportlab paragraph that draws each line of ``markup`` in visual order; its
    lines are broken, and split across pages, in logical order."""

    #: The paragraph's embedding level: 0 left to right, 1 right to left.
    base_level = 0

    def drawPara(self, debug: int = 0) -> None:
        logical = self.blPara
        self.blPara = _visual(logical, self.base_level)
        try:
            super().drawPara(debug)
        finally:
            self.blPara = logical


class RTLParagraph(Paragraph):
    """A right-to-left paragraph (markup made with ``rtl=True``); align it right."""

    base_level = 1


# fonts --------------------------------------------------------------------------------
_registering = threading.Lock()


class _Font(TTFont):
    """A TrueType font whose shaped glyphs get code points of their own, each written in
    the PDF's ToUnicode map as the text it stands for. Reportlab still subsets it: only
    the glyphs a document uses are embedded (not ASCII's 95 besides, as reportlab's
    ``asciiReadable`` would: NanumGothic drawing one arrow would bring 22 KB)."""

    def __init__(self, name: str, path: Any) -> None:
        super().__init__(name, str(path), asciiReadable=False)
        self._codes: dict[tuple[int, int, str, int], int] = {}
        self.texts: dict[int, str] = {}
        self.levels: dict[int, int] = {}
        self._lock = threading.Lock()
        self.hb_font = hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))
        self.scale = 1000 / self.hb_font.face.upem

    def glyph(self, gid: int, width: float, text: str, level: int) -> str:
        """The character that draws glyph ``gid`` advancing ``width`` (thousandths of
        the font size), for ``text`` at bidi ``level``."""
        key = (gid, round(width), text, level)
        with self._lock:
            code = self._codes.get(key)
            if code is None:
                code = FIRST_CODE + len(self._codes)
                if code > LAST_CODE:
                    raise OverflowError(f"{self.fontName}: more shaped glyphs than private-use code points")
                self._codes[key] = code
                self.texts[code], self.levels[code] = text, level
                self.face.charToGlyph[code] = gid
                self.face.charWidths[code] = round(width)
        return chr(code)

    def replacement(self, char: str, level: int) -> str:
        """U+FFFD drawn for ``char``, which no installed face has; it reads back as ``char``."""
        gid = self.face.charToGlyph.get(ord(REPLACEMENT), 0)
        return self.glyph(gid, self.face.charWidths.get(ord(REPLACEMENT), 0), char, level)

    def addObjects(self, doc: Any) -> None:
        """Reportlab's subsets, with ToUnicode maps that read our codes as their text
        (and characters beyond U+FFFF as UTF-16 pairs)."""
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state else []
        super().addObjects(doc)
        for n, subset in enumerate(subsets):
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base)
            if stream is not None:
                stream.content = _to_unicode(base, [self.texts.get(code, chr(code)) for code in subset])


def _to_unicode(name: str, texts: list[str]) -> str:
    """A ToUnicode CMap mapping each code of a subset to its text (empty for a glyph
    whose cluster's characters are read back from another glyph)."""
    entries = [f"<{n:02X}> <{text.encode('utf-16-be').hex().upper()}>" for n, text in enumerate(texts)]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
        f"/CMapName /{name} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(texts) - 1:02X}>", "endcodespacerange",
        f"{len(entries)} beginbfchar", *entries, "endbfchar",
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])  # fmt: skip


# shaping ------------------------------------------------------------------------------
def _shape(font: _Font, text: str, level: int) -> str:
    """``text`` (one word of one face and level) shaped by HarfBuzz in its direction, as
    the characters of its glyphs in visual order."""
    rtl = level % 2 == 1
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    buffer.direction = "rtl" if rtl else "ltr"
    hb.shape(font.hb_font, buffer, FEATURES)
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    # Horizontal mark offsets go into the widths: glyph i is drawn at pen + offset_i.
    offsets = [0, *(p.x_offset for p in positions[1:]), 0]
    space = font.face.charToGlyph.get(32, 0)
    drawn = []
    i = 0
    while i < len(infos):
        cluster = infos[i].cluster
        chars = list(text[cluster : ends[cluster]])
        if rtl:
            chars.reverse()  # extractors reverse right-to-left text back into logical order
        j = i
        while j < len(infos) and infos[j].cluster == cluster:
            width = (positions[j].x_advance + offsets[j + 1] - offsets[j]) * font.scale
            drawn.append(font.glyph(infos[j].codepoint, width, chars[j - i] if j - i < len(chars) else "", level))
            j += 1
        # A ligature (fewer glyphs than characters) reads back through invisible glyphs,
        # one character each, so that every glyph stands for one character at most.
        drawn += [font.glyph(space, 0, char, level) for char in chars[j - i :]]
        i = j
    return "".join(drawn)


def _pieces(run: str, levels: list[int]) -> list[tuple[str, int]]:
    """``run`` (one face) cut into words and spaces of one level each."""
    pieces: list[tuple[str, int]] = []
    for char, level in zip(run, levels, strict=True):
        if pieces and pieces[-1][1] == level and pieces[-1][0][-1].isspace() == char.isspace():
            pieces[-1] = (pieces[-1][0] + char, level)
        else:
            pieces.append((char, level))
    return pieces


@cache
def _bidi_class(char: str) -> str:
    return unicodedata.bidirectional(char)


def _levels(text: str, base: int) -> list[int]:
    """Each character's embedding level (rules X1 to I2), for a paragraph at ``base``."""
    if not base and not any(_bidi_class(char) in RIGHT_TO_LEFT for char in text):
        return [0] * len(text)
    kept = [i for i, char in enumerate(text) if _bidi_class(char) not in algorithm.X9_REMOVED]
    storage = algorithm.get_empty_storage()
    storage["base_level"], storage["base_dir"] = base, "LR"[base]
    algorithm.get_embedding_levels("".join(text[i] for i in kept), storage)
    algorithm.explicit_embed_and_overrides(storage)
    algorithm.resolve_weak_types(storage)
    _pair_brackets(storage["chars"], base)
    algorithm.resolve_neutral_types(storage, False)
    algorithm.resolve_implicit_levels(storage, False)
    levels = [base] * len(text)
    for i, char in zip(kept, storage["chars"], strict=True):
        levels[i] = char["level"]
    for i in range(1, len(text)):  # a removed character (a joiner) goes with the one before it
        if _bidi_class(text[i]) in algorithm.X9_REMOVED:
            levels[i] = levels[i - 1]
    return levels


#: Paired brackets (Unicode's BidiBrackets.txt, the ones names use), opening to closing.
BRACKETS = dict(zip("([{\u0f3a\u0f3c\u169b\u2045\u207d\u208d\u2308\u230a\u2329\u2768\u276a\u27e6\u27e8"
                    "\u2983\u3008\u300a\u300c\u300e\u3010\u3014\u3016\u3018\u301a\ufe59\ufe5b\ufe5d"
                    "\uff08\uff3b\uff5b\uff5f\uff62",
                    ")]}\u0f3b\u0f3d\u169c\u2046\u207e\u208e\u2309\u230b\u232a\u2769\u276b\u27e7\u27e9"
                    "\u2984\u3009\u300b\u300d\u300f\u3011\u3015\u3017\u3019\u301b\ufe5a\ufe5c\ufe5e"
                    "\uff09\uff3d\uff5d\uff60\uff63", strict=True))  # fmt: skip
STRONG = {"L": "L", "R": "R", "AL": "R", "EN": "R", "AN": "R"}


def _pair_brackets(chars: list[dict[str, Any]], base: int) -> None:
    """Rule N0 (which ``bidi.algorithm`` lacks): a pair of brackets takes the direction of
    what it encloses, so ``(2024)`` after a Hebrew name stays one piece. The pairs are
    found as rule BD16 says (a stack of openers, at most 63 deep)."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for i, char in enumerate(chars):
        if char["type"] != "ON":
            continue
        if char["ch"] in BRACKETS:
            if len(stack) == 63:
                break
            stack.append((BRACKETS[char["ch"]], i))
        else:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == char["ch"]:
                    pairs.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    embedding = "LR"[base]
    for opening, closing in sorted(pairs):
        inside = {STRONG.get(char["type"]) for char in chars[opening + 1 : closing]}
        if embedding in inside:
            direction = embedding
        elif inside & {"L", "R"}:
            before = (STRONG.get(char["type"]) for char in reversed(chars[:opening]))
            context = next((strong for strong in before if strong), embedding)
            direction = context if context != embedding else embedding
        else:
            continue
        chars[opening]["type"] = chars[closing]["type"] = direction


# visual order -------------------------------------------------------------------------
def _visual(blPara: Any, base: int) -> Any:
    """``blPara`` (reportlab's broken lines) with each line's words in visual order; the
    same object when every character is at level 0."""
    if blPara.kind == 0:
        font = pdfmetrics.getFont(blPara.fontName)
        lines = [(extra, _visual_words(words, font, base)) for extra, words in blPara.lines]
        changed = any(new is not old for (_e, new), (_f, old) in zip(lines, blPara.lines, strict=True))
        return blPara.clone(lines=lines) if changed else blPara
    lines = []
    for line in blPara.lines:
        words = getattr(line, "words", None)
        ordered = _visual_frags(words, base) if words else words
        lines.append(line if ordered is words else line.clone(words=ordered))
    if all(new is old for new, old in zip(lines, blPara.lines, strict=True)):
        return blPara
    return blPara.clone(lines=lines)


def _visual_words(words: list[str], font: Any, base: int) -> list[str]:
    """A line of one font (reportlab's simple lines) in visual order."""
    levels = getattr(font, "levels", {})
    tokens: list[tuple[Any, str, int | None]] = []
    for n, word in enumerate(words):
        if n:
            tokens.append((None, " ", None))
        tokens += [(None, part, level) for part, level in _units(word, levels)]
    ordered = _reorder(tokens, base)
    if ordered is tokens:
        return words
    return "".join(part for _f, part, _l in ordered).split(" ")


def _visual_frags(frags: list[Any], base: int) -> list[Any]:
    """A line of fragments (one per run of a font) in visual order."""
    tokens: list[tuple[Any, str, int | None]] = []
    for frag in frags:
        text = getattr(frag, "text", None)
        if text is None:  # a zero-width special (an anchor): it stays with its neighbours
            tokens.append((frag, "", None))
            continue
        levels = getattr(pdfmetrics.getFont(frag.fontName), "levels", {})
        tokens += [(frag, part, level) for part, level in _units(text, levels)]
    ordered = _reorder(tokens, base)
    if ordered is tokens:
        return frags
    result = []
    for frag, part, _level in ordered:
        if getattr(frag, "text", None) is None:
            result.append(frag)
        elif result and result[-1].text is not None and _same_frag(result[-1], frag):
            result[-1].text += part
        else:
            result.append(frag.clone(text=part, _source=frag))
    return result


def _same_frag(clone: Any, frag: Any) -> bool:
    return getattr(clone, "_source", None) is frag


def _units(text: str, levels: dict[int, int]) -> list[tuple[str, int | None]]:
    """``text`` cut into spaces (level None: they take their neighbours' level) and runs of
    characters of one level (a code of ours has its own; any other character is at 0)."""
    units: list[tuple[str, int | None]] = []
    for char in text:
        level = None if char.isspace() else levels.get(ord(char), 0)
        if units and units[-1][1] == level:
            units[-1] = (units[-1][0] + char, level)
        else:
            units.append((char, level))
    return units


def _reorder(tokens: list[tuple[Any, str, int | None]], base: int) -> list[tuple[Any, str, int | None]]:
    """Rule L2 on a line's tokens: from the highest level to the lowest odd one, reverse
    every run of tokens at that level or above. Spaces take the lower of their
    neighbours' levels (the base level at either end of the line). Returns ``tokens``
    itself when nothing moves."""
    known = [level for _f, _p, level in tokens if level is not None]
    if not known or (base == 0 and max(known) == 0):
        return tokens
    levels = _space_levels([level for _f, _p, level in tokens], base)
    items = list(tokens)
    lowest_odd = min(levels) | 1
    for level in range(max(levels), lowest_odd - 1, -1):
        i = 0
        while i < len(items):
            if levels[i] < level:
                i += 1
                continue
            j = i
            while j < len(items) and levels[j] >= level:
                j += 1
            items[i:j], levels[i:j] = items[i:j][::-1], levels[i:j][::-1]
            i = j
    return items


def _space_levels(levels: list[int | None], base: int) -> list[int]:
    resolved: list[int] = []
    for i, level in enumerate(levels):
        if level is not None:
            resolved.append(level)
            continue
        before = next((lv for lv in reversed(levels[:i]) if lv is not None), None)
        after = next((lv for lv in levels[i + 1 :] if lv is not None), None)
        resolved.append(base if before is None or after is None else min(before, after))
    return resolved
