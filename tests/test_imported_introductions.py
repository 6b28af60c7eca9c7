"""Imported introductions obey the limits a plan does (issue 12, finding 9).

The Introductions page refuses to plan with a group whose consent is off, over its
monthly capacity, or across a conflict (``tracking.check_introduction_limits``); a JSON
import holding such an introduction is refused the same way, on every interface, and
writes nothing. What the map already holds, imported again unchanged, is no new plan.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from coalition.auth.accounts import User
from coalition.domain.errors import InvalidInput
from coalition.maps import services
from coalition.maps.tracking import set_introduction_status
from coalition.maps.transfer import export_map, import_map
from coalition.ui import actions
from graph.store import Store

TODAY = date.today().isoformat()


@pytest.fixture
def groups(sqlite_store: Store) -> Store:
    """Casa (capacity 1), Lucha, Rio (consent off) and Sol."""
    for name, movement, extra in (
        ("Casa", "housing", {"intro_capacity_per_month": 1}),
        ("Lucha", "migrant", {}),
        ("Rio", "sex_work", {"consent_to_introductions": False}),
        ("Sol", "disability", {}),
    ):
        services.add_organization(sqlite_store, {"name": name, "movements": [movement], **extra})
    return sqlite_store


def map_file(tmp_path: Path, introductions: list[dict], ties: list[dict] | None = None) -> Path:
    path = tmp_path / "map.json"
    document = {"format": "coalition-map", "version": 1, "introductions": introductions, "ties": ties or []}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def intro(a: str, b: str, status: str = "planned", on: str = TODAY) -> dict:
    return {"a": a, "b": b, "status": status, "status_date": on}


def test_a_planned_introduction_with_a_group_whose_consent_is_off_is_refused(groups: Store, tmp_path: Path) -> None:
    before = groups.snapshot()
    path = map_file(tmp_path, [intro("casa", "lucha"), intro("lucha", "rio")])
    report = import_map(groups, path, dry_run=True)
    assert [str(p) for p in report.problems] == [
        "map.json introductions, row 2, field status: Rio does not take introductions (consent is off)"
    ]
    with pytest.raises(InvalidInput, match="Rio does not take introductions"):
        import_map(groups, path)
    editor = User("eda", "editor", "coalition")  # the dashboard's path is the same
    with pytest.raises(InvalidInput, match="Rio does not take introductions"):
        actions.import_file(editor, groups, path)
    assert groups.snapshot() == before


def test_a_made_introduction_with_a_group_whose_consent_is_off_is_refused(groups: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="consent is off"):
        import_map(groups, map_file(tmp_path, [intro("rio", "sol", "made")]))
    assert groups.snapshot()["introductions"] == []


def test_imported_plans_count_against_capacity_together(groups: Store, tmp_path: Path) -> None:
    report = import_map(groups, map_file(tmp_path, [intro("casa", "lucha"), intro("casa", "sol")]), dry_run=True)
    assert len(report.problems) == 2 and all("Casa takes 1 introduction a month" in p.message for p in report.problems)
    last_year = date(date.today().year - 1, 1, 15).isoformat()  # another month: no capacity used now
    written = import_map(groups, map_file(tmp_path, [intro("casa", "lucha"), intro("casa", "sol", on=last_year)]))
    assert written.written and len(groups.snapshot()["introductions"]) == 2


def test_an_introduction_across_a_conflict_in_the_file_is_refused(groups: Store, tmp_path: Path) -> None:
    conflict = [{"source": "lucha", "target": "sol", "kind": "conflict"}]
    with pytest.raises(InvalidInput, match="Lucha and Sol have a conflict tie"):
        import_map(groups, map_file(tmp_path, [intro("lucha", "sol")], ties=conflict))
    assert groups.snapshot()["ties"] == []


def test_a_map_imported_again_unchanged_is_no_new_plan(groups: Store, tmp_path: Path) -> None:
    set_introduction_status(groups, "casa", "lucha", "planned")
    services.edit_organization(groups, "lucha", {"consent_to_introductions": False})  # consent withdrawn later
    export_map(groups, tmp_path / "private.json", audience="private")
    report = import_map(groups, tmp_path / "private.json")
    assert report.written and not report.problems
