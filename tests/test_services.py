"""Use cases shared by the CLI and the dashboard."""

from __future__ import annotations

import pytest

from coalition.domain.errors import CoalitionError, InvalidInput, NotFound
from coalition.maps import services
from graph.store import Store


def test_add_edit_remove_an_organization(sqlite_store: Store) -> None:
    services.add_organization(sqlite_store, {"name": "Casa Y", "movements": ["migrant"]})
    edited = services.edit_organization(sqlite_store, "casa_y", {"region": "eastport"})
    assert edited.region == "eastport" and edited.version == 2
    assert services.remove_organization(sqlite_store, "casa_y") == 0
    with pytest.raises(NotFound):
        services.get_organization(sqlite_store, "casa_y")


def test_adding_a_taken_id_is_refused(sqlite_store: Store) -> None:
    services.add_organization(sqlite_store, {"name": "Casa Y", "movements": ["migrant"]})
    with pytest.raises(CoalitionError, match="already exists"):
        services.add_organization(sqlite_store, {"name": "Casa Y", "movements": ["housing"]})


def test_editing_with_a_bad_value_changes_nothing(sqlite_store: Store) -> None:
    services.add_organization(sqlite_store, {"name": "Casa Y", "movements": ["migrant"]})
    with pytest.raises(InvalidInput, match="unknown movement"):
        services.edit_organization(sqlite_store, "casa_y", {"movements": ["nope"]})
    assert services.get_organization(sqlite_store, "casa_y")["movements"] == ["migrant"]


def test_a_tie_needs_existing_organizations(sqlite_store: Store) -> None:
    services.add_organization(sqlite_store, {"name": "A", "movements": ["migrant"]})
    with pytest.raises(NotFound, match="'b'"):
        services.add_tie(sqlite_store, {"source": "a", "target": "b"})


def test_a_new_movement_can_be_used_at_once(sqlite_store: Store) -> None:
    services.add_movement(sqlite_store, {"name": "Racial justice", "color": "#123456"})
    services.add_organization(sqlite_store, {"name": "A", "movements": ["racial_justice"]})
    assert services.map_stats(sqlite_store)["movements"]["racial_justice"] == 1


def test_stats_count_cross_movement_ties_but_not_conflicts(sqlite_store: Store) -> None:
    for name, movement in [("A", "housing"), ("B", "migrant"), ("C", "housing")]:
        services.add_organization(sqlite_store, {"name": name, "movements": [movement]})
    services.add_tie(sqlite_store, {"source": "a", "target": "b"})
    services.add_tie(sqlite_store, {"source": "a", "target": "c"})
    services.add_tie(sqlite_store, {"source": "b", "target": "c", "kind": "conflict"})
    figures = services.map_stats(sqlite_store)
    assert figures["ties"] == 3 and figures["cross_movement_ties"] == 1


def test_stats_for_an_audience_leave_hidden_organizations_out(sqlite_store: Store) -> None:
    services.add_organization(sqlite_store, {"name": "A", "movements": ["sex_work"], "visibility": "private"})
    services.add_organization(sqlite_store, {"name": "B", "movements": ["housing"], "visibility": "public"})
    assert services.map_stats(sqlite_store, "public")["movements"]["sex_work"] == 0
    assert services.map_stats(sqlite_store, "private")["movements"]["sex_work"] == 1
