"""Validation at the edge: what the models accept, normalize and refuse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from coalition.domain.models import Introduction, Movement, Organization, Tie, slugify

KNOWN = {"housing", "migrant"}


def test_id_is_made_from_the_name_when_absent() -> None:
    org = Organization.model_validate({"name": "Casa Migrante SF", "movements": ["migrant"]})
    assert org.id == "casa_migrante_sf"
    assert slugify("Ação Trans — Éire!") == "acao_trans_eire"


def test_defaults_follow_the_design() -> None:
    org = Organization.model_validate({"id": "a", "name": "A", "movements": "housing"})
    assert (org.visibility, org.consent_to_introductions, org.intro_capacity_per_month) == ("coalition", True, 3)
    assert org.contact_visibility == "private"
    assert org.movements == ["housing"]


@pytest.mark.parametrize("text,expected", [("yes", True), ("No", False), ("1", True), ("0", False), ("TRUE", True)])
def test_booleans_accept_spreadsheet_words(text: str, expected: bool) -> None:
    org = Organization.model_validate({"id": "a", "name": "A", "movements": ["housing"], "community_led": text})
    assert org.community_led is expected


def test_list_fields_split_on_semicolons_and_drop_duplicates() -> None:
    org = Organization.model_validate(
        {
            "id": "a",
            "name": "A",
            "movements": "housing; migrant",
            "languages": "Spanish;English;Spanish",
            "offers": "Legal Advice",
        }
    )
    assert org.movements == ["housing", "migrant"]
    assert org.languages == ["Spanish", "English"]
    assert org.offers == ["legal_advice"]


def test_unknown_movement_lists_the_known_ones() -> None:
    with pytest.raises(ValidationError) as error:
        Organization.model_validate({"id": "a", "name": "A", "movements": ["housng"]}, context={"movements": KNOWN})
    assert "unknown movement 'housng'; known: housing, migrant" in str(error.value)


@pytest.mark.parametrize(
    "data,needle",
    [
        ({"strength": 6}, "less than or equal to 5"),
        ({"strength": 0}, "greater than or equal to 1"),
        ({"strength": "strong"}, "whole number"),
        ({"since": "31/01/2020"}, "date"),
        ({"visibility": "secret"}, "visibility must be one of"),
        ({"kind": "friendship"}, "unknown tie kind"),
        ({"target": "a"}, "two different organizations"),
        ({"since": "2021-01-01", "until": "2020-01-01"}, "before since"),
    ],
)
def test_bad_tie_values_are_refused_with_a_reason(data: dict, needle: str) -> None:
    with pytest.raises(ValidationError) as error:
        Tie.model_validate({"source": "a", "target": "b", **data})
    assert needle in str(error.value)


def test_bad_ids_and_colors_are_refused() -> None:
    with pytest.raises(ValidationError):
        Organization.model_validate({"id": "Bad Id!", "name": "A", "movements": ["housing"]})
    with pytest.raises(ValidationError):
        Movement.model_validate({"id": "labor", "name": "Labor", "color": "red"})


def test_control_characters_are_stripped_and_length_is_capped() -> None:
    org = Organization.model_validate(
        {"id": "a", "name": "A\x00B\x1b", "movements": ["housing"], "notes": "line\nnext"}
    )
    assert org.name == "AB" and org.notes == "line\nnext"
    with pytest.raises(ValidationError):
        Organization.model_validate({"id": "a", "name": "x" * 201, "movements": ["housing"]})


def test_introduction_orders_its_pair() -> None:
    intro = Introduction.model_validate({"a": "zeta", "b": "alpha", "status": "planned"})
    assert (intro.a, intro.b) == ("alpha", "zeta")


@given(st.text(min_size=1, max_size=60))
def test_slugify_always_gives_a_valid_id_or_nothing(name: str) -> None:
    slug = slugify(name)
    if slug:
        Organization.model_validate({"id": slug, "name": "x", "movements": ["housing"]})


def test_a_name_in_another_script_gets_an_id_people_can_type() -> None:
    assert slugify("بيت المهاجرين") == "byt_lmhjryn"
    assert slugify("서울 이주민 센터") == "seo_ul_iju_min_sen_teo"
    assert slugify("Союз арендаторов") == "soyuz_arendatorov"
    # a name with any Latin letter keeps the id it always had (a re-import matches its rows)
    assert slugify("Centro 東京") == "centro" and slugify("Ação Trans — Éire!") == "acao_trans_eire"
