"""Validation of whole columns: the fast path of a large import.

Checked one row at a time through the models, a map of 50,000 organizations and 200,000
ties took 27 s to validate (issue 14). Yet most columns hold few distinct values (kinds,
visibilities, movements, strengths, dates, regions): here each distinct value of a
column is checked once, with the models' own helpers, and the answer is shared by every
row that holds it; a row whose every value passes becomes the very record the model
would give (``model.to_record()``).

This path only says yes. A value it does not take for sure (anything but text in a
scalar field, an id that is not already a clean slug, a number written "05", a date
with a time) marks the row ``None``, and ``validation.validate_map`` checks that row
with the model as before: the same verdict, the same problems, word for word.
``tests/test_column_validation.py`` holds both paths to the same answer on generated
rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import partial
from operator import itemgetter
from typing import Any

from coalition.domain.models import (
    CONTROL,
    MAX_NAME,
    MAX_TEXT,
    ORG_KINDS,
    TIE_KINDS,
    _clean_text,
    parse_bool,
    slugify,
)
from graph.store import VISIBILITIES

__all__ = ["ORGANIZATION_FIELDS", "TIE_FIELDS", "organization_records", "tie_records"]

Record = dict[str, Any]

#: The fields of ``Organization.to_record()`` and ``Tie.to_record()``, in their order.
ORGANIZATION_FIELDS = (
    "id", "name", "movements", "kind", "community_led", "region", "languages", "issues", "offers", "needs",
    "access", "contact", "contact_visibility", "visibility", "consent_to_introductions", "intro_capacity_per_month",
    "notes", "created_at", "updated_at", "version",
)  # fmt: skip
TIE_FIELDS = (
    "source", "target", "kind", "strength", "since", "until", "visibility", "notes", "provenance", "confirmed",
    "created_at", "updated_at", "version",
)  # fmt: skip

#: A value this path does not take: the row goes to the model.
_NO = object()
#: A field the row does not hold.
_ABSENT = object()
#: An id left empty, to be made from the name as the model does.
_FROM_NAME = object()
#: A slug exactly (``models.SLUG`` lets a final newline through ``$``; the model strips it first).
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
_SLUG_LINES = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}(?:\n[a-z0-9][a-z0-9_-]{0,79})*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CAPACITY = {str(n): n for n in range(101)}
_STRENGTH = {str(n): n for n in range(1, 6)}


def organization_records(datas: list[Any], movements: set[str]) -> list[Record | None]:
    """For each row's data, the organization record, or None where the model must decide.

    ``movements`` are the ids an organization may name (``Organization``'s context)."""
    columns = _columns(datas, ORGANIZATION_FIELDS)
    names = columns["name"]
    converted = [
        _ids(columns["id"], names),
        _scalar(names, _name, lambda texts: _texts(texts, 1, MAX_NAME)),
        _lists(columns["movements"], lambda items: _slugs(items, movements, at_least_one=True)),
        _scalar(columns["kind"], lambda v: _choice(v, ORG_KINDS, "collective")),
        _scalar(columns["community_led"], lambda v: _boolean(v, False)),
        _scalar(columns["region"], lambda v: _text(v, MAX_NAME), lambda texts: _texts(texts, 0, MAX_NAME)),
        _lists(columns["languages"], _names),
        *(_lists(columns[f], _slugs) for f in ("issues", "offers", "needs")),
        *(_scalar(columns[f], _long_text, _long_texts) for f in ("access", "contact")),
        _scalar(columns["contact_visibility"], lambda v: _choice(v, VISIBILITIES, "private")),
        _scalar(columns["visibility"], lambda v: _choice(v, VISIBILITIES, "coalition")),
        _scalar(columns["consent_to_introductions"], lambda v: _boolean(v, True)),
        _scalar(columns["intro_capacity_per_month"], _capacity),
        _scalar(columns["notes"], _long_text, _long_texts),
        *(_scalar(columns[f], _stamp) for f in ("created_at", "updated_at")),
        _scalar(columns["version"], _version),
    ]
    return _records(ORGANIZATION_FIELDS, converted, _refused(converted))


def tie_records(datas: list[Any]) -> list[Record | None]:
    """For each row's data, the tie record, or None where the model must decide."""
    columns = _columns(datas, TIE_FIELDS)
    converted = [
        _scalar(columns["source"], _slug, _slug_texts),
        _scalar(columns["target"], _slug, _slug_texts),
        _scalar(columns["kind"], lambda v: _choice(v, TIE_KINDS, "coalition")),
        _scalar(columns["strength"], _strength),
        _scalar(columns["since"], _date),
        _scalar(columns["until"], _date),
        _scalar(columns["visibility"], lambda v: _choice(v, VISIBILITIES, "coalition")),
        _scalar(columns["notes"], _long_text, _long_texts),
        _scalar(columns["provenance"], lambda v: _text(v, MAX_NAME), lambda texts: _texts(texts, 0, MAX_NAME)),
        _scalar(columns["confirmed"], _date),
        *(_scalar(columns[f], _stamp) for f in ("created_at", "updated_at")),
        _scalar(columns["version"], _version),
    ]
    refused = _refused(converted)
    source, target, since, until = converted[0], converted[1], converted[4], converted[5]
    # the model's own checks: two different ends, and an end no earlier than the start
    refused.update(i for i, (a, b) in enumerate(zip(source, target, strict=True)) if a == b)
    refused.update(
        i
        for i, (a, b) in enumerate(zip(since, until, strict=True))
        if a and b and a is not _NO and b is not _NO and b < a
    )
    return _records(TIE_FIELDS, converted, refused)


def _refused(converted: list[list[Any]]) -> set[int]:
    """The rows where some column holds a value this path does not take."""
    refused: set[int] = set()
    for column in converted:
        if _NO in column:
            refused.update(i for i, value in enumerate(column) if value is _NO)
    return refused


def _records(fields: tuple[str, ...], converted: list[list[Any]], refused: set[int]) -> list[Record | None]:
    records: list[Record | None] = list(map(dict, map(partial(zip, fields), zip(*converted, strict=True))))
    for i in refused:
        records[i] = None
    return records


# columns -----------------------------------------------------------------------------
def _columns(datas: list[Any], fields: tuple[str, ...]) -> dict[str, list[Any]]:
    """Each field's values, row by row (``_ABSENT`` where a row lacks it; every field
    ``_NO`` for a row that is not a dict)."""
    if all(type(d) is dict for d in datas):
        held = set().union(*datas)
        columns = {}
        for f in fields:
            if f not in held:
                columns[f] = [_ABSENT] * len(datas)
                continue
            try:
                columns[f] = list(map(itemgetter(f), datas))
            except KeyError:  # some rows lack it (a short line of a CSV file)
                columns[f] = [d.get(f, _ABSENT) for d in datas]
        return columns
    rows = [d if type(d) is dict else None for d in datas]
    return {f: [_NO if d is None else d.get(f, _ABSENT) for d in rows] for f in fields}


def _scalar(
    values: list[Any], check: Callable[[Any], Any], check_texts: Callable[[list[str]], list[Any] | None] | None = None
) -> list[Any]:
    """``check`` once per distinct value, or ``check_texts`` on all the distinct texts at
    once when it can answer for all of them (None when it cannot). Only text, None and
    absence are checked: every other value is ``_NO``, so values that compare equal
    across types (1, 1.0, True) can never share another's answer."""
    try:
        distinct = set(values)
    except TypeError:  # a list or a dict where text belongs: those rows go to the model
        return [check(v) if v is None or v is _ABSENT or type(v) is str else _NO for v in values]
    answers = {}
    if check_texts is not None:
        texts = [v for v in distinct if type(v) is str]
        checked = check_texts(texts)
        if checked is not None:
            answers = dict(zip(texts, checked, strict=True))
    for v in distinct:
        if v not in answers or type(v) is not str:
            answers[v] = check(v) if v is None or v is _ABSENT or type(v) is str else _NO
    if len(answers) == 1:  # one value, or a column the file does not have
        return [answers[values[0]]] * len(values)
    if all(answer is value for value, answer in answers.items()):
        return values  # every value is taken as it is: a pass over the column saved
    return list(map(answers.__getitem__, values))


def _lists(values: list[Any], check: Callable[[list[str]], Any]) -> list[Any]:
    """``check`` once per distinct list of texts (the items as read, or ``;``-separated
    text as the model splits it); each record gets a list of its own."""
    if all(type(v) is list for v in values):
        keys = list(map(tuple, values))
        try:
            answers = {key: _list_answer(list(key), check) for key in set(keys)}
        except TypeError:  # an item that cannot be told apart from others: not text
            pass
        else:
            found = list(map(answers.__getitem__, keys))
            if _NO not in found:
                return list(map(list, found))
            return [_NO if answer is _NO else list(answer) for answer in found]
    return [_one_list(value, check) for value in values]


def _one_list(value: Any, check: Callable[[list[str]], Any]) -> Any:
    if not (type(value) is list or value is None or value is _ABSENT or type(value) is str):
        return _NO
    answer = _list_answer(value, check)
    return answer if answer is _NO else list(answer)


def _list_answer(value: Any, check: Callable[[list[str]], Any]) -> Any:
    if value is None or value is _ABSENT:
        items: list[Any] = []
    elif type(value) is str:
        items = [part.strip() for part in value.split(";") if part.strip()]
    else:
        items = value
    if not all(type(item) is str for item in items):
        return _NO
    answer = check(items)
    return answer if answer is _NO else tuple(answer)


def _ids(ids: list[Any], names: list[Any]) -> list[Any]:
    """Ids as the model takes them, made from the name when the id is empty."""
    checked = _scalar(ids, _id, _slug_texts)
    for i in [i for i, value in enumerate(checked) if value is _FROM_NAME]:
        name = names[i]
        checked[i] = _slug(slugify(name)) if type(name) is str else _NO
    return checked


# values --------------------------------------------------------------------------------
def _id(value: Any) -> Any:
    if value is _ABSENT or value is None:
        return _FROM_NAME
    cleaned = _clean_text(value)
    if not cleaned:
        return _FROM_NAME
    return cleaned if _SLUG.fullmatch(cleaned) else _NO


def _slug(value: Any) -> Any:
    if type(value) is not str:
        return _NO
    cleaned = _clean_text(value)
    return cleaned if _SLUG.fullmatch(cleaned) else _NO


def _name(value: Any) -> Any:
    if type(value) is not str:
        return _NO
    cleaned = _clean_text(value)
    return cleaned if 1 <= len(cleaned) <= MAX_NAME else _NO


def _text(value: Any, most: int) -> Any:
    if value is _ABSENT:
        return ""
    cleaned = _clean_text(value)
    return cleaned if len(cleaned) <= most else _NO


def _long_text(value: Any) -> Any:
    return _text(value, MAX_TEXT)


def _choice(value: Any, allowed: tuple[str, ...], default: str) -> Any:
    """A kind or a visibility: any case, empty for the default."""
    if value is _ABSENT:
        return default
    cleaned = _clean_text(value)
    if cleaned == "":
        return default
    lowered = cleaned.lower()
    if lowered not in allowed:
        return _NO
    return cleaned if cleaned == lowered else lowered  # the text itself when it is already the choice


def _boolean(value: Any, default: bool) -> Any:
    if value is _ABSENT or value is None:
        return default
    try:
        parsed = parse_bool(value)
    except ValueError:
        return _NO
    return default if parsed is None else parsed


def _capacity(value: Any) -> Any:
    if value is _ABSENT or value is None or value == "":
        return 3
    return _CAPACITY.get(value, _NO)


def _strength(value: Any) -> Any:
    if value is _ABSENT or value is None or value == "":
        return 3
    return _STRENGTH.get(value, _NO)


def _date(value: Any) -> Any:
    """An ISO date written exactly ``YYYY-MM-DD`` (the model reads more; those go to it)."""
    if value is _ABSENT or value is None or value == "":
        return None
    if not _ISO_DATE.fullmatch(value):
        return _NO
    try:
        date.fromisoformat(value)
    except ValueError:
        return _NO
    return value


def _stamp(value: Any) -> Any:
    if value is _ABSENT or value is None:
        return None
    return value if value == value.strip() else _NO


def _version(value: Any) -> Any:
    return 1 if value is _ABSENT else _NO


def _texts(texts: list[str], least: int, most: int) -> list[str] | None:
    """All the texts cleaned as ``_clean_text`` would, when none holds a control
    character (one search over them all) and each is within its length; else None."""
    if CONTROL.search("\n".join(texts)):
        return None
    cleaned = list(map(str.strip, texts))
    lengths = list(map(len, cleaned))
    if lengths and (min(lengths) < least or max(lengths) > most):
        return None
    return cleaned


def _long_texts(texts: list[str]) -> list[str] | None:
    return _texts(texts, 0, MAX_TEXT)


def _slug_texts(texts: list[str]) -> list[str] | None:
    """All the texts, when each is a slug exactly (one match over them all); else None."""
    joined = "\n".join(texts)
    if texts and (joined.count("\n") != len(texts) - 1 or not _SLUG_LINES.fullmatch(joined)):
        return None  # a text holding a line break would read as two slugs
    return texts


def _slugs(items: list[str], known: set[str] | None = None, at_least_one: bool = False) -> Any:
    """Slugs as written, each once; the model turns other words into slugs (those rows go
    to it). With ``known``, only those ids; with ``at_least_one``, never empty."""
    if (at_least_one and not items) or not all(_SLUG.fullmatch(item) for item in items):
        return _NO
    if known is not None and not all(item in known for item in items):
        return _NO
    return list(dict.fromkeys(items))


def _names(items: list[str]) -> Any:
    if any(len(item) > MAX_NAME for item in items):
        return _NO
    return [name for name in dict.fromkeys(map(_clean_text, items)) if name]
