"""What changed since the last meeting: snapshots and the changes since one.

A snapshot is cheap: a name, a time, a note and the audit trail's position then, kept as
a side record in the store (both backends). The map as it was is worked out when asked,
by undoing the audit entries written since (newest first) on the map as it is; the two
maps are then redacted for the audience and compared, and the gaps of each compared too.
Nothing is copied per page view, and a snapshot costs the same on a map of any size.
A clear or a restore since the snapshot cannot be undone this way, and says so.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.freshness import Freshness
from coalition.domain.models import SLUG
from coalition.domain.privacy import hidden_names, view_for
from coalition.i18n import _, ngettext
from graph.store import BOOKKEEPING, Record, Store, now_iso

__all__ = ["STALLED_DAYS", "changes_since", "is_stalled", "list_snapshots", "save_snapshot", "summary_lines"]

#: Days after which an introduction planned, being asked or agreed, and not yet made,
#: counts as stalled (listed by ``changes`` and on the Introductions page).
STALLED_DAYS = 30
STALLING = ("planned", "asking", "agreed")
#: The map's record kinds as the audit trail names them, and how each record is keyed.
_KINDS = {
    "movement": ("movements", lambda r: r["id"]),
    "organization": ("organizations", lambda r: r["id"]),
    "tie": ("ties", lambda r: f"{r['source']}|{r['target']}|{r['kind']}"),
    "introduction": ("introductions", lambda r: f"{r['a']}|{r['b']}"),
}


def save_snapshot(store: Store, name: str, note: str = "") -> Record:
    """Mark the map as it is now under ``name`` (saving a name again moves it to now)."""
    if not SLUG.match(name):
        raise CoalitionError(
            _("'{name}' is not a snapshot name: use lowercase letters, digits, _ or - (at most 80)").format(name=name)
        )
    with store.transaction():
        seq = max((e["seq"] for e in store.audit(limit=1)), default=0)
        body = {"at": now_iso(), "audit_seq": seq, "note": note.strip()[:500]}
        store.write_side_records([{"kind": "snapshot", "round": name, "org": "", "body": body}])
    return {"name": name, **body}


def list_snapshots(store: Store) -> list[Record]:
    """Every snapshot, oldest first."""
    found = [{"name": r["round"], **r["body"]} for r in store.side_records("snapshot")]
    return sorted(found, key=lambda s: (s["audit_seq"], s["name"]))


def _since(store: Store, since: str) -> tuple[str, int]:
    """The label and audit position of ``since``: a snapshot's name or a day."""
    for snapshot in list_snapshots(store):
        if snapshot["name"] == since:
            return snapshot["at"], snapshot["audit_seq"]
    try:
        day = date.fromisoformat(since)
    except ValueError:
        raise NotFound(_("no snapshot named '{name}' (and it is not a date YYYY-MM-DD)").format(name=since)) from None
    before = [e["seq"] for e in store.audit(limit=None) if e["at"] < day.isoformat()]
    return day.isoformat(), max(before, default=0)


def _map_then(now: dict[str, Any], entries: list[Record]) -> dict[str, Any]:
    """The map as it was before ``entries`` (newest first), undone one by one."""
    then = {plural: {key(r): copy.deepcopy(r) for r in now[plural]} for plural, key in _KINDS.values()}
    for entry in entries:
        if entry["action"] in ("clear", "restore"):
            raise CoalitionError(
                (
                    _("the map was cleared on {date}, after that point: changes across it cannot be worked out")
                    if entry["action"] == "clear"
                    else _("the map was restored on {date}, after that point: changes across it cannot be worked out")
                ).format(date=entry["at"][:10])
            )
        if entry["kind"] not in _KINDS:
            continue
        records = then[_KINDS[entry["kind"]][0]]
        if entry["action"] == "create":
            records.pop(entry["key"], None)
        elif entry["action"] == "delete":
            records[entry["key"]] = dict(entry["before"])
        elif entry["key"] in records:
            records[entry["key"]].update(entry["before"] or {})
    return {plural: list(records.values()) for plural, records in then.items()}


