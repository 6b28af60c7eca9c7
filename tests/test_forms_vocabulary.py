"""One spelling per region and plain words for typing mistakes, in the use cases that the
organization and tie forms (and the CLI) call, on every store backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from coalition.domain.errors import InvalidInput
from coalition.maps import services
from coalition.maps.transfer import import_map
from graph.store import Store

VALIDATOR_WORDS = ("field id", "validation", "is not an id", "input should", "item")


def add(store: Store, name: str, region: str) -> None:
    services.add_organization(store, {"name": name, "movements": ["housing"], "region": region})


def regions(store: Store) -> set[str]:
    return {o["region"] for o in store.snapshot()["organizations"] if o["region"]}


def test_a_region_typed_with_other_capitals_joins_the_one_the_map_uses(store: Store) -> None:
    add(store, "Eastport Tenants", "eastport")
    add(store, "Harbour Union", "Eastport")
    add(store, "Hill Collective", " EASTPORT ")
    assert regions(store) == {"eastport"}


def test_an_edit_joins_the_map_spelling_but_may_respell_a_region_only_it_uses(store: Store) -> None:
    add(store, "Eastport Tenants", "eastport")
    add(store, "Harbour Union", "old town")
    services.edit_organization(store, "harbour_union", {"region": "Eastport"})
    assert store.get_organization("harbour_union")["region"] == "eastport"
    services.edit_organization(store, "eastport_tenants", {"region": "Eastport Harbour"})
    services.edit_organization(store, "harbour_union", {"region": "eastport harbour"})
    assert regions(store) == {"Eastport Harbour"}


def test_an_import_spells_each_region_as_the_map_or_its_earlier_rows_do(store: Store, tmp_path: Path) -> None:
    add(store, "Eastport Tenants", "eastport")
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "organizations.csv").write_text(
        "id,name,movements,region\n"
        "a,A,housing,Eastport\n"
        "b,B,housing,Hill District\n"
        "c,C,housing,hill district\n"
        "eastport_tenants,Eastport Tenants,housing,EASTPORT\n",
        encoding="utf-8",
    )
    import_map(store, folder)
    assert {o["id"]: o["region"] for o in store.snapshot()["organizations"]} == {
        "a": "Eastport",  # the only other row spelling it is replaced by this import
        "b": "Hill District",
        "c": "Hill District",
        "eastport_tenants": "Eastport",
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "", "movements": []}, ["name: give the organization a name", "movements: pick one or more"]),
        ({"name": "!!!", "movements": ["housing"]}, ["name: use at least one letter or digit"]),
        ({"name": "A", "movements": ["housing"], "region": "r" * 240}, ["region: at most 200 characters"]),
        ({"name": "A", "movements": ["housing"], "intro_capacity_per_month": 500}, ["month: at most 100"]),
    ],
)
def test_typing_mistakes_in_an_organization_are_told_in_plain_words(
    sqlite_store: Store, data: dict, expected: list[str]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.add_organization(sqlite_store, data)
    said = [str(p) for p in refused.value.problems]
    assert len(said) == len(expected) and all(e in s for e, s in zip(expected, said, strict=True)), said
    assert not any(word in s for word in VALIDATOR_WORDS for s in said), said


def test_a_tie_with_no_ends_says_which_organizations_to_pick(sqlite_store: Store) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.add_tie(sqlite_store, {"source": "", "target": None})
    assert [str(p) for p in refused.value.problems] == [
        "field source: pick the organization the tie starts from",
        "field target: pick the organization the tie goes to",
    ]
