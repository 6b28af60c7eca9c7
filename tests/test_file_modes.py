"""Files the tool creates hold map data and are readable by their owner only: the map
file and the -wal and -shm files SQLite makes beside it, backups and exports."""

from __future__ import annotations

import stat
from pathlib import Path

from coalition.maps import services
from coalition.maps.backup import backup
from coalition.maps.transfer import export_map, load_demo
from graph.sqlite.store import SQLiteStore


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_map_and_its_wal_and_shm_files_are_private(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "map.db")
    try:
        load_demo(store)
        files = [tmp_path / name for name in ("map.db", "map.db-wal", "map.db-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        store.close()


def test_a_map_made_readable_by_others_is_made_private_when_written(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "map.db")
    services.init_map(store)
    store.close()
    (tmp_path / "map.db").chmod(0o644)
    again = SQLiteStore(tmp_path / "map.db")
    try:
        services.add_organization(again, {"name": "Casa", "movements": ["housing"]})
        assert _mode(tmp_path / "map.db") == 0o600
    finally:
        again.close()


def test_backups_and_exports_are_private(demo_store: SQLiteStore, tmp_path: Path) -> None:
    backup(demo_store, tmp_path / "map.backup")
    export_map(demo_store, tmp_path / "map.json", audience="private")
    assert _mode(tmp_path / "map.backup") == 0o600
    assert _mode(tmp_path / "map.json") == 0o600
