"""One unit of work: a use case that checks and then writes does both in one transaction,
so racing writers cannot slip in between (on SQLite and on a real Neo4j server).

Each racer opens its own store object from the URL, as another process or another
dashboard session would, and all start together behind a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from coalition.domain.errors import CoalitionError, StaleEdit, StoreError
from coalition.domain.settings import Settings
from coalition.maps import services
from coalition.maps.tracking import set_introduction_status
from graph.connect import open_store
from graph.store import Store
from tests.conftest import run_cli

RACERS = 8


def _race(store: Store, work: Callable[[Store, int], Any], racers: int = RACERS) -> list[Any]:
    """Run ``work(own_store, i)`` in ``racers`` threads at once; results or exceptions."""
    barrier = threading.Barrier(racers)
    results: list[Any] = [None] * racers
    settings = Settings.from_env()

    def run(i: int) -> None:
        own = open_store(store.url, settings.neo4j)
        try:
            own.version()  # connect before the start line, so the race is about the write
            barrier.wait(timeout=60)
            results[i] = work(own, i)
        except Exception as e:  # noqa: BLE001 - the test sorts the outcomes
            results[i] = e
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _org(org_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": org_id, "name": fields.pop("name", org_id.title()), "movements": ["housing"], **fields}


def test_racing_adds_of_one_id_give_one_organization_and_already_exists_lines(store: Store) -> None:
    last = store.audit(limit=1)
    after_seq = last[0]["seq"] if last else 0  # a cleared Neo4j test database keeps its trail
    results = _race(store, lambda own, i: services.add_organization(own, _org("casa", name=f"Casa {i}")))
    won = [r for r in results if not isinstance(r, Exception)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1, results
    assert all(isinstance(e, CoalitionError) and "already exists" in str(e) for e in lost), lost
    stored = store.get_organization("casa")
    assert stored["name"] == won[0].name and stored["version"] == 1
    assert len(store.audit(kind="organization", key="casa", after_seq=after_seq)) == 1


def test_concurrent_planners_never_go_over_an_organizations_capacity(store: Store) -> None:
    capacity = 2
    partners = [_org(f"partner_{i}", movements=["migrant"]) for i in range(RACERS)]
    services.add_organization(store, _org("small_group", intro_capacity_per_month=capacity))
    for partner in partners:
        services.add_organization(store, partner)
    today = date.today()
    results = _race(
        store, lambda own, i: set_introduction_status(own, "small_group", f"partner_{i}", "planned", on=today)
    )
    planned = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(planned) == capacity, results
    assert all(isinstance(e, CoalitionError) and "takes 2 introductions a month" in str(e) for e in refused)
    stored = [i for i in store.snapshot()["introductions"] if i["status"] == "planned"]
    assert len(stored) == capacity


def test_racing_edits_from_one_version_keep_exactly_one(store: Store) -> None:
    services.add_organization(store, _org("casa"))

    def edit(own: Store, i: int) -> Any:
        return services.edit_organization(own, "casa", {"region": f"region{i}"}, expected_version=1)

    results = _race(store, edit)
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert all(isinstance(r, StaleEdit) for r in results if isinstance(r, Exception))
    assert store.get_organization("casa")["version"] == 2


def test_edits_without_an_expected_version_all_land_one_after_another(store: Store) -> None:
    services.add_organization(store, _org("casa"))
    results = _race(store, lambda own, i: services.edit_organization(own, "casa", {"notes": f"note {i}"}), racers=4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert store.get_organization("casa")["version"] == 5


def test_reads_inside_a_unit_see_its_own_writes_and_others_see_them_only_after(store: Store) -> None:
    other = open_store(store.url, Settings.from_env().neo4j)
    try:
        with store.transaction():
            services.add_organization(store, _org("casa"))
            assert store.get_organization("casa") is not None
            assert [o["id"] for o in store.snapshot()["organizations"]] == ["casa"]
            if store.file is not None:  # SQLite readers never wait; Neo4j's would wait for the lock
                assert other.get_organization("casa") is None
        assert other.get_organization("casa") is not None
    finally:
        other.close()


def test_an_error_inside_a_unit_rolls_back_every_write_of_it(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.transaction():
            services.add_organization(store, _org("casa"))
            raise RuntimeError("stop")
    assert store.get_organization("casa") is None


def test_a_failed_write_dooms_its_unit_even_when_the_error_is_caught(store: Store) -> None:
    services.add_organization(store, _org("casa"))
    version = store.version()
    with pytest.raises(StoreError, match="was not changed"):
        with store.transaction():
            services.add_organization(store, _org("hogar"))
            with pytest.raises(StaleEdit):
                services.edit_organization(store, "casa", {"region": "x"}, expected_version=7)
    assert store.get_organization("hogar") is None
    assert store.version() == version


def test_racing_cli_processes_add_one_organization(tmp_path: Path) -> None:
    """Separate processes on one SQLite file: the file lock makes them wait, not overwrite."""
    import subprocess
    import sys

    assert run_cli("init", cwd=tmp_path).returncode == 0
    command = [sys.executable, "-m", "coalition", "org", "add", "--name", "Casa", "--movements", "housing"]
    processes = [
        subprocess.Popen([*command, "--notes", f"process {i}"], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
        for i in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    codes = [p.returncode for p in processes]
    assert sorted(codes) == [0, 1, 1, 1], errors
    assert all("already exists" in e for e, code in zip(errors, codes, strict=True) if code == 1)
    assert "Traceback" not in "".join(errors)
