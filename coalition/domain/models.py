"""The domain model: movements, organizations, ties, introductions and audiences.

Everything from outside (a CSV row, a form, a JSON file) is validated here before any
SQL or Cypher is built. Records go to a store as plain dicts (``to_record``), so the
graph layer never depends on these classes.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal

from anyascii import anyascii
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from coalition.i18n import N_, _
from graph.store import VISIBILITIES

__all__ = [
    "Audience",
    "AUDIENCES",
    "DEFAULT_MOVEMENTS",
    "INTRODUCTION_STATUSES",
    "Introduction",
    "Movement",
    "ORG_KINDS",
    "Organization",
    "RESOURCES",
    "TIE_KINDS",
    "Tie",
    "ValueGiven",
    "slugify",
]

Audience = Literal["public", "coalition", "private"]
AUDIENCES: tuple[str, ...] = VISIBILITIES

ORG_KINDS = ("collective", "ngo", "union", "legal", "health", "media", "funder", "coalition", "ally", "other")
TIE_KINDS = (
    "coalition", "joint_campaign", "referral", "funding", "shared_space", "personal_contact", "mou", "conflict",
)  # fmt: skip
#: ``asking``: each side is being asked; ``agreed``: both said yes (double opt-in).
INTRODUCTION_STATUSES = ("suggested", "planned", "made", "declined", "on_hold", "asking", "agreed")
#: The shared vocabulary of offers and needs; users may add their own words.
RESOURCES = (
    "meeting_space", "legal_advice", "translation", "interpretation_asl", "transport_funds", "tech_tools",
    "digital_security", "media_training", "childcare", "funding",
)  # fmt: skip

#: The movements a new map starts with. Their names are stored in English, as any name
#: is; ``vocabulary.movement_label`` reads a name still as given here in the interface's
#: language.
DEFAULT_MOVEMENTS: tuple[dict[str, str], ...] = (
    # TRANSLATORS: the names of the movements a new map starts with
    {"id": "housing", "name": N_("Housing justice"), "color": "#0072B2"},
    {"id": "migrant", "name": N_("Migrant rights"), "color": "#009E73"},
    {"id": "disability", "name": N_("Disability rights"), "color": "#CC79A7"},
    {"id": "queer_trans", "name": N_("Queer and trans liberation"), "color": "#E69F00"},
    {"id": "sex_work", "name": N_("Sex worker rights"), "color": "#D55E00"},
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
#: Where a transliterated syllable starts (anyascii capitalizes each one of CJK, Hangul).
SYLLABLE_START = re.compile(r"(?<=[a-z])(?=[A-Z])")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_NAME = 200
MAX_TEXT = 5000


class ValueGiven(ValueError):
    """A refusal whose words already end with the value given ("(got 'x')"), so that a
    problem report does not add it again, in whatever language the words are."""


def slugify(text: str) -> str:
    """A stable id from a name: "Casa Migrante SF" -> "casa_migrante_sf".

    Accents are dropped. A name with no Latin letter or digit at all (Arabic, Hebrew,
    Devanagari, Chinese...) is transliterated with anyascii instead, with a break where
    a syllable's capital starts ("東京移民" -> "dong_jing_yi_min"), so it still gets an id
    people can type. Only such names take that path: an id made from any other name is
    the same as it always was, so a file imported again without ids matches its rows.

    >>> slugify("بيت المهاجرين"), slugify("東京移民")
    ('byt_lmhjryn', 'dong_jing_yi_min')
    """
    slug = _ascii_slug(unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode())
    if slug:
        return slug
    return _ascii_slug(SYLLABLE_START.sub("_", anyascii(text)))


def _ascii_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:80]


def _clean_text(value: Any) -> Any:
    """Strip control characters (keeping newlines and tabs) and surrounding spaces."""
    if isinstance(value, str):
        return CONTROL.sub("", value).strip()
    return "" if value is None else value


def _check_slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(
            # TRANSLATORS: {value} is the text given, in quotes
            _("{value} is not an id: use lowercase letters, digits, _ or - (at most 80)").format(value=repr(value))
        )
    return value


def _as_list(value: Any) -> Any:
    """Lists come as lists, or as ``;``-separated text from spreadsheets."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _slug_list(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen[_check_slug(slugify(value) if not SLUG.match(value) else value)] = None
    return list(seen)


