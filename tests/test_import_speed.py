"""The bulk paths of a large import give what the record by record paths give (issue 14):
audit entries made by SQLite from the rows a first import created, CSV columns and
validated columns handed on whole when no cell needs changing."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from coalition.domain.columns import organization_records, tie_records
from coalition.domain.models import Organization, Tie
from coalition.formats.csv_format import table_rows
from coalition.maps import services
from coalition.maps.transfer import import_map
from graph.sqlite import rows
from graph.sqlite.store import SQLiteStore

ORGANIZATIONS = [
    ["id", "name", "movements", "kind", "community_led", "region", "languages", "needs", "offers", "visibility"],
    ["casa", "Casa Migrante", "migrant;housing", "collective", "true", "Eastport", "Spanish;English", "", "legal_advice", ""],
    ["tenants", "Tenants United", "housing", "UNION", "false", "eastport", "", "childcare;funding", "", "public"],
    ["swop", "SWOP East", "sex_work;migrant;housing", "ngo", "", "", "English", "legal_advice", "", "private"],
]  # fmt: skip
TIES = [
    ["source", "target", "kind", "strength", "since", "until", "visibility"],
    ["casa", "tenants", "coalition", "4", "2021-03-01", "", ""],
    ["tenants", "swop", "referral", "", "", "2024-01-31", "private"],
    ["swop", "casa", "mou", "5", "2020-01-01", "2023-06-30", "coalition"],
]


def _folder(path: Path) -> Path:
    path.mkdir()
    for name, table in (("organizations", ORGANIZATIONS), ("ties", TIES)):
        with (path / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(table)
    return path


def _imported_entries(tmp_path: Path, name: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    store = SQLiteStore(tmp_path / f"{name}.db")
    try:
        services.init_map(store)
        start = max((e["seq"] for e in store.audit(limit=1)), default=0)
        (tmp_path / name).mkdir()
        import_map(store, _folder(tmp_path / name / "coalition-map"), fmt="csv")  # one file name, one provenance
        entries = store.audit(limit=None, after_seq=start)
        return entries, store.snapshot()
    finally:
        store.close()


def _content(entries: list[dict[str, Any]]) -> list[tuple]:
    """The entries' content, whatever their order and the second each import ran in."""
    made = {"created_at", "updated_at"}
    return sorted(
        (e["action"], e["kind"], e["key"], repr(sorted((k, v) for k, v in e["after"].items() if k not in made)))
        for e in entries
    )


def test_a_first_import_logs_each_record_as_the_record_by_record_path_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk, snapshot = _imported_entries(tmp_path, "bulk")
    monkeypatch.setattr(rows, "_stored_as_given", lambda *args: False)
    one_by_one, _ = _imported_entries(tmp_path, "one_by_one")
    assert _content(bulk) == _content(one_by_one)
    oldest_first = [e["key"] for e in reversed(bulk) if e["kind"] == "organization"]
    assert oldest_first == ["casa", "swop", "tenants"]  # made by SQLite from the table, in key order
    assert [e["key"] for e in reversed(one_by_one) if e["kind"] == "organization"] == ["casa", "tenants", "swop"]
    assert len(bulk) == len(snapshot["organizations"]) + len(snapshot["ties"])
    logged = {e["key"]: e["after"] for e in bulk if e["kind"] == "organization"}
    for org in snapshot["organizations"]:
        assert logged[org["id"]] == org  # movements in the file's order, booleans, lists
    assert logged["swop"]["movements"] == ["sex_work", "migrant", "housing"]
    ties = {e["key"]: e["after"] for e in bulk if e["kind"] == "tie"}
    assert ties["tenants|swop|referral"]["since"] is None
    assert ties["tenants|swop|referral"]["strength"] == 3


def test_values_sqlite_would_store_as_another_type_are_logged_as_given(sqlite_store: SQLiteStore) -> None:
    org = Organization.model_validate({"id": "a", "name": "A", "movements": ["housing"]}).to_record()
    org["intro_capacity_per_month"] = 2.0  # an INTEGER column keeps it as 2
    start = max(e["seq"] for e in sqlite_store.audit(limit=1))
    sqlite_store.write_map(organizations=[org])
    (entry,) = sqlite_store.audit(after_seq=start)
    assert entry["after"]["intro_capacity_per_month"] == 2.0
    assert isinstance(entry["after"]["intro_capacity_per_month"], float)


def test_a_reimport_that_adds_and_changes_logs_updates_and_creations(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "map.db")
    try:
        services.init_map(store)
        folder = _folder(tmp_path / "first")
        import_map(store, folder, fmt="csv")
        start = max(e["seq"] for e in store.audit(limit=1))
        with (folder / "organizations.csv").open("a", newline="", encoding="utf-8") as f:
            csv.writer(f).writerow(["new", "New Group", "disability", "", "", "", "", "", "", ""])
        text = (folder / "organizations.csv").read_text(encoding="utf-8").replace("Tenants United", "Tenants Union")
        (folder / "organizations.csv").write_text(text, encoding="utf-8")
        import_map(store, folder, fmt="csv")
        entries = {(e["action"], e["key"]): e for e in store.audit(limit=None, after_seq=start)}
    finally:
        store.close()
    assert set(entries) == {("create", "new"), ("update", "tenants")}
    assert entries["update", "tenants"]["after"] == {"name": "Tenants Union", "version": 2}


def test_csv_columns_without_spaces_or_apostrophes_are_taken_as_read() -> None:
    header = ["id", "name", "movements", "notes"]
    lines = [(2, ["a", "A", "housing", "'=1+1"]), (3, ["b", " B ", "housing", "x"]), (4, ["c", "C", "housing", "y"])]
    problems: list = []
    read = table_rows("organizations.csv", header, lines, "organizations", problems)
    assert problems == []
    assert [r.data for r in read] == [
        {"id": "a", "name": "A", "movements": ["housing"], "notes": "=1+1"},
        {"id": "b", "name": "B", "movements": ["housing"], "notes": "x"},
        {"id": "c", "name": "C", "movements": ["housing"], "notes": "y"},
    ]
    assert [r.row for r in read] == [2, 3, 4]


@pytest.mark.parametrize(("org_kind", "tie_kind"), [("ngo", "referral"), ("NGO", "COALITION"), (" union ", " mou ")])
def test_a_column_of_one_value_or_of_values_taken_as_they_are_gives_the_models_records(
    org_kind: str, tie_kind: str
) -> None:
    datas = [
        {"id": f"org_{i}", "name": f"Org {i}", "movements": ["housing"], "kind": org_kind, "visibility": "coalition"}
        for i in range(50)
    ]
    expected = [Organization.model_validate(d, context={"movements": {"housing"}}).to_record() for d in datas]
    assert organization_records(datas, {"housing"}) == expected
    ties = [{"source": f"org_{i}", "target": "org_0", "kind": tie_kind, "notes": ""} for i in range(1, 50)]
    assert tie_records(ties) == [Tie.model_validate(t).to_record() for t in ties]
