"""How long the dashboard takes on a big map: the first page, cold, then every other page.

Builds a map with ``bench/shapes.py`` (10,000 organizations, 4 ties each, the ``issue``
profile by default), imports it through the CLI as a user would, then measures, each
in a fresh process so that nothing is cached yet (the libraries loaded, as the server
loads them before it answers: ``coalition.ui.preload``):

- with Streamlit's AppTest (the script runs as the server runs it, without a browser):
  the first page (Overview) of a new session, the moment its analyses are ready (the
  gaps and introductions the Overview, Gaps, Introductions and Map pages show, worked
  out in the background after the first page: ``coalition.ui.ahead``), then, with
  them done, a switch to each other page in the same session;
- with ``--browser``, the same in headless Chromium against ``coalition serve`` (timed
  from the moment it says the dashboard is ready): from the request until the page's
  title is shown, its script run has finished, its tables are drawn and the browser is
  idle, and from a click in the sidebar until the next page has done the same. This
  adds what AppTest leaves out: loading Streamlit's scripts, sending the page, and
  drawing it.

Run from the repository root:

    .venv/bin/python bench/bench_dashboard.py              # AppTest, 10,000 organizations
    .venv/bin/python bench/bench_dashboard.py --browser    # and a real server in Chromium
    .venv/bin/python bench/bench_dashboard.py --organizations 2000 --runs 3
    .venv/bin/python bench/bench_dashboard.py --demo --browser --runs 3   # the demo map
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]  # this checkout, not an installed copy

from bench_shapes import PYTHON, machine  # noqa: E402
from shapes import Shape, write_shape  # noqa: E402

from coalition.ui.pages import EXPLORE, WORK  # noqa: E402

#: The pages after the first, in the order of the sidebar, with their titles.
PAGES = dict((*EXPLORE[1:], *WORK, EXPLORE[0]))
SEEN = "first page drawn (Overview, cold)"
FIRST = "first page, browser idle"
READY = "analyses ready (Overview filled in)"
#: The Map page's steps before the browser is idle: its script run and widgets drawn, then
#: the network on screen (vis-network's first drawing in the map's frame).
MAP_DRAWN = "Map: page drawn"
MAP_NETWORK = "Map: network on screen"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=10_000, help="organizations on the map")
    parser.add_argument("--ties-per-org", type=float, default=4.0, help="ties per organization")
    parser.add_argument("--profile", default="issue", help="attribute profile of bench/shapes.py")
    parser.add_argument("--runs", type=int, default=1, help="fresh processes per way of measuring (median shown)")
    parser.add_argument("--browser", action="store_true", help="also time a real server in headless Chromium")
    parser.add_argument("--demo", action="store_true", help="the demo map (`coalition demo`) instead of a shape")
    parser.add_argument("--keep", type=Path, help="keep the map and its store in this folder")
    parser.add_argument("--child", choices=["apptest", "browser"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps((_apptest if args.child == "apptest" else _browser)(args.db)))
        return

    shape = Shape(args.organizations, args.ties_per_org, args.profile)
    load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        url = _build_demo(folder) if args.demo else _build(shape, folder)
        columns = {"AppTest": _runs("apptest", url, args.runs)}
        if args.browser:
            columns["Chromium"] = _runs("browser", url, args.runs)
    what = (
        "the demo map (seeds/demo)"
        if args.demo
        else (f"{shape.organizations:,} organizations x {shape.ties_per_org:g} ties (profile {shape.profile})")
    )
    print(_table(what, columns, " ".join(sys.argv[1:]), load))


def _build(shape: Shape, folder: Path) -> str:
    """The map's CSV folder, imported through the CLI into a fresh SQLite store."""
    csv_dir, db = folder / "map", folder / "dashboard.db"
    db.unlink(missing_ok=True)
    write_shape(csv_dir, shape)
    url = f"sqlite:///{db}"
    subprocess.run([PYTHON, "-m", "coalition", "--db", url, "import", str(csv_dir)], cwd=ROOT, check=True)
    return url


def _build_demo(folder: Path) -> str:
    """The demo map, loaded through the CLI into a fresh SQLite store."""
    db = folder / "dashboard.db"
    db.unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    subprocess.run([PYTHON, "-m", "coalition", "--db", url, "demo"], cwd=ROOT, check=True, capture_output=True)
    return url


def _runs(child: str, url: str, runs: int) -> dict[str, float | None]:
    """The median of each step over ``runs`` fresh processes."""
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [PYTHON, __file__, "--child", child, "--db", url], cwd=ROOT, capture_output=True, text=True, check=False
        )
        if done.returncode:
            sys.exit(f"the {child} run failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        step: statistics.median(r[step] for r in results) if all(r.get(step) is not None for r in results) else None
        for step in results[0]
    }


