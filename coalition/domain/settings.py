"""Settings, read once at the edge (the CLI's entry, the dashboard's entry) from flags,
the environment and defaults, then passed down. Nothing deeper reads the environment.

A bad value (a limit that is not a number, a duration of "soon") is one clear sentence
(``SettingsError``) naming the variable, never a traceback halfway through a command.

==============================  =================================================  ===================
variable                        what                                               default
==============================  =================================================  ===================
COALITION_DB                    the store URL (``--db`` wins)                      sqlite:///coalition.db
COALITION_ACCOUNTS              the accounts file of a shared server               accounts.db
COALITION_PASSPHRASE_FILE       the file holding an encrypted map's passphrase     none (``--passphrase-file`` wins)
COALITION_MAX_IMPORT_MB         the largest import, in megabytes (unpacked)        200
COALITION_MAX_IMPORT_ROWS       the most records one import may hold               2,000,000
COALITION_SESSION_IDLE_MINUTES  a dashboard sign-in ends after this long idle      30
COALITION_SESSION_MAX_HOURS     ... and after this long in all                     8
COALITION_STALE_MONTHS          a tie not confirmed for this long is stale         12
COALITION_STALE_TIE_WEIGHT      what a stale tie's strength counts for (0 to 1)    0.5
COALITION_LANG                  the interface's language: en, es, fr or ar         the system locale's, else en
NEO4J_USERNAME / NEO4J_PASSWORD Neo4j credentials when the URL carries none        neo4j / none
NEO4J_DATABASE                  the Neo4j database                                 the server's default
==============================  =================================================  ===================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from coalition.domain.errors import CoalitionError
from coalition.domain.freshness import Freshness
from coalition.i18n import DEFAULT_LANGUAGE, _, default_language, ngettext, parse_language
from graph.connect import DEFAULT_URL, Neo4jOptions, open_store, sqlite_path
from graph.sqlite.cipher import Passphrase, is_encrypted
from graph.store import Store

__all__ = [
    "ImportLimits",
    "MIN_PASSPHRASE",
    "SessionPolicy",
    "Settings",
    "SettingsError",
    "read_passphrase",
    "resolve_url",
    "spell_duration",
]

DEFAULT_ACCOUNTS = "accounts.db"


class SettingsError(CoalitionError):
    """A setting (a flag or an environment variable) holds a value that cannot be used."""


@dataclass(frozen=True)
class ImportLimits:
    """How large one import may be, checked while the file is read, before memory grows
    with it (``coalition.formats.files.ReadBudget``):

    - ``max_bytes``: bytes on disk, and what a .zip or .xlsx unpacks to
      (COALITION_MAX_IMPORT_MB, default 200 MB);
    - ``max_rows``: records (movements, organizations, ties and introductions together);
      a CSV or spreadsheet stops being read at the first record past it
      (COALITION_MAX_IMPORT_ROWS, default 2,000,000);
    - ``max_cell_chars``: characters in one cell, field or attribute value (default
      131,072, the size Python's csv module accepts; the longest field a record holds is
      5,000 characters, so only a hostile or broken file comes near it).
    """

    max_bytes: int = 200 * 1024 * 1024
    max_rows: int = 2_000_000
    max_cell_chars: int = 131_072


@dataclass(frozen=True)
class SessionPolicy:
    """How long a dashboard sign-in lasts: ``idle`` without a click, ``absolute`` in all."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=8)

    def describe(self) -> str:
        """``"30 minutes without a click or 8 hours in all"``."""
        # TRANSLATORS: how long a dashboard sign-in lasts: "30 minutes without a click or 8 hours in all"
        return _("{idle} without a click or {absolute} in all").format(
            idle=spell_duration(self.idle), absolute=spell_duration(self.absolute)
        )


