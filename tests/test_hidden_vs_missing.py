"""Below its audience, a hidden organization is a missing one (issue 12, finding 8).

An editor (coalition audience) adds an organization, imports a file (dry run or not)
and points ties at ids: whether an id belongs to a private organization or to none at
all, the editor gets the same messages and the same counts, and the permission checks
come before any of them. The demo's private organizations are the hidden ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coalition.auth.accounts import User
from coalition.auth.permissions import PermissionDenied
from coalition.domain.errors import CoalitionError
from coalition.maps.transfer import ImportReport
from coalition.ui import actions
from graph.store import Store

EDITOR = User("eda", "editor", "coalition")
HIDDEN = "quiet_hours_support_line"  # private in the demo
MISSING = "quiet_hours_support_network"  # in no map
NAMES = {HIDDEN: "Quiet Hours Support Line", MISSING: "Quiet Hours Support Network"}


def csv_folder(tmp_path: Path, name: str, organizations: str, ties: str | None = None) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name,movements,visibility\n" + organizations, encoding="utf-8")
    if ties is not None:
        (folder / "ties.csv").write_text("source,target,kind\n" + ties, encoding="utf-8")
    return folder


def seen(report: ImportReport, org_id: str) -> dict:
    """What a report tells the editor, with the id it was asked about written as ID."""
    return {
        "summary": report.summary().replace(report.path, "FILE"),
        "counts": report.counts,
        "problems": [str(p).replace(org_id, "ID").replace(NAMES[org_id], "NAME") for p in report.problems],
        "duplicates": [d["similar_id"] for d in report.duplicates],
    }


def test_adding_a_hidden_organizations_name_goes_as_for_a_missing_one(demo_store: Store) -> None:
    hidden_before = demo_store.get_organization(HIDDEN)
    added = {}
    for org_id, name in NAMES.items():
        added[org_id] = actions.add_organization(EDITOR, demo_store, {"name": name, "movements": ["sex_work"]})
    assert added[MISSING].id == MISSING and added[MISSING].visibility == "coalition"
    assert added[HIDDEN].name == NAMES[HIDDEN] and added[HIDDEN].visibility == "coalition"
    assert added[HIDDEN].id != HIDDEN and added[HIDDEN].id.startswith(HIDDEN + "_")
    assert demo_store.get_organization(HIDDEN) == hidden_before  # the private one is untouched
    with pytest.raises(CoalitionError, match="already exists"):  # a visible one is still said to exist
        actions.add_organization(EDITOR, demo_store, {"name": NAMES[MISSING], "movements": ["sex_work"]})


def test_an_import_dry_run_with_a_bad_row_counts_a_hidden_id_as_a_missing_one(
    demo_store: Store, tmp_path: Path
) -> None:
    told = {}
    for org_id, name in NAMES.items():
        rows = f"{org_id},{name},sex_work,coalition\nbad_row,Bad Row,no_such_movement,coalition\n"
        report = actions.import_file(EDITOR, demo_store, csv_folder(tmp_path, org_id, rows), dry_run=True)
        assert report.new_organizations == 1 and report.updated_organizations == 0, report.summary()
        told[org_id] = seen(report, org_id)
    assert told[HIDDEN] == told[MISSING]
    assert len(told[HIDDEN]["problems"]) == 1


def test_an_import_of_a_hidden_id_goes_as_for_a_missing_one_and_again_updates_it(
    demo_store: Store, tmp_path: Path
) -> None:
    hidden_before = demo_store.get_organization(HIDDEN)
    told = {}
    for org_id, name in NAMES.items():
        folder = csv_folder(tmp_path, org_id, f"{org_id},{name},sex_work,coalition\n")
        first = actions.import_file(EDITOR, demo_store, folder)
        again = actions.import_file(EDITOR, demo_store, folder)
        told[org_id] = [seen(first, org_id), seen(again, org_id)]
        assert (first.new_organizations, again.updated_organizations) == (1, 1)
    assert told[HIDDEN] == told[MISSING]
    assert demo_store.get_organization(HIDDEN) == hidden_before
    added = [o for o in demo_store.snapshot()["organizations"] if o["name"] == NAMES[HIDDEN]]
    assert len(added) == 2 and {o["visibility"] for o in added} == {"private", "coalition"}


def test_a_tie_to_a_hidden_id_is_an_unknown_organization_like_a_missing_one(demo_store: Store, tmp_path: Path) -> None:
    told = {}
    for org_id in NAMES:
        folder = csv_folder(
            tmp_path,
            org_id,
            "harbor_renters,Harbor Renters,housing,coalition\n",
            f"harbor_renters,{org_id},referral\n",
        )
        report = actions.import_file(EDITOR, demo_store, folder, dry_run=True)
        told[org_id] = seen(report, org_id)
    assert told[HIDDEN] == told[MISSING]
    assert told[HIDDEN]["problems"] == ["ties.csv, row 2, field target: unknown organization 'ID'"]


def test_permission_checks_come_before_the_problems_of_a_dry_run(demo_store: Store, tmp_path: Path) -> None:
    rows = "harbor_secret,Harbor Secret,housing,private\nbad_row,Bad Row,no_such_movement,coalition\n"
    with pytest.raises(PermissionDenied, match="harbor_secret"):
        actions.import_file(EDITOR, demo_store, csv_folder(tmp_path, "private", rows), dry_run=True)
    assert demo_store.get_organization("harbor_secret") is None