def _name_list(values: list[str]) -> list[str]:
    return list(dict.fromkeys(_clean_text(v) for v in values if _clean_text(v)))


Slug = Annotated[str, BeforeValidator(_clean_text), AfterValidator(_check_slug)]
Name = Annotated[str, BeforeValidator(_clean_text), Field(min_length=1, max_length=MAX_NAME)]
Text = Annotated[str, BeforeValidator(_clean_text), Field(max_length=MAX_TEXT)]
SlugList = Annotated[list[str], BeforeValidator(_as_list), AfterValidator(_slug_list)]
NameList = Annotated[
    list[Annotated[str, Field(max_length=MAX_NAME)]], BeforeValidator(_as_list), AfterValidator(_name_list)
]
Visibility = Literal["public", "coalition", "private"]


def _optional_date(value: Any) -> Any:
    if value in (None, ""):
        return None
    return value


IsoDate = Annotated[date | None, BeforeValidator(_optional_date)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, validate_assignment=False)

    def to_record(self) -> dict[str, Any]:
        """A plain dict for a store or a JSON file: dates as ISO text."""
        return self.model_dump(mode="json")


class Movement(_Model):
    """A movement the coalition spans, such as housing justice."""

    id: Slug
    name: Name
    color: Annotated[str, BeforeValidator(_clean_text), Field(pattern=r"^#[0-9A-Fa-f]{6}$")] = "#777777"

    @model_validator(mode="before")
    @classmethod
    def _id_from_name(cls, data: Any) -> Any:
        return _fill_id(data)


