"""Moving maps in and out: import a file (all or nothing), export a view for an
audience, and load the bundled demo coalition.

An import is checked whole before anything is written: every problem (file, row, field,
why; up to ``validation.MAX_PROBLEMS``), and near-duplicate organization names, within
the file and against the map already in the store (rapidfuzz ``token_sort_ratio`` of
at least ``DUPLICATE_SCORE`` on lower-cased names without punctuation, at most
``MAX_DUPLICATES`` listed; names whose numbers differ, "Local 21" and "Local 22", are
not flagged), each with a merge suggestion. Duplicates are a warning, not
a problem: the import goes ahead, the suggestion says how to merge.

``import_map`` is the one import path of every role and interface (the CLI, the
dashboard for an admin or an editor): the limits (``ImportLimits``: bytes, unpacked
bytes, records, cell size) are checked before and while the file is read, and an
account's permissions come in as a ``guard`` (``coalition.auth.permissions.import_guard``)
that sees the map as the account does, renames what would land on a hidden id and
refuses what the account may not write, before any count or problem an account could
learn a hidden organization from. Imported introductions that are planned or made obey
the limits a plan does (``tracking.check_introduction_limits``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from rapidfuzz import fuzz, process, utils

from coalition.domain.collector import collector_paused
from coalition.domain.errors import CoalitionError, InvalidInput, Problem
from coalition.domain.freshness import Freshness
from coalition.domain.models import slugify
from coalition.domain.privacy import can_see, read_view
from coalition.domain.settings import ImportLimits
from coalition.domain.validation import MAX_PROBLEMS, RawMap, RawRow, ValidMap, validate_map
from coalition.domain.vocabulary import region_key, region_spellings
from coalition.formats import Format, detect, format_for
from coalition.formats.files import check_import_size
from coalition.i18n import _, ngettext
from coalition.maps.changes import changes_since, list_snapshots
from coalition.maps.freshness import import_provenance, stamp_ties
from coalition.maps.services import counts_in_words, init_map
from graph.store import Store

__all__ = [
    "DEMO_PATH",
    "DUPLICATE_SCORE",
    "ExportResult",
    "ImportGuard",
    "ImportReport",
    "MAX_DUPLICATES",
    "Progress",
    "export_map",
    "find_duplicates",
    "import_map",
    "load_demo",
    "migrate",
    "progress_to",
    "similar_names",
]

DEMO_PATH = Path(__file__).resolve().parents[2] / "seeds" / "demo"
#: Names at least this similar (0-100) are flagged as possible duplicates.
DUPLICATE_SCORE = 88.0
#: At most this many possible duplicates are listed.
MAX_DUPLICATES = 50
#: ``progress(done, total)``: called as an import advances (rows checked, then written).
Progress = Callable[[int, int], Any]
_PROGRESS: ContextVar[Progress | None] = ContextVar("import_progress", default=None)
_CHUNK = 1000
_NUMBER = re.compile(r"\d+")
_ALL_PAIRS = 25_000_000
_WINDOW = 40
#: How many organizations of the file a report shows as a preview.
PREVIEW_ROWS = 20


class ImportGuard(Protocol):
    """Who imports, when it is not the map's owner (``permissions.import_guard(user)``).

    ``audience`` is the widest the importer may see: the import checks the file against
    the organizations of that audience only, so a hidden one counts, matches and is
    named exactly as a missing one would be. ``prepare`` fits the rows read to it
    before they are checked (a new organization whose id a hidden one holds gets
    another id); ``check`` refuses (``PermissionDenied``) records the importer may not
    write, before any report is made. Both get the whole map, read in the unit of work
    that writes.
    """

    audience: str

    def prepare(self, raw: RawMap, full: dict[str, Any]) -> None: ...

    def check(self, records: dict[str, list[dict[str, Any]]], full: dict[str, Any]) -> None: ...


@dataclass
class ImportReport:
    """What an import found and did. ``written`` is False for a dry run."""

    path: str
    format: str
    counts: dict[str, int] = field(default_factory=dict)
    new_organizations: int = 0
    updated_organizations: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    #: Possible duplicate organizations: ``{"name", "id", "where", "similar_to",
    #: "similar_id", "in", "score", "suggestion"}`` (``in`` is "file" or "map").
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    #: The first organizations of the file as read (``PREVIEW_ROWS`` at most), for a
    #: preview that does not read the file a second time.
    preview: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        counts = counts_in_words({kind: n for kind, n in self.counts.items() if n})
        # TRANSLATORS: {counts} is "3 movements, 12 organizations, 20 ties"; {new} and {updated} are
        # bare numbers of organizations
        if self.written:
            message = (
                _("imported {counts} from {path} ({new} new, {updated} updated organizations)")
                if counts
                else _("imported nothing from {path} ({new} new, {updated} updated organizations)")
            )
        else:
            message = (
                _("would import {counts} from {path} ({new} new, {updated} updated organizations)")
                if counts
                else _("would import nothing from {path} ({new} new, {updated} updated organizations)")
            )
        return message.format(
            counts=counts, path=self.path, new=self.new_organizations, updated=self.updated_organizations
        )


@dataclass
class ExportResult:
    """Where an export went, for whom, and what it left out (counts only)."""

    paths: list[Path]
    format: str
    audience: str
    withheld: dict[str, int]
    anonymized: dict[str, int] = field(default_factory=dict)


def import_map(
    store: Store,
    path: Path,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    limits: ImportLimits | None = None,
    guard: ImportGuard | None = None,
) -> ImportReport:
    """Validate the whole file, then write it in one transaction, or nothing at all.

    ``limits`` (from ``Settings.import_limits``; the defaults when None) are checked
    first on the size (what an archive unpacks to, before anything is unpacked), then
    while the file is read: a CSV or spreadsheet is refused at its first record or cell
    past them, in constant memory; a JSON or graph file, parsed whole, only once it is
    within the byte limit, and counted before any row is made. The
    file is read first; checking it against the map (and against ``guard``, for an
    account) and writing it then happen in one unit of work, so nobody changes the map
    in between.

    Raises ``InvalidInput`` listing every problem (up to a cap) unless ``dry_run``,
    which returns the report with its problems and writes nothing; a file that cannot be
    read at all, or passes a limit, raises ``InvalidInput`` with one problem naming it
    even in a dry run. ``progress`` (or the one set by ``progress_to``) is called with
    ``(done, total)`` while rows are checked and once more when the map is written.
    """
    progress = progress or _PROGRESS.get()
    path = Path(path)
    if not path.exists():
        raise InvalidInput([Problem(_("no such file or folder"), file=str(path))])
    limits = limits or ImportLimits()
    check_import_size(path, limits.max_bytes)
    fmt = fmt or detect(path)
    module = format_for(fmt, path)
    if not module.can_read:
        raise InvalidInput([Problem(_("{format} is an export format only").format(format=fmt), file=path.name)])
    with collector_paused():
        raw = _read(module, path, limits)
        with nullcontext() if dry_run else store.transaction():
            return _check_and_write(
                store, path, fmt, raw, dry_run=dry_run, progress=progress, limits=limits, guard=guard
            )


def _read(module: Format, path: Path, limits: ImportLimits) -> RawMap:
    """The rows of a file; what the reader could not turn into one problem (a structure
    nested deeper than Python recurses) is still one problem naming the file."""
    try:
        return module.read(path, limits)
    except RecursionError:
        raise InvalidInput([Problem(_("nested too deeply to read"), file=path.name)]) from None


def _check_and_write(
    store: Store,
    path: Path,
    fmt: str,
    raw: RawMap,
    *,
    dry_run: bool,
    progress: Progress | None,
    limits: ImportLimits,
    guard: ImportGuard | None,
) -> ImportReport:
    full = store.snapshot()
    audience = guard.audience if guard is not None else "private"
    seen = [o for o in full["organizations"] if can_see(audience, o["visibility"])]
    known_orgs = {o["id"] for o in seen}
    preview = [dict(row.data) for row in raw.organizations[:PREVIEW_ROWS]]
    if guard is not None:
        guard.prepare(raw, full)
    valid = _validate(raw, full, known_orgs, progress, limits.max_rows)
    records = valid.records()
    if guard is not None:
        guard.check(records, full)  # before any count or problem is reported
    problems = valid.problems + _introduction_problems(raw, records, full, audience)
    report = ImportReport(
        path=str(path),
        format=fmt,
        counts={kind: len(items) for kind, items in records.items()},
        new_organizations=sum(1 for o in valid.organizations if o["id"] not in known_orgs),
        updated_organizations=sum(1 for o in valid.organizations if o["id"] in known_orgs),
        problems=problems[:MAX_PROBLEMS],
        duplicates=find_duplicates(raw.organizations, valid, seen),
        preview=preview,
    )
    if dry_run:
        return report
    if report.problems:
        raise InvalidInput(report.problems)
    _spell_regions_as_the_map(records["organizations"], full["organizations"])
    records["ties"] = stamp_ties(records["ties"], full["ties"], import_provenance(path))
    store.write_map(**records)
    report.written = True
    if progress is not None:
        total = _row_count(raw) + 1
        progress(total, total)
    return report


def _spell_regions_as_the_map(imported: list[dict[str, Any]], held: list[dict[str, Any]]) -> None:
    """Give each imported region the spelling the map already uses for it (or that an
    earlier row of this import used), so "Eastport" in a spreadsheet joins "eastport".

    Organizations the import replaces do not count: a file may respell a region that only
    they use. One dict lookup per distinct spelling, whatever the number of rows.
    """
    replaced = {org["id"] for org in imported}
    spellings = region_spellings(sorted(o["region"] for o in held if o["id"] not in replaced))
    chosen: dict[str, str] = {}
    for org in imported:
        region = org["region"]
        if region:
            if region not in chosen:
                chosen[region] = spellings.setdefault(region_key(region), region)
            org["region"] = chosen[region]


def _introduction_problems(
    raw: RawMap, records: dict[str, list[dict[str, Any]]], full: dict[str, Any], audience: str
) -> list[Problem]:
    """Planned or made introductions of the file that go around a limit the groups set
    (a conflict, consent off, capacity used up), checked on the map as the import would
    leave it. An introduction the map already holds with the same status and date is not
    a new plan and is left as it is.

    The rules live with the introductions (numpy, scipy, igraph): they are imported only
    for a file that holds introductions."""
    if not records["introductions"]:
        return []
    from coalition.introductions.index import BUSY_STATUSES
    from coalition.maps.tracking import check_introduction_limits

    busy = [i for i in records["introductions"] if i["status"] in BUSY_STATUSES]
    if not busy:
        return []
    stored = {(i["a"], i["b"]): i for i in full["introductions"]}
    organizations = {o["id"]: o for o in full["organizations"]} | {o["id"]: o for o in records["organizations"]}
    ties = {(t["source"], t["target"], t["kind"]): t for t in full["ties"]}
    ties |= {(t["source"], t["target"], t["kind"]): t for t in records["ties"]}
    after = {
        "ties": list(ties.values()),
        "introductions": list((stored | {(i["a"], i["b"]): i for i in records["introductions"]}).values()),
    }
    where = {_pair(row.data): row for row in raw.introductions}
    problems = []
    for intro in busy:
        before = stored.get((intro["a"], intro["b"]))
        if before and _plan(before) == _plan(intro):
            continue
        on = date.fromisoformat(intro["status_date"]) if intro.get("status_date") else date.today()
        try:
            check_introduction_limits(after, organizations, intro["a"], intro["b"], intro["status"], on, audience)
        except CoalitionError as e:
            row = where.get((intro["a"], intro["b"]))
            problems.append(Problem(str(e), row.file if row else "", row.row if row else None, "status"))
    return problems


def _plan(intro: dict[str, Any]) -> tuple[str, str]:
    return str(intro.get("status") or ""), str(intro.get("status_date") or "")[:10]


def _pair(data: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(str(data.get(end) or "").strip() for end in ("a", "b")))


def export_map(
    store: Store,
    path: Path,
    fmt: str | None = None,
    audience: str = "coalition",
    anonymize: bool = False,
    freshness: Freshness | None = None,
) -> ExportResult:
    """Write the map as the audience may see it; the file appears whole or not at all.

    With ``anonymize`` the organizations the audience may not see appear as neutral
    stand-ins (``coalition.domain.privacy``) instead of being left out. A brief (PDF)
    gets a "what changed" page since the latest snapshot, if any (not when anonymized),
    and weighs stale ties as ``freshness`` says (``view["freshness"]``).
    """
    path = Path(path)
    fmt = fmt or detect(path, for_export=True)
    module = format_for(fmt, path)
    view = read_view(store, audience, anonymize=anonymize)
    snapshots = list_snapshots(store) if fmt == "pdf" and not anonymize else []
    if snapshots:  # the brief's "what changed" page, since the latest snapshot (real names: never anonymized)
        view["changes"] = changes_since(store, snapshots[-1]["name"], audience=audience, freshness=freshness)
    view["freshness"] = freshness or Freshness()  # for the maps (faded stale ties) and the brief's analyses
    paths = module.write(view, path)
    return ExportResult(
        paths=paths, format=fmt, audience=audience, withheld=view["withheld"], anonymized=view["anonymized"]
    )


@contextmanager
def progress_to(callback: Progress | None) -> Iterator[None]:
    """Report the progress of imports made inside the block to ``callback`` (for callers
    that reach ``import_map`` through another use case, like the dashboard's)."""
    token = _PROGRESS.set(callback)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def find_duplicates(
    rows: list[RawRow], valid: ValidMap, existing: list[dict[str, Any]], limit: int = MAX_DUPLICATES
) -> list[dict[str, Any]]:
    """Organizations of the file whose names are nearly those of another organization in
    the file or of one already in the map. An update of the same id is not a duplicate,
    nor are two organizations the map already holds apart."""
    where = {str(r.data.get("id") or slugify(str(r.data.get("name") or ""))): _where(r) for r in rows}
    incoming = [(o["id"], o["name"]) for o in valid.organizations]
    in_map = {o["id"]: o["name"] for o in existing}
    found: list[dict[str, Any]] = []
    new = [(i, n) for i, n in incoming if i not in in_map]
    if new and in_map:
        map_items = list(in_map.items())
        for (org_id, name), (other_id, other), score in _similar(new, map_items, limit):
            found.append(_duplicate(org_id, name, where.get(org_id, ""), other_id, other, "map", score))
    if len(found) < limit and len(incoming) > 1:
        seen = set()
        for (org_id, name), (other_id, other), score in _similar(incoming, incoming, limit * 2):
            if org_id == other_id or frozenset((org_id, other_id)) in seen or {org_id, other_id} <= in_map.keys():
                continue
            seen.add(frozenset((org_id, other_id)))
            found.append(_duplicate(org_id, name, where.get(org_id, ""), other_id, other, "file", score))
    return sorted(found, key=lambda d: -d["score"])[:limit]


def similar_names(
    new: list[tuple[str, str]], existing: list[tuple[str, str]], limit: int = 5
) -> list[tuple[tuple[str, str], tuple[str, str], int]]:
    """(id, name) pairs of ``new`` and ``existing`` whose names are nearly the same (the
    test an import's duplicate check uses), best first, at most ``limit``."""
    return sorted(_similar(new, existing, limit), key=lambda found: -found[2])


def _similar(
    left: list[tuple[str, str]],
    right: list[tuple[str, str]],
    limit: int,
    block: bool = True,
    processed: dict[str, str] | None = None,
) -> Iterator[tuple]:
    """Pairs of (id, name) whose names score at least ``DUPLICATE_SCORE``, each once, in
    chunks so that memory stays small. Beyond ``_ALL_PAIRS`` comparisons, only candidates
    are compared (``_blocks``): a large map is checked in seconds, not minutes.
    ``processed`` keeps each name as compared, made once however many blocks hold it."""
    processed = {} if processed is None else processed
    if block and len(left) * len(right) > _ALL_PAIRS:
        seen: set[tuple[str, str]] = set()
        for block_left, block_right in _blocks(left, right, processed):
            for found in _similar(block_left, block_right, limit, block=False, processed=processed):
                if (found[0][0], found[1][0]) not in seen:
                    seen.add((found[0][0], found[1][0]))
                    yield found
                    if len(seen) >= limit:
                        return
        return
    right_names = [_processed(n, processed) for _id, n in right]
    count = 0
    for start in range(0, len(left), _CHUNK):
        chunk = [_processed(n, processed) for _id, n in left[start : start + _CHUNK]]
        scores = process.cdist(
            chunk, right_names, scorer=fuzz.token_sort_ratio, score_cutoff=DUPLICATE_SCORE, dtype=np.uint8,
            workers=-1 if len(chunk) * len(right_names) > 100_000 else 1,
        )  # fmt: skip
        for i, j in zip(*np.nonzero(scores), strict=True):
            item, other = left[start + i], right[j]
            if item[0] == other[0] or _NUMBER.findall(item[1]) != _NUMBER.findall(other[1]):
                continue  # "Local 21" and "Local 22" are two unions
            yield item, other, int(scores[i, j])
            count += 1
            if count >= limit:
                return


def _processed(name: str, processed: dict[str, str]) -> str:
    try:
        return processed[name]
    except KeyError:
        processed[name] = utils.default_process(name)
        return processed[name]


def _blocks(
    left: list[tuple[str, str]], right: list[tuple[str, str]], processed: dict[str, str]
) -> Iterator[tuple[list, list]]:
    """Candidate groups for a large check: names sharing a rare word (in at most 1% of
    the names), and neighbours in the order of their sorted words ("Casa Migrante" next
    to "Casa Migrante SF"), ``_WINDOW`` at a time. A word only one name holds makes no
    group (at 50,000 names numbered like "Project 4127", 50,000 groups of one)."""
    words = {item: _processed(item[1], processed).split() for item in {*left, *right}}
    in_left, in_right = set(left), set(right)
    frequency = Counter(word for split in words.values() for word in set(split))
    rare = max(50, len(words) // 100)
    by_word: dict[str, list] = {}
    for item, split in words.items():
        for word in set(split):
            if frequency[word] <= rare:
                by_word.setdefault(word, []).append(item)
    for members in by_word.values():
        if len(members) > 1:
            yield [m for m in members if m in in_left], [m for m in members if m in in_right]
    ordered = sorted(words, key=lambda item: " ".join(sorted(words[item])))
    for start in range(0, len(ordered), _WINDOW):
        window = ordered[start : start + 2 * _WINDOW]
        yield [m for m in window if m in in_left], [m for m in window if m in in_right]


def _duplicate(org_id: str, name: str, where: str, other_id: str, other: str, place: str, score: int) -> dict:
    if place == "map":
        suggestion = _(
            "'{name}' looks like '{other}' already in the map: if they are the same group, "
            "use the id {other_id} in the file (and in its ties) to update it instead of adding a second one."
        ).format(name=name, other=other, other_id=other_id)
    else:
        suggestion = _(
            "'{name}' and '{other}' in the file look alike: if they are the same group, keep one row "
            "({other_id}) and point the other's ties at it."
        ).format(name=name, other=other, other_id=other_id)
    return {"name": name, "id": org_id, "where": where, "similar_to": other, "similar_id": other_id, "in": place,
            "score": score, "suggestion": suggestion}  # fmt: skip


def _where(row: RawRow) -> str:
    return _("{file}, row {row}").format(file=row.file, row=row.row) if row.row is not None else row.file


def _validate(raw: RawMap, current: dict, known_orgs: set[str], progress: Progress | None, max_rows: int) -> ValidMap:
    movements = {m["id"] for m in current["movements"]}
    if progress is None:
        return validate_map(raw, movements, known_orgs, max_rows)
    total = _row_count(raw) + 1  # and one step for the write
    done = [0]
    progress(0, total)

    def report(step: int) -> None:
        done[0] += step
        progress(done[0], total)

    return validate_map(raw, movements, known_orgs, max_rows, progress=report)


def _row_count(raw: RawMap) -> int:
    return len(raw.movements) + len(raw.organizations) + len(raw.ties) + len(raw.introductions)


def load_demo(store: Store, if_empty: bool = False) -> ImportReport | None:
    """Set up the store and load the fictional demo coalition from ``seeds/demo``; with
    ``if_empty``, only into a store that holds no organization (None when it holds one:
    the check and the load are one unit of work)."""
    init_map(store)
    with store.transaction():
        if if_empty and not store.is_empty():
            return None
        return import_map(store, DEMO_PATH, fmt="csv")


def migrate(source: Store, destination: Store) -> dict[str, int]:
    """Copy a whole map (movements, organizations, ties, introductions, with their
    versions and timestamps) into an empty store, in one transaction."""
    init_map(destination)
    snapshot = source.snapshot()
    with destination.transaction():
        held = destination.counts()["organizations"]
        if held:
            raise CoalitionError(
                # TRANSLATORS: English says "organizations" for every count: give each plural form its own
                ngettext(
                    "{store} already holds {count} organizations; migrate copies into an empty store only",
                    "{store} already holds {count} organizations; migrate copies into an empty store only",
                    held,
                ).format(store=destination.describe(), count=held)
            )
        destination.write_map(
            movements=snapshot["movements"],
            organizations=snapshot["organizations"],
            ties=snapshot["ties"],
            introductions=snapshot["introductions"],
        )
    return {kind: len(snapshot[kind]) for kind in ("movements", "organizations", "ties", "introductions")}