def _apptest(url: str) -> dict[str, float | None]:
    """One new AppTest session in this fresh process: the first page, the analyses, the rest."""
    os.environ["COALITION_DB"] = url
    os.environ["COALITION_ACCOUNTS"] = str(Path(tempfile.mkdtemp()) / "no-accounts.db")  # local mode
    from streamlit.testing.v1 import AppTest

    from coalition.ui import login, preload

    preload.load()  # as the server loads its libraries before it answers anyone
    times: dict[str, float | None] = {}
    start = time.perf_counter()

    login.request_headers = lambda: {"Host": "localhost:8501"}  # AppTest sends no headers: "this computer"
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600).run()
    times[SEEN] = times[FIRST] = time.perf_counter() - start  # no browser: drawn is idle
    _check(app, "Overview")
    times[READY] = _analyses_ready(start)
    for page, title in PAGES.items():
        start = time.perf_counter()
        app.switch_page(f"coalition/ui/pages/{page}.py").run()
        times[title] = time.perf_counter() - start
        _check(app, title)
    return times


def _analyses_ready(start: float) -> float:
    """Seconds from ``start`` until the background analyses are done (right away if the
    dashboard works them out within the first page)."""
    try:
        from coalition.ui import ahead
    except ImportError:  # a dashboard that computes everything for the first page
        return time.perf_counter() - start
    ahead.wait()
    return time.perf_counter() - start


def _check(app, title: str) -> None:
    problems = [str(e.value)[:300] for e in app.exception] + [str(e.value)[:300] for e in app.error]
    if problems or not app.title or app.title[0].value != title:
        sys.exit(f"{title}: {problems or [t.value for t in app.title]}")


def _browser(url: str) -> dict[str, float | None]:
    """One new browser session against a real server started for it."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {**os.environ, "COALITION_DB": url}
    env["COALITION_ACCOUNTS"] = str(Path(tempfile.mkdtemp()) / "no-accounts.db")
    server = subprocess.Popen(
        [PYTHON, "-m", "coalition", "serve", "--address", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}"
    times: dict[str, float | None] = {}
    try:
        _wait_for_health(address, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            start = time.perf_counter()
            page.goto(address)
            _drawn(page, "Overview")
            times[SEEN] = time.perf_counter() - start
            _idle(page)
            times[FIRST] = time.perf_counter() - start
            page.get_by_role("heading", name="Top introductions", exact=True).wait_for(timeout=600_000)
            page.get_by_test_id("stInfo").filter(has_text="Working out").wait_for(state="detached", timeout=600_000)
            times[READY] = time.perf_counter() - start
            _idle(page)  # the filled-in Overview is drawn: its drawing counts for no switch
            for title in PAGES.values():
                start = time.perf_counter()
                page.locator(".st-key-sidebar_pages").get_by_role("link", name=title, exact=True).click()
                _drawn(page, title)
                if title == "Map":
                    times[MAP_DRAWN] = time.perf_counter() - start
                    frame = page.frame_locator("iframe[title^='Network map']").first
                    frame.locator("body[data-drawn]").wait_for(state="attached", timeout=600_000)
                    times[MAP_NETWORK] = time.perf_counter() - start
                _idle(page)  # what is still drawing (the map's frame) counts for this page, not the next
                times[title] = time.perf_counter() - start
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return times


def _drawn(page, title: str) -> None:
    """The page's title is on screen, its script run has finished (the title is the new
    run's first element, so the run seen finishing is that page's) and its tables are drawn."""
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=600_000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=600_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"]')]
                 .every(e => e.querySelector('canvas, svg, table'))""",
        timeout=600_000,
    )  # tables and charts drawn, not placeholders (as tests/test_browser.py waits)


def _idle(page) -> None:
    page.evaluate("() => new Promise(done => requestIdleCallback(done, {timeout: 600000}))")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_health(address: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{address}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit("the dashboard server did not start")


def _table(what: str, columns: dict[str, dict[str, float | None]], command: str, load: float) -> str:
    steps = [SEEN, FIRST, READY]
    for title in PAGES.values():
        steps += [MAP_DRAWN, MAP_NETWORK, title] if title == "Map" else [title]
    lines = [
        f"Dashboard on {what}; `bench/bench_dashboard.py {command}`".rstrip() + f" on {date.today()}; "
        f"{machine()}; load average {load:.1f} at the start.",
        "",
        "| step | " + " | ".join(f"{name} (s)" for name in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for step in steps:
        cells = [f"{c[step]:.2f}" if c.get(step) is not None else "–" for c in columns.values()]
        lines.append(f"| {step if step in (SEEN, FIRST, READY) else 'then ' + step} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