@dataclass(frozen=True)
class Settings:
    """Everything configurable, as one value built at the edge and passed down."""

    db_url: str = DEFAULT_URL
    accounts_path: Path = Path(DEFAULT_ACCOUNTS)
    import_limits: ImportLimits = field(default_factory=ImportLimits)
    session: SessionPolicy = field(default_factory=SessionPolicy)
    neo4j: Neo4jOptions = field(default_factory=Neo4jOptions)
    freshness: Freshness = field(default_factory=Freshness)
    #: The file holding an encrypted map's passphrase (the passphrase itself is never a
    #: setting: it would end up in a shell history, a process list or a log).
    passphrase_file: Path | None = None
    #: The interface's language (``--lang``, else COALITION_LANG, else the system locale).
    language: str = DEFAULT_LANGUAGE

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        db: str | None = None,
        accounts: str | os.PathLike[str] | None = None,
        passphrase_file: str | os.PathLike[str] | None = None,
        language: str | None = None,
    ) -> Settings:
        """Settings from flags (``db``, ``accounts``, ``passphrase_file``, ``language``), else the
        environment, else defaults.

        Raises ``SettingsError`` naming the variable when a value cannot be used.
        """
        env = os.environ if environ is None else environ
        limits = ImportLimits(
            max_bytes=int(_number(env, "COALITION_MAX_IMPORT_MB", ImportLimits.max_bytes / 2**20) * 2**20),
            max_rows=int(_number(env, "COALITION_MAX_IMPORT_ROWS", ImportLimits.max_rows, whole=True)),
        )
        session = SessionPolicy(
            idle=timedelta(minutes=_number(env, "COALITION_SESSION_IDLE_MINUTES", 30, positive=True)),
            absolute=timedelta(hours=_number(env, "COALITION_SESSION_MAX_HOURS", 8, positive=True)),
        )
        neo4j = Neo4jOptions(
            user=env.get("NEO4J_USERNAME") or "neo4j",
            password=env.get("NEO4J_PASSWORD"),
            database=env.get("NEO4J_DATABASE") or None,
        )
        weight = _number(env, "COALITION_STALE_TIE_WEIGHT", Freshness.weight)
        if weight > 1:
            raise SettingsError(
                _("{variable} must be from 0 to 1, not {value:g}").format(
                    variable="COALITION_STALE_TIE_WEIGHT", value=weight
                )
            )
        freshness = Freshness(
            months=int(_number(env, "COALITION_STALE_MONTHS", Freshness.months, whole=True, positive=True)),
            weight=weight,
        )
        return cls(
            db_url=resolve_url(db, env),
            accounts_path=Path(accounts or env.get("COALITION_ACCOUNTS") or DEFAULT_ACCOUNTS),
            import_limits=limits,
            session=session,
            neo4j=neo4j,
            freshness=freshness,
            passphrase_file=_path(passphrase_file or env.get("COALITION_PASSPHRASE_FILE")),
            language=parse_language(language) if language else default_language(env),
        )

    @property
    def map_file(self) -> Path | None:
        """The map's file when the store is a SQLite file."""
        return sqlite_path(self.db_url)

    def map_is_encrypted(self) -> bool:
        """Whether the map's file exists and is encrypted."""
        return self.map_file is not None and is_encrypted(self.map_file)

    def configured_passphrase(self) -> Passphrase | None:
        """The passphrase in the configured file (None when no file is configured)."""
        if self.passphrase_file is None:
            return None
        return as_passphrase(read_passphrase(self.passphrase_file), str(self.passphrase_file))

    def open_store(self, passphrase: Passphrase | None = None) -> Store:
        """The store these settings name (nothing connects until it is first used),
        opened with ``passphrase`` when its file is encrypted."""
        return open_store(self.db_url, self.neo4j, passphrase)


#: A new passphrase (for a map or a backup) has at least this many characters.
MIN_PASSPHRASE = 8


def check_passphrase_length(passphrase: str) -> None:
    """Refuse a passphrase shorter than ``MIN_PASSPHRASE`` (a new map's, a backup's)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise CoalitionError(
            ngettext(
                "the passphrase is too short: use at least {count} character",
                "the passphrase is too short: use at least {count} characters",
                MIN_PASSPHRASE,
            ).format(count=MIN_PASSPHRASE)
        )


def read_passphrase(path: Path) -> str:
    """The passphrase in a file: its text without the final line break."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CoalitionError(
            _("cannot read the passphrase file {path}: {reason}").format(
                path=path, reason=getattr(e, "strerror", None) or e
            )
        ) from e
    passphrase = text.removesuffix("\n").removesuffix("\r")
    if not passphrase:
        raise CoalitionError(_("the passphrase file {path} is empty").format(path=path))
    return passphrase


def as_passphrase(text: str, where: str | None = None) -> Passphrase:
    """``text`` as a map passphrase, read from the file ``where`` (None: typed at the
    prompt); one clear line when it cannot be one."""
    try:
        return Passphrase(text)
    except ValueError as e:
        if where is None:
            raise CoalitionError(
                _("the passphrase from the prompt cannot be used: {reason}").format(reason=e)
            ) from None
        raise CoalitionError(
            _("the passphrase from {path} cannot be used: {reason}").format(path=where, reason=e)
        ) from None


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return Path(value) if value else None


def resolve_url(url: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The store URL: the one given, else COALITION_DB, else the default SQLite file."""
    env = os.environ if environ is None else environ
    return url or env.get("COALITION_DB") or DEFAULT_URL


def _number(env: Mapping[str, str], name: str, default: float, whole: bool = False, positive: bool = False) -> float:
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        message = (
            # TRANSLATORS: {variable} is an environment variable's name, {value} the text it holds, in quotes
            _("{variable} must be a whole number, not {value}")
            if whole
            else _("{variable} must be a number, not {value}")
        )
        raise SettingsError(message.format(variable=name, value=repr(text))) from None
    if value < 0 or (positive and value == 0) or value != value:
        message = (
            # TRANSLATORS: {variable} is an environment variable's name, {value} the text it holds, in quotes
            _("{variable} must be more than 0, not {value}")
            if positive
            else _("{variable} must be 0 or more, not {value}")
        )
        raise SettingsError(message.format(variable=name, value=repr(text)))
    return value


def spell_duration(span: timedelta) -> str:
    """A span as people say it: ``"30 minutes"``, ``"8 hours"``."""
    minutes = int(span.total_seconds() // 60)
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return ngettext("{count} hour", "{count} hours", hours).format(count=hours)
    return ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes)
