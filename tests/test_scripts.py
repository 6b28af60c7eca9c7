"""Every script drawn (issue 19): names in Latin with accents, Arabic, Hebrew, Devanagari,
Chinese, Japanese (kanji and kana) and Korean are drawn by a font that has them, shaped
and in reading order, in the PDF brief and in the PNG/SVG maps; a script whose font is
missing is refused in one sentence, never drawn as empty boxes.

What is checked where a reader would look: the font programs embedded in the PDF (parsed
with fontTools) and their ToUnicode maps, the text pypdf extracts, the fonts matplotlib's
fallback picks for each character (``FT2Font.get_char_index``) and its warnings.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from pypdf import PdfReader

from coalition.domain.errors import USER_ERRORS
from coalition.formats import fonts, image_format, pdf_brief
from coalition.i18n import _, use_language

#: One organization per script, as people write them (multi-word, with the joined letters,
#: ligatures, conjuncts and vowel signs that need shaping).
NAMES = {
    "latin": "Coopérative Ñandú de Łódź",
    "arabic": "جمعية السلام للعمال",  # lam-alef ligature, letters joined in four forms
    "hebrew": "עמותת השכונה הירוקה",
    "devanagari": "ग्रामीण महिला संगठन",  # the conjunct ग्र, the vowel sign ि drawn before ह
    "chinese": "北京市民联盟",
    "japanese": "東京のひまわりネットワーク",  # kanji, hiragana and katakana
    "korean": "서울시민연대",
}
#: The family matplotlib must draw each script with (not DejaVu Sans's unshaped Arabic).
FAMILIES = {
    "latin": "Noto Sans", "arabic": "Noto Sans Arabic", "hebrew": "Noto Sans Hebrew",
    "devanagari": "Noto Sans Devanagari", "chinese": "Droid Sans Fallback", "japanese": "Droid Sans Fallback",
    "korean": "NanumGothic",
}  # fmt: skip
#: The brief of this seven-organization map measured 180 KB: the map image is most of it,
#: the eight subset fonts (regular and bold) 75 KB, where the whole files weigh 10 MB.
MAX_BRIEF = 250_000
MAX_FONT_PROGRAMS = 110_000


def script_view() -> dict[str, Any]:
    """A map of one organization per script, each tied to the next, so every name is
    labelled on the map and listed in the brief."""
    keys = list(NAMES)
    organizations = [
        {"id": key, "name": NAMES[key], "movements": [("housing", "migrant")[n % 2]], "kind": "collective",
         "community_led": n % 2 == 0, "region": "", "languages": [], "issues": [], "offers": [], "needs": [],
         "access": "", "contact": "", "contact_visibility": "private", "visibility": "public",
         "consent_to_introductions": True, "intro_capacity_per_month": 2, "notes": ""}
        for n, key in enumerate(keys)
    ]  # fmt: skip
    ties = [
        {"source": a, "target": b, "kind": "coalition", "strength": 3, "since": None, "until": None,
         "visibility": "public", "notes": "", "provenance": ""}
        for a, b in zip(keys, keys[1:], strict=False)
    ]  # fmt: skip
    movements = [
        {"id": "housing", "name": "Housing justice", "color": "#0072B2"},
        {"id": "migrant", "name": "حقوق المهاجرين", "color": "#009E73"},  # a movement named in Arabic
    ]
    return {
        "movements": movements, "organizations": organizations, "ties": ties, "introductions": [],
        "audience": "public", "version": 1, "withheld": {"organizations": 0, "ties": 0, "introductions": 0},
        "anonymized": {"organizations": 0, "ties": 0},
    }  # fmt: skip


@pytest.fixture(scope="module")
def brief() -> bytes:
    return pdf_brief.brief(script_view())


# the PDF brief ------------------------------------------------------------------------
def embedded_fonts(pdf: bytes) -> list[tuple[str, bytes, dict[int, str]]]:
    """Each embedded font of the PDF: its name, its font program and its ToUnicode map
    (code -> text)."""
    found: dict[int, tuple[str, bytes, dict[int, str]]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/FontDescriptor" not in font or ref.idnum in found:
                continue  # a standard font (the bullets' Helvetica), never embedded
            program = font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
            block = cmap[cmap.index("beginbfchar") : cmap.index("endbfchar")]
            to_text = {
                int(code, 16): bytes.fromhex(text).decode("utf-16-be")
                for code, text in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]*)>", block)
            }
            found[ref.idnum] = (str(font["/BaseFont"]), program, to_text)
    return list(found.values())


def test_every_character_of_every_name_is_drawn_by_an_embedded_font(brief: bytes) -> None:
    """A character counts as drawn when a code of an embedded font reads back as it and
    that code draws a real glyph of the font program (not .notdef: an empty box)."""
    drawn: set[str] = set()
    for _name, program, to_text in embedded_fonts(brief):
        with TTFont(io.BytesIO(program)) as font:
            glyphs = font["cmap"].getcmap(1, 0).cmap  # reportlab's subsets: code -> glyph
        drawn |= {char for code, text in to_text.items() if glyphs.get(code, ".notdef") != ".notdef" for char in text}
    for key, name in NAMES.items():
        assert not set(name) - drawn, f"{key}: {sorted(set(name) - drawn)} not drawn"


def test_the_fonts_are_subsets_so_the_brief_stays_small(brief: bytes) -> None:
    programs = embedded_fonts(brief)
    families = {name.split("+", 1)[1] for name, _program, _to_text in programs}
    assert {"NotoSans-Regular", "NotoSansArabic-Regular", "NotoSansHebrew-Regular", "NotoSansDevanagari-Regular",
            "DroidSansFallback", "NanumGothic"} <= families  # fmt: skip
    assert sum(len(program) for _name, program, _to_text in programs) < MAX_FONT_PROGRAMS
    assert len(brief) < MAX_BRIEF


def test_the_text_read_back_from_the_brief_gives_every_name(brief: bytes) -> None:
    """pypdf reads each glyph back through the ToUnicode map, and puts right-to-left runs
    (drawn in visual order, right to left) back into logical order by reversing them, so
    every name comes back as typed, with no normalisation:
    the Devanagari vowel sign drawn before its consonant and the Arabic ligature both read
    back in logical order, because each glyph stands for the characters of its cluster in
    that order. Only spaces are compared loosely (a name may wrap in its table cell)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(brief)).pages)
    squeezed = re.sub(r"\s+", " ", text)
    for key, name in NAMES.items():
        assert name in squeezed, key


