"""The survey form as a spreadsheet, for groups that answer by email or on paper.

``write_form`` writes what ``answers.form_for`` shows (nothing more: no contact, no
notes, no private organization) as four sheets: ``Read me``, ``About us`` (the record,
one row per field), ``Partners`` (one row per tie, empty rows below for more) and
``Groups`` (the names a partner may be picked from, and the movements). Every text cell
is neutralized as in CSV and stored as text, so no spreadsheet runs it as a formula.

Its explanations and questions are written in the interface's language when the form
is written; the sheet names, the column headings, the first column of ``Read me`` where
it names a column or is read back, and the values a cell takes (kinds, visibilities,
yes/no) are what the file is read back by, and stay as they are.

``read_answer`` takes the file back as ``save_answer`` takes an answer. It is opened
with xlsx's safeguards (size, DTD, rows and cell limits) and read with formulas as their
text: a cell a respondent typed as ``=HYPERLINK(...)`` is kept as those characters,
never as what a spreadsheet computed from it. The file alone is checked against the
models first, so a mistake is named by its sheet, row and field; ``answer_from_file``
then checks the partners against the form's lists and saves the whole answer or
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError

from coalition.domain.errors import CoalitionError, InvalidInput, NotFound, Problem, plain_problems
from coalition.domain.models import ORG_KINDS, TIE_KINDS, Organization, Tie
from coalition.domain.settings import ImportLimits
from coalition.formats.csv_format import cell_value, neutralize, unneutralize
from coalition.formats.files import ReadBudget, atomic_path, check_import_size
from coalition.formats.xlsx_format import open_workbook, sheet_rows, write_sheet
from coalition.i18n import N_, _, ngettext
from coalition.survey.answers import ANSWER_FIELDS, GROUP_NAME, MAX_PARTNERS, form_for, save_answer
from coalition.survey.links import Link, open_link, round_record
from graph.store import VISIBILITIES, Store

__all__ = ["LIMITS", "PARTNER_COLUMNS", "QUESTIONS", "answer_from_file", "read_answer", "write_form"]

README, ABOUT, PARTNERS, GROUPS = "Read me", "About us", "Partners", "Groups"
#: The question each field of the record asks, in plain words (shown as ``_(question)``).
QUESTIONS = {
    "name": N_("What is your group's name?"),
    "kind": N_("What kind of group are you?"),
    "region": N_("Where do you work (city, neighbourhood or region)?"),
    "languages": N_("Which languages do you work in? (separate them with ;)"),
    "issues": N_("Which issues do you work on? (separate them with ;)"),
    "needs": N_("What do you need from other groups? (separate them with ;)"),
    "offers": N_("What can you offer other groups? (separate them with ;)"),
    "access": N_("What access needs should other groups know about?"),
    "visibility": N_("Who may see your group on the map?"),
    # TRANSLATORS: "yes" and "no" are what the cell takes: keep them in English
    "consent_to_introductions": N_("May the coalition suggest introductions to you? (yes or no)"),
    "intro_capacity_per_month": N_("How many introductions can you take in a month? (0 to 100)"),
}
PARTNER_COLUMNS = (
    "partner id", "partner name", "new group name", "new group movement", "kind", "strength", "since", "visibility",
)  # fmt: skip
LIST_FIELDS = ("languages", "issues", "needs", "offers")
#: Fields an empty answer leaves as the map has them (an empty one has no meaning, and
#: the models' defaults, consent included, must never stand in for a group's answer).
KEEP_WHEN_EMPTY = ("kind", "visibility", "consent_to_introductions", "intro_capacity_per_month")
#: A returned form is small: one record and at most ``MAX_PARTNERS`` partners.
LIMITS = ImportLimits(max_bytes=20 * 1024 * 1024, max_rows=MAX_PARTNERS + 100, max_cell_chars=20_000)


def write_form(store: Store, round_id: str, org: str, path: Path) -> Path:
    """Write the form of ``org`` in round ``round_id`` to ``path`` (replaced whole or not
    at all); ``NotFound`` for a round that was not started or an organization the round
    sent no open link to, since an answer without a link could never be taken back."""
    round_record(store, round_id)
    links = [r for r in store.side_records("link", round_id) if r["org"] == org and not r["body"]["revoked"]]
    if not links or store.get_organization(org) is None:
        raise NotFound(
            _("round '{round}' has no open link for '{organization}': send one with `coalition survey start`").format(
                round=round_id, organization=org
            )
        )
    form = form_for(store, Link(round_id, org))
    workbook = Workbook()
    workbook.remove(workbook.active)
    _readme(workbook, form)
    _about(workbook, form["record"])
    _partners(workbook, form)
    _groups(workbook, form)
    workbook.properties.title = _("Survey form: {organization}").format(organization=form["record"]["name"])[:200]
    workbook.properties.creator = "Coalition Mapper"
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return path


def read_answer(path: Path) -> dict[str, Any]:
    """The answer a filled-in form holds, as ``save_answer`` takes it, or one
    ``InvalidInput`` naming the file, sheet, row and field of the first problem."""
    return _read(path).answer


def answer_from_file(store: Store, token: str, path: Path) -> Link:
    """Save the answer in ``path`` as the answer of ``token``'s organization, whole or not
    at all; a partner not on the form's lists is named by its row."""
    form = _read(path)
    link = open_link(store, token, mark_opened=False)
    if form.org and form.org != link.org:
        raise CoalitionError(
            _("{file} is the form of '{organization}', but this link is for '{link_organization}'").format(
                file=path.name, organization=form.org, link_organization=link.org
            )
        )
    offered = form_for(store, link)
    choices = {c["id"] for c in offered["choices"]}
    movements = {m["id"] for m in offered["movements"]}
    label = _in_sheet(path, PARTNERS)
    for row, partner in zip(form.partner_rows, form.answer["partners"], strict=True):
        if partner["org"] and partner["org"] not in choices:
            message = _("'{organization}' is not on the list of groups in sheet {sheet}").format(
                organization=partner["org"], sheet=GROUPS
            )
            raise InvalidInput([Problem(message, file=label, row=row, field="partner id")])
        if partner["new_name"] and partner["new_movement"] not in movements:
            message = _("pick the movement of '{group}' from sheet {sheet}").format(
                group=partner["new_name"], sheet=GROUPS
            )
            raise InvalidInput([Problem(message, file=label, row=row, field="new group movement")])
    return save_answer(store, token, form.answer, where=path.name)


