"""Tracking introductions: statuses persist on every backend and change later suggestions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.privacy import read_view
from coalition.introductions.recommend import introductions_for_store
from coalition.maps import services
from coalition.maps.tracking import answer_introduction, ask_introduction, consent_answers, set_introduction_status
from graph.store import Store

TODAY = date.today()


def org(store: Store, name: str, movement: str, **extra: object) -> None:
    data = {"name": name, "movements": [movement], "community_led": True, "region": "riverside",
            "languages": ["English", "Spanish"], "issues": ["police_violence"], **extra}  # fmt: skip
    services.add_organization(store, data)


@pytest.fixture
def bridge(store: Store) -> Store:
    """Casa (housing) and Lucha (migrant) share a funder; Rio (sex work) shares an issue."""
    org(store, "Casa", "housing", needs=["legal_advice"], intro_capacity_per_month=2)
    org(store, "Lucha", "migrant", offers=["legal_advice"])
    org(store, "Rio", "sex_work")
    org(store, "Fund", "housing", kind="funder", community_led=False)
    services.edit_organization(store, "fund", {"movements": ["housing", "migrant"]})
    services.add_tie(store, {"source": "casa", "target": "fund", "strength": 4})
    services.add_tie(store, {"source": "lucha", "target": "fund", "strength": 5})
    return store


def suggested(store: Store, audience: str = "private", today: date | None = None) -> list[tuple[str, str]]:
    return [(r["a"], r["b"]) for r in introductions_for_store(store, audience, top=20, today=today)]


def stored(store: Store) -> dict[tuple[str, str], dict]:
    return {(i["a"], i["b"]): i for i in store.snapshot()["introductions"]}


def test_a_status_persists_with_its_date_note_broker_and_reasons(bridge: Store) -> None:
    assert ("casa", "lucha") in suggested(bridge)
    result = set_introduction_status(bridge, "lucha", "casa", "planned", note="call on Tuesday")
    assert (result["a"], result["b"], result["status"]) == ("casa", "lucha", "planned")
    record = stored(bridge)[("casa", "lucha")]
    assert record["status"] == "planned" and str(record["status_date"])[:10] == TODAY.isoformat()
    assert record["note"] == "call on Tuesday" and record["broker"] == "fund"
    assert "Fund knows both" in record["reasons"]


def test_a_later_status_keeps_the_note_unless_given_and_can_be_dated(bridge: Store) -> None:
    set_introduction_status(bridge, "casa", "lucha", "planned", note="call on Tuesday")
    set_introduction_status(bridge, "casa", "lucha", "on_hold", on=date(2025, 3, 2))
    record = stored(bridge)[("casa", "lucha")]
    assert (record["status"], str(record["status_date"])[:10], record["note"]) == (
        "on_hold",
        "2025-03-02",
        "call on Tuesday",
    )
    assert record["broker"] == "fund"


def test_a_planned_pair_is_not_suggested_again(bridge: Store) -> None:
    set_introduction_status(bridge, "casa", "lucha", "planned")
    assert ("casa", "lucha") not in suggested(bridge)
    listed = introductions_for_store(bridge, "private", top=20, status="planned")
    assert [(r["a"], r["b"], r["status"]) for r in listed] == [("casa", "lucha", "planned")]


def test_a_declined_pair_is_never_suggested_again(bridge: Store) -> None:
    set_introduction_status(bridge, "casa", "lucha", "declined", note="not now")
    for when in (TODAY, TODAY + timedelta(days=400)):
        assert ("casa", "lucha") not in suggested(bridge, today=when)


def test_a_plan_this_month_uses_capacity_until_the_month_ends(bridge: Store) -> None:
    services.edit_organization(bridge, "casa", {"intro_capacity_per_month": 1})
    assert any("casa" in pair for pair in suggested(bridge))
    set_introduction_status(bridge, "casa", "rio", "planned")
    assert not any("casa" in pair for pair in suggested(bridge))
    next_month = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert ("casa", "lucha") in suggested(bridge, today=next_month)


def test_planning_over_capacity_is_refused(bridge: Store) -> None:
    services.edit_organization(bridge, "casa", {"intro_capacity_per_month": 1})
    set_introduction_status(bridge, "casa", "rio", "planned")
    with pytest.raises(CoalitionError, match="Casa takes 1 introduction a month and 1 is already planned"):
        set_introduction_status(bridge, "casa", "lucha", "planned")
    agree(bridge, "casa", "rio")  # the same pair moves on: no second slot
    set_introduction_status(bridge, "casa", "rio", "made")


def test_planning_across_a_conflict_is_refused(bridge: Store) -> None:
    services.add_tie(bridge, {"source": "lucha", "target": "rio", "kind": "conflict", "strength": 1})
    with pytest.raises(CoalitionError, match="conflict tie"):
        set_introduction_status(bridge, "rio", "lucha", "planned")
    set_introduction_status(bridge, "rio", "lucha", "declined")


def test_a_hidden_conflict_refuses_without_saying_why(bridge: Store) -> None:
    services.add_tie(bridge, {"source": "lucha", "target": "rio", "kind": "conflict", "visibility": "private"})
    with pytest.raises(CoalitionError, match="cannot be planned") as refused:
        set_introduction_status(bridge, "rio", "lucha", "planned", audience="coalition")
    assert "conflict" not in str(refused.value)


def test_planning_with_an_organization_that_opted_out_is_refused(bridge: Store) -> None:
    services.edit_organization(bridge, "rio", {"consent_to_introductions": False})
    with pytest.raises(CoalitionError, match="Rio does not take introductions"):
        set_introduction_status(bridge, "casa", "rio", "planned")


def test_made_can_create_the_tie(bridge: Store) -> None:
    agree(bridge, "casa", "lucha")
    result = set_introduction_status(bridge, "casa", "lucha", "made", on=date(2025, 5, 4), create_tie=True)
    assert result["tie_created"] is True
    [new] = [t for t in bridge.snapshot()["ties"] if {t["source"], t["target"]} == {"casa", "lucha"}]
    assert (new["kind"], new["strength"], new["visibility"]) == ("personal_contact", 2, "coalition")
    assert str(new["since"])[:10] == "2025-05-04" and new["notes"] == "Introduced through Fund."
    again = set_introduction_status(bridge, "casa", "lucha", "made", create_tie=True)
    assert again["tie_created"] is False
    assert ("casa", "lucha") not in suggested(bridge)


def test_a_new_tie_is_as_restricted_as_its_most_restricted_end(bridge: Store) -> None:
    services.edit_organization(bridge, "lucha", {"visibility": "private"})
    agree(bridge, "casa", "lucha")
    set_introduction_status(bridge, "casa", "lucha", "made", create_tie=True)
    [new] = [t for t in bridge.snapshot()["ties"] if t["kind"] == "personal_contact"]
    assert new["visibility"] == "private"


def agree(store: Store, a: str, b: str) -> None:
    """Both groups asked, both said yes (double opt-in)."""
    ask_introduction(store, a, b)
    for side in (a, b):
        answer_introduction(store, a, b, side, True)


def test_double_opt_in_every_transition(bridge: Store) -> None:
    with pytest.raises(CoalitionError, match="have not both agreed to meet"):
        set_introduction_status(bridge, "casa", "lucha", "made")
    with pytest.raises(CoalitionError, match="is not being asked"):
        answer_introduction(bridge, "casa", "lucha", "casa", True)
    assert ask_introduction(bridge, "lucha", "casa")["status"] == "asking"
    with pytest.raises(CoalitionError, match="--side must be one of the two groups"):
        answer_introduction(bridge, "casa", "lucha", "rio", True)
    assert answer_introduction(bridge, "casa", "lucha", "casa", True)["status"] == "asking"
    with pytest.raises(CoalitionError, match="agreed only when both groups say yes"):
        set_introduction_status(bridge, "casa", "lucha", "agreed")
    assert answer_introduction(bridge, "casa", "lucha", "lucha", True)["status"] == "agreed"
    assert set_introduction_status(bridge, "casa", "lucha", "made")["status"] == "made"

    ask_introduction(bridge, "casa", "rio")
    declined = answer_introduction(bridge, "casa", "rio", "rio", False, note="not this year")
    assert declined["status"] == "declined" and "not this year" not in str(declined)
    assert consent_answers(bridge, "casa", "rio") == {"casa": None, "rio": "no", "override": None}
    view = read_view(bridge, "coalition")
    assert "not this year" not in str(view) and "rio" in {i["b"] for i in view["introductions"]}


def test_an_admin_override_is_kept_in_the_audit_trail(bridge: Store) -> None:
    with pytest.raises(CoalitionError, match="have not both agreed"):
        set_introduction_status(bridge, "casa", "lucha", "made", override="  ")
    made = set_introduction_status(bridge, "casa", "lucha", "made", override="they met at the rally already")
    assert made["status"] == "made"
    entry = bridge.audit(kind="introduction", key="consent|casa|lucha|(override)")[0]
    assert entry["after"]["reason"] == "they met at the rally already"


def test_only_a_made_introduction_creates_a_tie(bridge: Store) -> None:
    with pytest.raises(CoalitionError, match="only a made introduction"):
        set_introduction_status(bridge, "casa", "lucha", "planned", create_tie=True)


def test_bad_input_is_refused_and_changes_nothing(bridge: Store) -> None:
    with pytest.raises(CoalitionError, match="unknown status"):
        set_introduction_status(bridge, "casa", "lucha", "maybe")
    with pytest.raises(NotFound):
        set_introduction_status(bridge, "casa", "nobody", "planned")
    with pytest.raises(CoalitionError, match="two different"):
        set_introduction_status(bridge, "casa", "casa", "planned")
    assert stored(bridge) == {}


def test_an_audience_cannot_track_what_it_may_not_see(bridge: Store) -> None:
    services.edit_organization(bridge, "lucha", {"visibility": "private"})
    with pytest.raises(NotFound):
        set_introduction_status(bridge, "casa", "lucha", "planned", audience="coalition")


def test_stored_reasons_hold_only_what_the_acting_audience_sees(bridge: Store) -> None:
    org(bridge, "Hidden Ally", "sex_work", visibility="private", community_led=False)
    services.add_tie(bridge, {"source": "hidden_ally", "target": "casa", "strength": 5, "visibility": "private"})
    services.add_tie(bridge, {"source": "hidden_ally", "target": "rio", "strength": 5, "visibility": "private"})
    record = set_introduction_status(bridge, "casa", "rio", "planned", audience="coalition")
    assert record["broker"] is None
    assert not any("hidden" in reason.lower() for reason in record["reasons"])