def outlines(font: TTFont, names: Any) -> set[tuple]:
    """The outlines (points and contour ends, composites flattened) of glyphs ``names``."""
    glyf = font["glyf"]
    found = set()
    for name in names:
        coordinates, ends, _flags = glyf[name].getCoordinates(glyf)
        found.add((tuple(coordinates), tuple(ends)))
    return found


def test_arabic_is_shaped_and_right_to_left(brief: bytes) -> None:
    """The Arabic name is drawn with the glyphs HarfBuzz picks from Noto Sans Arabic (the
    joined forms and the lam-alef ligature, which have no code point of their own), not
    with the isolated letters. (That it is drawn right to left the test above shows: pypdf
    reverses right-to-left runs, so text drawn in logical order would read back reversed.)"""
    import uharfbuzz as hb

    path = fonts.FACES["arabic"].regular
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))
    glyphs = set()
    for word in NAMES["arabic"].split():
        buffer = hb.Buffer()
        buffer.add_str(word)
        buffer.guess_segment_properties()
        hb.shape(font, buffer, {})
        glyphs |= {info.codepoint for info in buffer.glyph_infos}
    with TTFont(path) as full:
        order = full.getGlyphOrder()
        shaped = outlines(full, {order[gid] for gid in glyphs})
        isolated_jeem = outlines(full, [full.getBestCmap()[ord("ج")]])  # the name has ج only joined
    program = next(program for name, program, _t in embedded_fonts(brief) if name.endswith("NotoSansArabic-Regular"))
    with TTFont(io.BytesIO(program)) as subset:
        embedded = outlines(subset, subset.getGlyphOrder())
    assert shaped <= embedded and not isolated_jeem & embedded


def test_a_right_to_left_brief_is_laid_out_from_the_right() -> None:
    """In a right-to-left interface language the paragraphs are aligned right: the title
    ends at the right margin instead of starting at the left one."""
    starts: dict[str, list[float]] = {}

    def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any) -> None:
        if title in text:
            starts.setdefault(language, []).append(tm[4])

    for language in ("en", "ar"):
        with use_language(language):
            pdf = pdf_brief.brief(script_view())
            title = _("Coalition planning brief").split()[-1 if language == "en" else 0]  # "brief", "موجز"
        PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    assert min(starts["en"]) < 60  # the left margin is 43 points
    assert max(starts["ar"]) > 200


