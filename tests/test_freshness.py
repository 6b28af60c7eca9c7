"""Tie provenance and freshness (issue 17, part 2): where each tie came from, when it was
last confirmed, ``tie stale`` and ``tie confirm``, the weighting of stale ties in gaps and
introductions, and the import formats carrying both fields, on both backends."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from coalition.analysis.gaps import analyse_gaps
from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.freshness import Freshness, is_stale, mark_stale, months_before, weigh_stale
from coalition.domain.privacy import read_view
from coalition.domain.settings import Settings, SettingsError
from coalition.introductions.index import build_index
from coalition.maps import freshness, services
from coalition.maps.tracking import NEW_TIE_KIND, answer_introduction, ask_introduction, set_introduction_status
from coalition.maps.transfer import export_map, import_map
from graph.sqlite.schema import MIGRATIONS
from graph.sqlite.store import SQLiteStore
from graph.store import Store
from tests.conftest import run_cli

TODAY = date.today()
LONG_AGO = "2020-01-15"


def org(org_id: str, movement: str = "housing", **fields) -> dict:
    return {"id": org_id, "name": org_id.replace("_", " ").title(), "movements": [movement], **fields}


@pytest.fixture
def small(store: Store) -> Store:
    """Four groups in two movements; ``a``-``c`` is the one tie across them."""
    services.init_map(store)
    for record in (org("a"), org("b"), org("c", "migrant"), org("d", "migrant")):
        services.add_organization(store, record)
    services.add_tie(store, {"source": "a", "target": "b", "strength": 4})
    services.add_tie(store, {"source": "c", "target": "d"})
    services.add_tie(store, {"source": "a", "target": "c", "kind": "joint_campaign", "strength": 4})
    return store


def _age(store: Store, source: str, target: str, kind: str, day: str = LONG_AGO) -> None:
    """Set a tie's last confirmation back in time, as an import of an older file would."""
    tie = store.get_tie(source, target, kind)
    store.write_map(ties=[{**tie, "confirmed": day}])


# the rule ------------------------------------------------------------------------------
def test_months_before_keeps_to_the_calendar() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 12, 2), 12) == date(2025, 12, 2)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_a_stale_strength_is_halved_rounding_half_up_never_below_one() -> None:
    half = Freshness(weight=0.5)
    assert [half.strength(s) for s in (5, 4, 3, 2, 1)] == [3, 2, 2, 1, 1]
    assert Freshness(weight=0).strength(5) == 0
    assert Freshness(weight=0.2).strength(5) == 1


def test_what_counts_as_stale() -> None:
    cutoff = date(2025, 12, 2)
    assert is_stale({"confirmed": "2025-12-01"}, cutoff, TODAY)
    assert not is_stale({"confirmed": "2025-12-02"}, cutoff, TODAY)
    assert is_stale({"created_at": "2024-01-01T10:00:00+00:00"}, cutoff, TODAY)  # never confirmed: since added
    assert not is_stale({"confirmed": "2026-11-01", "created_at": "2020-01-01T00:00:00"}, cutoff, TODAY)
    assert not is_stale({}, cutoff, TODAY)  # a record from outside a store
    assert not is_stale({"confirmed": "2020-01-01", "until": "2021-01-01"}, cutoff, TODAY)  # ended: history


def test_weighing_stale_ties_in_a_view() -> None:
    ties = [
        {"source": "a", "target": "b", "kind": "coalition", "strength": 4, "confirmed": LONG_AGO},
        {"source": "a", "target": "c", "kind": "conflict", "strength": 5, "confirmed": LONG_AGO},
        {"source": "b", "target": "c", "kind": "coalition", "strength": 4, "confirmed": TODAY.isoformat()},
    ]
    view = {"ties": ties}
    halved = weigh_stale(view, Freshness(weight=0.5), TODAY)
    assert [t["strength"] for t in halved["ties"]] == [2, 5, 4] and halved["stale_ties"] == 1
    assert view["ties"][0]["strength"] == 4  # the view itself is not changed
    left_out = weigh_stale(view, Freshness(weight=0), TODAY)
    assert [t["kind"] for t in left_out["ties"]] == ["conflict", "coalition"]  # a conflict is never weighed
    assert weigh_stale(view, Freshness(weight=1), TODAY)["ties"] == ties
    assert [t["stale"] for t in mark_stale(ties, Freshness(), TODAY)] == [True, True, False]


