"""The review queue: what each answer would change, accepting and rejecting it, and
whether both sides of a tie reported it.

Nothing a respondent says enters the map before an editor accepts it. Accepting writes
as ``survey:ROUND:ORG``, so the audit trail says who reported each tie and each
correction. A group a respondent names that is not on the list is matched against the
map's names first (``DUPLICATE_SCORE``): a near match becomes that organization; only a
group with no near match is added, private and not consenting to introductions until it
speaks for itself.
"""

from __future__ import annotations

from datetime import date
from itertools import chain, count
from typing import Any

from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.models import Organization, Tie, slugify
from coalition.i18n import _
from coalition.maps.freshness import stamp_ties, survey_provenance
from coalition.maps.transfer import similar_names
from coalition.survey.answers import ACCEPTED, ANSWER_FIELDS, REJECTED, WAITING
from coalition.survey.links import round_record
from graph.store import Record, Store, acting_as, now_iso

__all__ = ["PARTS", "accept", "changes", "queue", "reciprocity", "reject", "status"]

#: The parts of an answer an editor can accept on their own.
PARTS = ("record", "ties", "new_groups")


def _ends(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def changes(snapshot: dict[str, Any], org: str, answer: dict[str, Any]) -> dict[str, Any]:
    """What accepting ``answer`` would change: the record's fields (before, after), each
    tie (new, changed or the same) and the new groups with their near matches."""
    orgs = {o["id"]: o for o in snapshot["organizations"]}
    own = orgs.get(org, {})
    record = {
        f: {"before": own.get(f), "after": answer["record"][f]}
        for f in ANSWER_FIELDS
        if f in answer["record"] and own.get(f) != answer["record"][f]
    }
    ties_by_pair: dict[tuple, dict[str, Record]] = {}
    for t in snapshot["ties"]:
        ties_by_pair.setdefault(_ends(t["source"], t["target"]), {})[t["kind"]] = t
    names = [(o["id"], o["name"]) for o in snapshot["organizations"]]
    ties, new_groups = [], []
    for partner in answer["partners"]:
        if partner["new_name"]:
            matches = [
                {"id": other_id, "name": other, "score": score}
                for _new, (other_id, other), score in similar_names([("new", partner["new_name"])], names)
            ]
            new_groups.append({**partner, "matches": matches})
            continue
        existing = ties_by_pair.get(_ends(org, partner["org"]), {}).get(partner["kind"])
        fields = {
            f: {"before": existing.get(f) if existing else None, "after": partner[f]}
            for f in ("strength", "since", "visibility")
            if (existing.get(f) if existing else None) != partner[f]
        }
        change = "new" if existing is None else ("changed" if fields else "same")
        ties.append({"partner": partner["org"], "partner_name": orgs.get(partner["org"], {}).get("name", partner["org"]),
                     "kind": partner["kind"], "change": change, "fields": fields})  # fmt: skip
    return {"record": record, "ties": ties, "new_groups": new_groups}


def queue(store: Store, round_id: str) -> list[dict[str, Any]]:
    """The round's answers, waiting ones first, each with what it would change."""
    round_record(store, round_id)
    snapshot = store.snapshot()
    names = {o["id"]: o["name"] for o in snapshot["organizations"]}
    items = []
    for a in store.side_records("answer", round_id):
        body = a["body"]
        items.append({"org": a["org"], "name": names.get(a["org"], a["org"]), "status": body["status"],
                      "submitted_at": body["submitted_at"], "reviewed_at": body["reviewed_at"],
                      "reviewed_by": body["reviewed_by"], "changes": changes(snapshot, a["org"], body["answer"])})  # fmt: skip
    return sorted(items, key=lambda i: (i["status"] != WAITING, i["name"].lower()))


def _chosen(store: Store, round_id: str, org: str | None, everyone: bool) -> list[Record]:
    round_record(store, round_id)
    if (org is None) == (not everyone):
        raise CoalitionError(_("name one organization (--org ID) or all of the round's answers (--all)"))
    waiting = [a for a in store.side_records("answer", round_id) if a["body"]["status"] == WAITING]
    if org is not None:
        waiting = [a for a in waiting if a["org"] == org]
        if not waiting:
            raise NotFound(
                _("no answer of '{organization}' waits for review in round '{round}'").format(
                    organization=org, round=round_id
                )
            )
    return waiting


def accept(
    store: Store,
    round_id: str,
    org: str | None = None,
    everyone: bool = False,
    parts: tuple[str, ...] = PARTS,
    reviewer: str = "unknown",
) -> dict[str, int]:
    """Write the chosen waiting answers (or the chosen parts of them) into the map, each
    as ``survey:ROUND:ORG``, all in one unit of work. A tie both sides reported
    differently (``reciprocity``) is left as the map has it and counted in
    ``disagreements``: never merged silently. A tie reported as the map has it is
    confirmed today (counted in ``confirmed``). Returns counts of what was written."""
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise CoalitionError(_("unknown part '{part}'; parts: {parts}").format(part=unknown[0], parts=", ".join(PARTS)))
    written = {"answers": 0, "organizations": 0, "ties": 0, "confirmed": 0, "new_groups": 0, "disagreements": 0}
    with store.transaction():
        disputed = {(d["a"], d["b"]) for d in reciprocity(store)["disagreements"]}
        for answer in _chosen(store, round_id, org, everyone):
            with acting_as(f"survey:{round_id}:{answer['org']}"):
                _apply(store, answer, parts, written, disputed)
            body = {**answer["body"], "status": ACCEPTED, "reviewed_at": now_iso(), "reviewed_by": reviewer,
                    "accepted_parts": list(parts)}  # fmt: skip
            store.write_side_records([{**answer, "body": body}])
            written["answers"] += 1
    return written


def _apply(
    store: Store, answer: Record, parts: tuple[str, ...], written: dict[str, int], disputed: set[tuple[str, str]]
) -> None:
    snapshot = store.snapshot()
    org = answer["org"]
    own = store.get_organization(org)
    if own is None:
        raise NotFound(
            _("organization '{organization}' of this answer is no longer in the map").format(organization=org)
        )
    found = changes(snapshot, org, answer["body"]["answer"])
    movements = {m["id"] for m in snapshot["movements"]}
    if "record" in parts and found["record"]:
        updated = Organization.model_validate(
            {**own, **{f: c["after"] for f, c in found["record"].items()}}, context={"movements": movements}
        )
        store.write_map(organizations=[updated.to_record()], expected_versions={org: own["version"]})
        written["organizations"] += 1
    ties = []
    if "ties" in parts:
        for t in found["ties"]:
            if _ends(org, t["partner"]) in disputed:
                written["disagreements"] += 1  # both sides reported it, differently: theirs to settle
            else:  # the same tie reported again is confirmed
                ties.append(_tie(store, org, t["partner"], _report(answer, t["partner"], t["kind"]), answer["round"]))
                written["confirmed" if t["change"] == "same" else "ties"] += 1
    if "new_groups" in parts:
        taken = {o["id"] for o in snapshot["organizations"]}
        for group in found["new_groups"]:
            partner = group["matches"][0]["id"] if group["matches"] else _add_group(store, group, taken)
            written["new_groups"] += not group["matches"]
            ties.append(_tie(store, org, partner, group, answer["round"]))
            written["ties"] += 1
    if ties:
        store.write_map(ties=ties)


def _report(answer: Record, partner: str, kind: str) -> dict[str, Any]:
    return next(p for p in answer["body"]["answer"]["partners"] if p["org"] == partner and p["kind"] == kind)


def _tie(store: Store, org: str, partner: str, report: dict[str, Any], round_id: str) -> Record:
    """The tie a report asks for, confirmed today: an existing one keeps its direction,
    notes and provenance; a new one comes from ``survey:ROUND``."""
    current = store.get_tie(org, partner, report["kind"]) or store.get_tie(partner, org, report["kind"])
    base = current or {"source": org, "target": partner, "kind": report["kind"], "notes": ""}
    fields = {f: report[f] for f in ("strength", "since", "visibility")}
    record = Tie.model_validate({**base, **fields}).to_record()
    return stamp_ties([record], [current] if current else [], survey_provenance(round_id), date.today())[0]


def _add_group(store: Store, group: dict[str, Any], taken: set[str]) -> str:
    base = slugify(group["new_name"]) or "group"
    org_id = next(c for c in chain([base], (f"{base}_{n}" for n in count(2))) if c not in taken)
    taken.add(org_id)
    record = Organization.model_validate({"id": org_id, "name": group["new_name"], "movements": [group["new_movement"]],
                                          "visibility": "private", "consent_to_introductions": False})  # fmt: skip
    store.write_map(organizations=[record.to_record()])
    return org_id


def reject(
    store: Store, round_id: str, org: str | None = None, everyone: bool = False, reviewer: str = "unknown"
) -> int:
    """Mark the chosen waiting answers rejected; the map is not touched."""
    with store.transaction():
        chosen = _chosen(store, round_id, org, everyone)
        store.write_side_records(
            [{**a, "body": {**a["body"], "status": REJECTED, "reviewed_at": now_iso(), "reviewed_by": reviewer}}
             for a in chosen]
        )  # fmt: skip
    return len(chosen)


def reciprocity(store: Store, round_id: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Ties as respondents reported them (each organization's newest answer that was not
    rejected): ``confirmed`` when both sides reported the pair alike, ``unconfirmed``
    when one side did, ``disagreements`` when both did but differ in kind or strength."""
    newest: dict[str, Record] = {}
    for a in store.side_records("answer", round_id):
        if a["body"]["status"] != REJECTED:
            if a["org"] not in newest or a["body"]["submitted_at"] > newest[a["org"]]["body"]["submitted_at"]:
                newest[a["org"]] = a
    names = {o["id"]: o["name"] for o in store.snapshot()["organizations"]}
    reports: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for org, a in newest.items():
        for p in a["body"]["answer"]["partners"]:
            if p["org"]:
                reports.setdefault(_ends(org, p["org"]), {})[org] = {"kind": p["kind"], "strength": p["strength"]}
    result: dict[str, list[dict[str, Any]]] = {"confirmed": [], "unconfirmed": [], "disagreements": []}
    for (a, b), by in sorted(reports.items()):
        item = {"a": a, "a_name": names.get(a, a), "b": b, "b_name": names.get(b, b), "reports": by}
        if len(by) == 1:
            result["unconfirmed"].append({**item, "reported_by": next(iter(by))})
        elif by[a] == by[b]:
            result["confirmed"].append(item)
        else:
            differ = [f for f in ("kind", "strength") if by[a][f] != by[b][f]]
            result["disagreements"].append({**item, "differ": differ})
    return result


def status(store: Store, round_id: str, only: set[str] | None = None) -> dict[str, Any]:
    """A round's progress: sent, opened, answered, accepted, overall, by movement and for
    community-led groups, and who has not answered yet (of the ``only`` organizations,
    when given: those an account may see)."""
    round_record(store, round_id)
    orgs = {o["id"]: o for o in store.snapshot()["organizations"] if only is None or o["id"] in only}
    links = {r["org"]: r["body"] for r in store.side_records("link", round_id) if r["org"] in orgs}
    answers = {a["org"]: a["body"] for a in store.side_records("answer", round_id)}

    def counts(members: list[str]) -> dict[str, int]:
        return {
            "sent": len(members),
            "opened": sum(links[m]["opened_at"] is not None for m in members),
            "answered": sum(m in answers for m in members),
            "accepted": sum(answers.get(m, {}).get("status") == ACCEPTED for m in members),
        }

    sent = sorted(links)
    movements = sorted({m for o in sent for m in orgs[o]["movements"]})
    return {
        "round": round_id,
        **counts(sent),
        "by_movement": {m: counts([o for o in sent if m in orgs[o]["movements"]]) for m in movements},
        "community_led": counts([o for o in sent if orgs[o]["community_led"]]),
        "not_answered": [
            {
                "org": o,
                "name": orgs[o]["name"],
                "community_led": orgs[o]["community_led"],
                "revoked": links[o]["revoked"],
            }
            for o in sent
            if o not in answers
        ],  # fmt: skip
    }