def changes_since(
    store: Store, since: str, audience: str = "private", today: date | None = None, freshness: Freshness | None = None
) -> dict[str, Any]:
    """What changed since a snapshot or a day, for ``audience`` (see the README):
    ``{"since", "since_at", "organizations": {"added", "removed", "changed"}, "ties": {...},
    "gaps": {"closed", "opened"}, "introductions": {"made", "declined", "stalled"}}``.
    Gaps weigh stale ties as ``freshness`` says, on both maps."""
    from coalition.analysis.gaps import analyse_gaps  # networkx, igraph: not for every command

    at, seq = _since(store, since)
    now = store.snapshot()
    then = {**now, **_map_then(now, store.audit(limit=None, after_seq=seq))}
    views = [view_for(m, audience, hidden_names=hidden_names(m, audience)) for m in (then, now)]
    found: dict[str, Any] = {"since": since, "since_at": at}
    names = {o["id"]: o["name"] for v in views for o in v["organizations"]}
    for plural in ("organizations", "ties"):
        found[plural] = _compare(*(v[plural] for v in views), _KINDS[plural[:-1]][1], names)
    gaps = [
        _gap_items(analyse_gaps(v, today=today, max_items=None, max_needs_offers=0, freshness=freshness)) for v in views
    ]
    found["gaps"] = {
        "closed": [gaps[0][k] for k in gaps[0].keys() - gaps[1].keys()],
        "opened": [gaps[1][k] for k in gaps[1].keys() - gaps[0].keys()],
    }
    found["introductions"] = _introductions(*views, names, today or date.today())
    return found


def _compare(before: list[Record], after: list[Record], key: Any, names: dict[str, str]) -> dict[str, list[Record]]:
    old, new = {key(r): r for r in before}, {key(r): r for r in after}
    changed = []
    for k in sorted(old.keys() & new.keys()):
        fields = {
            f: {"before": old[k].get(f), "after": new[k].get(f)}
            for f in sorted(set(old[k]) | set(new[k]))
            if f not in BOOKKEEPING and old[k].get(f) != new[k].get(f)
        }
        if fields:
            changed.append({**_identity(new[k], names), "fields": fields})
    return {
        "added": [_identity(new[k], names) for k in sorted(new.keys() - old.keys())],
        "removed": [_identity(old[k], names) for k in sorted(old.keys() - new.keys())],
        "changed": changed,
    }


def _identity(record: Record, names: dict[str, str]) -> Record:
    """How a changed record is named: its ids and names (a tie: its ends' and its kind)."""
    if "id" in record:
        return {"id": record["id"], "name": record["name"]}
    ends = {"source_name": names.get(record["source"], record["source"]),
            "target_name": names.get(record["target"], record["target"])}  # fmt: skip
    return {"source": record["source"], "target": record["target"], "kind": record["kind"], **ends}


def _gap_items(report: dict[str, Any]) -> dict[tuple, Record]:
    """The gaps of a report an organizer acts on, by a key that survives a new analysis
    (their texts are worked out when asked, in the reader's language)."""
    names = {m: report["movements"][m]["name"] for m in report["movements"]}
    items: dict[tuple, Record] = {}
    for a, b in report["missing_movement_pairs"]:
        text = _("no ties between {first} and {second}").format(first=names.get(a, a), second=names.get(b, b))
        items[("missing", a, b)] = {"kind": "movements_never_tied", "movements": [a, b], "text": text}
    for item in report["single_points_of_failure"]:
        key = item.get("org") or "|".join(item.get("tie") or ())
        items[("single", key)] = {"kind": "single_point_of_failure", "key": key, "text": item["explanation"]}
    for item in report["isolated_community_led"]:
        name = report["names"].get(item["org"], item["org"])
        text = (
            # TRANSLATORS: {why} is "tied only to allies (...)" or "tied only within housing (...)"
            _("{organization}, community-led, is {why}")
            if "no_tie" not in item["reasons"]  # a tie or more, each to allies or to its own movements
            else _("{organization}: {why}")
        ).format(organization=name, why=item["why"])
        items[("isolated", item["org"])] = {"kind": "isolated_community_led", "org": item["org"], "text": text}
    return items


