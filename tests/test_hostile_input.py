"""Hostile strings through every entry point: they are stored as plain text, never run.

SQL and Cypher are only ever built from constants with parameters (graph/sqlite/store.py,
graph/neo4j/queries.py); these tests push injection attempts through the CLI, the
services and imports, on every backend, and check the map afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coalition.domain.errors import InvalidInput
from coalition.domain.settings import Settings
from coalition.maps import services
from coalition.maps.transfer import import_map
from graph.store import Store

HOSTILE = [
    "Robert'); DROP TABLE organizations;--",
    "x' OR '1'='1",
    '" OR 1=1 --',
    "a}) MATCH (n) DETACH DELETE n //",
    "'}) WITH 1 AS x MATCH (n) DETACH DELETE n RETURN 1 //",
    "$id ${id} {{id}}",
    "`backtick` \\ backslash \\' quote",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "\u202eevil\u202c right-to-left",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_verbatim_through_the_services(store: Store, text: str) -> None:
    services.add_organization(store, {"id": "target", "name": "Target", "movements": ["housing"]})
    services.add_organization(
        store, {"id": "other", "name": text, "movements": ["migrant"], "notes": text, "region": text[:200]}
    )
    services.add_tie(store, {"source": "target", "target": "other", "notes": text})
    services.edit_organization(store, "target", {"access": text})
    assert services.get_organization(store, "other")["name"] == text.strip()
    assert services.get_organization(store, "target")["access"] == text.strip()
    assert store.counts()["organizations"] == 2 and store.counts()["ties"] == 1


@pytest.mark.parametrize("text", HOSTILE[:5])
def test_hostile_ids_are_refused_not_run(store: Store, text: str) -> None:
    with pytest.raises(InvalidInput):
        services.add_organization(store, {"id": text, "name": "X", "movements": ["housing"]})
    assert store.counts()["organizations"] == 0
    assert store.get_organization(text) is None
    assert store.delete_tie(text, text) == 0


def test_hostile_csv_import_is_stored_as_text(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    rows = ["id,name,movements,notes"] + [
        f'h{i},"{t.replace(chr(34), chr(34) * 2)}",housing,"{t.replace(chr(34), chr(34) * 2)}"'
        for i, t in enumerate(HOSTILE)
    ]
    (folder / "organizations.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "ties.csv").write_text('source,target,notes\nh0,h1,"\'); DROP TABLE ties;--"\n', encoding="utf-8")
    import_map(store, folder)
    names = {o["id"]: o["name"] for o in store.snapshot()["organizations"]}
    assert names == {f"h{i}": t.strip() for i, t in enumerate(HOSTILE)}
    assert store.snapshot()["ties"][0]["notes"] == "'); DROP TABLE ties;--"


def test_hostile_text_through_the_command_line(tmp_path: Path) -> None:
    from .conftest import run_cli

    assert run_cli("init", cwd=tmp_path).returncode == 0
    for i, text in enumerate(HOSTILE):
        result = run_cli(
            "org", "add", "--id", f"h{i}", "--name", text, "--movements", "housing", "--notes", text, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
    listed = json.loads(run_cli("org", "list", "--json", cwd=tmp_path).stdout)
    assert {o["name"] for o in listed} == {t.strip() for t in HOSTILE}


def test_an_import_over_the_size_limit_is_refused_before_reading(sqlite_store: Store, tmp_path: Path) -> None:
    limits = Settings.from_env({"COALITION_MAX_IMPORT_MB": "0.001"}).import_limits
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name,movements\n" + "a,A,housing\n" * 200, encoding="utf-8")
    with pytest.raises(InvalidInput, match="the largest import accepted is 0 MB"):
        import_map(sqlite_store, folder, limits=limits)
    assert sqlite_store.is_empty()


def test_a_zip_bomb_is_refused_by_its_unpacked_size(sqlite_store: Store, tmp_path: Path) -> None:
    import zipfile

    limits = Settings.from_env({"COALITION_MAX_IMPORT_MB": "1"}).import_limits
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("organizations.csv", "id,name,movements\n" + " " * (3 * 1024 * 1024))
    assert archive.stat().st_size < 100_000
    with pytest.raises(InvalidInput, match="is 3 MB"):
        import_map(sqlite_store, archive, limits=limits)


def test_too_many_rows_are_refused_with_a_clear_line(sqlite_store: Store, tmp_path: Path) -> None:
    limits = Settings.from_env({"COALITION_MAX_IMPORT_ROWS": "10"}).import_limits
    folder = tmp_path / "rows"
    folder.mkdir()
    (folder / "organizations.csv").write_text(
        "id,name,movements\n" + "".join(f"o{i},O{i},housing\n" for i in range(11)), encoding="utf-8"
    )
    with pytest.raises(InvalidInput, match="holds 11 records; the most one import accepts is 10"):
        import_map(sqlite_store, folder, limits=limits)
    assert sqlite_store.is_empty()
