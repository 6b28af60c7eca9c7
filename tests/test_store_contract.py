"""The store contract: every backend must pass these, unchanged."""

from __future__ import annotations

import pytest

from graph.errors import StoreError
from graph.store import Store


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


def test_snapshot_for_audience_hides_organizations_and_their_ties(store: Store) -> None:
    store.write_map(
        organizations=[org("pub", visibility="public"), org("coal"), org("priv", visibility="private")],
        ties=[
            tie("pub", "coal", visibility="public"),
            tie("pub", "priv", visibility="public"),
            tie("coal", "priv", visibility="private"),
            tie("pub", "coal", kind="referral", visibility="coalition"),
        ],
    )
    public = store.snapshot("public")
    assert [o["id"] for o in public["organizations"]] == ["pub"]
    assert public["ties"] == []
    coalition = store.snapshot("coalition")
    assert {o["id"] for o in coalition["organizations"]} == {"pub", "coal"}
    assert {(t["source"], t["target"], t["kind"]) for t in coalition["ties"]} == {
        ("pub", "coal", "coalition"),
        ("pub", "coal", "referral"),
    }
    assert len(store.snapshot("private")["ties"]) == 4


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
