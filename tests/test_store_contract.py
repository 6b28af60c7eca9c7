"""The store contract: every backend must pass these, unchanged, and so must a SQLite map
encrypted at rest (issue 18)."""

from __future__ import annotations

import pytest

from coalition.domain.privacy import read_view
from graph.errors import StaleEdit, StoreError
from graph.store import Store, acting_as
from tests.conftest import BACKENDS


@pytest.fixture(params=[*BACKENDS, "encrypted_sqlite"])
def store(request: pytest.FixtureRequest) -> Store:
    """An empty, initialized store of each backend, and an encrypted SQLite one."""
    return request.getfixturevalue(f"{request.param}_store")


def org(id: str, movements: list[str] | None = None, visibility: str = "coalition", **extra) -> dict:
    record = {
        "id": id, "name": id.replace("_", " ").title(), "movements": movements or ["housing"], "kind": "collective",
        "community_led": True, "region": "riverside", "languages": ["English", "Spanish"], "issues": ["rent_control"],
        "offers": ["meeting_space"], "needs": [], "access": "step-free", "contact": f"{id}@example.org",
        "contact_visibility": "private", "visibility": visibility, "consent_to_introductions": True,
        "intro_capacity_per_month": 3, "notes": "",
    }  # fmt: skip
    record.update(extra)
    return record


def tie(source: str, target: str, kind: str = "coalition", visibility: str = "coalition", **extra) -> dict:
    record = {"source": source, "target": target, "kind": kind, "strength": 3, "since": "2020-01-31",
              "until": None, "visibility": visibility, "notes": ""}  # fmt: skip
    record.update(extra)
    return record


def test_init_adds_default_movements_once(store: Store) -> None:
    store.init([{"id": "housing", "name": "Changed", "color": "#000000"}])
    movements = {m["id"]: m for m in store.snapshot()["movements"]}
    assert set(movements) == {"housing", "migrant", "disability", "queer_trans", "sex_work"}
    assert movements["housing"]["name"] == "Housing justice"


def test_organization_round_trips_every_field(store: Store) -> None:
    record = org("casa_y", movements=["migrant", "housing"], languages=["Spanish", "Tagalog"], needs=["legal_advice"])
    store.write_map(organizations=[record])
    stored = store.get_organization("casa_y")
    for key, value in record.items():
        assert stored[key] == value, key
    assert stored["version"] == 1 and stored["created_at"] and stored["updated_at"]


def test_upsert_updates_by_id_and_counts_versions(store: Store) -> None:
    store.write_map(organizations=[org("a")])
    store.write_map(organizations=[org("a", region="eastport")])
    store.write_map(organizations=[org("a", region="eastport")])
    assert store.counts()["organizations"] == 1
    stored = store.get_organization("a")
    assert stored["region"] == "eastport"
    assert stored["version"] == 2


def test_changing_movements_is_an_edit(store: Store) -> None:
    store.write_map(organizations=[org("a", movements=["housing"])])
    store.write_map(organizations=[org("a", movements=["housing", "disability"])])
    stored = store.get_organization("a")
    assert stored["movements"] == ["housing", "disability"]
    assert stored["version"] == 2


def test_ties_upsert_by_source_target_kind(store: Store) -> None:
    store.write_map(organizations=[org("a"), org("b")])
    store.write_map(ties=[tie("a", "b"), tie("a", "b", kind="referral")])
    store.write_map(ties=[tie("a", "b", strength=5)])
    ties = {(t["source"], t["target"], t["kind"]): t for t in store.snapshot()["ties"]}
    assert set(ties) == {("a", "b", "coalition"), ("a", "b", "referral")}
    assert ties[("a", "b", "coalition")]["strength"] == 5
    assert ties[("a", "b", "coalition")]["since"] == "2020-01-31"
    assert ties[("a", "b", "coalition")]["version"] == 2


def test_bulk_write_is_all_or_nothing(store: Store) -> None:
    store.write_map(organizations=[org("a")])
    before = store.snapshot()
    with pytest.raises(StoreError):
        store.write_map(organizations=[org("b"), org("c")], ties=[tie("b", "nobody")])
    after = store.snapshot()
    assert after["organizations"] == before["organizations"]
    assert after["ties"] == before["ties"]
    assert store.get_organization("b") is None