def _introductions(
    then: dict[str, Any], now: dict[str, Any], names: dict[str, str], today: date
) -> dict[str, list[Record]]:
    before = {(i["a"], i["b"]): i for i in then["introductions"]}
    made, declined, stalled = [], [], []
    for intro in now["introductions"]:
        was = before.get((intro["a"], intro["b"]), {}).get("status")
        item = {"a": intro["a"], "b": intro["b"], "a_name": names.get(intro["a"], intro["a"]),
                "b_name": names.get(intro["b"], intro["b"]), "status": intro["status"],
                "status_date": intro.get("status_date")}  # fmt: skip
        if intro["status"] == "made" and was != "made":
            made.append(item)
        elif intro["status"] == "declined" and was != "declined":
            declined.append(item)
        elif is_stalled(intro, today):
            stalled.append(item)
    return {"made": made, "declined": declined, "stalled": stalled}


def is_stalled(intro: Record, today: date) -> bool:
    """An introduction planned, being asked or agreed, not made ``STALLED_DAYS`` on."""
    return intro["status"] in STALLING and str(intro.get("status_date") or "9999") < str(
        today - timedelta(days=STALLED_DAYS)
    )


def summary_lines(found: dict[str, Any], shown: int = 8) -> list[str]:
    """``changes_since`` in plain sentences, for the CLI, the Overview and the brief."""
    lines = []

    def named(items: list[Record], describe: Any) -> str:
        words = _(", ").join(describe(i) for i in items[:shown])
        more = len(items) - shown
        if more <= 0:
            return words
        # TRANSLATORS: {names} is a list of names, {count} how many more are not listed
        return ngettext("{names} and {count} more", "{names} and {count} more", more).format(names=words, count=more)

    orgs, ties = found["organizations"], found["ties"]
    for key in ("added", "removed", "changed"):
        if orgs[key]:
            lines.append(
                _organizations_line(key, len(orgs[key])).format(
                    count=len(orgs[key]), names=named(orgs[key], lambda o: o["name"])
                )
            )
    for key in ("added", "removed", "changed"):
        if ties[key]:
            tie_words = named(
                ties[key],
                lambda t: _("{first} and {second} ({kind})").format(
                    first=t["source_name"], second=t["target_name"], kind=t["kind"].replace("_", " ")
                ),
            )
            lines.append(_ties_line(key, len(ties[key])).format(count=len(ties[key]), names=tie_words))
    lines += [_("Closed gap: {gap}").format(gap=gap["text"]) for gap in found["gaps"]["closed"]]
    lines += [_("New gap: {gap}").format(gap=gap["text"]) for gap in found["gaps"]["opened"]]
    for key, message in (
        ("made", _("Introductions made: {pairs}.")),
        ("declined", _("Introductions declined: {pairs}.")),
        ("stalled", _("Introductions stalled: {pairs}.")),
    ):
        items = found["introductions"][key]
        if items:
            pairs = named(items, lambda i: _("{first} and {second}").format(first=i["a_name"], second=i["b_name"]))
            lines.append(message.format(pairs=pairs))
    return lines or [_("Nothing changed.")]


def _organizations_line(key: str, count: int) -> str:
    if key == "added":
        # TRANSLATORS: English says "organization(s)" and "tie(s)" for every count: give each plural
        # form of your language its own. {names} lists names ("A, B and 3 more")
        return ngettext("{count} organization(s) joined: {names}.", "{count} organization(s) joined: {names}.", count)
    if key == "removed":
        return ngettext(
            "{count} organization(s) left the map: {names}.", "{count} organization(s) left the map: {names}.", count
        )
    return ngettext("{count} organization(s) changed: {names}.", "{count} organization(s) changed: {names}.", count)


def _ties_line(key: str, count: int) -> str:
    if key == "added":
        return ngettext("{count} tie(s) new: {names}.", "{count} tie(s) new: {names}.", count)
    if key == "removed":
        return ngettext("{count} tie(s) ended or removed: {names}.", "{count} tie(s) ended or removed: {names}.", count)
    return ngettext("{count} tie(s) changed: {names}.", "{count} tie(s) changed: {names}.", count)
