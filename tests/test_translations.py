"""The interface's catalogues stay complete: every message the code wraps in ``_()`` /
``ngettext()`` / ``N_()`` is translated in every language, no catalogue keeps a message
the code no longer has, and a translation keeps its message's ``{fields}`` (a missing
one would be a KeyError at the moment someone reads it). Also: how the language is
chosen (``--lang``, ``COALITION_LANG``, the system locale)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from coalition.domain.settings import SettingsError
from coalition.i18n import LANGUAGES, LOCALE_DIR, _, current_language, default_language, ngettext, use_language

from .conftest import ROOT

TRANSLATED = [code for code in LANGUAGES if code != "en"]
FIELD = re.compile(r"(?<!\{)\{([a-zA-Z_][a-zA-Z0-9_]*)[^{}]*\}(?!\})")


def _code_messages() -> set[str]:
    """The msgids the code holds now (what ``make messages`` would extract)."""
    found: set[str] = set()
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:  # the files `make messages` reads
        method_map, options_map = parse_mapping_cfg(cfg)
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options_map, keywords=DEFAULT_KEYWORDS, strip_comment_tags=True
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.fixture(scope="module")
def code_messages() -> set[str]:
    return _code_messages()


def _catalogue(code: str):
    with open(LOCALE_DIR / code / "LC_MESSAGES" / "coalition.po", "rb") as f:
        return read_po(f, locale=code)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_and_none_is_stale(code, code_messages):
    catalogue = _catalogue(code)
    held = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue if m.id}
    missing = sorted(code_messages - held.keys())
    stale = sorted(held.keys() - code_messages)
    untranslated = sorted(
        key for key, m in held.items() if m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string)
    )
    assert not missing, f"{code}: {len(missing)} messages missing (run make messages, then translate): {missing[:5]}"
    assert not stale, f"{code}: {len(stale)} stale messages (run make messages): {stale[:5]}"
    assert not untranslated, f"{code}: {len(untranslated)} untranslated or fuzzy: {untranslated[:5]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_fields_of_their_message(code):
    wrong = []
    for m in _catalogue(code):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(FIELD.findall(ids[0])) | set(FIELD.findall(ids[-1]))
        for string in strings:
            if string and not set(FIELD.findall(string)) <= wanted:
                wrong.append((ids[0], string))
            # a singular may drop {count} ("one tie"), the other forms must keep every field
            if string and len(strings) == 1 and set(FIELD.findall(string)) != set(FIELD.findall(ids[0])):
                wrong.append((ids[0], string))
    assert not wrong, f"{code}: translations whose fields differ from their message: {wrong[:5]}"


def test_the_compiled_catalogues_are_current():
    """``make test`` compiles them; a .po edited after its .mo would be read stale."""
    for code in TRANSLATED:
        po = LOCALE_DIR / code / "LC_MESSAGES" / "coalition.po"
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run make catalogues"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than its .po: run make catalogues"


def test_the_language_comes_from_coalition_lang_then_the_system_locale():
    assert default_language({"COALITION_LANG": "fr"}) == "fr"
    assert default_language({"COALITION_LANG": "es_MX.UTF-8", "LANG": "ar_EG.UTF-8"}) == "es"
    assert default_language({"LANG": "ar_EG.UTF-8"}) == "ar"
    assert default_language({"LC_ALL": "fr_CA.UTF-8", "LANG": "es_ES.UTF-8"}) == "fr"
    assert default_language({"LANG": "de_DE.UTF-8"}) == "en"
    assert default_language({"LANG": "C.UTF-8"}) == "en"
    with pytest.raises(SettingsError, match="COALITION_LANG: klingon is not a language"):
        default_language({"COALITION_LANG": "klingon"})


def test_each_thread_reads_its_own_language():
    assert current_language() == "en"
    with use_language("es"):
        assert current_language() == "es"
    assert current_language() == "en"


@pytest.mark.parametrize("count,form", [(0, 0), (1, 1), (2, 2), (5, 3), (11, 4), (100, 5)])
def test_arabic_counts_take_the_six_plural_forms(count, form):
    """Arabic plural rule (CLDR): zero, one, two, few (3-10), many (11-99), other."""
    catalogue = _catalogue("ar")
    counted = [m for m in catalogue if m.id and isinstance(m.id, tuple)]
    assert counted, "no counted message in the Arabic catalogue"
    message = counted[0]
    assert len(message.string) == 6
    with use_language("ar"):
        assert ngettext(message.id[0], message.id[1], count) == message.string[form]


def test_a_message_reads_in_the_chosen_language():
    with use_language("es"):
        spanish = _("Organizations")
    with use_language("ar"):
        arabic = _("Organizations")
    assert spanish != "Organizations" and arabic != "Organizations" and spanish != arabic


def test_the_cli_speaks_the_language_chosen_and_refuses_an_unknown_one(tmp_path):
    run = [sys.executable, "-m", "coalition", "--db", f"sqlite:///{tmp_path / 'm.db'}"]
    env = {"PATH": "/usr/bin:/bin", "COALITION_LANG": "en"}
    bad = subprocess.run([*run, "--lang", "xx", "stats"], capture_output=True, text=True, env=env)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().count("\n") == 0 and "--lang: xx" in bad.stderr
    subprocess.run([*run, "init"], check=True, capture_output=True, env=env)
    missing = [*run, "org", "show", "Nobody Here"]
    english = subprocess.run(missing, capture_output=True, text=True, env=env)
    spanish = subprocess.run(missing, capture_output=True, text=True, env={**env, "COALITION_LANG": "es"})
    flag = subprocess.run(
        [*run[:3], "--lang", "fr", *run[3:], "org", "show", "Nobody Here"], capture_output=True, text=True, env=env
    )
    assert english.returncode == spanish.returncode == flag.returncode == 1
    assert "Nobody Here" in spanish.stderr and spanish.stderr != english.stderr != flag.stderr


def test_an_arabic_brief_reads_right_to_left_in_arabic(demo_store, tmp_path):
    """The planning brief in Arabic: its text is the Arabic catalogue's, names as typed."""
    from pypdf import PdfReader

    from coalition.domain.privacy import read_view
    from coalition.formats.pdf_brief import brief

    with use_language("ar"):
        pdf = brief(read_view(demo_store, "coalition"))
        title = _("Coalition planning brief")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert title != "Coalition planning brief" and title in text
    assert "Riverside Tenants Union" in text and "Coalition planning brief" not in text


