"""The ``coalition`` command line (typer), split by command group.

This module assembles the groups into one app, builds the run's ``Settings`` once at the
edge (the root callback), and runs the app (``main``), turning every failure into a short
message: nothing below reads the environment or prints a traceback.
"""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from coalition.cli import analysis, maps, meetings, movements, orgs, safety, serving, survey, ties, users
from coalition.cli.common import Run
from coalition.cli.errors import ClickException, show_usage_error, show_user_error
from coalition.domain.errors import USER_ERRORS
from coalition.domain.settings import Settings
from coalition.i18n import _, set_language
from graph.store import acting_as

__all__ = ["app", "main"]

app = typer.Typer(
    help="Coalition Mapper: map organizations across movements, find gaps, plan introductions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# The order here is the order of ``coalition --help``.
app.add_typer(maps.commands)
app.add_typer(analysis.commands)
app.add_typer(meetings.commands)
app.add_typer(serving.commands)
app.add_typer(safety.commands)
app.add_typer(orgs.app, name="org")
app.add_typer(ties.app, name="tie")
app.add_typer(movements.app, name="movement")
app.add_typer(analysis.introductions, name="introductions")
app.add_typer(survey.app, name="survey")
app.add_typer(meetings.snapshot, name="snapshot")
app.add_typer(users.app, name="user")


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="COALITION_DB",
            help="Store URL: sqlite:///FILE (default sqlite:///coalition.db) or neo4j://HOST:7687.",
        ),
    ] = None,
    passphrase_file: Annotated[
        Path | None,
        typer.Option(
            "--passphrase-file",
            envvar="COALITION_PASSPHRASE_FILE",
            show_envvar=True,
            help="The encrypted map's passphrase, from this file (asked on a terminal when absent).",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar="COALITION_LANG",
            show_envvar=True,
            help="The language of messages: en, es, fr or ar (default: the system locale's, else en).",
        ),
    ] = None,
) -> None:
    settings = Settings.from_env(db=db, passphrase_file=passphrase_file, language=lang)
    set_language(settings.language)
    ctx.obj = Run(settings)


def quiet_driver_logs() -> None:
    """The Neo4j driver logs connection failures as warnings, which Python would print
    on stderr next to our own one-line error; the error already says it all."""
    logger = logging.getLogger("neo4j")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


def main() -> None:
    """Entry point: runs the app; a usage mistake exits 2 with click's short message, a
    problem a person can fix (``USER_ERRORS``, a bad setting too) exits 1 with one line.

    Every write is recorded in the audit trail as ``cli:<login name>``."""
    quiet_driver_logs()
    try:
        with acting_as(f"cli:{getpass.getuser()}"):
            code = app(standalone_mode=False)
    except ClickException as e:
        sys.exit(show_usage_error(e))
    except typer.Abort:
        typer.echo(_("aborted"), err=True)
        sys.exit(130)
    except USER_ERRORS as e:
        sys.exit(show_user_error(e))
    sys.exit(code if isinstance(code, int) else 0)
