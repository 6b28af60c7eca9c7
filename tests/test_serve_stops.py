"""``coalition serve`` never leaves the dashboard running after it is stopped (issue 15,
bug 8): whatever signal ends it, even SIGKILL, which no handler can catch, the child
Streamlit server stops too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, _free_port, local_map_env, wait_for_health


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name)
def test_stopping_serve_by_its_process_id_stops_the_dashboard(stop: signal.Signals, tmp_path: Path) -> None:
    env = local_map_env(tmp_path)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "coalition", "serve", "--address", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for_health(url, serve, log_path, seconds=60)
            os.kill(serve.pid, stop)
            serve.wait(timeout=20)
            deadline = time.monotonic() + 20
            while _answers(url) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert not _answers(url), f"the dashboard still answers after {stop.name} to coalition serve"
        finally:
            serve.kill()
            subprocess.run(["pkill", "-f", f"coalition.auth.server --address 127.0.0.1 --port {port}"], check=False)
