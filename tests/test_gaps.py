"""The gaps analysis on the demo coalition, on generated maps with planted structures,
and on small views whose answers are known by hand."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

from coalition.analysis import gaps
from coalition.analysis.gaps import REPORT_KEYS, WEAK_RATIO, analyse_gaps, gaps_for_store, gaps_text
from coalition.cli import main
from coalition.domain.privacy import read_view
from coalition.maps import services
from coalition.ui import state
from graph.store import Store

from .planted import planted_map

PRIVATE_ORGS = ("kitchen_table_mutual_aid", "quiet_hours_support_line")
DISABILITY = {
    "disability_justice_collective", "eastport_deaf_action_network", "accessible_transit_riders_union",
    "riverside_peer_support_circle", "independent_living_advocates", "benefits_navigation_project", "tactile_collective",
}  # fmt: skip
QUEER_TRANS = {
    "riverside_trans_mutual_aid", "northgate_queer_youth_drop_in", "lavender_line_collective",
    "eastport_trans_care_network", "hill_district_queer_elders_circle", "prism_legal_observers",
    "old_town_drag_collective",
}  # fmt: skip


@pytest.fixture
def demo_report(demo_store: Store) -> dict:
    return gaps_for_store(demo_store, "coalition")


def _pairs(pairs: list) -> set[frozenset]:
    return {frozenset(pair) for pair in pairs}


# the demo coalition ----------------------------------------------------------------
def test_the_report_has_every_key_of_the_issue_and_is_strict_json(demo_report: dict) -> None:
    assert set(REPORT_KEYS) <= set(demo_report)
    assert json.loads(json.dumps(demo_report, allow_nan=False)) == demo_report


def test_demo_disability_and_sex_work_never_work_together(demo_report: dict) -> None:
    assert frozenset(("disability", "sex_work")) in _pairs(demo_report["missing_movement_pairs"])
    cell = demo_report["movement_matrix"]["disability"]["sex_work"]
    assert cell == demo_report["movement_matrix"]["sex_work"]["disability"]
    assert (cell["ties"], cell["strength"], cell["ratio"]) == (0, 0, 0.0)


def test_demo_movement_matrix_counts_ties_as_the_seeds_readme_lists(demo_store: Store) -> None:
    report = analyse_gaps(read_view(demo_store, "private"), include_ended=True)
    matrix = report["movement_matrix"]
    expected = {
        ("housing", "migrant"): 19, ("migrant", "sex_work"): 15, ("housing", "sex_work"): 12,
        ("housing", "disability"): 1, ("housing", "queer_trans"): 1, ("migrant", "queer_trans"): 1,
        ("migrant", "disability"): 0, ("disability", "queer_trans"): 0, ("disability", "sex_work"): 0,
        ("queer_trans", "sex_work"): 0,
    }  # fmt: skip
    assert {pair: matrix[pair[0]][pair[1]]["ties"] for pair in expected} == expected
    assert matrix["disability"]["disability"]["ties"] == 9 and matrix["queer_trans"]["queer_trans"]["ties"] == 9


def test_demo_queer_trans_is_weakly_tied_and_a_silo(demo_report: dict) -> None:
    weak = _pairs(demo_report["weak_movement_pairs"])
    assert {frozenset(("queer_trans", "housing")), frozenset(("queer_trans", "migrant"))} <= weak
    assert all(
        demo_report["movement_matrix"][a][b]["ratio"] < WEAK_RATIO for a, b in demo_report["weak_movement_pairs"]
    )
    silo = next(s for s in demo_report["silos"] if s["movement"] == "queer_trans")
    assert set(silo["organizations"]) == QUEER_TRANS and silo["ties_out"] == 2 and silo["share"] == 1.0


def test_demo_open_door_is_the_single_point_of_failure_for_disability(demo_report: dict) -> None:
    first = demo_report["single_points_of_failure"][0]
    assert (first["kind"], first["org"], first["tie"]) == ("organization", "open_door_housing_coop", None)
    assert set(first["separates"]["organizations"]) == DISABILITY and first["separates"]["movements"] == ["disability"]
    assert first["explanation"].startswith("If Open Door Housing Co-op steps back, the 7 organizations of Disability")
    assert "no path to the rest of the coalition" in first["explanation"]
    tie = next(item for item in demo_report["single_points_of_failure"] if item["kind"] == "tie")
    assert set(tie["tie"]) == {"open_door_housing_coop", "disability_justice_collective"} and tie["org"] is None
    assert set(tie["separates"]["organizations"]) == DISABILITY


def test_demo_conflict_tie_is_never_a_path_or_a_bridge(demo_report: dict) -> None:
    assert demo_report["summary"]["conflict_ties"] == 1
    conflict = {"commons_solidarity_fund", "lantern_sex_workers_alliance"}
    assert all(set(item["tie"] or ()) != conflict for item in demo_report["single_points_of_failure"])
    assert all(set(item["tie"]) != conflict for item in demo_report["local_bridges"])


def test_demo_community_led_groups_on_the_edge(demo_report: dict) -> None:
    isolated = {item["org"]: item for item in demo_report["isolated_community_led"]}
    assert demo_report["isolated_community_led"][0]["org"] == "night_shift_collective"
    assert isolated["night_shift_collective"]["reasons"] == ["no_tie"]
    only_allies = [org for org, item in isolated.items() if "only_allies" in item["reasons"]]
    assert only_allies == ["cielo_abierto_collective"]
    assert "Hillside Community Legal Clinic" in isolated["cielo_abierto_collective"]["why"]
    assert "only_own_movement" in isolated["tactile_collective"]["reasons"]


def test_demo_brokers_show_roles_and_whether_they_are_community_led(demo_report: dict) -> None:
    brokers = {b["org"]: b for b in demo_report["brokers"]}
    assert 0 < len(brokers) <= 15
    assert brokers["open_door_housing_coop"]["community_led"] is True
    assert brokers["commons_solidarity_fund"]["community_led"] is False
    assert set(brokers["open_door_housing_coop"]["roles"]) == {
        "coordinator", "consultant", "gatekeeper", "representative", "liaison", "total",
    }  # fmt: skip
    values = [b["betweenness"] for b in demo_report["brokers"]]
    assert values == sorted(values, reverse=True)


def test_demo_needs_and_offers_match_the_isolated_group_with_the_legal_clinic(demo_report: dict) -> None:
    wanted = {"needs": "night_shift_collective", "offers": "hillside_legal_clinic", "resource": "legal_advice"}
    assert any(wanted.items() <= match.items() for match in demo_report["needs_offers"])
    space = {m["offers"] for m in demo_report["needs_offers"] if m["needs"] == "night_shift_collective" and m["resource"] == "meeting_space"}  # fmt: skip
    assert space and space <= {
        "eastport_eviction_defense",
        "eastport_migrant_workers_center",
        "eastport_haitian_assembly",
    }
    assert all(gaps.NEAREST_TIERS[m["tier"]] == m["nearness"] for m in demo_report["needs_offers"])


def test_demo_needs_and_offers_list_what_to_act_on_first_first(demo_report: dict) -> None:
    # community-led groups in need, then groups on the edge, then matches across
    # movements, then the nearest
    edge = {**gaps.EDGE_ORDER, None: len(gaps.EDGE_ORDER)}
    ranks = [
        (not m["needer_community_led"], edge[m["needer_on_the_edge"]], not m["cross_movement"], m["tier"])
        for m in demo_report["needs_offers"]
    ]
    assert ranks == sorted(ranks)
    assert demo_report["needs_offers"][0]["needs"] == "night_shift_collective"  # community-led, no tie at all


def test_demo_needs_and_offers_skip_organizations_without_consent(demo_store: Store) -> None:
    report = gaps_for_store(demo_store, "private")
    assert all("hill_district_queer_elders_circle" not in (m["needs"], m["offers"]) for m in report["needs_offers"])


@pytest.mark.parametrize("audience", ["public", "coalition"])
def test_nothing_hidden_from_the_audience_appears_in_the_report(demo_store: Store, audience: str) -> None:
    report = gaps_for_store(demo_store, audience)
    hidden = [o for o in demo_store.snapshot()["organizations"] if o["visibility"] == "private"]
    assert {o["id"] for o in hidden} == set(PRIVATE_ORGS)
    document = json.dumps(report) + gaps_text(report)
    for org in hidden:
        assert org["id"] not in document and org["name"] not in document
    visible = {o["id"] for o in read_view(demo_store, audience)["organizations"]}
    assert set(report["names"]) <= visible


def test_the_readable_report_names_the_gaps(demo_report: dict) -> None:
    text = gaps_text(demo_report)
    assert "Disability rights and Sex worker rights: no tie at all" in text
    assert "If Open Door Housing Co-op steps back" in text
    assert "Night Shift Collective: no current tie" in text


# caching ---------------------------------------------------------------------------
def test_gaps_for_store_computes_afresh_on_every_call(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = gaps.analyse_gaps
    monkeypatch.setattr(gaps, "analyse_gaps", lambda view, **kw: calls.append(view["audience"]) or real(view, **kw))
    assert gaps_for_store(demo_store, "coalition") == gaps_for_store(demo_store, "coalition")
    assert calls == ["coalition", "coalition"]


def test_the_dashboard_caches_results_per_store_version_and_audience(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = gaps.analyse_gaps
    monkeypatch.setattr(gaps, "analyse_gaps", lambda view, **kw: calls.append(view["audience"]) or real(view, **kw))
    first = state.gaps(demo_store, "coalition")
    first["brokers"].clear()  # callers get a copy: changing it does not change the cache
    assert state.gaps(demo_store, "coalition")["brokers"]
    state.gaps(demo_store, "public")
    assert calls == ["coalition", "public"]
    services.add_organization(demo_store, {"name": "New Tenants Group", "movements": ["housing"]})
    report = state.gaps(demo_store, "coalition")
    assert calls == ["coalition", "public", "coalition"]
    assert report["summary"]["organizations"] == first["summary"]["organizations"] + 1


def test_analysis_is_deterministic(demo_store: Store) -> None:
    view = read_view(demo_store, "coalition")
    assert analyse_gaps(view, today=date(2026, 1, 1)) == analyse_gaps(view, today=date(2026, 1, 1))


# small views known by hand ---------------------------------------------------------
def _view(orgs: list[tuple[str, list[str], bool]], ties: list[tuple[str, str]]) -> dict:
    return {
        "movements": [{"id": m, "name": m.title()} for m in ("red", "blue", "green")],
        "organizations": [{"id": i, "name": i.title(), "movements": ms, "community_led": cl} for i, ms, cl in orgs],
        "ties": [{"source": a, "target": b, "kind": "coalition", "strength": 3} for a, b in ties],
        "audience": "coalition",
        "version": 1,
    }


def test_movement_matrix_ratio_is_observed_over_expected_density() -> None:
    # 4 red and 2 blue organizations, 4 ties among 15 possible pairs: density 4/15.
    # red-red: 3 ties of 6 pairs -> (3/6)/(4/15) = 1.875; red-blue: 1 of 8 -> 0.469;
    # blue-blue: 0 of 1 -> missing.
    orgs = [(f"r{i}", ["red"], True) for i in range(4)] + [(f"b{i}", ["blue"], True) for i in range(2)]
    report = analyse_gaps(_view(orgs, [("r0", "r1"), ("r1", "r2"), ("r2", "r3"), ("r3", "b0")]))
    matrix = report["movement_matrix"]
    assert (matrix["red"]["red"]["ratio"], matrix["red"]["blue"]["ratio"]) == (1.875, 0.469)
    assert matrix["red"]["blue"]["organizations"] == 2 and matrix["red"]["blue"]["strength"] == 3
    assert report["missing_movement_pairs"] == [["blue", "blue"]]  # green has no organization
    assert matrix["green"]["red"] == {
        "ties": 0, "strength": 0, "pairs": 0, "organizations": 0, "possible_pairs": 0, "expected": 0.0, "ratio": None,
    }  # fmt: skip


def test_an_organization_in_two_movements_counts_in_both() -> None:
    orgs = [("both", ["red", "blue"], True), ("r", ["red"], True), ("b", ["blue"], True)]
    matrix = analyse_gaps(_view(orgs, [("both", "r")]))["movement_matrix"]
    assert matrix["red"]["red"]["ties"] == 1 and matrix["red"]["blue"]["ties"] == 1
    assert matrix["blue"]["blue"]["ties"] == 0


def test_isolated_reasons_on_a_small_view() -> None:
    orgs = [("alone", ["red"], True), ("ally", ["blue"], False), ("helped", ["red"], True),
            ("inward", ["green"], True), ("peer", ["green"], True), ("bridge", ["red"], True)]  # fmt: skip
    ties = [("helped", "ally"), ("inward", "peer"), ("peer", "bridge")]
    isolated = {i["org"]: i["reasons"] for i in analyse_gaps(_view(orgs, ties))["isolated_community_led"]}
    assert isolated == {"alone": ["no_tie"], "helped": ["only_allies"], "inward": ["only_own_movement"]}


def test_an_empty_map_gives_an_empty_report() -> None:
    report = analyse_gaps({"movements": [], "organizations": [], "ties": [], "audience": "public"})
    assert all(report[key] in ({}, []) for key in REPORT_KEYS)
    assert "(none)" in gaps_text(report)


# generated maps with planted structures --------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_structures_are_found(seed: int) -> None:
    view, planted = planted_map(400, seed=seed)
    report = analyse_gaps(view)
    json.dumps(report, allow_nan=False)
    assert frozenset(planted["missing_pair"]) in _pairs(report["missing_movement_pairs"])
    weak_or_missing = _pairs(report["weak_movement_pairs"]) | _pairs(report["missing_movement_pairs"])
    for other in ("housing", "migrant", "sex_work", "disability"):
        assert frozenset((planted["weak_movement"], other)) in weak_or_missing
    spof = {item["org"] or frozenset(item["tie"]): item for item in report["single_points_of_failure"]}
    gateway = spof[planted["gateway"]]
    assert sorted(gateway["separates"]["organizations"]) == sorted(planted["cut_off"])
    assert gateway["separates"]["movements"] == [planted["cut_off_movement"]]
    assert frozenset(planted["bridge"]) in spof
    isolated = {item["org"]: item["reasons"] for item in report["isolated_community_led"]}
    assert isolated[planted["lonely"]] == ["no_tie"] and "only_allies" in isolated[planted["allies_only"]]
    lonely = [m for m in report["needs_offers"] if m["needs"] == planted["lonely"]]
    assert lonely[0]["offers"] == planted["clinic"] and lonely[0]["nearness"] == "same region and shared language"
    silo = next(s for s in report["silos"] if s["movement"] == planted["cut_off_movement"])
    assert sorted(silo["organizations"]) == sorted(planted["cut_off"]) and silo["ties_out"] == 1


def test_ended_ties_are_left_out_unless_asked_for() -> None:
    orgs = [("a", ["red"], True), ("b", ["blue"], True)]
    view = _view(orgs, [("a", "b")])
    view["ties"][0]["until"] = "2020-01-01"
    assert analyse_gaps(view)["missing_movement_pairs"] == [["red", "blue"]]
    kept = analyse_gaps(view, include_ended=True)
    assert kept["missing_movement_pairs"] == [] and kept["summary"]["ended_ties_left_out"] == 0


# lists that matter first -----------------------------------------------------------
def _crowded_view() -> dict:
    """150 community-led red groups each tied to a blue one, all needing legal advice
    that the blue groups offer nearby (450 near matches); 30 community-led groups with
    no tie and no needs; and one, ``z_lonely``, with no tie, far away, needing legal
    advice: the group to reach first, last by id and by nearness."""

    def org(org_id: str, name: str, movement: str, **more: object) -> dict:
        return {"id": org_id, "name": name, "movements": [movement], "community_led": True, **more}

    near = {"region": "north", "languages": ["English", "Spanish"]}
    orgs = [org(f"a_{i:03d}", f"Red {i}", "red", needs=["legal_advice"], **near) for i in range(150)]
    orgs += [org(f"b_{i:03d}", f"Blue {i}", "blue", offers=["legal_advice"], **near) for i in range(150)]
    orgs += [org(f"c_{i:02d}", f"Green {i}", "green") for i in range(30)]
    orgs.append(org("z_lonely", "Lonely", "red", region="south", languages=["English"], needs=["legal_advice"]))
    view = _view([], [(f"a_{i:03d}", f"b_{i:03d}") for i in range(150)])
    view["organizations"] = orgs
    return view


def test_the_group_to_reach_first_comes_first_though_the_cap_would_have_hidden_it() -> None:
    report = analyse_gaps(_crowded_view())
    needs = report["needs_offers"]
    assert len(needs) == 200 and report["summary"]["needs_offers"] == 453
    assert needs[0]["needs"] == "z_lonely" and needs[0]["needer_on_the_edge"] == "no_tie"
    assert needs[0]["nearness"] == "elsewhere" and needs[0]["cross_movement"]
    # nearest first, as the list was ordered before, put it past the cap
    everything = analyse_gaps(_crowded_view(), max_needs_offers=None)["needs_offers"]
    nearest_first = sorted(everything, key=lambda m: (m["tier"], str(m["needs"])))
    assert [m["needs"] for m in nearest_first].index("z_lonely") >= 450
    isolated = report["isolated_community_led"]
    assert len(isolated) == 20 and report["summary"]["isolated_community_led"] == 31
    assert isolated[0]["org"] == "z_lonely"  # no tie and in need, before 30 with no tie and no need


def test_every_capped_list_gives_its_full_count_and_lifts_its_cap_on_request() -> None:
    view, _ = planted_map(400, seed=0)
    capped, everything = analyse_gaps(view, **gaps.list_caps(2)), analyse_gaps(view, **gaps.list_caps(everything=True))
    for key in gaps.CAPPED_LISTS:
        assert len(everything[key]) == everything["summary"][key] == capped["summary"][key], key
        assert len(capped[key]) == min(2, capped["summary"][key]), key
    spof = everything["single_points_of_failure"]
    assert [item["separates"]["count"] for item in spof] == sorted(
        (i["separates"]["count"] for i in spof), reverse=True
    )
    assert everything["summary"]["single_points_of_failure"] == sum(
        everything["summary"][k] for k in ("articulation_points", "bridges")
    )


def test_the_text_says_how_many_it_shows_of_how_many() -> None:
    report = analyse_gaps(_crowded_view())
    text = gaps_text(report)
    assert "Needs another member could meet (showing 25 of 453; --limit N or --all for more)" in text
    assert "Community-led groups on the edge (showing 20 of 31; --limit N or --all for more)" in gaps_text(report, None)
    assert (
        "Lonely needs legal advice: Blue 0 offers it (elsewhere) - community-led, on the edge, across movements" in text
    )
    full = analyse_gaps(_crowded_view(), **gaps.list_caps(everything=True))
    assert "showing" not in gaps_text(full, None)


def test_cli_gaps_limit_and_all(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'map.db'}"

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["coalition", "--db", db, "gaps", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        out = capsys.readouterr()
        return exited.value.code, out.out, out.err

    code, out, _ = run("--limit", "1")
    assert code == 0 and "Needs another member could meet (showing 1 of " in out
    code, out, _ = run("--all", "--json")
    report = json.loads(out)
    assert code == 0 and all(len(report[key]) == report["summary"][key] for key in gaps.CAPPED_LISTS)
    code, out, err = run("--limit", "3", "--all")
    assert code == 2 and out == "" and "give --limit or --all, not both" in err
    code, _, err = run("--limit", "0")
    assert code == 2 and "--limit" in err
