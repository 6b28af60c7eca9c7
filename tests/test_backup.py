"""Backups: a whole map with its versions and audit trail, taken online, optionally
encrypted; a restore gives the same store back, and refuses a wrong passphrase or a
changed file with one clear line, leaving the store as it was."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from coalition.domain.errors import CoalitionError, InvalidInput
from coalition.maps import services
from coalition.maps.backup import HEADER, backup, read_passphrase, restore
from coalition.maps.integrity import check
from coalition.maps.transfer import import_map, load_demo
from graph.sqlite.store import SQLiteStore
from graph.store import Store

from .test_store_contract import org, tie

PASSPHRASE = "correct horse battery staple"
WRONG = "wrong passphrase or the backup was changed"
KINDS = ("movements", "organizations", "ties", "introductions")


@pytest.fixture
def mapped(store: Store) -> Store:
    """A store with the demo, an introduction, an edit and a removal."""
    load_demo(store)
    store.write_map(
        introductions=[{"a": "hillside_legal_clinic", "b": "night_shift_collective", "status": "planned",
                        "status_date": "2026-11-02", "reasons": ["needs legal_advice"]}]
    )  # fmt: skip
    services.edit_organization(store, "riverside_tenants_union", {"region": "eastport"}, actor="cli:alice")
    services.remove_tie(store, "riverside_tenants_union", "hill_district_housing_alliance", actor="cli:alice")
    return store


def same_store(restored: dict, saved: dict) -> None:
    """The map is the saved one; the trail still holds every saved entry, in order, and
    ends with the restore (a restore never rewrites history)."""
    for kind in KINDS:
        assert restored[kind] == saved[kind], kind
    assert restored["audit"][: len(saved["audit"])] == saved["audit"]
    assert restored["audit"][-1]["action"] == "restore"


@pytest.mark.parametrize("passphrase", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_backup_then_restore_gives_the_same_store(mapped: Store, tmp_path: Path, passphrase: str | None) -> None:
    saved = mapped.dump()
    report = backup(mapped, tmp_path / "map.backup", passphrase)
    assert report.encrypted == (passphrase is not None) and report.counts["organizations"] == 46
    assert stat.S_IMODE((tmp_path / "map.backup").stat().st_mode) == 0o600
    services.remove_organization(mapped, "riverside_tenants_union")
    mapped.write_map(organizations=[org("after_the_backup")])
    restored = restore(mapped, tmp_path / "map.backup", passphrase, actor="admin:carmen")
    assert restored.counts["ties"] == len(saved["ties"])
    same_store(mapped.dump(), saved)
    assert mapped.audit(limit=1)[0]["actor"] == "admin:carmen"
    assert check(mapped) == []


def test_a_restore_keeps_the_trail_and_appends_the_backups_history(mapped: Store, tmp_path: Path) -> None:
    backup(mapped, tmp_path / "map.backup")
    saved = mapped.dump()["audit"]
    mapped.write_map(organizations=[org("after_the_backup")], actor="cli:bo")
    mapped.replace_all({**mapped.dump(), "audit": []}, actor="cli:bo")  # an attempt to wipe the trail
    restore(mapped, tmp_path / "map.backup", actor="admin:carmen")
    trail = mapped.dump()["audit"]
    assert trail[: len(saved)] == saved  # nothing lost, nothing renumbered
    assert any(e["key"] == "after_the_backup" and e["action"] == "create" for e in trail)
    assert [e["action"] for e in trail[-2:]] == ["restore", "restore"]
    seqs = [e["seq"] for e in trail]
    assert seqs == sorted(set(seqs))


def test_restoring_into_another_store_appends_the_whole_history(mapped: Store, tmp_path: Path) -> None:
    backup(mapped, tmp_path / "map.backup")
    saved = mapped.dump()["audit"]
    other = SQLiteStore(tmp_path / "other.db")
    try:
        services.init_map(other)
        own = other.dump()["audit"]
        restore(other, tmp_path / "map.backup", actor="admin:carmen")
        trail = other.dump()["audit"]
        assert strip(trail[: len(own)]) == strip(own)
        kept = strip(trail)
        assert all(entry in kept for entry in strip(saved))  # an entry already held is not doubled
        assert trail[-1]["action"] == "restore" and len(trail) > len(own) + 1
    finally:
        other.close()


def test_an_encrypted_backup_holds_no_readable_text(mapped: Store, tmp_path: Path) -> None:
    backup(mapped, tmp_path / "map.backup", PASSPHRASE)
    data = (tmp_path / "map.backup").read_bytes()
    for secret in (b"riverside", b"signal", b"+1-555", b"SQLite format", b"coalition-map"):
        assert secret not in data


def test_a_wrong_passphrase_is_one_line_and_changes_nothing(mapped: Store, tmp_path: Path) -> None:
    backup(mapped, tmp_path / "map.backup", PASSPHRASE)
    mapped.write_map(organizations=[org("after_the_backup")])
    before = mapped.dump()
    with pytest.raises(CoalitionError) as refused:
        restore(mapped, tmp_path / "map.backup", "correct horse battery stapler")
    assert str(refused.value) == WRONG
    assert mapped.dump() == before


@pytest.mark.parametrize(
    "where", [HEADER.size - 20, HEADER.size - 1, HEADER.size + 10, -1, 7], ids=["salt", "nonce", "body", "tag", "kdf"]
)
def test_a_changed_byte_anywhere_is_refused(sqlite_store: Store, tmp_path: Path, where: int) -> None:
    load_demo(sqlite_store)
    backup(sqlite_store, tmp_path / "map.backup", PASSPHRASE)
    data = bytearray((tmp_path / "map.backup").read_bytes())
    data[where] ^= 0x01
    (tmp_path / "map.backup").write_bytes(bytes(data))
    before = sqlite_store.dump()
    with pytest.raises(CoalitionError, match=f"^{WRONG}$"):
        restore(sqlite_store, tmp_path / "map.backup", PASSPHRASE)
    assert sqlite_store.dump() == before


def test_a_cut_short_backup_is_refused(sqlite_store: Store, tmp_path: Path) -> None:
    load_demo(sqlite_store)
    backup(sqlite_store, tmp_path / "map.backup", PASSPHRASE)
    data = (tmp_path / "map.backup").read_bytes()
    for length in (len(data) // 2, HEADER.size, 10):
        (tmp_path / "cut.backup").write_bytes(data[:length])
        with pytest.raises(CoalitionError, match=f"^{WRONG}$|not a Coalition Mapper backup"):
            restore(sqlite_store, tmp_path / "cut.backup", PASSPHRASE)


def test_passphrase_rules(sqlite_store: Store, tmp_path: Path) -> None:
    load_demo(sqlite_store)
    with pytest.raises(CoalitionError, match="too short"):
        backup(sqlite_store, tmp_path / "map.backup", "short")
    backup(sqlite_store, tmp_path / "sealed.backup", PASSPHRASE)
    backup(sqlite_store, tmp_path / "plain.backup")
    with pytest.raises(CoalitionError, match="is an encrypted backup: give the passphrase"):
        restore(sqlite_store, tmp_path / "sealed.backup")
    with pytest.raises(CoalitionError, match="not an encrypted backup although a passphrase was given"):
        restore(sqlite_store, tmp_path / "plain.backup", PASSPHRASE)
    (tmp_path / "pass.txt").write_text(PASSPHRASE + "\n", encoding="utf-8")
    assert read_passphrase(tmp_path / "pass.txt") == PASSPHRASE
    (tmp_path / "empty.txt").write_text("\n", encoding="utf-8")
    with pytest.raises(CoalitionError, match="is empty"):
        read_passphrase(tmp_path / "empty.txt")
    with pytest.raises(CoalitionError, match="cannot read the passphrase file"):
        read_passphrase(tmp_path / "missing.txt")


def test_a_plain_sqlite_backup_is_itself_a_map_file(demo_store: SQLiteStore, tmp_path: Path) -> None:
    services.edit_organization(demo_store, "riverside_tenants_union", {"region": "eastport"})
    backup(demo_store, tmp_path / "copy.db")
    assert (tmp_path / "copy.db").read_bytes()[18:20] == b"\x01\x01"  # one file, no write-ahead log needed
    copy = SQLiteStore(tmp_path / "copy.db")
    assert copy.dump() == demo_store.dump()
    copy.close()


def test_a_plain_neo4j_backup_is_an_importable_map(neo4j_store: Store, sqlite_store: Store, tmp_path: Path) -> None:
    load_demo(neo4j_store)
    report = backup(neo4j_store, tmp_path / "map.json")
    assert report.payload == "json"
    import_map(sqlite_store, tmp_path / "map.json")
    assert sqlite_store.snapshot()["organizations"] == neo4j_store.snapshot()["organizations"]


def test_backups_move_between_backends(neo4j_store: Store, demo_store: Store, tmp_path: Path) -> None:
    services.edit_organization(demo_store, "riverside_tenants_union", {"region": "eastport"})
    saved = demo_store.dump()
    backup(demo_store, tmp_path / "sqlite.backup", PASSPHRASE)
    restore(neo4j_store, tmp_path / "sqlite.backup", PASSPHRASE)
    moved = neo4j_store.dump()
    for kind in KINDS:
        assert moved[kind] == saved[kind], kind
    kept = strip(moved["audit"])  # the server's own trail stays; the backup's is appended
    assert all(entry in kept for entry in strip(saved["audit"]))
    assert moved["audit"][-1]["action"] == "restore"
    backup(neo4j_store, tmp_path / "neo4j.backup", PASSPHRASE)
    back = SQLiteStore(tmp_path / "back.db")
    restore(back, tmp_path / "neo4j.backup", PASSPHRASE)
    for kind in KINDS:
        assert back.dump()[kind] == saved[kind]
    assert check(back) == [] and check(neo4j_store) == []
    back.close()


def test_an_invalid_map_in_a_backup_is_refused_before_anything_changes(sqlite_store: Store, tmp_path: Path) -> None:
    load_demo(sqlite_store)
    with pytest.raises(CoalitionError, match="would overwrite the map itself"):
        backup(sqlite_store, sqlite_store.path)
    backup(sqlite_store, tmp_path / "copy.db")
    broken = SQLiteStore(tmp_path / "copy.db")
    broken.write_map(organizations=[org("x", intro_capacity_per_month=1000)])  # the store takes it, the model not
    broken.close()
    before = sqlite_store.dump()
    with pytest.raises(InvalidInput, match="intro_capacity_per_month"):
        restore(sqlite_store, tmp_path / "copy.db")
    assert sqlite_store.dump() == before
    (tmp_path / "other.bin").write_bytes(b"PK\x03\x04 not a backup")
    with pytest.raises(CoalitionError, match="is not a Coalition Mapper backup"):
        restore(sqlite_store, tmp_path / "other.bin")


def test_a_backup_taken_while_others_write_is_one_consistent_state(store: Store, tmp_path: Path) -> None:
    store.write_map(organizations=[org("w_0")])
    stop = threading.Event()
    written: list[str] = ["w_0"]

    def writer() -> None:
        while not stop.is_set():
            new = f"w_{len(written)}"
            store.write_map(organizations=[org(new)], ties=[tie(written[-1], new)])
            written.append(new)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for n in range(3):
            backup(store, tmp_path / f"online-{n}.backup", PASSPHRASE)
    finally:
        stop.set()
        thread.join()
    for n in range(3):
        copy = SQLiteStore(tmp_path / f"copy-{n}.db")
        restore(copy, tmp_path / f"online-{n}.backup", PASSPHRASE)
        snap = copy.snapshot()
        assert len(snap["ties"]) == len(snap["organizations"]) - 1
        assert check(copy) == []
        copy.close()


def strip(entries: list[dict]) -> list[dict]:
    """Audit entries without their sequence numbers (a restore numbers them anew)."""
    return [{k: v for k, v in e.items() if k != "seq"} for e in entries]
