"""A short introduction message a broker can send to both groups of a pair.

Written only from the pair's audience view (``coalition`` by default): who each group is
in one line, why they might meet (what one offers that the other needs, issues,
languages and region they share, a partner both work with, the movements they would
bridge), in a language both groups list where a template exists. It goes to both
groups, so it never names anything above that audience: no hidden organization, tie or
contact (a hidden group of the pair is as if missing).

The message is written in the groups' language (``TEMPLATES``), never in the
interface's: the person sending it may read another. Only the errors are the
interface's.
"""

from __future__ import annotations

from typing import Any

from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.privacy import read_view
from coalition.domain.vocabulary import movement_label, region_label, template_languages, term_words
from coalition.i18n import _, use_language
from coalition.introductions.index import build_index
from coalition.introductions.reasons import find_broker
from graph.store import Store

__all__ = ["DRAFT_LANGUAGES", "draft_message"]

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hello {a} and {b},",
        "opening": "I would like to introduce you to each other.",
        "why": "Why you might want to meet:",
        "offers": "{x} offers {what}, which {y} needs.",
        "issues": "You both work on {what}.",
        "languages": "You both work in {what}.",
        "region": "You are both in {what}.",
        "broker": "You both work with {what}.",
        "bridge": "Together you would connect {what}.",
        "closing": "If you are both happy to, reply to this message and I will help you find a time.",
        "line": "{name}: {kind}, {movements}{region}.",
        "in": " in {region}",
        "and": " and ",
    },
    "es": {
        "greeting": "Hola, {a} y {b}:",
        "opening": "Me gustaría presentarles.",
        "why": "Por qué podría valer la pena conocerse:",
        "offers": "{x} ofrece {what}, algo que {y} necesita.",
        "issues": "Ambos grupos trabajan en {what}.",
        "languages": "Ambos grupos trabajan en {what}.",
        "region": "Ambos grupos están en {what}.",
        "broker": "Ambos grupos trabajan con {what}.",
        "bridge": "Juntos conectarían {what}.",
        "closing": "Si a ambos les parece bien, respondan a este mensaje y les ayudo a encontrar un momento.",
        "line": "{name}: {kind}, {movements}{region}.",
        "in": " en {region}",
        "and": " y ",
    },
}
DRAFT_LANGUAGES = tuple(TEMPLATES)


def _language(given: str | None, a: dict[str, Any], b: dict[str, Any]) -> str:
    """The language asked for, else the first one both groups list that has a template."""
    if given:
        if given not in TEMPLATES:
            raise CoalitionError(
                _("no template in '{language}'; languages: {languages}").format(
                    language=given, languages=", ".join(TEMPLATES)
                )
            )
        return given

    theirs = set(template_languages(b))
    return next((code for code in template_languages(a) if code in theirs), "en")


def _and(words: list[str], t: dict[str, str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + t["and"] + words[-1]


def draft_message(
    store: Store, a: str, b: str, audience: str = "coalition", language: str | None = None
) -> dict[str, str]:
    """``{"a", "b", "language", "text"}``: the message for the pair, for ``audience``."""
    view = read_view(store, audience)
    orgs = {o["id"]: o for o in view["organizations"]}
    for org_id in (a, b):
        if org_id not in orgs:
            raise NotFound(_("no organization with id '{organization}'").format(organization=org_id))
    if a == b:
        raise CoalitionError(_("an introduction needs two different organizations"))
    first, second = orgs[a], orgs[b]
    code = _language(language, first, second)
    with use_language(code):  # the labels in it (kinds, offers, movements) in the draft's language
        t = TEMPLATES[code]
        movement_names = {m["id"]: movement_label(m) for m in view["movements"]}

        def line(org: dict[str, Any]) -> str:
            region = t["in"].format(region=region_label(org["region"])) if org["region"] else ""
            movements = _and([movement_names.get(m, m) for m in org["movements"]], t)
            return "- " + t["line"].format(
                name=org["name"], kind=term_words(org["kind"]), movements=movements, region=region
            )

        reasons = []
        for x, y in ((first, second), (second, first)):
            given = [term_words(r) for r in x["offers"] if r in y["needs"]]
            if given:
                reasons.append(t["offers"].format(x=x["name"], what=_and(given, t), y=y["name"]))
        for field in ("issues", "languages"):
            shared = [item for item in first[field] if item in second[field]]
            if shared:
                words = [term_words(i) for i in shared] if field == "issues" else shared
                reasons.append(t[field].format(what=_and(words, t)))
        if first["region"] and first["region"] == second["region"]:
            reasons.append(t["region"].format(what=region_label(first["region"])))
        ix = build_index(view)
        broker = find_broker(ix, ix.index[a], ix.index[b])  # the warm broker the introductions list names
        if broker is not None:
            reasons.append(t["broker"].format(what=ix.names[broker]))
        if not set(first["movements"]) & set(second["movements"]):
            bridged = [movement_names.get(m, m) for m in (*first["movements"], *second["movements"])]
            reasons.append(t["bridge"].format(what=_and(list(dict.fromkeys(bridged)), t)))
        parts = [
            t["greeting"].format(a=first["name"], b=second["name"]),
            t["opening"],
            line(first) + "\n" + line(second),
        ]
        if reasons:
            parts.append(t["why"] + "\n" + "\n".join(f"- {reason}" for reason in reasons))
        parts.append(t["closing"])
    return {"a": a, "b": b, "language": code, "text": "\n\n".join(parts) + "\n"}