# provenance and confirmation on both backends -------------------------------------------
def test_each_tie_records_where_it_came_from_and_when_it_was_confirmed(small: Store, tmp_path: Path) -> None:
    tie = small.get_tie("a", "b", "coalition")
    assert (tie["provenance"], tie["confirmed"]) == ("cli", TODAY.isoformat())
    _age(small, "a", "b", "coalition")
    services.edit_tie(small, "a", "b", "coalition", {"notes": "still meeting monthly"})
    edited = small.get_tie("a", "b", "coalition")
    assert (edited["provenance"], edited["confirmed"]) == ("cli", TODAY.isoformat())  # an edit confirms
    services.add_tie(small, {"source": "b", "target": "d", "kind": "referral"}, provenance="form")
    assert small.get_tie("b", "d", "referral")["provenance"] == "form"

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name,movements\ne,E Group,housing\n")
    rows = [
        ["source", "target", "kind", "provenance", "confirmed"],
        ["a", "e", "coalition", "", ""],  # new: from this file
        ["c", "e", "referral", "survey:spring", "2024-05-01"],  # carried by the file: kept
        ["c", "d", "coalition", "", ""],  # stored: an empty cell erases nothing
    ]
    with (folder / "ties.csv").open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    _age(small, "c", "d", "coalition", "2024-02-02")
    import_map(small, folder, fmt="csv")
    assert small.get_tie("a", "e", "coalition")["provenance"] == "import:in"
    assert small.get_tie("a", "e", "coalition")["confirmed"] is None  # counts from the day it was added
    assert (small.get_tie("c", "e", "referral")["provenance"], small.get_tie("c", "e", "referral")["confirmed"]) == (
        "survey:spring",
        "2024-05-01",
    )
    kept = small.get_tie("c", "d", "coalition")
    assert (kept["provenance"], kept["confirmed"]) == ("cli", "2024-02-02")


def test_stale_ties_are_listed_and_confirm_refreshes_them(small: Store) -> None:
    assert freshness.stale_ties(small)["ties"] == []
    _age(small, "a", "c", "joint_campaign")
    _age(small, "c", "d", "coalition", "2025-06-01")
    found = freshness.stale_ties(small, Freshness(months=12), today=date(2026, 12, 2))
    assert found["before"] == "2025-12-02" and found["months"] == 12
    assert [(t["source"], t["target"], t["confirmed"]) for t in found["ties"]] == [
        ("a", "c", LONG_AGO),
        ("c", "d", "2025-06-01"),
    ]
    assert found["ties"][0]["source_name"] == "A" and found["ties"][0]["provenance"] == "cli"
    longer = freshness.stale_ties(small, Freshness(months=24), today=date(2026, 12, 2))
    assert [t["target"] for t in longer["ties"]] == ["c"]

    confirmed = freshness.confirm_tie(small, "c", "a", actor="cli:alice")  # either direction, one kind
    assert confirmed["confirmed"] == TODAY.isoformat() and confirmed["version"] == 3
    assert [t["target"] for t in freshness.stale_ties(small, today=TODAY)["ties"]] == (
        ["d"] if TODAY >= date(2026, 6, 2) else []
    )
    entry = small.audit(limit=1, kind="tie")[0]
    assert entry["actor"] == "cli:alice" and entry["after"]["confirmed"] == TODAY.isoformat()
    assert entry["before"]["confirmed"] == LONG_AGO


def test_confirm_refuses_with_one_clear_sentence(small: Store) -> None:
    services.add_tie(small, {"source": "a", "target": "b", "kind": "referral"})
    with pytest.raises(CoalitionError, match=r"a and b have 2 ties \(coalition, referral\): name one with --kind"):
        freshness.confirm_tie(small, "a", "b")
    with pytest.raises(NotFound, match="no funding tie between 'a' and 'b'"):
        freshness.confirm_tie(small, "a", "b", "funding")
    with pytest.raises(NotFound, match="no organization with id 'nobody'"):
        freshness.confirm_tie(small, "a", "nobody")
    assert freshness.confirm_tie(small, "b", "a", "referral")["kind"] == "referral"


def test_a_made_introduction_ties_with_its_own_provenance(small: Store) -> None:
    ask_introduction(small, "b", "d")
    answer_introduction(small, "b", "d", "b", True)
    answer_introduction(small, "b", "d", "d", True)
    set_introduction_status(small, "b", "d", "made", create_tie=True)
    tie = small.get_tie("b", "d", NEW_TIE_KIND)
    assert (tie["provenance"], tie["confirmed"]) == ("introduction", TODAY.isoformat())