# writing ----------------------------------------------------------------------------
def _readme(workbook: Workbook, form: dict[str, Any]) -> None:
    """How to fill the form in. The first column names what a row is about: a column of
    the other sheets keeps its heading, and ``organization id`` is read back."""
    rows = [
        # TRANSLATORS: a survey round
        [_("round"), neutralize(form["round"])],
        ["organization id", neutralize(form["org"])],
        [
            # TRANSLATORS: how to fill in the survey spreadsheet
            _("how"),
            # TRANSLATORS: "answer" is a column heading of the spreadsheet: keep it in English
            _("Correct the answers in sheet {sheet} (column answer); leave right ones as they are.").format(sheet=ABOUT),
        ],
        ["", _("An empty answer clears it, except {fields}, which stay as they are.").format(
            fields=", ".join(KEEP_WHEN_EMPTY))],
        ["", _("In sheet {sheet}, one row per group you work with: change or empty the rows there, add rows below.")
            .format(sheet=PARTNERS)],
        # TRANSLATORS: "partner name" is a column heading of the spreadsheet: keep it in English
        ["", _("A group on the list: its id from sheet {sheet} (the partner name column is only for reading).")
            .format(sheet=GROUPS)],
        # TRANSLATORS: "new group name" and "new group movement" are column headings: keep them in English
        ["", _("A group not on the list: its name under new group name and its movement's id under new group movement.")],
        ["", _("Send the file back to the person who sent it; do not rename the sheets. Nothing enters the map "
               "before an editor of the coalition has read it.")],
        [_("kind of group"), ", ".join(ORG_KINDS)],
        [_("kind of tie"), ", ".join(TIE_KINDS)],
        ["strength", _("a whole number from 1 (slight) to 5 (very close)")],
        ["since", _("a date written YYYY-MM-DD, or empty")],
        # TRANSLATORS: public, coalition and private are what the cell takes: keep them in English
        ["visibility", _("{visibilities}: public is anyone; coalition is the coalition's members; private is only the "
                         "people who keep the map").format(visibilities=", ".join(VISIBILITIES))],
        # TRANSLATORS: lists of answers in one cell of the survey spreadsheet
        [_("lists"), _("several answers in one cell are separated with ;")],
    ]  # fmt: skip
    write_sheet(workbook, README, ("read me", ""), rows)
    _widths(workbook[README], 18, 110)


def _about(workbook: Workbook, record: dict[str, Any]) -> None:
    write_sheet(
        workbook,
        ABOUT,
        ("field", "question", "answer"),
        ([f, _(QUESTIONS[f]), _text(record[f])] for f in ANSWER_FIELDS),
    )
    sheet = workbook[ABOUT]
    rows = {f: n for n, f in enumerate(ANSWER_FIELDS, start=2)}
    _choose(sheet, f"C{rows['kind']}", ORG_KINDS)
    _choose(sheet, f"C{rows['visibility']}", VISIBILITIES)
    _choose(sheet, f"C{rows['consent_to_introductions']}", ("yes", "no"))
    _whole(sheet, f"C{rows['intro_capacity_per_month']}", 0, 100)
    _widths(sheet, 26, 60, 60)