def test_unknown_movement_is_refused_by_the_store_too(store: Store) -> None:
    with pytest.raises(StoreError):
        store.write_map(organizations=[org("a", movements=["no_such_movement"])])
    assert store.get_organization("a") is None


def test_read_view_for_audience_hides_organizations_and_their_ties(store: Store) -> None:
    store.write_map(
        organizations=[org("pub", visibility="public"), org("coal"), org("priv", visibility="private")],
        ties=[
            tie("pub", "coal", visibility="public"),
            tie("pub", "priv", visibility="public"),
            tie("coal", "priv", visibility="private"),
            tie("pub", "coal", kind="referral", visibility="coalition"),
        ],
    )
    public = read_view(store, "public")
    assert [o["id"] for o in public["organizations"]] == ["pub"]
    assert public["ties"] == []
    coalition = read_view(store, "coalition")
    assert {o["id"] for o in coalition["organizations"]} == {"pub", "coal"}
    assert {(t["source"], t["target"], t["kind"]) for t in coalition["ties"]} == {
        ("pub", "coal", "coalition"),
        ("pub", "coal", "referral"),
    }
    assert len(store.snapshot()["ties"]) == 4  # the store returns everything; privacy redacts


def test_delete_organization_removes_its_ties(store: Store) -> None:
    store.write_map(organizations=[org("a"), org("b"), org("c")], ties=[tie("a", "b"), tie("b", "c"), tie("a", "c")])
    assert store.delete_organization("b") == 2
    assert [(t["source"], t["target"]) for t in store.snapshot()["ties"]] == [("a", "c")]
    assert store.get_organization("b") is None


def test_delete_tie_in_either_direction_and_by_kind(store: Store) -> None:
    store.write_map(organizations=[org("a"), org("b")], ties=[tie("a", "b"), tie("a", "b", kind="referral")])
    assert store.delete_tie("b", "a", "referral") == 1
    assert store.delete_tie("b", "a") == 1
    assert store.delete_tie("a", "b") == 0


def test_introductions_are_stored_and_updated(store: Store) -> None:
    store.write_map(organizations=[org("a"), org("b"), org("c")])
    intro = {"a": "a", "b": "b", "broker": "c", "score": 0.5, "reasons": ["both speak Spanish"],
             "status": "planned", "status_date": "2026-11-01", "note": "call first"}  # fmt: skip
    store.write_map(introductions=[intro])
    store.write_map(introductions=[{**intro, "status": "made"}])
    stored = store.snapshot()["introductions"]
    assert len(stored) == 1
    assert stored[0]["status"] == "made" and stored[0]["reasons"] == ["both speak Spanish"]
    assert stored[0]["broker"] == "c"


def test_version_grows_with_every_write(store: Store) -> None:
    first = store.version()
    store.write_map(organizations=[org("a")])
    second = store.version()
    store.delete_organization("a")
    assert first < second < store.version()


def test_clear_empties_but_keeps_schema(store: Store) -> None:
    store.write_map(organizations=[org("a")])
    store.clear()
    assert store.is_empty()
    store.write_map(
        movements=[{"id": "labor", "name": "Labor", "color": "#111111"}], organizations=[org("b", movements=["labor"])]
    )
    assert store.get_organization("b")["movements"] == ["labor"]


def test_text_with_quotes_and_injection_survives(store: Store) -> None:
    hostile = "Robert'); DROP TABLE organizations;-- \" } MATCH (n) DETACH DELETE n //"
    store.write_map(organizations=[org("a", notes=hostile, name=hostile)])
    assert store.get_organization("a")["notes"] == hostile
    assert store.counts()["organizations"] == 1


# audit trail -------------------------------------------------------------------------
def last_seq(store: Store) -> int:
    """The number of the newest audit entry (the Neo4j test database keeps older ones)."""
    return max((e["seq"] for e in store.audit(limit=1)), default=0)


