"""What every export format shares: the audience banner and withheld note, the typed
field tables of the graph formats, and text made safe for XML and for display.

The note and the banner hold counts and fixed words only, never content, so they can be
printed on every page of a brief or put in a file's metadata. They are written in the
interface's language; the audience in them is named as stored (public, coalition,
private), as ``--audience`` takes it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from coalition.i18n import N_, _, ngettext

__all__ = [
    "BANNERS",
    "ORG_ATTRIBUTES",
    "TIE_ATTRIBUTES",
    "banner",
    "display_text",
    "display_view",
    "list_text",
    "today_text",
    "typed_value",
    "withheld_note",
    "xml_safe",
]

#: The line printed on every page or image, by audience (shown as ``_(BANNERS[audience])``).
BANNERS = {
    "public": N_("Public: may be shared"),
    "coalition": N_("Coalition only \u2014 do not forward"),
    "private": N_("Private \u2014 contact details inside; do not forward"),
}

#: Organization fields of the graph formats (GraphML, GEXF, Kumu) and their types:
#: ``string``, ``list`` (joined with ``;``), ``boolean`` or ``int``.
ORG_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("name", "string"), ("movements", "list"), ("kind", "string"), ("community_led", "boolean"),
    ("region", "string"), ("languages", "list"), ("issues", "list"), ("offers", "list"), ("needs", "list"),
    ("access", "string"), ("contact", "string"), ("contact_visibility", "string"), ("visibility", "string"),
    ("consent_to_introductions", "boolean"), ("intro_capacity_per_month", "int"), ("notes", "string"),
)  # fmt: skip
TIE_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("kind", "string"), ("strength", "int"), ("since", "string"), ("until", "string"),
    ("visibility", "string"), ("notes", "string"), ("provenance", "string"), ("confirmed", "string"),
)  # fmt: skip

# XML 1.0 allows tab, newline, carriage return and these ranges; everything else (other
# control characters, lone surrogates, U+FFFE and U+FFFF) is removed.
XML_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Bidirectional embeddings, overrides and isolates can make displayed text read
# differently from what it is, and C1 controls draw as boxes; they are removed where text
# is shown to people (maps, the brief), never from data formats.
HIDDEN_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\x7f-\x9f]")
SPACES = re.compile(r"\s+")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (the rest is escaped by the writer)."""
    return XML_FORBIDDEN.sub("", text)


def display_text(text: Any, limit: int = 80) -> str:
    """Text for a label on a map or a line in a brief: one line, no bidi controls, at
    most ``limit`` characters (cut with an ellipsis)."""
    shown = SPACES.sub(" ", HIDDEN_CONTROLS.sub("", xml_safe(str(text or "")))).strip()
    return shown if len(shown) <= limit else shown[: limit - 1].rstrip() + "\u2026"


def display_view(view: dict[str, Any], limit: int = 80) -> dict[str, Any]:
    """A copy of the view whose organization names are fit for display, so that
    everything derived from it (explanations, reasons) reads well when printed."""
    shown = dict(view)
    shown["organizations"] = [{**o, "name": display_text(o["name"], limit) or o["id"]} for o in view["organizations"]]
    shown["movements"] = [{**m, "name": display_text(m.get("name") or m["id"], limit)} for m in view["movements"]]
    return shown


def list_text(values: Any) -> str:
    """A list field as one cell: items joined with ``;``."""
    return ";".join(str(v) for v in values or [])


def typed_value(value: Any, kind: str) -> Any:
    """A record's value as a graph format stores it, or None when there is none."""
    if kind == "list":
        return list_text(value)
    if value is None:
        return None
    if kind == "boolean":
        return bool(value)
    if kind == "int":
        return int(value)
    return str(value)


def today_text() -> str:
    """Today as ISO 8601 (2026-11-01) in every language: files hold it as a date (GEXF's
    ``lastmodifieddate``, the Cypher script's migrations), and it reads the same anywhere."""
    return date.today().isoformat()


def banner(audience: str) -> str:
    """The audience line printed on every page: "Coalition only — do not forward"."""
    return _(BANNERS.get(audience, BANNERS["private"]))


def withheld_note(view: dict[str, Any]) -> str:
    """A short note of what the audience does not see, in counts only."""
    audience = view.get("audience", "private")
    withheld = view.get("withheld", {})
    parts = [
        _withheld_count(kind, withheld[kind])
        for kind in ("organizations", "ties", "introductions")
        if withheld.get(kind, 0)
    ]
    if not parts:
        # TRANSLATORS: {audience} is public, coalition or private, as stored
        return _("Made for the {audience} audience; nothing was withheld.").format(audience=audience)
    # TRANSLATORS: {audience} is public, coalition or private, as stored; {counts} is "3 organizations and 2 ties"
    note = _("Made for the {audience} audience; withheld (counts only): {counts}.").format(
        audience=audience, counts=_join(parts)
    )
    anonymized = view.get("anonymized", {})
    if anonymized.get("organizations"):
        ties = anonymized.get("ties", 0)
        note += " " + ngettext(
            "{count} organization of these appear only as anonymous stand-ins (hidden-N), with {ties}.",
            "{count} organizations of these appear only as anonymous stand-ins (hidden-N), with {ties}.",
            anonymized["organizations"],
        ).format(
            count=anonymized["organizations"],
            ties=ngettext("{count} neutral tie", "{count} neutral ties", ties).format(count=ties),
        )
    return note


def _withheld_count(kind: str, n: int) -> str:
    if kind == "organizations":
        return ngettext("{count} organization", "{count} organizations", n).format(count=n)
    if kind == "ties":
        return ngettext("{count} tie", "{count} ties", n).format(count=n)
    return ngettext("{count} introduction", "{count} introductions", n).format(count=n)


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return _("{names} and {last}").format(names=_(", ").join(parts[:-1]), last=parts[-1])
