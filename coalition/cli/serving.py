"""``coalition serve``: start the dashboard, refusing to expose it without sign-in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from coalition.auth.serving import check_serving, is_loopback
from coalition.cli.common import out, settings

__all__ = ["commands"]

commands = typer.Typer()

APP_PATH = Path(__file__).resolve().parents[2] / "streamlit_app.py"


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
    chosen = settings(ctx)
    accounts_file = chosen.accounts_path.resolve()
    check_serving(address, accounts_file)
    # The dashboard builds its own settings from the environment: hand it the store and
    # accounts file this run resolved, so both ends agree whatever flags were given.
    env = {**os.environ, "COALITION_DB": chosen.db_url, "COALITION_ACCOUNTS": str(accounts_file)}
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP_PATH),
        "--server.address", address, "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    who = "only this computer can open it" if is_loopback(address) else "sign-in required; put it behind HTTPS"
    out.print(f"Dashboard on http://{address}:{port} ({who}); Ctrl+C stops it.")
    raise typer.Exit(subprocess.call(command, env=env))
