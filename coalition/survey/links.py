"""Survey rounds and their private links.

A link carries a random token of 192 bits (``secrets.token_urlsafe``); the store keeps
only its SHA-256, so a copy of the map file opens no form. A link opens one
organization's form and nothing else, until it expires or is revoked. Every refusal says
the same sentence (``REFUSED``), so a link never tells whether an organization exists.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.models import SLUG
from coalition.i18n import N_, _
from graph.store import Record, Store, now_iso

__all__ = [
    "DEFAULT_BASE_URL",
    "REFUSED",
    "Link",
    "SurveyRefused",
    "hash_token",
    "open_link",
    "revoke",
    "round_record",
    "start_round",
]

DEFAULT_BASE_URL = "http://localhost:8501"
#: Shown as ``_(REFUSED)``, in the reader's language.
REFUSED = N_(
    "This survey link cannot be used: it may have expired or been withdrawn. Ask the person who sent it for a new one."
)
#: Bytes of randomness in a token (192 bits; the issue asks for at least 128).
TOKEN_BYTES = 24


class SurveyRefused(CoalitionError):
    """A token that opens nothing: unknown, expired or revoked (always ``REFUSED``)."""

    def __init__(self) -> None:
        super().__init__(_(REFUSED))


@dataclass(frozen=True)
class Link:
    """What a valid token opens: one organization's form in one round."""

    round: str
    org: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def form_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/?{urlencode({'survey': token})}"


def round_record(store: Store, round_id: str) -> Record:
    """The round's own record; ``NotFound`` when no such round was started."""
    rounds = store.side_records("round", round_id)
    if not rounds:
        raise NotFound(
            _("no survey round '{round}': start one with `coalition survey start {round}`").format(round=round_id)
        )
    return rounds[0]


def start_round(
    store: Store,
    round_id: str,
    orgs: list[str] | None = None,
    expires: date | None = None,
    base_url: str = DEFAULT_BASE_URL,
    today: date | None = None,
) -> list[dict[str, str]]:
    """Start (or extend) a round: one new private link per organization (all of them when
    ``orgs`` is empty). A second start for an organization replaces its link, so a lost
    link is replaced by sending a new one. Returns ``[{"org", "url"}]``; the tokens exist
    nowhere else."""
    if not SLUG.match(round_id):
        raise CoalitionError(
            _("'{round}' is not a round name: use lowercase letters, digits, _ or - (at most 80)").format(
                round=round_id
            )
        )
    if expires is not None and expires < (today or date.today()):
        raise CoalitionError(_("--expires {date} is in the past").format(date=expires.isoformat()))
    known = {o["id"] for o in store.snapshot()["organizations"]}
    chosen = list(dict.fromkeys(orgs or sorted(known)))
    unknown = [o for o in chosen if o not in known]
    if unknown:
        raise NotFound(_("no organization with id '{organization}'").format(organization=unknown[0]))
    if not chosen:
        raise CoalitionError(_("the map holds no organizations to survey yet"))
    now = now_iso()
    existing = store.side_records("round", round_id)
    body: dict[str, Any] = existing[0]["body"] if existing else {"started_at": now}
    body = {**body, "expires": expires.isoformat() if expires else body.get("expires"), "base_url": base_url}
    records: list[Record] = [{"kind": "round", "round": round_id, "org": "", "body": body}]
    links = []
    for org in chosen:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        link_body = {"token_hash": hash_token(token), "sent_at": now, "opened_at": None, "revoked": False}
        records.append({"kind": "link", "round": round_id, "org": org, "body": link_body})
        links.append({"org": org, "url": form_url(base_url, token)})
    store.write_side_records(records)
    return links


def revoke(store: Store, round_id: str, org: str | None = None) -> int:
    """Withdraw the links of a round (or one organization's); returns how many."""
    round_record(store, round_id)
    links = [r for r in store.side_records("link", round_id) if org is None or r["org"] == org]
    if org is not None and not links:
        raise NotFound(_("round '{round}' sent no link to '{organization}'").format(round=round_id, organization=org))
    changed = [{**r, "body": {**r["body"], "revoked": True}} for r in links if not r["body"]["revoked"]]
    if changed:
        store.write_side_records(changed)
    return len(changed)


def open_link(store: Store, token: str, today: date | None = None, mark_opened: bool = True) -> Link:
    """The round and organization a token opens, or ``SurveyRefused``. The first opening
    is recorded (the round's progress counts it)."""
    wanted = hash_token(token or "")
    for record in store.side_records("link"):
        if hmac.compare_digest(record["body"]["token_hash"], wanted):
            break
    else:
        raise SurveyRefused()
    rounds = store.side_records("round", record["round"])
    expires = rounds[0]["body"].get("expires") if rounds else None
    day = (today or date.today()).isoformat()
    if not rounds or record["body"]["revoked"] or (expires and day > expires):
        raise SurveyRefused()
    if store.get_organization(record["org"]) is None:
        raise SurveyRefused()
    if mark_opened and record["body"]["opened_at"] is None:
        store.write_side_records([{**record, "body": {**record["body"], "opened_at": now_iso()}}])
    return Link(record["round"], record["org"])
