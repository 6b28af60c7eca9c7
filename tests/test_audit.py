"""The audit trail as admins use it: every change made through the use cases is listed
with who made it and the values before and after, and can be exported."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest

from coalition.domain.errors import CoalitionError
from coalition.maps import services
from coalition.maps.audit import describe_entry, export_audit, list_audit
from coalition.maps.transfer import DEMO_PATH, export_map, import_map, load_demo
from graph.store import Store, acting_as

from .test_store_contract import last_seq, org


def test_use_cases_record_their_actor_and_changes(store: Store) -> None:
    start = last_seq(store)
    services.add_organization(store, org("casa_y", name="Casa Y"), actor="cli:alice")
    services.add_organization(store, org("lucha"), actor="cli:alice")
    services.add_tie(store, {"source": "casa_y", "target": "lucha", "strength": 4}, actor="dashboard:bo")
    services.edit_organization(store, "casa_y", {"region": "eastport"}, actor="dashboard:bo")
    services.edit_tie(store, "casa_y", "lucha", "coalition", {"strength": 2}, actor="dashboard:bo")
    services.remove_tie(store, "casa_y", "lucha", actor="cli:alice")
    services.remove_organization(store, "lucha", actor="cli:alice")
    services.add_movement(store, {"name": "Labor"}, actor="cli:alice")
    lines = [(e["actor"], describe_entry(e)) for e in reversed(store.audit(after_seq=start))]
    assert lines == [
        ("cli:alice", "create organization casa_y (Casa Y)"),
        ("cli:alice", "create organization lucha (Lucha)"),
        ("dashboard:bo", "create tie casa_y|lucha|coalition"),
        ("dashboard:bo", "update organization casa_y: region 'riverside' -> 'eastport'"),
        ("dashboard:bo", "update tie casa_y|lucha|coalition: strength 4 -> 2"),
        ("cli:alice", "delete tie casa_y|lucha|coalition"),
        ("cli:alice", "delete organization lucha (Lucha)"),
        ("cli:alice", "create movement labor (Labor)"),
    ]


def test_acting_as_names_the_actor_of_writes_that_do_not(store: Store) -> None:
    start = last_seq(store)
    with acting_as("cli:carmen"):
        load_demo(store)
    entries = list_audit(store, limit=None)
    entries = [e for e in entries if e["seq"] > start]
    assert {e["actor"] for e in entries} == {"cli:carmen"}
    counts = store.counts()
    assert len(entries) == counts["organizations"] + counts["ties"]  # the default movements were there


def test_a_bulk_import_logs_each_changed_record_once_and_a_reimport_nothing(sqlite_store: Store) -> None:
    start = last_seq(sqlite_store)
    report = import_map(sqlite_store, DEMO_PATH, fmt="csv")
    entries = sqlite_store.audit(limit=None, after_seq=start)
    assert len(entries) == report.counts["organizations"] + report.counts["ties"]
    assert {e["action"] for e in entries} == {"create"}
    import_map(sqlite_store, DEMO_PATH, fmt="csv")
    assert len(sqlite_store.audit(limit=None, after_seq=start)) == len(entries)


def test_list_audit_filters_by_actor_kind_record_and_date(sqlite_store: Store) -> None:
    services.add_organization(sqlite_store, org("a"), actor="cli:alice")
    services.add_organization(sqlite_store, org("b"), actor="cli:bo")
    services.edit_organization(sqlite_store, "a", {"notes": "x"}, actor="cli:bo")
    assert [e["key"] for e in list_audit(sqlite_store, actor="cli:bo")] == ["a", "b"]
    assert [e["action"] for e in list_audit(sqlite_store, key="a")] == ["update", "create"]
    assert list_audit(sqlite_store, kind="tie") == []
    assert len(list_audit(sqlite_store, kind="organization", limit=1)) == 1
    assert list_audit(sqlite_store, since="2999-01-01") == []
    with pytest.raises(CoalitionError, match="unknown kind"):
        list_audit(sqlite_store, kind="person")
    with pytest.raises(CoalitionError, match="ISO date"):
        list_audit(sqlite_store, since="last tuesday")


def test_export_audit_as_json_and_csv_for_its_owner_only(sqlite_store: Store, tmp_path: Path) -> None:
    services.add_organization(sqlite_store, org("a", contact='=HYPERLINK("x")'), actor="=cmd|' /C calc'!A0")
    services.edit_organization(sqlite_store, "a", {"region": "eastport"}, actor="cli:bo")
    assert export_audit(sqlite_store, tmp_path / "audit.json", kind="organization") == 2
    document = json.loads((tmp_path / "audit.json").read_text())
    assert document["format"] == "coalition-audit"
    assert [e["action"] for e in document["entries"]] == ["create", "update"]
    assert document["entries"][0]["after"]["contact"] == '=HYPERLINK("x")'
    assert export_audit(sqlite_store, tmp_path / "audit.csv", kind="organization") == 2
    with open(tmp_path / "audit.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["actor"].startswith("'=")  # a spreadsheet shows it and never runs it
    assert json.loads(rows[1]["after"]) == {"region": "eastport", "version": 2}
    for name in ("audit.json", "audit.csv"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    with pytest.raises(CoalitionError, match="json or csv"):
        export_audit(sqlite_store, tmp_path / "audit.pdf")


def test_map_exports_never_carry_the_audit_trail(demo_store: Store, tmp_path: Path) -> None:
    services.edit_organization(demo_store, "riverside_tenants_union", {"contact": "secret@example.org"})
    export_map(demo_store, tmp_path / "map.json", audience="private")
    document = json.loads((tmp_path / "map.json").read_text())
    assert "audit" not in document
