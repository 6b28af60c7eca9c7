"""A usage mistake (unknown command or option, bad value, missing argument) is bad input:
click's short usage message on stderr with a hint where one is close, exit code 2, and
never a traceback. A bad setting is one line and exit code 1.

Most cases run ``coalition.cli.main`` in-process (fast, and through the same handler the
console script uses). Typer's ``CliRunner`` is not used for these: it calls the app in
standalone mode, not ``main``, so it would pass even where the real command printed a
traceback. A few cases run the installed ``coalition`` script, where the traceback showed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from coalition.cli import main

SCRIPT = Path(sys.executable).with_name("coalition")

# (arguments, what stderr must say) for every command group and a few single commands.
MISTAKES = [
    # root
    (["no-such-command"], "No such command 'no-such-command'."),
    (["stat"], "No such command 'stat'. Did you mean 'stats'?"),
    (["--dbb", "x", "stats"], "No such option: --dbb Did you mean --db?"),
    (["--db"], "Option '--db' requires an argument."),
    # org
    (["org", "ad"], "No such command 'ad'. Did you mean 'add'?"),
    (["org", "add", "--nme", "x"], "No such option: --nme Did you mean --name?"),
    (["org", "add", "--name", "x", "--movements", "y", "--capacity", "lots"], "'lots' is not a valid integer."),
    (["org", "list", "--audience", "everyone"], "Invalid value for '--audience'"),
    (["org", "show"], "Missing argument 'org_id'."),
    (["org", "add"], "Missing option '--name'."),
    # tie
    (["tie", "ad"], "Did you mean 'add'?"),
    (["tie", "list", "--orgg", "x"], "No such option: --orgg Did you mean --org?"),
    (
        ["tie", "add", "a", "b", "--strength", "strong"],
        "Invalid value for '--strength': 'strong' is not a valid integer.",
    ),
    (["tie", "remove", "a"], "Missing argument 'target'."),
    # movement
    (["movement", "lst"], "No such command 'lst'. Did you mean 'list'?"),
    (["movement", "list", "--jsn"], "No such option: --jsn Did you mean --json?"),
    (["movement", "list", "--audience", "nobody"], "'nobody' is not one of 'public', 'coalition', 'private'."),
    (["movement", "add"], "Missing option '--name'."),
    # introductions
    (["introductions", "st", "a", "b"], "No such command 'st'. Did you mean 'set'?"),
    (["introductions", "--topp", "3"], "No such option: --topp Did you mean --top?"),
    (["introductions", "--top", "many"], "Invalid value for '--top' / '-n': 'many' is not a valid integer."),
    (["introductions", "set", "a"], "Missing argument 'b'."),
    (["introductions", "set", "a", "b"], "Missing option '--status'."),
    # user
    (["user", "ad"], "No such command 'ad'. Did you mean 'add'?"),
    (["user", "list", "--jsn"], "No such option: --jsn Did you mean --json?"),
    (["user", "add", "x", "--no-password=yes"], "Option '--no-password' does not take a value."),
    (["user", "add"], "Missing argument 'name'."),
    # single commands
    (["import", "--formt", "csv", "map.csv"], "No such option: --formt Did you mean --format?"),
    (["import"], "Missing argument 'path'."),
    (["export", "map.json", "--audience", "nobody"], "Invalid value for '--audience'"),
    (["export"], "Missing argument 'path'."),
    (["gaps", "--jsn"], "No such option: --jsn Did you mean --json?"),
    (["gaps", "--audience", "x"], "'x' is not one of 'public', 'coalition', 'private'."),
    (["stats", "-z"], "No such option: -z"),
    (["stats", "--audience", "everyone"], "Invalid value for '--audience'"),
    (["backup", "b.bak", "--passphrase", "f"], "No such option: --passphrase Did you mean --passphrase-file?"),
    (["backup"], "Missing argument 'path'."),
    (["audit", "--limit", "many"], "Invalid value for '--limit' / '-n': 'many' is not a valid integer."),
]


@pytest.fixture
def clean_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder and none of our settings from the surrounding environment."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("COALITION_", "NEO4J_")):
            monkeypatch.delenv(name)
    return tmp_path


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``coalition ARGS`` through ``main`` in-process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["coalition", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return exited.value.code, captured.out, captured.err


def run_script(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``coalition`` console script, as a person would."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("COALITION_", "NEO4J_"))}
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, env={**base, **(env or {})}, capture_output=True, text=True, timeout=60
    )


def assert_short_usage_error(code: int, out: str, err: str, needle: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err + out
    assert needle in err, err
    assert err.rstrip().splitlines()[-1].startswith("Error: "), err
    assert len(err.strip().splitlines()) <= 4, err
    assert out == ""


@pytest.mark.parametrize("args,needle", MISTAKES, ids=[" ".join(a) or "(none)" for a, _ in MISTAKES])
def test_a_usage_mistake_is_a_short_message_and_exit_2(
    clean_run: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    assert_short_usage_error(*run_main(monkeypatch, capsys, *args), needle)
    assert list(clean_run.iterdir()) == []  # a mistake never opens (or creates) a store


def test_the_usage_line_names_the_command_and_where_to_find_help(
    clean_run: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, err = run_main(monkeypatch, capsys, "org", "add", "--nme", "x")
    usage, hint = err.splitlines()[:2]
    assert usage.startswith("Usage: ") and usage.endswith(" org add [OPTIONS]")  # program name as started
    assert hint.startswith("Try '") and hint.endswith(" org add --help' for help.")


@pytest.mark.parametrize("args", [[], ["org"], ["user"]])
def test_a_group_without_a_command_prints_its_help_and_exits_2(
    clean_run: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = run_main(monkeypatch, capsys, *args)
    assert code == 2
    assert "Usage: " in out and "Commands" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize("args", [["stats"], ["import", "map.csv"]])
def test_a_bad_setting_is_one_line_and_exit_1(
    clean_run: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    monkeypatch.setenv("COALITION_MAX_IMPORT_MB", "lots")
    code, out, err = run_main(monkeypatch, capsys, *args)
    assert code == 1
    assert err == "coalition: error: COALITION_MAX_IMPORT_MB must be a number, not 'lots'\n"
    assert out == ""
    assert list(clean_run.iterdir()) == []


def test_an_aborted_prompt_says_so_without_a_traceback(
    clean_run: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def end_of_input(*args: object, **kwargs: object) -> str:
        raise EOFError

    monkeypatch.setattr(typer, "prompt", end_of_input)
    code, _, err = run_main(monkeypatch, capsys, "user", "add", "someone", "--accounts", "accounts.db")
    assert code == 130
    assert err.strip().splitlines()[-1] == "aborted"
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args,needle",
    [
        (["no-such-command"], "No such command 'no-such-command'."),
        (["org", "add", "--nme", "x"], "No such option: --nme Did you mean --name?"),
        (["introductions", "--top", "many"], "Invalid value for '--top' / '-n': 'many' is not a valid integer."),
        (["tie", "add"], "Missing argument 'source'."),
    ],
)
def test_the_installed_script_shows_usage_mistakes_without_a_traceback(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    result = run_script(*args, cwd=tmp_path)
    assert_short_usage_error(result.returncode, result.stdout, result.stderr, needle)
    assert result.stderr.startswith("Usage: coalition ")


def test_the_installed_script_shows_a_bad_setting_as_one_line(tmp_path: Path) -> None:
    result = run_script("stats", cwd=tmp_path, env={"COALITION_MAX_IMPORT_MB": "lots"})
    assert result.returncode == 1
    assert result.stderr == "coalition: error: COALITION_MAX_IMPORT_MB must be a number, not 'lots'\n"
