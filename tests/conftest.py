"""Shared fixtures. ``store`` runs a test against every store backend: the embedded
SQLite file always, and a real Neo4j server when one is configured (``make test``
starts one and sets COALITION_TEST_NEO4J). In CI (CI=true) a missing Neo4j fails the
run instead of skipping it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from coalition.maps import services
from coalition.maps.transfer import load_demo
from graph.sqlite.store import SQLiteStore
from graph.store import Store

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ["sqlite", "neo4j"]


def _neo4j_store() -> Store:
    url = os.environ.get("COALITION_TEST_NEO4J")
    if not url:
        message = "no Neo4j test server: COALITION_TEST_NEO4J is not set (make test starts one with tools/neo4j-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from coalition.domain.settings import Settings
    from graph.neo4j.store import Neo4jStore

    store = Neo4jStore.from_url(url, Settings.from_env().neo4j)
    store.init(())
    store.clear()
    return store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Store:
    """An empty, initialized store of each backend."""
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def neo4j_store() -> Iterator[Store]:
    """The Neo4j test server's database, emptied before and after the test."""
    backend = _neo4j_store()
    services.init_map(backend)
    yield backend
    backend.clear()
    backend.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """An empty, initialized SQLite store, for tests about the domain rather than backends."""
    backend = SQLiteStore(tmp_path / "map.db")
    services.init_map(backend)
    yield backend
    backend.close()


@pytest.fixture
def demo_store(sqlite_store: Store) -> Store:
    """A SQLite store holding the demo coalition."""
    load_demo(sqlite_store)
    return sqlite_store


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m coalition`` as a user would, capturing both streams."""
    full_env = {k: v for k, v in os.environ.items() if k != "COALITION_DB"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "coalition", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, input=stdin, timeout=120,
    )  # fmt: skip


def wait_for_health(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 60) -> None:
    """Wait until a dashboard server answers its health check; fail with its log when it
    exits or does not answer in time."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the dashboard server did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