def test_provenance_and_confirmation_round_trip_through_every_import_format(small: Store, tmp_path: Path) -> None:
    _age(small, "a", "c", "joint_campaign")
    want = {(t["source"], t["target"], t["kind"]): (t["provenance"], t["confirmed"]) for t in small.snapshot()["ties"]}
    for fmt, name in (("json", "m.json"), ("csv", "m.zip"), ("xlsx", "m.xlsx"), ("graphml", "m.graphml"),
                      ("gexf", "m.gexf"), ("kumu", "m.kumu.json")):  # fmt: skip
        export_map(small, tmp_path / name, fmt=fmt, audience="private")
        copy = SQLiteStore(tmp_path / f"{fmt}.db")
        services.init_map(copy)
        import_map(copy, tmp_path / name, fmt=fmt)
        got = {
            (t["source"], t["target"], t["kind"]): (t["provenance"], t["confirmed"]) for t in copy.snapshot()["ties"]
        }
        assert got == want, fmt
        copy.close()


def test_provenance_is_kept_from_the_public_and_never_names_a_hidden_group(small: Store) -> None:
    services.add_organization(small, org("secret_collective", visibility="private"))
    tie = small.get_tie("a", "b", "coalition")
    small.write_map(ties=[{**tie, "provenance": "import:secret_collective.csv", "visibility": "public"}])
    small.write_map(organizations=[{**small.get_organization(o), "visibility": "public"} for o in ("a", "b")])
    coalition = {(t["source"], t["target"]): t for t in read_view(small, "coalition")["ties"]}
    public = {(t["source"], t["target"]): t for t in read_view(small, "public")["ties"]}
    assert coalition[("a", "b")]["provenance"] == ""  # names a group the coalition may not see
    assert public[("a", "b")]["provenance"] == ""
    assert read_view(small, "private")["ties"][0]["provenance"] == "import:secret_collective.csv"


def test_the_brief_lists_the_stale_ties_its_audience_may_see(small: Store, tmp_path: Path) -> None:
    from pypdf import PdfReader

    services.add_organization(small, org("hidden_house", visibility="private"))
    services.add_tie(small, {"source": "a", "target": "hidden_house", "visibility": "private"})
    for source, target, kind in (("a", "c", "joint_campaign"), ("a", "hidden_house", "coalition")):
        _age(small, source, target, kind)
    export_map(small, tmp_path / "brief.pdf", audience="coalition", freshness=Freshness(months=6))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(tmp_path / "brief.pdf").pages).split())
    section = text[text.index("Ties to check at the meeting") :]
    assert "Not confirmed in 6 months." in section
    assert f"A \u2013 C (Joint campaign): last confirmed {LONG_AGO}" in section
    assert "A \u2013 B" not in section and "Hidden House" not in text


# weighting -------------------------------------------------------------------------------
def test_stale_ties_weigh_less_in_gaps_as_documented(small: Store) -> None:
    _age(small, "a", "c", "joint_campaign")
    view = read_view(small, "private")
    halved = analyse_gaps(view, freshness=Freshness(weight=0.5))
    assert halved["summary"]["stale_ties"] == 1 and halved["summary"]["stale_tie_weight"] == 0.5
    assert halved["movement_matrix"]["housing"]["migrant"]["strength"] == 2  # 4 x 0.5
    assert halved["missing_movement_pairs"] == []
    full = analyse_gaps(view, freshness=Freshness(weight=1))
    assert full["movement_matrix"]["housing"]["migrant"]["strength"] == 4
    gone = analyse_gaps(view, freshness=Freshness(weight=0))
    assert ["housing", "migrant"] in gone["missing_movement_pairs"]  # tied only by a stale tie: a gap


def test_stale_ties_weigh_less_in_introductions_as_documented(small: Store) -> None:
    _age(small, "a", "c", "joint_campaign")
    view = read_view(small, "private")

    def strength_of(weight: float) -> dict[tuple[str, str], int]:
        ix = build_index(view, freshness=Freshness(weight=weight))
        return {(ix.ids[u], ix.ids[v]): int(s) for (u, v), s in zip(ix.edges.tolist(), ix.strength, strict=True)}

    assert strength_of(0.5)[("a", "c")] == 2 and strength_of(0.5)[("a", "b")] == 4
    assert strength_of(1)[("a", "c")] == 4
    assert ("a", "c") not in strength_of(0)


