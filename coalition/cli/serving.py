"""``coalition serve``: start the dashboard, refusing to expose it without sign-in.

The dashboard runs in a child process through our own server
(``python -m coalition.auth.server``, Streamlit behind a guard that binds sessions and
downloads to their browser and closes Streamlit's internal endpoints), never through
plain ``streamlit run``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from typing import Annotated

import typer

from coalition.cli.common import accounts_path, out, settings
from coalition.i18n import _

__all__ = ["commands"]

commands = typer.Typer()


def server_command(address: str, port: int) -> list[str]:
    """The child process that serves the dashboard (``coalition.auth.server``)."""
    return [
        sys.executable, "-m", "coalition.auth.server", "--address", address, "--port", str(port),
        "--stop-with", str(os.getpid()),
    ]  # fmt: skip


@commands.command()
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port for the dashboard.")] = 8501,
    address: Annotated[
        str,
        typer.Option(
            help="Address to listen on: 127.0.0.1 (this computer only) unless accounts exist (`coalition user add`)."
        ),
    ] = "127.0.0.1",
) -> None:
    """Start the dashboard: this computer only, or with sign-in when accounts exist."""
    from coalition.auth.serving import check_serving, is_loopback  # argon2: only this command needs it

    chosen = settings(ctx)
    accounts_file = accounts_path(ctx, None, ask=False).resolve()  # an encrypted map's dashboard asks itself
    check_serving(address, accounts_file)
    # The dashboard builds its own settings from the environment: hand it the store,
    # accounts file and passphrase file this run resolved, so both ends agree whatever
    # flags were given (the passphrase itself never leaves its file).
    env = {**os.environ, "COALITION_DB": chosen.db_url, "COALITION_ACCOUNTS": str(accounts_file)}
    if chosen.passphrase_file is not None:
        env["COALITION_PASSPHRASE_FILE"] = str(chosen.passphrase_file.resolve())
    url = f"http://{address}:{port}"
    out.print(_("Starting the dashboard on {url} ...").format(url=url))
    if is_loopback(address):
        ready = _("Dashboard on {url} (only this computer can open it); Ctrl+C stops it.").format(url=url)
    else:
        ready = _("Dashboard on {url} (sign-in required; put it behind HTTPS); Ctrl+C stops it.").format(url=url)
    raise typer.Exit(_run_until_stopped(server_command(address, port), env, _health_url(address, port), ready))


def _health_url(address: str, port: int) -> str:
    """Where this computer can ask the server whether it is ready (Streamlit's
    ``/_stcore/health``, which the guard lets through)."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(address, address)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/_stcore/health"


def _run_until_stopped(command: list[str], env: dict[str, str], health_url: str, ready: str) -> int:
    """Run the server and return its exit status, printing ``ready`` once it answers
    (it loads its libraries before listening, so the first page need not wait for
    them); stopping this command (Ctrl+C, or SIGTERM from a supervisor or a test, SIGHUP
    from a closed terminal) stops the server too, so it never outlives it; the server
    also watches for this process to end (``--stop-with``), which covers SIGKILL."""
    with subprocess.Popen(command, env=env) as child:
        passed_on = (signal.SIGTERM, signal.SIGHUP)
        previous = {s: signal.signal(s, lambda *_ignored: child.terminate()) for s in passed_on}
        try:
            if _answers(health_url, child):
                out.print(ready)
            code = child.wait()
        except KeyboardInterrupt:  # the terminal sends it to the server as well
            child.terminate()
            code = child.wait()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
    return 128 - code if code < 0 else code  # killed by a signal: the shell's convention


def _answers(health_url: str, child: subprocess.Popen) -> bool:
    """Wait until the server answers at ``health_url``; False if it ends first. Asked
    directly, never through a proxy named in the environment."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while child.poll() is None:
        try:
            with direct.open(health_url, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    return False
