"""The organization profile (``coalition.maps.profile``): what the dashboard's profile and
``coalition org show`` give, with nothing the audience may not see."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from coalition.analysis.gaps import gaps_for_store
from coalition.cli import main
from coalition.domain.errors import NotFound
from coalition.domain.privacy import read_view
from coalition.introductions.recommend import introductions_for_store
from coalition.maps.profile import SUGGESTIONS, organization_profile, profile_from_view
from coalition.maps.tracking import set_introduction_status
from graph.store import Store

PRIVATE_ID = "kitchen_table_mutual_aid"  # visibility private in the demo
PRIVATE_NAME = "Kitchen Table Mutual Aid"
TIED_TO_PRIVATE = "eastport_migrant_workers_center"  # tied to it by a private tie
ALSO_TIED = "riverside_day_laborers_assembly"


def _org(org_id: str, name: str) -> dict:
    return {"id": org_id, "name": name}


def _tie(source: str, target: str, kind: str = "coalition", strength: int = 3) -> dict:
    return {"source": source, "target": target, "kind": kind, "strength": strength, "visibility": "coalition"}


SMALL_VIEW = {
    "audience": "coalition",
    "organizations": [_org("a", "Alpha"), _org("b", "Beta"), _org("c", "Gamma")],
    "ties": [_tie("a", "b", strength=4), _tie("c", "a", kind="conflict", strength=2), _tie("b", "c")],
    "introductions": [{"a": "a", "b": "c", "status": "declined", "reasons": []}],
}


@pytest.fixture
def with_private_broker(demo_store: Store) -> Store:
    """The demo with an introduction between two partners of the private organization,
    explained through it and noted by its name."""
    set_introduction_status(demo_store, TIED_TO_PRIVATE, ALSO_TIED, "suggested", note=f"ask {PRIVATE_NAME} first")
    return demo_store


def test_ties_name_the_partner_and_a_conflict_is_not_counted() -> None:
    profile = profile_from_view(SMALL_VIEW, "a")
    assert [(t["partner"], t["partner_name"], t["kind"]) for t in profile["ties"]] == [
        ("b", "Beta", "coalition"),
        ("c", "Gamma", "conflict"),
    ]
    assert profile["measures"] == {"ties": 1, "summed_strength": 4}
    assert profile["organization"] == {"id": "a", "name": "Alpha"} and profile["audience"] == "coalition"


def test_without_analyses_the_profile_holds_only_what_the_map_says() -> None:
    profile = profile_from_view(SMALL_VIEW, "a")
    assert profile["analysed"] is False and profile["brokerage"] is None and profile["findings"] == []
    assert [(i["a"], i["b"], i["partner_name"]) for i in profile["introductions"]] == [("a", "c", "Gamma")]


def test_tracked_introductions_come_first_and_suggestions_never_repeat_them() -> None:
    suggested = [
        {"a": "a", "b": "c", "status": "suggested"},
        {"a": "a", "b": "b", "status": "suggested"},
        {"a": "b", "b": "c", "status": "suggested"},
    ]
    rows = profile_from_view(SMALL_VIEW, "a", suggested=suggested)["introductions"]
    assert [(r["a"], r["b"], r["status"]) for r in rows] == [("a", "c", "declined"), ("a", "b", "suggested")]


def test_the_gap_report_gives_brokerage_and_findings() -> None:
    gaps = {
        "brokers": [{"org": "a", "betweenness": 0.5, "constraint": 0.2, "roles": {"liaison": 3}}],
        "single_points_of_failure": [{"org": "a", "explanation": "If Alpha steps back, Gamma is alone."}],
        "isolated_community_led": [{"org": "b", "why": "no current tie"}],
        "needs_offers": [
            {"needs": "a", "offers": "b", "resource": "translation", "nearness": "same region"},
            {"needs": "c", "offers": "a", "resource": "meeting_space"},
        ],
    }
    profile = profile_from_view(SMALL_VIEW, "a", gaps=gaps)
    assert profile["analysed"] is True
    assert profile["brokerage"] == {"betweenness": 0.5, "constraint": 0.2, "roles": {"liaison": 3}}
    assert profile["findings"] == [
        "If Alpha steps back, Gamma is alone.",
        "Needs translation: Beta offers it (same region)",
        "Offers meeting space to Gamma, who needs it",
    ]


def test_a_hidden_organization_is_not_found_like_a_missing_one(demo_store: Store) -> None:
    with pytest.raises(NotFound) as hidden:
        organization_profile(demo_store, PRIVATE_ID, "coalition")
    with pytest.raises(NotFound) as missing:
        organization_profile(demo_store, "nobody", "coalition")
    assert str(hidden.value) == f"no organization with id {PRIVATE_ID!r}"
    assert str(missing.value) == "no organization with id 'nobody'"


def test_the_private_profile_shows_the_private_partner(with_private_broker: Store) -> None:
    """The readers below can find what is really there: without redaction it would show."""
    text = json.dumps(organization_profile(with_private_broker, TIED_TO_PRIVATE, "private"))
    assert PRIVATE_ID in text and PRIVATE_NAME in text


def test_a_coalition_profile_never_names_a_private_partner(with_private_broker: Store) -> None:
    profile = organization_profile(with_private_broker, TIED_TO_PRIVATE, "coalition")
    text = json.dumps(profile).lower()
    assert PRIVATE_ID not in text and PRIVATE_NAME.lower() not in text
    assert ALSO_TIED in {i["partner"] for i in profile["introductions"]}  # the introduction itself is shown
    assert profile["organization"]["contact"] == ""  # a private contact


@pytest.mark.parametrize("audience", ["public", "coalition"])
def test_no_profile_names_anything_above_its_audience(with_private_broker: Store, audience: str) -> None:
    store = with_private_broker
    private = read_view(store, "private")
    view = read_view(store, audience)
    visible = {o["id"] for o in view["organizations"]}
    hidden = [text.lower() for o in private["organizations"] if o["id"] not in visible for text in (o["id"], o["name"])]
    secrets = [o["contact"] for o in private["organizations"] if o["contact"]]
    secrets = [c for c in secrets if c not in {o["contact"] for o in view["organizations"]}]
    assert hidden and secrets
    allowed = {"public"} if audience == "public" else {"public", "coalition"}
    gaps = gaps_for_store(store, audience)
    suggested = introductions_for_store(store, audience, top=SUGGESTIONS)
    for org_id in sorted(visible):
        profile = profile_from_view(view, org_id, gaps=gaps, suggested=suggested)
        text = json.dumps(profile, default=str)
        assert not [h for h in hidden if h in text.lower()], org_id
        assert not [s for s in secrets if s in text], org_id
        assert {t["visibility"] for t in profile["ties"]} <= allowed, org_id


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["coalition", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    return exited.value.code, capsys.readouterr().out


def test_org_show_json_keeps_its_keys_and_adds_the_profile(
    with_private_broker: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = with_private_broker.url
    code, out = run_main(monkeypatch, capsys, "--db", url, "org", "show", TIED_TO_PRIVATE, "--json")
    assert code == 0
    shown = json.loads(out)
    stored = with_private_broker.get_organization(TIED_TO_PRIVATE)
    assert {k: shown[k] for k in stored} == stored  # every field, as before
    assert {"ties", "measures", "brokerage", "findings", "introductions", "audience", "analysed"} <= set(shown)
    assert PRIVATE_ID in {t["partner"] for t in shown["ties"]}  # private is the default audience

    code, out = run_main(monkeypatch, capsys, "--db", url, "org", "show", TIED_TO_PRIVATE, "--json", "-a", "coalition")
    assert code == 0
    assert PRIVATE_ID not in out and PRIVATE_NAME not in out


def test_org_show_text_lists_the_ties_with_partner_names(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    code, out = run_main(monkeypatch, capsys, "--db", demo_store.url, "org", "show", TIED_TO_PRIVATE, "-a", "coalition")
    assert code == 0
    assert f"id: {TIED_TO_PRIVATE}" in out and "Ties" in out and "partner_name" in out
    partners = organization_profile(demo_store, TIED_TO_PRIVATE, "coalition")["ties"]
    assert partners and all(t["partner_name"] in out for t in partners)
    assert PRIVATE_NAME not in out
