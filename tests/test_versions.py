"""No lost edits: two people editing the same organization or tie from the same version
cannot both win; the second is refused with the newer values, on every backend."""

from __future__ import annotations

import threading

import pytest

from coalition.domain.errors import CoalitionError, NotFound, StaleEdit
from coalition.maps import services
from graph.store import Store

from .test_store_contract import org, tie


@pytest.fixture
def casa(store: Store) -> Store:
    services.add_organization(store, org("casa_y", name="Casa Y", notes="weekly meetings"))
    services.add_organization(store, org("lucha"))
    services.add_tie(store, tie("casa_y", "lucha"))
    return store


def test_the_second_of_two_sessions_editing_version_1_is_refused(casa: Store) -> None:
    first = services.get_organization(casa, "casa_y")  # two browser sessions open the form
    second = services.get_organization(casa, "casa_y")
    assert first["version"] == second["version"] == 1

    saved = services.edit_organization(
        casa, "casa_y", {"region": "eastport", "notes": "meets on Thursdays"}, expected_version=first["version"]
    )
    assert saved.version == 2
    with pytest.raises(StaleEdit) as refused:
        services.edit_organization(casa, "casa_y", {"access": "ramp at the back"}, expected_version=second["version"])

    message = str(refused.value)
    assert message == (
        "Casa Y was changed by someone else (version 2, you edited version 1): region is now 'eastport', "
        "notes is now 'meets on Thursdays'; reload and apply your change again"
    )
    assert refused.value.changed == {"region": "eastport", "notes": "meets on Thursdays"}
    assert isinstance(refused.value, CoalitionError)
    stored = casa.get_organization("casa_y")
    assert (stored["region"], stored["notes"], stored["version"]) == ("eastport", "meets on Thursdays", 2)
    assert stored["access"] == "step-free"  # as first added: the refused edit changed nothing


def test_reloading_and_applying_again_succeeds(casa: Store) -> None:
    services.edit_organization(casa, "casa_y", {"region": "eastport"}, expected_version=1)
    with pytest.raises(StaleEdit):
        services.edit_organization(casa, "casa_y", {"notes": "new"}, expected_version=1)
    fresh = services.get_organization(casa, "casa_y")
    edited = services.edit_organization(casa, "casa_y", {"notes": "new"}, expected_version=fresh["version"])
    assert (edited.region, edited.notes, edited.version) == ("eastport", "new", 3)


def test_an_edit_without_a_version_applies_to_the_newest(casa: Store) -> None:
    services.edit_organization(casa, "casa_y", {"region": "eastport"})
    edited = services.edit_organization(casa, "casa_y", {"notes": "from the command line"})
    assert (edited.region, edited.notes, edited.version) == ("eastport", "from the command line", 3)


def test_two_simultaneous_saves_of_one_version_let_exactly_one_win(casa: Store) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(region: str) -> None:
        barrier.wait()
        try:
            services.edit_organization(casa, "casa_y", {"region": region}, expected_version=1, actor=region)
            outcomes.append(region)
        except StaleEdit:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(region,)) for region in ("eastport", "northgate")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2 and outcomes.count("refused") == 1
    winner = next(o for o in outcomes if o != "refused")
    stored = casa.get_organization("casa_y")
    assert (stored["region"], stored["version"]) == (winner, 2)
    assert casa.audit(limit=1, key="casa_y")[0]["actor"] == winner


def test_a_stale_tie_edit_is_refused_with_the_newer_values(casa: Store) -> None:
    services.edit_tie(casa, "casa_y", "lucha", "coalition", {"strength": 5}, expected_version=1)
    with pytest.raises(StaleEdit) as refused:
        services.edit_tie(casa, "casa_y", "lucha", "coalition", {"notes": "joint rent campaign"}, expected_version=1)
    assert str(refused.value) == (
        "the coalition tie casa_y -> lucha was changed by someone else (version 2, you edited version 1): "
        "strength is now 5; reload and apply your change again"
    )
    assert casa.get_tie("casa_y", "lucha", "coalition")["notes"] == ""


def test_a_tie_edit_cannot_move_the_tie(casa: Store) -> None:
    with pytest.raises(CoalitionError, match="never changes"):
        services.edit_tie(casa, "casa_y", "lucha", "coalition", {"target": "casa_y"})
    with pytest.raises(NotFound):
        services.edit_tie(casa, "lucha", "casa_y", "coalition", {"strength": 1})


def test_editing_an_organization_someone_removed_says_so(casa: Store) -> None:
    services.remove_organization(casa, "casa_y")
    with pytest.raises(NotFound):
        services.edit_organization(casa, "casa_y", {"region": "eastport"}, expected_version=1)


def test_a_stale_edit_message_never_quotes_a_contact(sqlite_store) -> None:
    import pytest as _pytest

    from coalition.maps import services

    services.add_organization(sqlite_store, {"name": "Casa Y", "movements": ["migrant"]})
    services.edit_organization(sqlite_store, "casa_y", {"contact": "signal: +1-555-0199"}, expected_version=1)
    with _pytest.raises(services.StaleEdit) as error:
        services.edit_organization(sqlite_store, "casa_y", {"region": "eastport"}, expected_version=1)
    assert "555-0199" not in str(error.value) and "contact was changed" in str(error.value)
