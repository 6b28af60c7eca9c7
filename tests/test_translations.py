"""The interface's catalogues stay complete: every message the code wraps in ``_()`` /
``ngettext()`` / ``N_()`` is translated in every language, no catalogue keeps a message
the code no longer has, and a translation keeps its message's ``{fields}`` (a missing
one would be a KeyError at the moment someone reads it). Also: how the language is
chosen (``--lang``, ``COALITION_LANG``, the system locale)."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from coalition.domain.settings import SettingsError
from coalition.i18n import LANGUAGES, LOCALE_DIR, _, current_language, default_language, ngettext, use_language

from .conftest import ROOT

TRANSLATED = [code for code in LANGUAGES if code != "en"]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
FIELD = re.compile(r"(?<!\{)\{([a-zA-Z_][a-zA-Z0-9_]*)[^{}]*\}(?!\})")


def _code_messages() -> set[str]:
    """The msgids the code holds now (what ``make messages`` would extract)."""
    found: set[str] = set()
    method_map = [("coalition/**.py", "python"), ("streamlit_app.py", "python")]
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS, strip_comment_tags=True
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
