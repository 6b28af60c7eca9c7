"""Human labels for the words a map stores, and one spelling per region.

A map stores needs, offers and issues as slugs (``legal_advice``) so that "Legal advice",
"legal advice" and "Legal Advice" are one word; people read labels ("Legal advice").
Regions are free text, so "Eastport" typed in a form and "eastport" from a spreadsheet
would be two regions: ``region_key`` says when two spellings are the same region and
``canonical_region`` keeps the spelling the map already uses. Every view, filter and
export shows ``region_label``/``term_label``, never the raw stored text.

The words of the shared vocabulary (the resources, the kinds of tie and of organization,
the default movements) are words of the interface: their labels are read in its language.
A word an organizer coined is shown as its slug spells it, in every language, and so is a
movement's name a person gave. Names and notes are data and never pass through here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from coalition.domain.models import DEFAULT_MOVEMENTS
from coalition.i18n import N_, _

__all__ = [
    "LANGUAGE_NAMES",
    "template_languages",
    "TERM_LABELS",
    "canonical_region",
    "movement_label",
    "region_key",
    "region_label",
    "region_spellings",
    "term_label",
    "term_words",
]

#: Labels of the shared vocabulary (``models.RESOURCES``, ``TIE_KINDS``, ``ORG_KINDS``
#: and the ids of ``DEFAULT_MOVEMENTS``), read through ``_()`` where they are shown. In
#: English each is the label the slug spells (``term_label`` of a coined word).
TERM_LABELS: Mapping[str, str] = {
    # TRANSLATORS: the shared vocabulary of offers and needs; labels start with a capital
    "meeting_space": N_("Meeting space"),
    "legal_advice": N_("Legal advice"),
    "translation": N_("Translation"),
    # TRANSLATORS: American Sign Language interpretation (use the country's sign language)
    "interpretation_asl": N_("ASL interpretation"),
    "transport_funds": N_("Transport funds"),
    "tech_tools": N_("Tech tools"),
    "digital_security": N_("Digital security"),
    "media_training": N_("Media training"),
    "childcare": N_("Childcare"),
    # TRANSLATORS: money, as an offer or a need, and a kind of tie (one funds the other)
    "funding": N_("Funding"),
    # TRANSLATORS: a kind of tie between two organizations, and a kind of organization
    "coalition": N_("Coalition"),
    # TRANSLATORS: kinds of tie between two organizations
    "joint_campaign": N_("Joint campaign"),
    "referral": N_("Referral"),
    "shared_space": N_("Shared space"),
    "personal_contact": N_("Personal contact"),
    # TRANSLATORS: a memorandum of understanding (MOU), a kind of tie
    "mou": N_("Mou"),
    "conflict": N_("Conflict"),
    # TRANSLATORS: kinds of organization
    "collective": N_("Collective"),
    # TRANSLATORS: a non-governmental organization, a kind of organization
    "ngo": N_("NGO"),
    "union": N_("Union"),
    "legal": N_("Legal"),
    "health": N_("Health"),
    "media": N_("Media"),
    "funder": N_("Funder"),
    "ally": N_("Ally"),
    "other": N_("Other"),
    # TRANSLATORS: the default movements, as one word for each (their ids spelled out)
    "housing": N_("Housing"),
    "migrant": N_("Migrant"),
    "disability": N_("Disability"),
    "queer_trans": N_("Queer trans"),
    "sex_work": N_("Sex work"),
}
#: The names the default movements are created with, by id (``movement_label``).
DEFAULT_MOVEMENT_NAMES: Mapping[str, str] = {m["id"]: m["name"] for m in DEFAULT_MOVEMENTS}
#: Language names as organizations list them, by the code of the message templates
#: written in them (survey invitations, introduction drafts).
LANGUAGE_NAMES = {"en": ("english", "inglés", "ingles"), "es": ("spanish", "español", "espanol", "castellano")}


def template_languages(org: dict) -> list[str]:
    """The template codes of the languages an organization lists, in its order:
    ``{"languages": ["Spanish", "English"]}`` -> ``["es", "en"]``."""
    spoken = [language.strip().lower() for language in org.get("languages") or ()]
    return [code for word in spoken for code, names in LANGUAGE_NAMES.items() if word in (code, *names)]


#: Short words kept as capitals when a slug is turned into a label.
ACRONYMS = frozenset({"asl", "bsl", "lgbtq", "lgbtqia", "hiv", "ngo", "ice", "dv", "id", "sms", "it"})
_SEPARATORS = re.compile(r"[\s_\-]+")


def term_label(term: str) -> str:
    """``"legal_advice"`` -> ``"Legal advice"``: a need, offer, issue or kind as people
    read it; a word of the shared vocabulary in the interface's language, a coined one as
    its slug spells it.

    >>> term_label("legal_advice"), term_label("interpretation_asl"), term_label("hiv_care")
    ('Legal advice', 'ASL interpretation', 'HIV care')
    """
    if term in TERM_LABELS:
        return _(TERM_LABELS[term])
    words = [w for w in _SEPARATORS.split(term) if w]
    if not words:
        return term
    shown = [w.upper() if w.lower() in ACRONYMS else w for w in words]
    first = shown[0]
    shown[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(shown)


def term_words(term: str) -> str:
    """A need, offer or issue inside a sentence: its label without the capital a label
    starts with, unless that word is an acronym.

    >>> term_words("legal_advice"), term_words("interpretation_asl"), term_words("meeting_space")
    ('legal advice', 'ASL interpretation', 'meeting space')
    """
    label = term_label(term)
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]


def movement_label(movement: Mapping[str, Any]) -> str:
    """A movement's name as people read it: a default movement still named as the map
    was created with is read in the interface's language; a name a person gave is data,
    shown as given.

    >>> movement_label({"id": "housing", "name": "Housing justice"})
    'Housing justice'
    """
    name = movement.get("name") or movement["id"]
    return _(name) if name == DEFAULT_MOVEMENT_NAMES.get(movement["id"]) else name


def region_key(region: str) -> str:
    """What makes two spellings of a region the same: case, accents' composition,
    spaces, underscores and hyphens do not count.

    >>> region_key("Hill District") == region_key("hill_district") == region_key(" HILL-district ")
    True
    """
    text = unicodedata.normalize("NFKC", region).casefold()
    return "_".join(w for w in _SEPARATORS.split(text) if w)


def region_label(region: str) -> str:
    """``"hill_district"`` -> ``"Hill District"``; a region typed with capitals or in a
    script without case is shown as typed.

    >>> region_label("hill_district"), region_label("Old Town"), region_label("東区")
    ('Hill District', 'Old Town', '東区')
    """
    if region != region.lower():
        return region.strip()
    words = [w for w in _SEPARATORS.split(region) if w]
    return " ".join(w.upper() if w in ACRONYMS else w[:1].upper() + w[1:] for w in words)


def region_spellings(regions: Iterable[str]) -> dict[str, str]:
    """``{region_key: spelling}`` of the regions a map uses, the first spelling winning
    (feed it in a stable order, e.g. sorted)."""
    spellings: dict[str, str] = {}
    for region in regions:
        if region:
            spellings.setdefault(region_key(region), region)
    return spellings


def canonical_region(region: str, spellings: Mapping[str, str]) -> str:
    """The spelling the map already uses for ``region``, or ``region`` itself when new.

    >>> canonical_region("Eastport", {"eastport": "eastport"})
    'eastport'
    """
    if not region:
        return region
    return spellings.get(region_key(region), region)