# the PNG and SVG maps ------------------------------------------------------------------
def test_the_map_draws_every_name_with_a_font_that_has_it(tmp_path: Path) -> None:
    """matplotlib draws each character with the first family of the fallback list that
    has it; for every character of every name that family is the script's own (so Arabic
    is shaped by Noto Sans Arabic, not drawn unshaped by DejaVu Sans), and it has the
    glyph. No 'Glyph ... missing' warning is emitted while the PNG is drawn."""
    view = script_view()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image_format.png.write(view, tmp_path / "map.png")
    assert not [str(w.message) for w in caught if "missing from font" in str(w.message)]
    with matplotlib.rc_context(image_format._rc()):
        families = matplotlib.rcParams["font.family"]
        chain = [
            (family, FT2Font(font_manager.findfont(FontProperties(family=[family]), fallback_to_default=False)))
            for family in families
            if family != "sans-serif"
        ]
        figure = image_format.draw(view)
    texts = {t.get_text() for ax in figure.axes for t in ax.texts}
    for key, name in NAMES.items():
        assert name in texts, f"{key} is not labelled"
        for char in name.replace(" ", ""):
            family = next((family for family, font in chain if font.get_char_index(ord(char)) != 0), None)
            assert family == FAMILIES[key], f"{key}: {char!r} drawn by {family}"


def test_the_svg_keeps_names_as_text_with_the_noto_families(tmp_path: Path) -> None:
    image_format.svg.write(script_view(), tmp_path / "map.svg")
    svg = (tmp_path / "map.svg").read_text(encoding="utf-8")
    for name in NAMES.values():
        assert f">{name}<" in svg
    family = re.search(r"font-family: ([^;\"]+)", svg)[1]
    assert family.startswith("'Noto Sans', 'Noto Sans Arabic', 'Noto Sans Hebrew', 'Noto Sans Devanagari'")
    assert family.endswith("sans-serif")


def test_a_character_no_font_has_is_shown_as_the_replacement_character() -> None:
    assert fonts.drawable("Food Bank \U0001f34e") == "Food Bank \ufffd"
    assert fonts.drawable(NAMES["arabic"]) == NAMES["arabic"]


# a missing font ------------------------------------------------------------------------
def test_a_script_whose_font_is_missing_is_refused_in_one_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without NanumGothic, a Korean name stops the brief and the map with one sentence
    naming the script and the Debian package, a user error (the CLI and the dashboard
    print it without a traceback); a map without Korean names is still drawn."""
    missing = replace(fonts.FACES["hangul"], regular=tmp_path / "NanumGothic.ttf", bold=None)
    monkeypatch.setitem(fonts.FACES, "hangul", missing)
    view = script_view()
    for make in (lambda: pdf_brief.brief(view), lambda: image_format.png.write(view, tmp_path / "map.png")):
        with pytest.raises(fonts.MissingFont) as refused:
            make()
        message = str(refused.value)
        assert isinstance(refused.value, USER_ERRORS)
        assert "Korean" in message and "fonts-nanum" in message and message.count(". ") == 0
    assert not (tmp_path / "map.png").exists()
    without_korean = {**view, "organizations": [o for o in view["organizations"] if o["id"] != "korean"]}
    assert pdf_brief.brief(without_korean).startswith(b"%PDF")


def test_an_organization_named_in_any_script_can_be_added_and_found_by_the_cli(tmp_path: Path) -> None:
    """A name with no Latin letter gets an id people can type (transliterated), and the
    name itself is kept exactly as written."""
    from .conftest import run_cli

    env = {"COALITION_DB": f"sqlite:///{tmp_path / 'm.db'}", "COALITION_ACCOUNTS": str(tmp_path / "a.db")}
    assert run_cli("init", cwd=tmp_path, env=env).returncode == 0
    for name in NAMES.values():
        added = run_cli("org", "add", "--name", name, "--movements", "migrant", cwd=tmp_path, env=env)
        assert added.returncode == 0, added.stderr
    listed = run_cli("org", "list", "--json", cwd=tmp_path, env=env)
    orgs = {o["name"]: o["id"] for o in json.loads(listed.stdout)}
    assert set(orgs) == set(NAMES.values()) and len(set(orgs.values())) == len(NAMES)
    assert orgs[NAMES["arabic"]].isascii() and orgs[NAMES["chinese"]] == "bei_jing_shi_min_lian_meng"
    shown = run_cli("org", "show", orgs[NAMES["korean"]], cwd=tmp_path, env=env)
    assert shown.returncode == 0 and NAMES["korean"] in shown.stdout
