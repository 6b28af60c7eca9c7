"""How a failed run is told: a usage mistake as click's short usage message (exit 2), a
problem a person can fix as one line ``coalition: error: ...`` (exit 1); never a traceback.

Typer (0.2x) no longer runs on the ``click`` package but on its own copy of it,
``typer._click``, whose exceptions are not ``click.ClickException``. ``main`` runs the
app with ``standalone_mode=False`` (so our own errors reach it), in which typer re-raises
its usage errors for the caller to show; catching click's classes instead let every
unknown command, unknown option and bad value fall through to Python's traceback.
"""

from __future__ import annotations

import typer
from pydantic import ValidationError
from typer._click.exceptions import BadParameter, ClickException, NoArgsIsHelpError, NoSuchOption

from coalition.i18n import N_, _

__all__ = ["ClickException", "show_usage_error", "show_user_error"]

#: What a value that failed typer's (pydantic's) parsing should have been, said as click
#: says it (``{value}``: the text given, in quotes); read through ``_()`` when shown.
EXPECTED = {
    "int_parsing": N_("{value} is not a valid integer."),
    "float_parsing": N_("{value} is not a valid number."),
    "bool_parsing": N_("{value} is not a valid boolean."),
}


def show_usage_error(error: ClickException) -> int:
    """Print a usage mistake as click does (usage line, help hint, ``Error: ...``) on
    stderr, with a did-you-mean hint where one is close; returns the exit code. Click's
    own words (the usage line, "Error:", "No such option") are in English whatever the
    language, as the commands' help is; the words added here are the run's language."""
    if isinstance(error, NoArgsIsHelpError):
        return error.exit_code  # typer has printed the help already
    if isinstance(error, NoSuchOption) and error.possibilities:
        # click's own wording for one close option; the closest comes first.
        # TRANSLATORS: {message} is click's message in English ("No such option: --audeince"), {option} an option
        error.message = _("{message} Did you mean {option}?").format(
            message=error.message, option=error.possibilities[0]
        )
        error.possibilities = None
    if isinstance(error, BadParameter) and isinstance(error.__cause__, ValidationError):
        error.message = _plain(error.__cause__, error.message)
    error.show()
    return error.exit_code


def show_user_error(error: Exception) -> int:
    """Print a problem a person can fix as one line on stderr; returns the exit code."""
    # TRANSLATORS: "coalition" is the command's name
    typer.echo(_("coalition: error: {error}").format(error=error), err=True)
    return 1


def _plain(cause: ValidationError, message: str) -> str:
    """Pydantic's wording of a bad value, said as click says it: what was given and what
    was expected (``'many' is not a valid integer.``)."""
    first = cause.errors()[0]
    if first["type"] in EXPECTED:
        expected = EXPECTED[first["type"]]
        return _(expected).format(value=repr(first["input"]))
    return message.removeprefix("Value error, ")
