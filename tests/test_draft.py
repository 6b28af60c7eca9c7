"""Introduction drafts (issue 17, part 4): a message both groups of a pair may read, in a
language they share, naming nothing above the pair's audience (a property test over
random maps with hidden groups, ties and contacts)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.privacy import can_see
from coalition.i18n import _, use_language
from coalition.introductions.draft import draft_message
from coalition.maps.services import init_map
from graph.sqlite.store import SQLiteStore
from graph.store import Store
from tests.conftest import run_cli

from .test_redaction import SETTINGS, hidden_values, maps


def test_a_draft_in_the_language_both_groups_list(demo_store: Store) -> None:
    spanish = draft_message(demo_store, "cielo_abierto_collective", "eastport_eviction_defense")
    assert spanish["language"] == "es" and spanish["text"].startswith("Hola, Cielo Abierto Trans Migrant Collective y")
    with use_language("es"):  # the draft's words are in its own language, the interface's aside
        movements = (_("Migrant rights"), _("Housing justice"))
    assert movements != ("Migrant rights", "Housing justice")
    assert "Juntos conectarían {} y {}.".format(*movements) in spanish["text"]
    english = draft_message(demo_store, "night_shift_collective", "hillside_legal_clinic", language="en")
    assert "Hillside Community Legal Clinic offers legal advice, which Night Shift Collective needs." in english["text"]
    assert "You both work on decriminalization." in english["text"]
    with pytest.raises(CoalitionError, match="no template in 'fr'"):
        draft_message(demo_store, "night_shift_collective", "hillside_legal_clinic", language="fr")
    with pytest.raises(NotFound, match="kitchen_table_mutual_aid"):  # private: as if missing
        draft_message(demo_store, "kitchen_table_mutual_aid", "hillside_legal_clinic")


@settings(max_examples=60, **SETTINGS)
@given(data=maps())
def test_a_draft_names_nothing_above_the_pair_audience(data: dict) -> None:
    with tempfile.TemporaryDirectory(prefix="draft-") as folder:
        store = SQLiteStore(Path(folder) / "map.db")
        try:
            init_map(store)
            store.write_map(organizations=data["organizations"], ties=data["ties"])
            for audience in ("public", "coalition"):
                shown = [o["id"] for o in data["organizations"] if can_see(audience, o["visibility"])]
                secrets = hidden_values(data, audience) | {o["contact"] for o in data["organizations"]}
                secrets |= {o[f] for o in data["organizations"] for f in ("access", "notes")}
                secrets |= {t["notes"] for t in data["ties"]}
                for a, b in zip(shown, shown[1:], strict=False):
                    text = draft_message(store, a, b, audience=audience)["text"].lower()
                    leaked = sorted(s for s in secrets if s.lower() in text)
                    assert not leaked, f"the draft for {a} and {b} ({audience}) shows {leaked}"
        finally:
            store.close()


def test_a_draft_from_the_cli(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'map.db'}"]
    assert run_cli(*db, "demo", cwd=tmp_path).returncode == 0
    drafted = run_cli(
        *db, "introductions", "draft", "night_shift_collective", "hillside_legal_clinic", "--json", cwd=tmp_path
    )
    document = json.loads(drafted.stdout)
    assert set(document) == {"a", "b", "language", "text"} and document["text"].startswith(
        "Hola, Night Shift Collective"
    )
    failed = run_cli(*db, "introductions", "draft", "night_shift_collective", "nobody", cwd=tmp_path)
    assert failed.returncode == 1 and "no organization with id 'nobody'" in failed.stderr


def test_the_introductions_page_offers_the_draft_to_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coalition.maps.transfer import load_demo

    from .test_app_pages import open_app, pick_first_introduction

    store = SQLiteStore(tmp_path / "map.db")
    load_demo(store)
    store.close()
    app = open_app(f"sqlite:///{tmp_path / 'map.db'}", monkeypatch, "coalition/ui/pages/introductions.py")
    a, b = pick_first_introduction(app)
    assert not app.exception
    (code,) = app.code
    store = SQLiteStore(tmp_path / "map.db")
    assert code.value == draft_message(store, a, b)["text"].rstrip("\n")  # st.code drops the last newline
    store.close()