def _partners(workbook: Workbook, form: dict[str, Any]) -> None:
    names = {c["id"]: c["name"] for c in form["choices"]}
    rows = (
        [_text(p["org"]), _text(names.get(p["org"], "")), _text(p["new_name"]), _text(p["new_movement"]),
         _text(p["kind"]), p["strength"], _text(p["since"]), _text(p["visibility"])]
        for p in form["partners"]
    )  # fmt: skip
    write_sheet(workbook, PARTNERS, PARTNER_COLUMNS, rows)
    sheet, last = workbook[PARTNERS], MAX_PARTNERS + 1
    if form["choices"]:
        _choose(sheet, f"A2:A{last}", f"{GROUPS}!$A$2:$A${len(form['choices']) + 1}")
    if form["movements"]:
        _choose(sheet, f"D2:D{last}", f"{GROUPS}!$E$2:$E${len(form['movements']) + 1}")
    _choose(sheet, f"E2:E{last}", TIE_KINDS)
    _whole(sheet, f"F2:F{last}", 1, 5)
    _choose(sheet, f"H2:H{last}", VISIBILITIES)
    _widths(sheet, 30, 36, 30, 20, 18, 10, 12, 12)


def _groups(workbook: Workbook, form: dict[str, Any]) -> None:
    groups = ([_text(c["id"]), _text(c["name"]), _text(c["line"])] for c in form["choices"])
    movements = ([_text(m["id"]), _text(m["name"])] for m in form["movements"])
    rows = ([*(g or ["", "", ""]), "", *(m or [])] for g, m in zip_longest(groups, movements))
    write_sheet(
        workbook, GROUPS, ("group id", "group name", "about the group", "", "movement id", "movement name"), rows
    )
    _widths(workbook[GROUPS], 30, 36, 60, 4, 20, 30)


