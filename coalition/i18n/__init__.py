"""The interface's language: which catalogue a message is read from, for this run or
this dashboard session.

Every sentence a person reads (CLI messages and errors, dashboard text, gap sentences,
introduction reasons, the planning brief) is written in English in the code and wrapped
in ``_()`` (or ``ngettext()`` when it counts something); ``pybabel extract`` collects
them into ``locales/coalition.pot`` and each language's ``.po`` catalogue translates
them (``make install`` compiles the ``.mo`` files). Data never passes through here:
names and notes stay as typed; labels of movements, kinds and resources are words of the
interface and do.

The language is held in a context variable, not a process global: the dashboard serves
several sessions from one process, each in its own thread, and each may read another
language. ``use_language`` sets it for the current thread; a thread that never set one
reads the default (``COALITION_LANG``, else the system locale, else English).

Messages are formatted with named fields, ``_("{count} ties").format(count=n)``, so a
translation may put the fields in the order its grammar needs.
"""

from __future__ import annotations

import gettext
import locale
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "current_language",
    "default_language",
    "direction",
    "is_rtl",
    "language_or_none",
    "ngettext",
    "parse_language",
    "set_language",
    "use_language",
]

LOCALE_DIR = Path(__file__).parent / "locales"
DOMAIN = "coalition"
DEFAULT_LANGUAGE = "en"
#: The interface's languages, each named in itself (how a reader finds their own).
LANGUAGES: Mapping[str, str] = {"en": "English", "es": "Español", "fr": "Français", "ar": "العربية"}
RIGHT_TO_LEFT = frozenset({"ar"})

_language: ContextVar[str | None] = ContextVar("coalition_language", default=None)


def language_or_none(text: str | None) -> str | None:
    """The interface language a locale or language tag names, or None: ``"es_MX.UTF-8"``,
    ``"es-MX"`` and ``"ES"`` are Spanish; ``"C"``, ``"POSIX"`` and ``"de"`` are none of ours."""
    if not text:
        return None
    code = text.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].strip().lower()
    return code if code in LANGUAGES else None


def parse_language(text: str, *, source: str = "--lang") -> str:
    """A language the user chose (``--lang``, ``COALITION_LANG``), refused by name when
    the interface has no catalogue for it."""
    code = language_or_none(text)
    if code is None:
        from coalition.domain.settings import SettingsError  # settings imports this module

        choices = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
        raise SettingsError(
            _("{source}: {language} is not a language of this interface; choose one of {choices}").format(
                source=source, language=text, choices=choices
            )
        )
    return code


def default_language(env: Mapping[str, str] | None = None) -> str:
    """``COALITION_LANG`` when set (a bad one is refused), else the system locale's
    language when we have it (LC_ALL, LC_MESSAGES, LANG, as gettext reads them), else English."""
    env = os.environ if env is None else env
    chosen = env.get("COALITION_LANG", "").strip()
    if chosen:
        return parse_language(chosen, source="COALITION_LANG")
    return _locale_language(env)


def _locale_language(env: Mapping[str, str]) -> str:
    """The system locale's language when we have it, else English."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(variable, "")
        for part in value.split(":"):
            code = language_or_none(part)
            if code:
                return code
        if value and variable != "LANGUAGE":
            return DEFAULT_LANGUAGE  # the first variable set decides, as in gettext
    return language_or_none(locale.getlocale()[0]) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of this thread's messages."""
    return _language.get() or _default()


@cache
def _default() -> str:
    """The language of a thread that set none. It never refuses: a bad COALITION_LANG is
    refused where the settings are read, in a message that is itself read through
    ``_()``, so it falls back to the locale's language here rather than recurse."""
    return language_or_none(os.environ.get("COALITION_LANG")) or _locale_language(os.environ)


@contextmanager
def use_language(code: str) -> Iterator[str]:
    """Messages in ``code`` inside the block (this thread only), as before after it."""
    token = _language.set(code)
    try:
        yield code
    finally:
        _language.reset(token)


def set_language(code: str) -> None:
    """Messages in ``code`` from now on in this thread (a CLI run, a dashboard rerun)."""
    _language.set(code)


@cache
def _catalogue(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``code``; English (the source text) when it is missing."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def _(message: str) -> str:
    """``message`` in this thread's language."""
    return _catalogue(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted message the language's plural rules pick for ``count``
    (Arabic has six)."""
    return _catalogue(current_language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue without translating it: for tables built at
    import time, read through ``_()`` where they are shown."""
    return message


def is_rtl(code: str | None = None) -> bool:
    """Whether ``code`` (default: the current language) is written right to left."""
    return (code or current_language()) in RIGHT_TO_LEFT


def direction(code: str | None = None) -> str:
    """``"rtl"`` or ``"ltr"``, as HTML's ``dir`` attribute spells it."""
    return "rtl" if is_rtl(code) else "ltr"