def test_every_write_records_who_changed_what_newest_first(store: Store) -> None:
    start = last_seq(store)
    store.write_map(organizations=[org("a"), org("b")], ties=[tie("a", "b")], actor="cli:alice")
    with acting_as("dashboard:bo"):
        store.write_map(organizations=[org("a", region="eastport")])
    store.write_map(organizations=[org("a", region="eastport")], actor="cli:alice")  # no change: no entry
    entries = store.audit(after_seq=start)
    assert [(e["action"], e["kind"], e["key"], e["actor"]) for e in entries] == [
        ("update", "organization", "a", "dashboard:bo"),
        ("create", "tie", "a|b|coalition", "cli:alice"),
        ("create", "organization", "b", "cli:alice"),
        ("create", "organization", "a", "cli:alice"),
    ]
    update = entries[0]
    assert update["before"] == {"region": "riverside", "version": 1}
    assert update["after"] == {"region": "eastport", "version": 2}
    created = entries[-1]["after"]
    assert created["contact"] == "a@example.org" and created["movements"] == ["housing"] and created["version"] == 1
    assert entries[-1]["before"] is None
    assert [e["seq"] for e in entries] == sorted((e["seq"] for e in entries), reverse=True)
    assert all(e["at"] >= entries[-1]["at"] for e in entries)


def test_removals_record_every_record_they_take(store: Store) -> None:
    store.write_map(
        organizations=[org("a"), org("b"), org("c")],
        ties=[tie("a", "b"), tie("c", "b", kind="referral")],
        introductions=[{"a": "a", "b": "c", "broker": "b", "status": "planned"}],
    )
    start = last_seq(store)
    assert store.delete_organization("b", actor="admin") == 2
    entries = store.audit(after_seq=start)
    assert {(e["action"], e["kind"], e["key"]) for e in entries} == {
        ("delete", "organization", "b"),
        ("delete", "tie", "a|b|coalition"),
        ("delete", "tie", "c|b|referral"),
        ("update", "introduction", "a|c"),
    }
    assert entries[0]["kind"] == "organization" and entries[0]["before"]["name"] == "B"
    assert next(e for e in entries if e["kind"] == "introduction")["after"] == {"broker": None}
    assert store.snapshot()["introductions"][0]["broker"] is None
    start = last_seq(store)
    store.write_map(ties=[tie("a", "c")])
    assert store.delete_tie("c", "a", actor="admin") == 1
    assert store.delete_tie("c", "a", actor="admin") == 0
    (removed,) = store.audit(after_seq=start + 1)
    assert (removed["action"], removed["key"], removed["before"]["strength"]) == ("delete", "a|c|coalition", 3)
    store.clear(actor="admin")
    cleared = store.audit(limit=1)[0]
    assert (cleared["action"], cleared["kind"], cleared["before"]["organizations"]) == ("clear", "map", 2)


def test_a_failed_write_leaves_no_audit_entry(store: Store) -> None:
    start = last_seq(store)
    with pytest.raises(StoreError):
        store.write_map(organizations=[org("b")], ties=[tie("b", "nobody")], actor="cli:alice")
    assert store.audit(after_seq=start) == []


def test_audit_filters_by_kind_key_time_and_count(store: Store) -> None:
    start = last_seq(store)
    store.write_map(organizations=[org("a"), org("b")], ties=[tie("a", "b")])
    store.write_map(organizations=[org("a", notes="met in May")])
    assert [e["action"] for e in store.audit(key="a", kind="organization", after_seq=start)] == ["update", "create"]
    assert [e["key"] for e in store.audit(kind="tie", after_seq=start)] == ["a|b|coalition"]
    assert len(store.audit(limit=2, after_seq=start)) == 2
    assert len(store.audit(limit=None, after_seq=start)) == 4
    assert store.audit(since="2999-01-01", after_seq=start) == []
    assert len(store.audit(since="2000-01-01", after_seq=start)) == 4
    assert store.audit(limit=None, after_seq=start)[0]["actor"] == "unknown"