def _text(value: Any) -> Any:
    """A form value as a cell: lists as ``a; b``, true/false as yes/no, text neutralized."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(neutralize(str(v)) for v in value)
    return neutralize(value) if isinstance(value, str) else value


def _choose(sheet: Any, cells: str, values: tuple[str, ...] | str) -> None:
    """A drop-down list in ``cells``: fixed values, or a range of another sheet."""
    source = values if isinstance(values, str) else '"' + ",".join(values) + '"'
    rule = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True)
    rule.error = _("Pick one of the list (sheet {sheet} says what each means).").format(sheet=README)
    sheet.add_data_validation(rule)
    rule.add(cells)


def _whole(sheet: Any, cells: str, low: int, high: int) -> None:
    rule = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high), allow_blank=True)
    rule.showErrorMessage, rule.error = True, _("A whole number from {low} to {high}.").format(low=low, high=high)
    sheet.add_data_validation(rule)
    rule.add(cells)


def _widths(sheet: Any, *widths: int) -> None:
    for column, width in zip("ABCDEFGH", widths, strict=False):
        sheet.column_dimensions[column].width = width


# reading ----------------------------------------------------------------------------
@dataclass
class _Form:
    """What a returned file holds: the answer, the spreadsheet row of each partner (for
    messages) and the organization the form was written for (when its Read me says)."""

    answer: dict[str, Any] = field(default_factory=lambda: {"record": {}, "partners": []})
    partner_rows: list[int] = field(default_factory=list)
    org: str = ""


def _read(path: Path) -> _Form:
    if not path.is_file():
        raise InvalidInput([Problem(_("no such file"), file=str(path))])
    check_import_size(path, LIMITS.max_bytes)
    workbook = open_workbook(path, formulas=True)  # a formula as its text, never run
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        for required in (ABOUT, PARTNERS):
            if required.lower() not in names:
                found = ", ".join(workbook.sheetnames)
                message = _("no sheet named {sheet} (found: {sheets})").format(sheet=required, sheets=found)
                raise InvalidInput([Problem(message, file=path.name)])
        budget, form = ReadBudget(LIMITS), _Form()
        if README.lower() in names:
            form.org = _form_org(workbook[names[README.lower()]], path, budget)
        form.answer["record"] = _record(workbook[names[ABOUT.lower()]], _in_sheet(path, ABOUT), budget)
        _partner_rows(workbook[names[PARTNERS.lower()]], _in_sheet(path, PARTNERS), budget, form)
        return form
    except CoalitionError:
        raise
    except Exception as e:  # openpyxl's parse errors as it streams a sheet
        message = _("not a readable .xlsx workbook ({error})").format(error=type(e).__name__)
        raise InvalidInput([Problem(message, file=path.name)]) from e
    finally:
        workbook.close()


def _in_sheet(path: Path, sheet: str) -> str:
    """Where a problem is: "form.xlsx, sheet Partners"."""
    return _("{file}, sheet {sheet}").format(file=path.name, sheet=sheet)


def _form_org(sheet: Any, path: Path, budget: ReadBudget) -> str:
    _header, rows = sheet_rows(sheet, _in_sheet(path, README), budget)
    for _row, cells in rows:
        if _cell(cells, 0) == "organization id":
            return _cell(cells, 1)
    return ""


def _record(sheet: Any, label: str, budget: ReadBudget) -> dict[str, Any]:
    header, rows = sheet_rows(sheet, label, budget)
    field_at, answer_at = _columns(header, ("field", "answer"), label)
    record: dict[str, Any] = {}
    where: dict[str, int] = {}
    for row, cells in rows:
        name = _cell(cells, field_at).lower()
        if not name:
            continue
        if name not in ANSWER_FIELDS:
            message = _("'{field}' is not a question of this form").format(field=name)
            raise InvalidInput([Problem(message, file=label, row=row)])
        if name in where:
            message = _("{field} is answered twice (row {row} too)").format(field=name, row=where[name])
            raise InvalidInput([Problem(message, file=label, row=row)])
        where[name] = row
        value = _cell(cells, answer_at)
        if name in LIST_FIELDS:
            record[name] = [unneutralize(part.strip()) for part in value.split(";") if part.strip()]
        elif value or name not in KEEP_WHEN_EMPTY:
            record[name] = value
    base = {"id": "form", "name": "form", "movements": ["form"]}  # only the fields answered are checked here
    try:
        Organization.model_validate({**base, **record})
    except ValidationError as e:
        problem = plain_problems(e, {**base, **record}, subject="organization")[0]
        raise InvalidInput(
            [Problem(problem.message, file=label, row=where.get(problem.field), field=problem.field)]
        ) from e
    return record


def _partner_rows(sheet: Any, label: str, budget: ReadBudget, form: _Form) -> None:
    header, rows = sheet_rows(sheet, label, budget)
    at = dict(zip(PARTNER_COLUMNS, _columns(header, PARTNER_COLUMNS, label), strict=True))
    for row, cells in rows:
        values = {column: _cell(cells, index) for column, index in at.items()}
        if not any(values.values()):
            continue
        if len(form.partner_rows) == MAX_PARTNERS:
            message = ngettext(
                "a form takes at most {count} partner", "a form takes at most {count} partners", MAX_PARTNERS
            ).format(count=MAX_PARTNERS)
            raise InvalidInput([Problem(message, file=label, row=row)])
        form.answer["partners"].append(_partner(values, label, row))
        form.partner_rows.append(row)


def _partner(values: dict[str, str], label: str, row: int) -> dict[str, Any]:
    """One partner row as ``save_answer`` takes it, checked as far as the file alone can."""

    def refuse(message: str, column: str) -> InvalidInput:
        return InvalidInput([Problem(message, file=label, row=row, field=column)])

    org, new_name = values["partner id"], values["new group name"]
    if org and new_name:
        raise refuse(_("a row names a group from the list or a new group, not both"), "new group name")
    if not org and not new_name:
        column = "partner name" if values["partner name"] else "partner id"
        raise refuse(
            _("give the partner's id from sheet {sheet}, or name a group not on it under new group name").format(
                sheet=GROUPS
            ),
            column,
        )
    if new_name:
        try:
            new_name = GROUP_NAME.validate_python(new_name)
        except ValidationError as e:
            problem = plain_problems(e, {"new group name": new_name}, subject="group")[0]
            raise refuse(problem.message, "new group name") from e
    fields = {f: values[f] for f in ("kind", "strength", "since", "visibility")}
    try:
        tie = Tie.model_validate({"source": "form", "target": "partner", **fields})
    except ValidationError as e:
        problem = plain_problems(e, fields, subject="tie")[0]
        raise refuse(problem.message, problem.field) from e
    return {"org": org, "new_name": new_name, "new_movement": values["new group movement"] if new_name else "",
            "kind": tie.kind, "strength": tie.strength, "since": tie.since.isoformat() if tie.since else None,
            "visibility": tie.visibility}  # fmt: skip


def _columns(header: list[Any], wanted: tuple[str, ...], label: str) -> list[int]:
    """Where each wanted column is (by name, any case), or one problem naming it."""
    found = {unneutralize(cell_value(h)).lower(): i for i, h in enumerate(header) if h is not None}
    missing = [w for w in wanted if w not in found]
    if missing:
        message = _("no column '{column}' in the first row").format(column=missing[0])
        raise InvalidInput([Problem(message, file=label)])
    return [found[w] for w in wanted]


def _cell(cells: list[Any], index: int) -> str:
    return unneutralize(cell_value(cells[index])) if index < len(cells) else ""
