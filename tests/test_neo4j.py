"""The Neo4j backend beyond the contract: the same demo as SQLite, all-or-nothing imports,
lossless moves between backends, and one-line errors for an unreachable server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coalition.domain.errors import InvalidInput
from coalition.maps.services import map_stats
from coalition.maps.transfer import export_map, import_map, load_demo, migrate
from graph.neo4j.store import Neo4jStore
from graph.sqlite.store import SQLiteStore
from graph.store import Store

from .conftest import run_cli


def test_demo_on_neo4j_matches_sqlite_exactly(neo4j_store: Store, demo_store: Store) -> None:
    load_demo(neo4j_store)
    for audience in ("public", "coalition", "private"):
        assert map_stats(neo4j_store, audience) == map_stats(demo_store, audience)


def test_failing_import_leaves_neo4j_unchanged(neo4j_store: Store, tmp_path: Path) -> None:
    load_demo(neo4j_store)
    before = neo4j_store.snapshot()
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name,movements\nnew_group,New Group,housing\n", encoding="utf-8")
    (folder / "ties.csv").write_text("source,target\nnew_group,nobody\n", encoding="utf-8")
    with pytest.raises(InvalidInput):
        import_map(neo4j_store, folder)
    assert neo4j_store.snapshot() == before


def test_sqlite_to_neo4j_to_sqlite_gives_the_same_json_export(
    demo_store: Store, neo4j_store: Store, tmp_path: Path
) -> None:
    demo_store.write_map(
        introductions=[{"a": "night_shift_collective", "b": "hillside_legal_clinic", "status": "planned",
                        "status_date": "2026-11-02", "reasons": ["Night Shift Collective needs legal_advice"]}]
    )  # fmt: skip
    migrate(demo_store, neo4j_store)
    back = SQLiteStore(tmp_path / "back.db")
    migrate(neo4j_store, back)
    export_map(demo_store, tmp_path / "original.json", audience="private")
    export_map(back, tmp_path / "round_trip.json", audience="private")
    original, round_trip = (json.loads((tmp_path / n).read_text()) for n in ("original.json", "round_trip.json"))
    for doc in (original, round_trip):
        doc.pop("exported_at")
    assert round_trip == original
    back.close()


def test_migrate_command_between_backends(tmp_path: Path, neo4j_store: Neo4jStore) -> None:
    env = {"NEO4J_PASSWORD": neo4j_store._auth[1]} if neo4j_store._auth else {}
    assert run_cli("--db", "sqlite:///a.db", "demo", cwd=tmp_path).returncode == 0
    result = run_cli("migrate", "--from", "sqlite:///a.db", "--to", neo4j_store.uri, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    stats = run_cli("--db", neo4j_store.uri, "stats", "--json", cwd=tmp_path, env=env)
    assert json.loads(stats.stdout)["organizations"] == 46


def test_unreachable_server_is_one_line(tmp_path: Path) -> None:
    result = run_cli("--db", "neo4j://127.0.0.1:1", "stats", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("coalition: error: cannot reach Neo4j at neo4j://127.0.0.1:1")


def test_bad_credentials_are_one_line(tmp_path: Path, neo4j_store: Neo4jStore) -> None:
    if neo4j_store._auth is None:
        pytest.fail("the Neo4j test server runs without authentication; start it with a password")
    url = neo4j_store.uri.replace("neo4j://", "neo4j://neo4j:wrong-password@")
    result = run_cli("--db", url, "stats", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "refused the credentials of user 'neo4j'" in result.stderr