def test_a_bad_coalition_lang_falls_back_to_the_locale_until_the_settings_refuse_it():
    """A thread that set no language reads the default, which never refuses (the refusal
    message itself is read through ``_()``): the locale's language."""
    code = "from coalition.i18n import _, current_language; print(current_language(), _('Organizations'))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "COALITION_LANG": "xx", "LANG": "fr_FR.UTF-8"},
    )  # fmt: skip
    with use_language("fr"):
        assert done.returncode == 0 and done.stdout.split(" ", 1) == ["fr", _("Organizations") + "\n"], done.stderr


def _map_payload(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S).group(1))


def test_the_interactive_map_speaks_the_readers_language_and_keeps_names_as_typed():
    """graph.render's own words (legend, tooltips, the screen-reader summary, the zoom
    buttons, the "add a tie" panel) come from the catalogue the caller hands in; names
    and regions do not, and Arabic turns the page right to left."""
    from coalition.formats.html_format import map_words
    from graph.render import render_map

    movements = [{"id": "housing", "name": "Housing justice", "color": "#0072B2"}]
    orgs = [
        {"id": "a", "name": "Unión de Inquilinos", "movements": ["housing"], "community_led": True,
         "kind": "collective", "region": "Old Town"},
        {"id": "b", "name": "بيت المهاجرين", "movements": ["housing", "migrant"], "kind": "ngo"},
        {"id": "c", "name": "Night Shift", "movements": []},
    ]  # fmt: skip
    ties = [{"source": "a", "target": "b", "kind": "coalition", "strength": 4, "since": "2020-01-01", "stale": True}]
    pages = {}
    for code in ("es", "fr", "ar"):
        with use_language(code):
            pages[code] = render_map(movements, orgs, ties, focus="a", links=True, words=map_words())
            expected = {
                "legend": _("diamond: community-led organization"),
                "kind": _("Kind: {kind}").format(kind=_("Collective")),
                "stale": _("not confirmed since {date}").format(date=""),
                "other": _("Other"),
                "apart": _("No ties yet"),
                "panel": _("Selected: {name}. Click a second organization to add a tie between them."),
                "zoom": _("Zoom in"),
            }
        page = pages[code]
        payload = _map_payload(page.html)
        labels = [item["label"] for item in page.legend]
        tooltips = {node["id"]: node["title"] for node in payload["nodes"]}
        assert f'<html lang="{code}" dir="{"rtl" if code == "ar" else "ltr"}">' in page.html
        assert expected["legend"] in labels and expected["other"] in labels and "Housing justice" in labels
        assert expected["kind"] in tooltips["a"] and "Old Town" in tooltips["a"]
        assert expected["stale"] in payload["edges"][0]["title"] and "2020-01-01" in payload["edges"][0]["title"]
        assert payload["apart"]["caption"] == expected["apart"] and payload["words"]["one"] == expected["panel"]
        assert f'aria-label="{expected["zoom"]}"' in page.html
        assert [node["label"] for node in payload["nodes"]] == [o["name"] for o in orgs]
    with use_language("en"):
        english = render_map(movements, orgs, ties, focus="a", links=True, words=map_words()).legend
    for code, page in pages.items():  # every meaning read in the language (the movement's name is data)
        same = [ours["label"] for ours, theirs in zip(page.legend, english, strict=True) if ours == theirs]
        assert same == ["Housing justice"], f"{code}: legend entries left in English: {same}"


def test_a_map_too_big_to_draw_one_by_one_says_so_in_the_readers_language():
    from coalition.formats.html_format import map_words
    from graph.render import render_map

    orgs = [{"id": f"o{i}", "name": f"Group {i}", "movements": ["m"], "community_led": i % 2 == 0} for i in range(12)]
    with use_language("fr"):
        page = render_map([{"id": "m", "name": "Mutual aid", "color": "#009E73"}], orgs, [], max_nodes=5,
                          words=map_words())  # fmt: skip
        groups = {
            _(name).format(movement="Mutual aid")
            for name in ("{movement}, community-led", "{movement}, allies and others")
        }
    assert page.aggregated and page.message.startswith("12 ") and "organizations" not in page.message
    assert {row["group"] for row in page.nodes} == groups


def test_the_exported_html_map_reads_right_to_left_in_arabic(demo_store):
    from coalition.domain.privacy import read_view
    from coalition.formats.html_format import page

    with use_language("ar"):
        html = page(read_view(demo_store, "coalition"))
        legend = _("Legend")
    assert '<html lang="ar" dir="rtl">' in html and f'aria-label="{legend}"' in html
    assert "Riverside Tenants Union" in html and "solid line" not in html
