"""Staged writes on Neo4j (``graph.neo4j.staging``): a large write's new records are
committed in batches before its transaction switches them over, so readers must never see
them before, a write that dies must leave the map as it was, and the next write must
delete what it staged. Staging is forced on small maps here (``STAGE_OVER = 0``); the
killed 30,000-organization import is in ``test_crash.py``."""

from __future__ import annotations

import pytest

from coalition.maps import services
from coalition.maps.integrity import check
from coalition.maps.services import map_stats
from coalition.maps.transfer import load_demo
from graph.neo4j import rows, staging
from graph.neo4j.rows import audit_fields
from graph.neo4j.store import Neo4jStore
from graph.store import Store, acting_as


@pytest.fixture
def staged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write with at least one new organization, tie or audit entry is staged."""
    monkeypatch.setattr(staging, "STAGE_OVER", 0)


def test_a_staged_import_gives_the_same_map_as_sqlite(staged: None, neo4j_store: Store, demo_store: Store) -> None:
    load_demo(neo4j_store)
    for audience in ("public", "coalition", "private"):
        assert map_stats(neo4j_store, audience) == map_stats(demo_store, audience)
    assert _strip(neo4j_store.dump()) == _strip(demo_store.dump())
    assert check(neo4j_store) == []
    assert _leftovers(neo4j_store) == (0, 0)


def test_what_a_dead_write_staged_is_never_seen_and_the_next_write_deletes_it(neo4j_store: Neo4jStore) -> None:
    load_demo(neo4j_store)
    before = neo4j_store.dump()
    counts = neo4j_store.counts()
    last = before["audit"][-1]["seq"]
    stager = staging.Stager(neo4j_store.driver, neo4j_store.database)  # staged, never switched over
    org = {**neo4j_store.get_organization("riverside_tenants_union"), "id": "ghost", "name": "Ghost"}
    other = {**org, "id": "ghost_two", "name": "Ghost Two"}
    stager.organizations([org, other])
    stager.ties([{"source": "ghost", "target": "ghost_two", "kind": "coalition", "strength": 3} | _tie_bookkeeping()])
    entry = {"seq": last + 1, "at": "2030-01-01T00:00:00+00:00", "actor": "ghost", "action": "create"}
    stager.audit([audit_fields({**entry, "kind": "organization", "key": "ghost", "after": org})])

    assert neo4j_store.dump() == before
    assert neo4j_store.counts() == counts
    assert neo4j_store.get_organization("ghost") is None
    assert neo4j_store.audit(limit=1)[0]["seq"] == last
    assert check(neo4j_store) == []
    assert _leftovers(neo4j_store) == (2, 1)

    with acting_as("test:next"):
        services.edit_organization(neo4j_store, "riverside_tenants_union", {"region": "northside"})
    assert _leftovers(neo4j_store) == (0, 0)
    assert [e["seq"] for e in neo4j_store.audit(limit=None, after_seq=last)] == [last + 1]
    assert check(neo4j_store) == []


def test_a_unit_of_work_that_fails_after_a_staged_write_changes_nothing(staged: None, neo4j_store: Store) -> None:
    load_demo(neo4j_store)
    before = neo4j_store.dump()
    org = {**neo4j_store.get_organization("riverside_tenants_union"), "id": "newcomers", "name": "Newcomers"}
    with pytest.raises(RuntimeError), neo4j_store.transaction():
        neo4j_store.write_map(organizations=[org])
        assert neo4j_store.get_organization("newcomers") is not None  # the unit sees its own write
        raise RuntimeError("the use case fails after the write")
    assert neo4j_store.dump() == before
    neo4j_store.write_map(movements=[{"id": "labor", "name": "Labor", "color": "#777777"}])
    assert _leftovers(neo4j_store) == (0, 0)
    assert check(neo4j_store) == []


def test_clear_leaves_nothing_behind(staged: None, neo4j_store: Store) -> None:
    load_demo(neo4j_store)
    neo4j_store.clear()
    assert neo4j_store.counts() == {"movements": 0, "organizations": 0, "ties": 0, "introductions": 0}
    assert _leftovers(neo4j_store) == (0, 0)
    assert neo4j_store.audit(limit=1)[0]["action"] == "clear"


def test_the_map_read_in_small_pages_is_the_map_read_at_once(neo4j_store: Store, monkeypatch) -> None:
    load_demo(neo4j_store)
    with acting_as("test:setup"):
        services.edit_organization(neo4j_store, "riverside_tenants_union", {"name": "Riverside Renters Union"})
    whole = neo4j_store.dump()
    monkeypatch.setattr(rows, "BATCH", 3)
    assert neo4j_store.dump() == whole
    assert neo4j_store.snapshot()["former_names"] == whole["former_names"]


def _leftovers(store: Neo4jStore) -> tuple[int, int]:
    """Staged organizations, and audit entries past the counter, in the database."""
    record = store.driver.execute_query(
        "MATCH (s:StoreMeta {key: 'store'}) "
        "RETURN COUNT { MATCH (o:StagedOrganization) } AS orgs, "
        "COUNT { MATCH (a:AuditEntry) WHERE a.seq > s.audit_seq } AS entries",
        database_=store.database,
    ).records[0]
    return record["orgs"], record["entries"]


def _tie_bookkeeping() -> dict:
    return {
        "since": None, "until": None, "visibility": "coalition", "notes": "", "provenance": "", "confirmed": None,
        "created_at": "2030-01-01T00:00:00+00:00", "updated_at": "2030-01-01T00:00:00+00:00", "version": 1,
    }  # fmt: skip


def _strip(content: dict) -> dict:
    """The records of a dump without their times, which differ between two stores loaded
    at different moments."""
    times = ("created_at", "updated_at")
    return {
        kind: [{k: v for k, v in record.items() if k not in times} for record in content[kind]]
        for kind in ("movements", "organizations", "ties", "introductions")
    }