def test_introductions_and_movements_are_audited_when_they_change(store: Store) -> None:
    store.write_map(organizations=[org("a"), org("b")])
    start = last_seq(store)
    intro = {"a": "a", "b": "b", "status": "planned", "reasons": ["both speak Spanish"]}
    store.write_map(introductions=[intro], movements=[{"id": "labor", "name": "Labor", "color": "#111111"}])
    store.write_map(introductions=[intro], movements=[{"id": "labor", "name": "Labor", "color": "#111111"}])
    store.write_map(introductions=[{**intro, "status": "made"}])
    entries = store.audit(after_seq=start)
    assert [(e["action"], e["kind"], e["key"]) for e in entries] == [
        ("update", "introduction", "a|b"),
        ("create", "introduction", "a|b"),
        ("create", "movement", "labor"),
    ]
    assert entries[0]["before"] == {"status": "planned"} and entries[0]["after"] == {"status": "made"}


# versions ----------------------------------------------------------------------------
def test_a_write_from_a_stale_version_is_refused_with_the_current_record(store: Store) -> None:
    store.write_map(organizations=[org("a"), org("b")], ties=[tie("a", "b")])
    store.write_map(organizations=[org("a", region="eastport")], expected_versions={"a": 1})
    start = last_seq(store)
    with pytest.raises(StaleEdit) as refused:
        store.write_map(organizations=[org("a", region="northgate"), org("c")], expected_versions={"a": 1})
    assert refused.value.current["region"] == "eastport" and refused.value.current["version"] == 2
    assert store.get_organization("a")["region"] == "eastport"
    assert store.get_organization("c") is None
    assert store.audit(after_seq=start) == []
    store.write_map(ties=[tie("a", "b", strength=5)], expected_versions={("a", "b", "coalition"): 1})
    with pytest.raises(StaleEdit) as refused:
        store.write_map(ties=[tie("a", "b", strength=1)], expected_versions={("a", "b", "coalition"): 1})
    assert refused.value.current["strength"] == 5
    assert store.get_tie("a", "b", "coalition")["version"] == 2
    assert store.get_tie("b", "a", "coalition") is None


def test_a_stale_edit_of_a_removed_record_is_refused(store: Store) -> None:
    store.write_map(organizations=[org("a")])
    store.delete_organization("a")
    with pytest.raises(StaleEdit) as refused:
        store.write_map(organizations=[org("a", region="eastport")], expected_versions={"a": 1})
    assert refused.value.current is None
    assert store.get_organization("a") is None


# backups and checks ------------------------------------------------------------------
def test_dump_then_replace_all_restores_records_versions_and_audit(store: Store) -> None:
    store.write_map(
        organizations=[org("a"), org("b", visibility="private")],
        ties=[tie("a", "b")],
        introductions=[{"a": "a", "b": "b", "status": "planned", "reasons": ["x"]}],
    )
    store.write_map(organizations=[org("a", region="eastport")])
    saved = store.dump()
    store.delete_organization("a")
    store.write_map(organizations=[org("z")])
    store.replace_all(saved, actor="admin")
    restored = store.dump()
    for kind in ("movements", "organizations", "ties", "introductions"):
        assert restored[kind] == saved[kind], kind
    assert restored["audit"][: len(saved["audit"])] == saved["audit"]  # history is never rewritten
    assert [e["key"] for e in restored["audit"][len(saved["audit"]) : -1]] == ["a|b|coalition", "a|b", "a", "z"]
    last = restored["audit"][-1]
    assert (last["action"], last["actor"], last["after"]["organizations"]) == ("restore", "admin", 2)
    assert store.get_organization("a")["version"] == 2
    assert store.version() > saved["version"]


def test_replace_all_is_all_or_nothing(store: Store) -> None:
    store.write_map(organizations=[org("a")])
    before = store.dump()
    broken = {**before, "organizations": [org("b")], "ties": [tie("b", "nobody")]}
    with pytest.raises(StoreError):
        store.replace_all(broken)
    assert store.dump() == before


def test_a_sound_store_has_no_storage_problems(store: Store) -> None:
    store.write_map(organizations=[org("a"), org("b")], ties=[tie("a", "b")])
    store.delete_tie("a", "b")
    assert store.check() == []
