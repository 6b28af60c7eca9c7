"""``check``: empty on a sound store; one sentence per problem on a store that other
tools (or bugs) damaged, on both backends."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from coalition.maps import services
from coalition.maps.integrity import check
from coalition.maps.transfer import load_demo
from graph.sqlite.schema import MIGRATIONS
from graph.sqlite.store import SQLiteStore
from graph.store import Store

from .test_store_contract import org


def test_a_sound_store_has_no_problems(store: Store) -> None:
    load_demo(store)
    services.edit_organization(store, "riverside_tenants_union", {"region": "eastport"})
    services.remove_organization(store, "hill_district_housing_alliance")
    assert check(store) == []


def test_sqlite_damage_is_reported(demo_store: SQLiteStore) -> None:
    raw = sqlite3.connect(demo_store.path)
    raw.execute("PRAGMA foreign_keys = OFF")  # as a careless tool would
    raw.execute(
        "INSERT INTO ties (source, target, kind, strength, visibility, notes, created_at, updated_at, version) "
        "VALUES ('riverside_tenants_union', 'ghost_group', 'coalition', 3, 'coalition', '', 'x', 'x', 1)"
    )
    raw.execute("DELETE FROM org_movements WHERE org_id = 'northgate_renters_assembly'")
    raw.execute("UPDATE organizations SET visibility = 'secret' WHERE id = 'riverside_tenants_union'")
    raw.execute("UPDATE organizations SET intro_capacity_per_month = 1000 WHERE id = 'night_shift_collective'")
    raw.execute("INSERT INTO introductions (a, b, reasons, status, note, created_at, updated_at) "
                "VALUES ('ghost_a', 'ghost_b', '[]', 'planned', '', 'x', 'x')")  # fmt: skip
    raw.commit()
    raw.close()
    problems = check(demo_store)
    assert "tie riverside_tenants_union -> ghost_group (coalition) points at a missing organization" in problems
    assert "organization northgate_renters_assembly belongs to no movement" in problems
    assert "organization riverside_tenants_union has an unknown visibility 'secret' or 'private'" in problems
    assert "introduction ghost_a / ghost_b points at a missing organization" in problems
    assert any(p.startswith("organization night_shift_collective: ") and "100" in p for p in problems)


def test_an_older_sqlite_file_is_reported_then_upgraded_on_first_write(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    name, sql = MIGRATIONS[0]
    for statement in sql.split(";"):
        if statement.strip():
            raw.execute(statement)
    raw.execute("INSERT INTO schema_migrations VALUES (?, 'then')", (name,))
    raw.execute("INSERT INTO movements VALUES ('housing', 'Housing justice', '#0072B2')")
    raw.close()
    store = SQLiteStore(path)
    later = ", ".join(name for name, _ in MIGRATIONS[1:])
    assert check(store) == [f"migrations not applied: {later} (run `coalition init` to upgrade)"]
    assert store.audit() == []
    store.write_map(organizations=[org("a")], actor="cli:alice")
    assert check(store) == []
    assert [e["key"] for e in store.audit()] == ["a"]
    store.close()


def test_neo4j_damage_is_reported(neo4j_store: Store) -> None:
    load_demo(neo4j_store)
    run = neo4j_store.driver.execute_query
    run("""MATCH (s:Organization {id: 'riverside_tenants_union'}), (o:Organization {id: 'hill_district_housing_alliance'})
           CREATE (s)-[:TIE {kind: 'coalition', strength: 3, visibility: 'coalition', version: 1}]->(o)""")
    run("MATCH (o:Organization {id: 'northgate_renters_assembly'})-[r:IN_MOVEMENT]->() DELETE r")
    run("CREATE (:Introduction {key: 'ghost_a|ghost_b', a: 'ghost_a', b: 'ghost_b', status: 'planned'})")
    run("DROP CONSTRAINT organization_id")
    try:
        problems = check(neo4j_store)
    finally:
        neo4j_store.init(())
    assert "constraint or index organization_id is missing (run `coalition init`)" in problems
    assert "tie riverside_tenants_union -> hill_district_housing_alliance (coalition) is stored 2 times" in problems
    assert "organization northgate_renters_assembly belongs to no movement" in problems
    assert "introduction ghost_a / ghost_b points at a missing organization" in problems
    run("MATCH (i:Introduction {key: 'ghost_a|ghost_b'}) DELETE i")
