"""What changed since the last meeting (issue 17, part 1): snapshots and ``changes`` on
both backends, for an audience, and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coalition.domain.errors import CoalitionError, NotFound
from coalition.maps import services
from coalition.maps.changes import changes_since, list_snapshots, save_snapshot
from coalition.maps.transfer import load_demo
from graph.store import Store
from tests.conftest import run_cli

PRIVATE = "kitchen_table_mutual_aid"
PRIVATE_NAME = "Kitchen Table Mutual Aid"


@pytest.fixture
def demo(store: Store) -> Store:
    load_demo(store)
    return store


def _edits(store: Store) -> None:
    services.edit_organization(store, "riverside_tenants_union", {"region": "hill_district"})
    services.add_organization(store, {"name": "Harbor Renters Network", "movements": ["housing"]})
    services.add_tie(store, {"source": "harbor_renters_network", "target": "riverside_tenants_union",
                             "kind": "joint_campaign"})  # fmt: skip
    services.remove_organization(store, "tactile_collective")
    services.edit_organization(store, PRIVATE, {"access": "a new meeting place", "contact": "signal: +1-555-0199"})


def test_changes_since_a_snapshot_on_both_backends(demo: Store) -> None:
    save_snapshot(demo, "december", note="before the December meeting")
    save_snapshot(demo, "later")
    assert [s["name"] for s in list_snapshots(demo)] == ["december", "later"]
    _edits(demo)
    found = changes_since(demo, "december")
    assert found["since"] == "december" and found["since_at"] == list_snapshots(demo)[0]["at"]
    orgs = found["organizations"]
    assert [o["id"] for o in orgs["added"]] == ["harbor_renters_network"]
    assert [o["id"] for o in orgs["removed"]] == ["tactile_collective"]
    changed = {o["id"]: o["fields"] for o in orgs["changed"]}
    assert changed["riverside_tenants_union"] == {"region": {"before": "riverside", "after": "hill_district"}}
    assert changed[PRIVATE]["contact"]["after"] == "signal: +1-555-0199"  # the private audience sees it all
    ties = found["ties"]
    assert [(t["source"], t["target"], t["kind"]) for t in ties["added"]] == [
        ("harbor_renters_network", "riverside_tenants_union", "joint_campaign")
    ]
    assert ties["added"][0]["source_name"] == "Harbor Renters Network"
    assert {t["target"] for t in ties["removed"]} | {t["source"] for t in ties["removed"]} >= {"tactile_collective"}
    assert any("Harbor Renters Network" in g["text"] for g in found["gaps"]["opened"])  # hangs on one tie
    assert changes_since(demo, "later")["organizations"]["added"] == orgs["added"]


def test_nothing_above_the_audience_appears(demo_store: Store) -> None:
    save_snapshot(demo_store, "december")
    _edits(demo_store)
    for audience in ("coalition", "public"):
        text = json.dumps(changes_since(demo_store, "december", audience=audience))
        assert PRIVATE not in text and PRIVATE_NAME not in text and "555-0199" not in text
    public = changes_since(demo_store, "december", audience="public")
    assert public["organizations"]["added"] == []  # the new group is coalition-wide


def test_gaps_closed_and_introductions_made(demo_store: Store) -> None:
    save_snapshot(demo_store, "december")
    isolated = "eastport_deaf_action_network"  # tied only within its movement in the demo
    services.add_tie(demo_store, {"source": isolated, "target": "riverside_tenants_union", "kind": "referral"})
    from coalition.maps.tracking import answer_introduction, ask_introduction, set_introduction_status

    pair = ("night_shift_collective", "hillside_legal_clinic")
    ask_introduction(demo_store, *pair)
    for side in pair:
        answer_introduction(demo_store, *pair, side, True)
    set_introduction_status(demo_store, *pair, "made")
    found = changes_since(demo_store, "december")
    assert any(g.get("org") == isolated for g in found["gaps"]["closed"])
    assert [(i["a"], i["b"]) for i in found["introductions"]["made"]] == [
        ("hillside_legal_clinic", "night_shift_collective")
    ]


def test_since_a_day_and_what_cannot_be_worked_out(demo_store: Store) -> None:
    everything = changes_since(demo_store, "2000-01-01")
    assert len(everything["organizations"]["added"]) == len(demo_store.snapshot()["organizations"])
    with pytest.raises(NotFound, match="no snapshot named 'nope'"):
        changes_since(demo_store, "nope")
    with pytest.raises(CoalitionError, match="not a snapshot name"):
        save_snapshot(demo_store, "Before December")
    save_snapshot(demo_store, "december")
    demo_store.clear()  # snapshots go with the map they were made of
    assert list_snapshots(demo_store) == []
    with pytest.raises(CoalitionError, match="was cleared on .*cannot be worked out"):
        changes_since(demo_store, "2000-01-01")


def test_snapshot_and_changes_from_the_cli(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'map.db'}"]
    assert run_cli(*db, "demo", cwd=tmp_path).returncode == 0
    assert "Saved snapshot december" in run_cli(*db, "snapshot", "save", "december", "--note", "x", cwd=tmp_path).stdout
    listed = json.loads(run_cli(*db, "snapshot", "list", "--json", cwd=tmp_path).stdout)
    assert [s["name"] for s in listed] == ["december"] and listed[0]["note"] == "x"
    run_cli(*db, "org", "edit", "riverside_tenants_union", "--region", "hill_district", cwd=tmp_path)
    found = json.loads(
        run_cli(*db, "changes", "--since", "december", "--audience", "coalition", "--json", cwd=tmp_path).stdout
    )
    assert set(found) == {"since", "since_at", "organizations", "ties", "gaps", "introductions"}
    assert set(found["introductions"]) == {"made", "declined", "stalled"}
    assert found["organizations"]["changed"][0]["fields"]["region"]["after"] == "hill_district"
    failed = run_cli(*db, "changes", "--since", "someday", cwd=tmp_path)
    assert failed.returncode == 1 and failed.stderr.strip().count("\n") == 0 and "Traceback" not in failed.stderr


def test_the_overview_shows_what_changed_since_the_last_meeting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.sqlite.store import SQLiteStore

    from .test_app_pages import everything_shown, open_app

    store = SQLiteStore(tmp_path / "map.db")
    load_demo(store)
    save_snapshot(store, "december", note="before the December meeting")
    services.add_organization(store, {"name": "Harbor Renters Network", "movements": ["housing"]})
    store.close()
    app = open_app(f"sqlite:///{tmp_path / 'map.db'}", monkeypatch)
    assert not app.exception
    assert app.selectbox(key="overview_since").value == "december"
    shown = everything_shown(app).replace("\\", "")
    assert "1 organization(s) joined: Harbor Renters Network." in shown


def test_the_brief_has_a_what_changed_page_for_its_audience(demo_store: Store, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from coalition.maps.transfer import export_map

    save_snapshot(demo_store, "december")
    _edits(demo_store)
    export_map(demo_store, tmp_path / "brief.pdf", audience="coalition")
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "brief.pdf").pages)
    assert "What changed since december" in text
    assert "1 organization(s) joined: Harbor Renters Network." in text
    assert PRIVATE_NAME not in text and "555-0199" not in text
    export_map(demo_store, tmp_path / "anonymized.pdf", audience="coalition", anonymize=True)
    anonymized = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "anonymized.pdf").pages)
    assert "What changed since" not in anonymized


def test_agreed_introductions_not_made_are_listed_as_stalled(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date, timedelta

    from .test_app_pages import open_app

    save_snapshot(demo_store, "december")
    weeks_ago = date.today() - timedelta(days=40)
    demo_store.write_map(introductions=[{"a": "hillside_legal_clinic", "b": "night_shift_collective", "status": "agreed",
                                         "status_date": weeks_ago.isoformat(), "reasons": [], "note": ""}])  # fmt: skip
    stalled = changes_since(demo_store, "december")["introductions"]["stalled"]
    assert [(i["a"], i["status"]) for i in stalled] == [("hillside_legal_clinic", "agreed")]
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/introductions.py")
    warnings = [w.value.replace("\\", "") for w in app.warning]  # markdown escapes
    assert any("Stalled for over 30 days (1 agreed)" in w and "Night Shift Collective" in w for w in warnings)
