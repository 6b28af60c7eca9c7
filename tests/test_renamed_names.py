"""Text written under an organization's old name never outlives a rename: stored
introduction reasons and notes, and tie notes, that name a hidden organization by any
name it ever had are withheld from audiences that may not see it (both backends)."""

from __future__ import annotations

import json
from pathlib import Path

from coalition.domain.models import Introduction
from coalition.domain.privacy import read_view
from coalition.introductions.recommend import introductions_for_store
from coalition.maps import services
from coalition.maps.transfer import export_map
from graph.store import Store

OLD = "Quiet Hours Support Line"


def _planned_through_a_private_broker(store: Store) -> None:
    services.add_organization(store, {"id": "casa", "name": "Casa", "movements": ["housing"]})
    services.add_organization(store, {"id": "lucha", "name": "Lucha", "movements": ["migrant"]})
    services.add_organization(store, {"id": "quiet", "name": OLD, "movements": ["sex_work"], "visibility": "private"})
    services.add_tie(store, {"source": "casa", "target": "lucha", "kind": "referral", "notes": f"Met through {OLD}."})
    intro = Introduction(
        a="casa", b="lucha", broker="quiet", reasons=[f"{OLD} knows both", "Casa offers meeting space"],
        status="planned", note=f"ask {OLD} first",
    )  # fmt: skip
    store.write_map(introductions=[intro.to_record()])


def test_a_renamed_private_broker_leaves_no_old_name_in_the_coalition_view(store: Store) -> None:
    _planned_through_a_private_broker(store)
    services.edit_organization(store, "quiet", {"name": "QH Line"})
    assert OLD in store.snapshot()["former_names"]["quiet"]
    view = read_view(store, "coalition")
    assert OLD not in json.dumps(view, default=str)
    [intro] = view["introductions"]
    assert intro["reasons"] == ["Casa offers meeting space"] and intro["note"] == "" and intro["broker"] is None
    assert view["ties"][0]["notes"] == ""
    private = read_view(store, "private")  # the audience that may see the group keeps every word
    assert f"{OLD} knows both" in private["introductions"][0]["reasons"]


def test_the_planned_list_and_an_export_for_the_coalition_never_show_the_old_name(
    sqlite_store: Store, tmp_path: Path
) -> None:
    _planned_through_a_private_broker(sqlite_store)
    services.edit_organization(sqlite_store, "quiet", {"name": "QH Line"})
    listed = introductions_for_store(sqlite_store, "coalition", status="planned")
    assert listed and OLD not in json.dumps(listed, default=str)
    export_map(sqlite_store, tmp_path / "map.json", audience="coalition")
    assert OLD not in (tmp_path / "map.json").read_text(encoding="utf-8")
