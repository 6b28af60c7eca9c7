"""Survey rounds (issue 16): links, answers, the review queue, reciprocity and progress,
through the domain functions on both backends and through the CLI as a coordinator
runs them."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coalition.domain.errors import CoalitionError, InvalidInput, NotFound
from coalition.maps.transfer import load_demo
from coalition.survey import answers, links, review
from coalition.survey.links import REFUSED, SurveyRefused
from graph.store import BOOKKEEPING, Store
from tests.conftest import run_cli

ME, OTHER, THIRD = "cielo_abierto_collective", "eastport_eviction_defense", "hillside_legal_clinic"
PRIVATE = "kitchen_table_mutual_aid"  # a private organization of the demo map


def _tokens(store: Store, round_id: str, orgs: list[str], **options) -> dict[str, str]:
    made = links.start_round(store, round_id, orgs, **options)
    return {link["org"]: link["url"].split("survey=")[1] for link in made}


def _answer(store: Store, token: str, partners: list[dict], **record) -> None:
    form = answers.form_for(store, links.open_link(store, token))
    answers.save_answer(store, token, {"record": {**form["record"], **record}, "partners": partners})


@pytest.fixture
def demo(store: Store) -> Store:
    load_demo(store)
    return store


def test_survey_records_are_kept_updated_and_audited_on_both_backends(store: Store) -> None:
    record = {"kind": "round", "round": "r1", "org": "", "body": {"expires": None, "base_url": "x"}}
    last = max((e["seq"] for e in store.audit(limit=1)), default=0)  # a server's trail outlives its maps
    store.write_side_records([record])
    store.write_side_records([{**record, "body": {"expires": "2027-01-01", "base_url": "x"}}])
    store.write_side_records([{**record, "body": {"expires": "2027-01-01", "base_url": "x"}}])  # unchanged: no entry
    assert store.side_records("round") == [{**record, "body": {"expires": "2027-01-01", "base_url": "x"}}]
    assert store.side_records("round", "other") == [] and store.side_records("link") == []
    trail = store.audit(kind="survey", after_seq=last)
    assert [e["action"] for e in trail] == ["update", "create"]
    assert trail[0]["before"] == {"expires": None} and trail[0]["after"] == {"expires": "2027-01-01"}
    store.clear()
    assert store.side_records("round") == []


def test_a_link_opens_its_own_organization_only_and_keeps_no_token(demo: Store) -> None:
    tokens = _tokens(demo, "spring", [ME, OTHER])
    assert all(len(t) >= 32 for t in tokens.values())  # 24 random bytes: 192 bits
    assert links.open_link(demo, tokens[ME]) == links.Link("spring", ME)
    assert links.open_link(demo, tokens[OTHER]) == links.Link("spring", OTHER)
    stored = json.dumps(demo.side_records("link") + demo.audit(limit=None), default=str)
    assert not any(token in stored for token in tokens.values())
    form = answers.form_for(demo, links.open_link(demo, tokens[ME]))
    assert form["org"] == ME and form["record"]["name"] == "Cielo Abierto Trans Migrant Collective"


def test_unknown_expired_and_revoked_tokens_get_the_same_sentence(demo: Store) -> None:
    tokens = _tokens(demo, "spring", [ME, OTHER], expires=date.today())
    later = date.today() + timedelta(days=1)
    links.revoke(demo, "spring", OTHER)
    refusals = []
    for token, today in (("not-a-token", None), (tokens[ME], later), (tokens[OTHER], None)):
        with pytest.raises(SurveyRefused) as refused:
            links.open_link(demo, token, today=today)
        refusals.append(str(refused.value))
    assert refusals == [REFUSED] * 3
    assert links.open_link(demo, tokens[ME]).org == ME  # still valid on its last day


def test_the_form_shows_nothing_above_the_coalition_audience(demo_store: Store) -> None:
    token = _tokens(demo_store, "spring", [ME])[ME]
    form = answers.form_for(demo_store, links.open_link(demo_store, token))
    text = json.dumps(form)
    orgs = demo_store.snapshot()["organizations"]
    assert all(o["name"] not in text for o in orgs if o["visibility"] == "private")
    assert all(o["contact"] not in text for o in orgs if o["contact"])
    assert "contact" not in form["record"] and "notes" not in form["record"]
    assert {c["id"] for c in form["choices"]} == {
        o["id"] for o in orgs if o["visibility"] != "private" and o["id"] != ME
    }
    with pytest.raises(CoalitionError, match="not on the list"):
        answers.save_answer(demo_store, token, {"partners": [{"org": PRIVATE, "kind": "referral"}]})
    assert demo_store.side_records("answer") == []


def test_saving_twice_keeps_one_answer_and_hostile_text_is_cleaned(demo_store: Store) -> None:
    token = _tokens(demo_store, "spring", [ME])[ME]
    _answer(demo_store, token, [], access="first")
    _answer(
        demo_store, token, [{"new_name": "  =cmd|' /C calc'!A0 \x07", "new_movement": "migrant"}], access="second\x00"
    )
    (saved,) = demo_store.side_records("answer", "spring")
    assert saved["body"]["answer"]["record"]["access"] == "second"
    assert saved["body"]["answer"]["partners"][0]["new_name"] == "=cmd|' /C calc'!A0"
    with pytest.raises(InvalidInput):
        _answer(demo_store, token, [], intro_capacity_per_month=1000)
    with pytest.raises(CoalitionError, match="partner 1, field strength: at most 5"):
        _answer(demo_store, token, [{"org": OTHER, "strength": 9}])
    with pytest.raises(CoalitionError, match="which movement"):
        _answer(demo_store, token, [{"new_name": "Somebody", "new_movement": "nowhere"}])


def test_accepting_writes_the_answer_as_reported_by_the_organization(demo: Store) -> None:
    token = _tokens(demo, "spring", [ME])[ME]
    _answer(
        demo, token,
        [{"org": OTHER, "kind": "joint_campaign", "strength": 4, "since": "2025-03-01"},
         {"new_name": "Hillside Community Legal Clinc", "new_movement": "migrant", "kind": "mou"},
         {"new_name": "Casa de la Esperanza", "new_movement": "migrant", "kind": "referral"}],
        needs=["legal_advice", "childcare"],
    )  # fmt: skip
    (item,) = review.queue(demo, "spring")
    assert item["status"] == "waiting" and item["changes"]["record"]["needs"]["after"] == ["legal_advice", "childcare"]
    assert [g["matches"][0]["id"] if g["matches"] else None for g in item["changes"]["new_groups"]] == [THIRD, None]
    assert demo.get_tie(ME, OTHER, "joint_campaign") is None  # nothing enters the map unreviewed

    written = review.accept(demo, "spring", org=ME, reviewer="cli:editor")
    assert written == {"answers": 1, "organizations": 1, "ties": 3, "confirmed": 0, "new_groups": 1, "disagreements": 0}
    tie = demo.get_tie(ME, OTHER, "joint_campaign")
    assert tie["strength"] == 4 and tie["since"] == "2025-03-01"
    assert demo.get_tie(ME, THIRD, "mou") is not None  # the near-duplicate became the clinic
    added = demo.get_organization("casa_de_la_esperanza")
    assert added["visibility"] == "private" and added["consent_to_introductions"] is False
    assert demo.get_organization(ME)["needs"] == ["legal_advice", "childcare"]
    entry = demo.audit(kind="tie", key=f"{ME}|{OTHER}|joint_campaign")[0]
    assert entry["actor"] == f"survey:spring:{ME}"
    assert review.queue(demo, "spring")[0]["reviewed_by"] == "cli:editor"
    with pytest.raises(NotFound):
        review.accept(demo, "spring", org=ME)  # accepted already


def test_parts_of_an_answer_and_rejection(demo_store: Store) -> None:
    tokens = _tokens(demo_store, "spring", [ME, OTHER])
    _answer(demo_store, tokens[ME], [{"org": OTHER, "kind": "mou"}], access="ramp at the side door")
    _answer(demo_store, tokens[OTHER], [{"org": ME, "kind": "mou"}], access="changed")
    assert review.accept(demo_store, "spring", org=ME, parts=("record",))["ties"] == 0
    assert demo_store.get_organization(ME)["access"] == "ramp at the side door"
    assert demo_store.get_tie(ME, OTHER, "mou") is None
    assert review.reject(demo_store, "spring", org=OTHER) == 1
    assert demo_store.get_organization(OTHER)["access"] != "changed"
    with pytest.raises(CoalitionError, match="--org ID"):
        review.accept(demo_store, "spring")


def test_reciprocity_confirmed_unconfirmed_and_disagreements(demo: Store) -> None:
    tokens = _tokens(demo, "spring", [ME, OTHER, THIRD])
    _answer(demo, tokens[ME], [{"org": OTHER, "kind": "mou", "strength": 4}, {"org": THIRD, "kind": "referral"}])
    found = review.reciprocity(demo, "spring")
    assert [(i["a"], i["b"]) for i in found["unconfirmed"]] == [(ME, OTHER), (ME, THIRD)]
    _answer(demo, tokens[OTHER], [{"org": ME, "kind": "mou", "strength": 4}])
    _answer(demo, tokens[THIRD], [{"org": ME, "kind": "referral", "strength": 1}])
    found = review.reciprocity(demo, "spring")
    assert [(i["a"], i["b"]) for i in found["confirmed"]] == [(ME, OTHER)]
    assert [(i["a"], i["b"], i["differ"]) for i in found["disagreements"]] == [(ME, THIRD, ["strength"])]
    assert found["unconfirmed"] == []
    before = demo.get_tie(THIRD, ME, "referral") or demo.get_tie(ME, THIRD, "referral")
    written = review.accept(demo, "spring", everyone=True)
    assert written["disagreements"] == 2  # once from each side, never merged
    after = demo.get_tie(THIRD, ME, "referral") or demo.get_tie(ME, THIRD, "referral")
    assert after == before
    assert demo.get_tie(ME, OTHER, "mou") is not None


def test_progress_by_movement_and_for_community_led_groups(demo_store: Store) -> None:
    tokens = _tokens(demo_store, "spring", [ME, OTHER, THIRD])
    links.open_link(demo_store, tokens[OTHER])
    _answer(demo_store, tokens[ME], [])
    review.accept(demo_store, "spring", org=ME)
    progress = review.status(demo_store, "spring")
    assert {k: progress[k] for k in ("sent", "opened", "answered", "accepted")} == {
        "sent": 3, "opened": 2, "answered": 1, "accepted": 1,
    }  # fmt: skip
    assert progress["by_movement"]["migrant"]["answered"] == 1
    assert progress["community_led"]["sent"] == sum(
        demo_store.get_organization(o)["community_led"] for o in (ME, OTHER, THIRD)
    )
    assert [o["org"] for o in progress["not_answered"]] == [OTHER, THIRD]


def test_a_later_round_starts_from_the_accepted_answer(demo_store: Store) -> None:
    token = _tokens(demo_store, "spring", [ME])[ME]
    _answer(demo_store, token, [{"new_name": "Casa de la Esperanza", "new_movement": "migrant"}], access="ramp")
    review.accept(demo_store, "spring", org=ME)
    time.sleep(1.1)  # times are kept to the second: the newcomer joins after the answer
    newcomer = {**demo_store.get_organization(OTHER), "id": "newcomers", "name": "Newcomers Network"}
    demo_store.write_map(organizations=[{k: v for k, v in newcomer.items() if k not in BOOKKEEPING}])
    form = answers.form_for(demo_store, links.open_link(demo_store, _tokens(demo_store, "autumn", [ME])[ME]))
    assert form["record"]["access"] == "ramp"
    assert any(p["new_name"] == "Casa de la Esperanza" for p in form["partners"])
    assert form["new_since_last_answer"] == ["newcomers"]


def test_a_coordinator_runs_a_round_from_the_cli(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'map.db'}"]
    assert run_cli(*db, "demo", cwd=tmp_path).returncode == 0
    started = run_cli(*db, "survey", "start", "spring", "--org", ME, "--org", OTHER, "--json", cwd=tmp_path)
    document = json.loads(started.stdout)
    assert document["round"] == "spring" and [link["org"] for link in document["links"]] == [ME, OTHER]
    assert document["links"][0]["url"].startswith("http://localhost:8501/?survey=")
    assert document["links"][0]["language"] == "es" and document["links"][0]["url"] in document["links"][0]["message"]

    from graph.sqlite.store import SQLiteStore

    store = SQLiteStore(tmp_path / "map.db")
    _answer(store, document["links"][0]["url"].split("survey=")[1], [{"org": OTHER, "kind": "mou"}])
    store.close()
    queue = json.loads(run_cli(*db, "survey", "answers", "spring", "--json", cwd=tmp_path).stdout)
    assert queue["answers"][0]["changes"]["ties"][0]["change"] == "new"
    status = json.loads(run_cli(*db, "survey", "status", "spring", "--json", cwd=tmp_path).stdout)
    assert (status["answered"], status["not_answered"][0]["org"]) == (1, OTHER)
    reminded = json.loads(run_cli(*db, "survey", "remind", "spring", "--json", cwd=tmp_path).stdout)
    assert [link["org"] for link in reminded["links"]] == [OTHER] and "reminder" in reminded["links"][0]["message"]
    accepted = run_cli(*db, "survey", "accept", "spring", "--all", cwd=tmp_path)
    assert accepted.returncode == 0 and "1 tie(s) written" in accepted.stdout
    ties = json.loads(run_cli(*db, "survey", "ties", "spring", "--json", cwd=tmp_path).stdout)
    assert [(i["a"], i["b"]) for i in ties["unconfirmed"]] == [(ME, OTHER)]
    form = tmp_path / "form.xlsx"
    assert run_cli(*db, "survey", "form", "spring", OTHER, str(form), cwd=tmp_path).returncode == 0
    workbook = load_workbook(form)
    workbook["Partners"].append([THIRD, "", "", "", "referral", 2, "2024-03-01", "coalition"])
    workbook.save(form)
    answered = run_cli(*db, "survey", "answer", reminded["links"][0]["url"], str(form), cwd=tmp_path)
    assert answered.returncode == 0 and "waits for review" in answered.stdout, answered.stderr
    assert "1 tie(s) written" in run_cli(*db, "survey", "accept", "spring", "--org", OTHER, cwd=tmp_path).stdout
    store = SQLiteStore(tmp_path / "map.db")
    assert store.audit(kind="tie", key=f"{OTHER}|{THIRD}|referral")[0]["actor"] == f"survey:spring:{OTHER}"
    store.close()
    assert "Withdrew 1 link" in run_cli(*db, "survey", "revoke", "spring", "--org", OTHER, cwd=tmp_path).stdout

    for args, message in (
        (("start", "spring", "--expires", "2026-13-01"), "--expires '2026-13-01' is not a date"),
        (("start", "Spring Round"), "is not a round name"),
        (("status", "winter"), "no survey round 'winter'"),
        (("accept", "spring"), "name one organization"),
        (("start", "spring", "--org", "nobody"), "no organization with id 'nobody'"),
        (("answer", "not-a-token", str(form)), REFUSED),
        (("answer", "not-a-token", "missing.xlsx"), "missing.xlsx: no such file"),
        (("form", "spring", "nobody", str(tmp_path / "x.xlsx")), "nobody"),
    ):
        failed = run_cli(*db, "survey", *args, cwd=tmp_path)
        assert failed.returncode == 1 and message in failed.stderr, failed.stderr
        assert len(failed.stderr.strip().splitlines()) == 1 and "Traceback" not in failed.stderr