class Organization(_Model):
    """A group in the map. ``contact`` is private unless ``contact_visibility`` says otherwise.

    Validate with ``context={"movements": known_ids}`` to refuse unknown movements (a typo
    must never create a movement).
    """

    id: Slug
    name: Name
    movements: SlugList = Field(min_length=1)
    kind: Literal[ORG_KINDS] = "collective"  # type: ignore[valid-type]
    community_led: bool = False
    region: Annotated[str, BeforeValidator(_clean_text), Field(max_length=MAX_NAME)] = ""
    languages: NameList = []
    issues: SlugList = []
    offers: SlugList = []
    needs: SlugList = []
    access: Text = ""
    contact: Text = ""
    contact_visibility: Visibility = "private"
    visibility: Visibility = "coalition"
    consent_to_introductions: bool = True
    intro_capacity_per_month: int = Field(default=3, ge=0, le=100)
    notes: Text = ""
    created_at: str | None = None
    updated_at: str | None = None
    version: int = Field(default=1, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _id_from_name(cls, data: Any) -> Any:
        return _fill_id(data)

    @field_validator("community_led", "consent_to_introductions", mode="before")
    @classmethod
    def _boolean(cls, value: Any, info: ValidationInfo) -> Any:
        parsed = parse_bool(value)
        return cls.model_fields[info.field_name].default if parsed is None else parsed

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        value = _clean_text(value)
        if value == "":
            return "collective"
        if isinstance(value, str) and value.lower() not in ORG_KINDS:
            raise ValueError(
                # TRANSLATORS: {value} is the text given, in quotes
                _("unknown kind {value}; known: {kinds}").format(value=repr(value), kinds=", ".join(ORG_KINDS))
            )
        return value.lower() if isinstance(value, str) else value

    @field_validator("intro_capacity_per_month", mode="before")
    @classmethod
    def _capacity(cls, value: Any) -> Any:
        return 3 if value in (None, "") else value

    @field_validator("visibility", "contact_visibility", mode="before")
    @classmethod
    def _visibility(cls, value: Any, info: ValidationInfo) -> Any:
        return _check_visibility(value, default="private" if info.field_name == "contact_visibility" else "coalition")

    @field_validator("movements")
    @classmethod
    def _known_movements(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = (info.context or {}).get("movements")
        if known is not None:
            unknown = [m for m in value if m not in known]
            if unknown:
                raise ValueError(
                    # TRANSLATORS: {movement} is the id given, in quotes
                    _("unknown movement {movement}; known: {movements}").format(
                        movement=repr(unknown[0]), movements=", ".join(sorted(known))
                    )
                )
        return value


class Tie(_Model):
    """A working relationship between two organizations. A conflict is a tie too: it is
    recorded so that no introduction is ever suggested across it."""

    source: Slug
    target: Slug
    kind: Literal[TIE_KINDS] = "coalition"  # type: ignore[valid-type]
    strength: int = Field(default=3, ge=1, le=5)
    since: IsoDate = None
    until: IsoDate = None
    visibility: Visibility = "coalition"
    notes: Text = ""
    #: Where the tie came from: form, cli, import:FILE, survey:ROUND or introduction.
    provenance: Annotated[str, BeforeValidator(_clean_text), Field(max_length=MAX_NAME)] = ""
    #: The day someone last confirmed it (see ``coalition.domain.freshness``).
    confirmed: IsoDate = None
    created_at: str | None = None
    updated_at: str | None = None
    version: int = Field(default=1, ge=1)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        value = _clean_text(value)
        if value == "":
            return "coalition"
        if isinstance(value, str) and value.lower() not in TIE_KINDS:
            raise ValueError(
                # TRANSLATORS: {value} is the text given, in quotes
                _("unknown tie kind {value}; known: {kinds}").format(value=repr(value), kinds=", ".join(TIE_KINDS))
            )
        return value.lower() if isinstance(value, str) else value

    @field_validator("strength", mode="before")
    @classmethod
    def _strength(cls, value: Any) -> Any:
        if value in (None, ""):
            return 3
        if isinstance(value, str) and not value.strip().isdigit():
            # TRANSLATORS: {value} is the text given, in quotes
            raise ValueGiven(_("strength must be a whole number from 1 to 5 (got {value})").format(value=repr(value)))
        return value

    @field_validator("visibility", mode="before")
    @classmethod
    def _visibility(cls, value: Any) -> Any:
        return _check_visibility(value, default="coalition")

    @model_validator(mode="after")
    def _check(self) -> Tie:
        if self.source == self.target:
            raise ValueError(_("a tie needs two different organizations"))
        if self.since and self.until and self.until < self.since:
            # TRANSLATORS: "until" and "since" are the names of the tie's two dates (fields, options)
            raise ValueError(_("until ({until}) is before since ({since})").format(until=self.until, since=self.since))
        return self


class Introduction(_Model):
    """A suggested or tracked pairing, the unit of the planning pipeline. ``a < b``."""

    a: Slug
    b: Slug
    broker: Slug | None = None
    score: float | None = None
    reasons: list[Annotated[str, Field(max_length=MAX_TEXT)]] = []
    status: Literal[INTRODUCTION_STATUSES] = "suggested"  # type: ignore[valid-type]
    status_date: IsoDate = None
    note: Text = ""
    created_at: str | None = None
    updated_at: str | None = None

    @field_validator("broker", mode="before")
    @classmethod
    def _broker(cls, value: Any) -> Any:
        return None if value in (None, "") else value

    @model_validator(mode="after")
    def _ordered(self) -> Introduction:
        if self.a == self.b:
            raise ValueError(_("an introduction needs two different organizations"))
        if self.b < self.a:
            self.a, self.b = self.b, self.a
        return self


def parse_bool(value: Any) -> Any:
    """true/false, yes/no, 1/0 (any case) as spreadsheets write them."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "y", "1"):
            return True
        if text in ("false", "no", "n", "0"):
            return False
        if text == "":
            return None
        # TRANSLATORS: true/false, yes/no and 1/0 are the words a file may hold; {value} is the text given, in quotes
        raise ValueGiven(_("expected true/false, yes/no or 1/0 (got {value})").format(value=repr(value)))
    return value


def _check_visibility(value: Any, default: str) -> Any:
    value = _clean_text(value)
    if value == "":
        return default
    if isinstance(value, str) and value.lower() not in VISIBILITIES:
        raise ValueGiven(
            # TRANSLATORS: "visibility" is the name of a field; {value} is the text given, in quotes
            _("visibility must be one of {visibilities} (got {value})").format(
                visibilities=", ".join(VISIBILITIES), value=repr(value)
            )
        )
    return value.lower() if isinstance(value, str) else value


def _fill_id(data: Any) -> Any:
    """Make the id from the name when it is absent."""
    if isinstance(data, dict) and not _clean_text(data.get("id")) and isinstance(data.get("name"), str):
        data = {**data, "id": slugify(data["name"])}
    return data