def test_settings_read_the_two_variables_and_refuse_bad_values() -> None:
    settings = Settings.from_env({"COALITION_STALE_MONTHS": "6", "COALITION_STALE_TIE_WEIGHT": "0.25"})
    assert settings.freshness == Freshness(months=6, weight=0.25)
    assert Settings.from_env({}).freshness == Freshness(months=12, weight=0.5)
    for name, value in (("COALITION_STALE_TIE_WEIGHT", "2"), ("COALITION_STALE_MONTHS", "0"),
                        ("COALITION_STALE_MONTHS", "soon")):  # fmt: skip
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value})


# the command line and an older file --------------------------------------------------------
def test_tie_stale_and_confirm_from_the_cli(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'map.db'}"]
    assert run_cli(*db, "demo", cwd=tmp_path).returncode == 0
    listed = run_cli(*db, "tie", "stale", "--json", cwd=tmp_path)
    found = json.loads(listed.stdout)
    assert set(found) == {"months", "before", "ties"} and len(found["ties"]) == 8
    oldest = found["ties"][0]
    assert oldest["confirmed"] == "2024-05-14" and oldest["provenance"] == "import:demo"
    done = run_cli(*db, "tie", "confirm", oldest["target"], oldest["source"], cwd=tmp_path)
    assert done.returncode == 0 and f"on {TODAY.isoformat()}" in done.stdout
    again = json.loads(run_cli(*db, "tie", "stale", "--json", cwd=tmp_path).stdout)
    assert len(again["ties"]) == 7
    assert len(json.loads(run_cli(*db, "tie", "stale", "--months", "60", "--json", cwd=tmp_path).stdout)["ties"]) == 0
    text = run_cli(*db, "tie", "stale", cwd=tmp_path).stdout
    assert "7 tie(s) not confirmed since" in text
    env = {"COALITION_STALE_TIE_WEIGHT": "0"}
    gaps = run_cli(*db, "gaps", "--json", cwd=tmp_path, env=env)
    assert json.loads(gaps.stdout)["summary"]["stale_tie_weight"] == 0
    for args, message in (
        (("tie", "confirm", "riverside_tenants_union", "nobody"), "no organization with id 'nobody'"),
        (("tie", "confirm", "riverside_tenants_union", "night_shift_collective"), "no tie between"),
    ):
        failed = run_cli(*db, *args, cwd=tmp_path)
        assert failed.returncode == 1 and message in failed.stderr and "Traceback" not in failed.stderr
        assert len(failed.stderr.strip().splitlines()) == 1
    bad = run_cli(*db, "gaps", cwd=tmp_path, env={"COALITION_STALE_TIE_WEIGHT": "lots"})
    assert bad.returncode != 0 and "COALITION_STALE_TIE_WEIGHT" in bad.stderr and "Traceback" not in bad.stderr
    typo = run_cli(*db, "tie", "stale", "--monts", "3", cwd=tmp_path)
    assert typo.returncode == 2 and "--months" in typo.stderr and "Traceback" not in typo.stderr


def test_an_older_sqlite_map_gains_the_two_fields(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in MIGRATIONS[:3]:
        for statement in sql.split(";"):
            if statement.strip():
                raw.execute(statement)
        raw.execute("INSERT INTO schema_migrations VALUES (?, 'then')", (name,))
    raw.execute("INSERT INTO movements VALUES ('housing', 'Housing justice', '#0072B2')")
    for org_id in ("a", "b"):
        raw.execute(
            "INSERT INTO organizations VALUES (?, ?, 'collective', 0, '', '[]', '[]', '[]', '[]', '', '', 'private',"
            " 'coalition', 1, 2, '', '2023-01-01T00:00:00+00:00', '2023-01-01T00:00:00+00:00', 1)",
            (org_id, org_id.upper()),
        )
        raw.execute("INSERT INTO org_movements VALUES (?, 'housing', 0)", (org_id,))
    raw.execute(
        "INSERT INTO ties VALUES ('a', 'b', 'coalition', 3, NULL, NULL, 'coalition', '',"
        " '2023-01-01T00:00:00+00:00', '2023-01-01T00:00:00+00:00', 1)"
    )
    raw.close()
    store = SQLiteStore(path)
    services.init_map(store)
    tie = store.get_tie("a", "b", "coalition")
    assert (tie["provenance"], tie["confirmed"]) == ("", None)
    assert [t["target"] for t in freshness.stale_ties(store)["ties"]] == ["b"]  # since 2023, when it was added
    store.close()
