"""The dashboard's server loads its libraries before it answers, and says so (issue 15:
the first page of a freshly started dashboard should not wait for pandas, altair or
scikit-learn to load)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

from .conftest import ROOT, _free_port, local_map_env


def test_serve_says_the_dashboard_is_ready_only_once_it_answers(tmp_path: Path) -> None:
    env = local_map_env(tmp_path)
    port = _free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "coalition", "serve", "--address", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        said = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = serve.stdout.readline()
            assert line, f"coalition serve ended before saying the dashboard is ready: {said}"
            said.append(line.strip())
            if line.startswith("Dashboard on"):
                break
        assert said[0] == f"Starting the dashboard on http://127.0.0.1:{port} ...", said
        assert said[-1] == f"Dashboard on http://127.0.0.1:{port} (only this computer can open it); Ctrl+C stops it."
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as answer:
            assert answer.status == 200  # asked once, at once: ready means ready
    finally:
        serve.terminate()
        serve.wait(timeout=30)


#: Run in a fresh interpreter: the server's preload, then every page of the demo map as
#: a session would run it; prints the libraries the pages still had to import (Streamlit's
#: own modules aside: the server has those loaded by the time it answers).
PAGES_AFTER_PRELOAD = textwrap.dedent(
    """
    import sys
    from coalition.ui import login, preload
    preload.load()
    login.request_headers = lambda: {"Host": "localhost:8501"}  # a browser on this computer
    before = set(sys.modules)
    from streamlit.testing.v1 import AppTest
    from coalition.ui.pages import EXPLORE, WORK
    before |= {m for m in sys.modules if m.startswith("streamlit.testing")}
    app = AppTest.from_file(sys.argv[1], default_timeout=120).run()
    for stem, _ in (*EXPLORE, *WORK):
        app.switch_page(f"coalition/ui/pages/{stem}.py").run()
        assert not app.exception, (stem, [e.value for e in app.exception])
    new = {m for m in set(sys.modules) - before}
    libraries = {m for m in new if m.split(".")[0] not in {*sys.stdlib_module_names, "streamlit", "coalition"}}
    print(sorted(libraries))
    """
)


def test_the_pages_need_no_library_the_server_has_not_loaded(tmp_path: Path) -> None:
    """A library a page imports on first use that ``preload.MODULES`` leaves out would
    make the first person to open that page wait for it again."""
    env = local_map_env(tmp_path, demo=True)
    done = subprocess.run(
        [sys.executable, "-c", PAGES_AFTER_PRELOAD, str(ROOT / "streamlit_app.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
