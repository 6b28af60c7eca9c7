"""The command line as a script sees it: exit codes, stdout JSON, one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import run_cli


def ok(*args: str, cwd: Path, **kw) -> str:
    result = run_cli(*args, cwd=cwd, **kw)
    assert result.returncode == 0, result.stderr
    return result.stdout


def fails(*args: str, cwd: Path, **kw) -> str:
    """Run a command that must fail cleanly; return its one-line error."""
    result = run_cli(*args, cwd=cwd, **kw)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_demo_then_stats_json_shows_the_five_movements(tmp_path: Path) -> None:
    ok("--db", "sqlite:///x.db", "demo", cwd=tmp_path)
    stats = json.loads(ok("--db", "sqlite:///x.db", "stats", "--json", cwd=tmp_path))
    assert set(stats) == {
        "organizations", "ties", "movements", "community_led", "cross_movement_ties",
        "working_ties", "conflict_ties", "ended_ties",
    }  # fmt: skip
    assert stats["working_ties"] + stats["conflict_ties"] + stats["ended_ties"] == stats["ties"]
    assert {"housing", "migrant", "disability", "queer_trans", "sex_work"} <= set(stats["movements"])
    assert all(stats["movements"][m] > 0 for m in ("housing", "migrant", "disability", "queer_trans", "sex_work"))
    assert stats["organizations"] >= 40 and stats["ties"] >= 60


def test_default_store_is_coalition_db_in_the_working_folder(tmp_path: Path) -> None:
    ok("init", cwd=tmp_path)
    assert (tmp_path / "coalition.db").exists()


def test_coalition_db_variable_selects_the_store(tmp_path: Path) -> None:
    ok("demo", cwd=tmp_path, env={"COALITION_DB": "sqlite:///from_env.db"})
    assert (tmp_path / "from_env.db").exists() and not (tmp_path / "coalition.db").exists()


def test_demo_if_empty_leaves_an_existing_map_alone(tmp_path: Path) -> None:
    ok("init", cwd=tmp_path)
    ok("org", "add", "--name", "Only One", "--movements", "housing", cwd=tmp_path)
    ok("demo", "--if-empty", cwd=tmp_path)
    assert json.loads(ok("stats", "--json", cwd=tmp_path))["organizations"] == 1


def test_organization_and_tie_commands(tmp_path: Path) -> None:
    ok("init", cwd=tmp_path)
    ok("movement", "add", "--name", "Racial justice", "--color", "#123456", cwd=tmp_path)
    ok("org", "add", "--name", "Casa Y", "--movements", "migrant;racial_justice", "--community-led",
       "--languages", "Spanish;English", "--needs", "legal_advice", cwd=tmp_path)  # fmt: skip
    ok("org", "add", "--name", "Tenants", "--movements", "housing", "--visibility", "public", cwd=tmp_path)
    ok("tie", "add", "casa_y", "tenants", "--kind", "joint_campaign", "--strength", "4", cwd=tmp_path)
    ok("org", "edit", "casa_y", "--region", "eastport", cwd=tmp_path)
    shown = json.loads(ok("org", "show", "casa_y", "--json", cwd=tmp_path))
    assert shown["region"] == "eastport" and shown["version"] == 2 and len(shown["ties"]) == 1
    listed = json.loads(ok("org", "list", "--json", "--audience", "public", cwd=tmp_path))
    assert [o["id"] for o in listed] == ["tenants"]
    assert len(json.loads(ok("tie", "list", "--json", cwd=tmp_path))) == 1
    movements = json.loads(ok("movement", "list", "--json", cwd=tmp_path))
    assert {"id": "racial_justice", "name": "Racial justice", "color": "#123456", "organizations": 1} in movements
    ok("tie", "remove", "casa_y", "tenants", cwd=tmp_path)
    ok("org", "remove", "casa_y", cwd=tmp_path)
    assert json.loads(ok("stats", "--json", cwd=tmp_path))["organizations"] == 1


def test_export_then_import_into_an_empty_store_gives_the_same_map(tmp_path: Path) -> None:
    ok("demo", cwd=tmp_path)
    for target in ("map.json", "map_csv"):
        ok("export", target, "--audience", "private", cwd=tmp_path)
        ok("--db", f"sqlite:///{target}.db", "import", target, cwd=tmp_path)
        original = json.loads(ok("org", "list", "--json", cwd=tmp_path))
        copy = json.loads(ok("--db", f"sqlite:///{target}.db", "org", "list", "--json", cwd=tmp_path))
        strip = lambda orgs: [{k: v for k, v in o.items() if k not in ("created_at", "updated_at")} for o in orgs]  # noqa: E731
        assert strip(copy) == strip(original)
        assert ok("--db", f"sqlite:///{target}.db", "tie", "list", "--json", cwd=tmp_path).count('"source"') == 82


@pytest.mark.parametrize(
    "args,needle",
    [
        (("--db", "mysql://x/y", "stats"), "unknown store URL 'mysql://x/y'"),
        (("stats",), "no map at coalition.db"),
        (("import", "missing.csv"), "missing.csv: no such file or folder"),
        (("org", "show", "nobody"), "no organization with id 'nobody'"),
        (("org", "add", "--name", "X", "--movements", "housng"), "unknown movement 'housng'; known:"),
        (("tie", "add", "a", "b", "--strength", "7"), "field strength"),
        (("serve", "--address", "0.0.0.0"), "refusing to serve on 0.0.0.0"),
    ],
)
def test_user_errors_are_one_line_without_traceback(tmp_path: Path, args: tuple, needle: str) -> None:
    if args[0] != "stats":
        ok("init", cwd=tmp_path)
    assert needle in fails(*args, cwd=tmp_path)


def test_bad_import_exits_non_zero_and_changes_nothing(tmp_path: Path) -> None:
    ok("demo", cwd=tmp_path)
    before = ok("stats", "--json", cwd=tmp_path)
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name,movements\nnew_one,New,housing\n", encoding="utf-8")
    (folder / "ties.csv").write_text("source,target,strength\nnew_one,ghost,3\n", encoding="utf-8")
    line = fails("import", str(folder), cwd=tmp_path)
    assert "ties.csv, row 2, field target: unknown organization 'ghost'" in line
    assert ok("stats", "--json", cwd=tmp_path) == before


def test_dry_run_lists_problems_and_writes_nothing(tmp_path: Path) -> None:
    ok("init", cwd=tmp_path)
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name,movements\na,A,housng\nb,B,nope\n", encoding="utf-8")
    result = run_cli("import", str(folder), "--dry-run", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("problem:") == 2
    assert json.loads(ok("stats", "--json", cwd=tmp_path))["organizations"] == 0


def test_console_script_is_installed() -> None:
    assert shutil.which("coalition") or Path(__import__("sys").executable).with_name("coalition").exists()


def test_gaps_json_has_the_contract_keys_and_hides_private_groups(tmp_path: Path) -> None:
    ok("demo", cwd=tmp_path)
    report = json.loads(ok("gaps", "--json", "--audience", "coalition", cwd=tmp_path))
    for key in ("movement_matrix", "missing_movement_pairs", "weak_movement_pairs", "single_points_of_failure",
                "brokers", "isolated_community_led", "needs_offers", "silos"):  # fmt: skip
        assert key in report
    assert ["disability", "sex_work"] in report["missing_movement_pairs"]
    assert report["movement_matrix"]["disability"]["housing"]["ties"] == 1
    assert "kitchen_table_mutual_aid" not in json.dumps(report)
    text = ok("gaps", cwd=tmp_path)
    assert "If Open Door Housing Co-op steps back" in text and "Kitchen Table" not in text


def test_introductions_json_then_planning_changes_later_suggestions(tmp_path: Path) -> None:
    ok("demo", cwd=tmp_path)
    doc = json.loads(ok("introductions", "--top", "5", "--json", cwd=tmp_path))
    first = doc["introductions"][0]
    assert set(first) >= {"a", "b", "score", "broker", "reasons", "movements", "status"}
    assert "kitchen_table_mutual_aid" not in json.dumps(doc)
    ok("introductions", "set", first["a"], first["b"], "--status", "declined", "--note", "not now", cwd=tmp_path)
    again = json.loads(ok("introductions", "--top", "20", "--json", cwd=tmp_path))["introductions"]
    assert (first["a"], first["b"]) not in {(r["a"], r["b"]) for r in again}
    declined = json.loads(ok("introductions", "--status", "declined", "--json", cwd=tmp_path))["introductions"]
    assert [(r["a"], r["b"], r["status"]) for r in declined] == [(first["a"], first["b"], "declined")]
    weights = json.loads(ok("introductions", "--weights", cwd=tmp_path))
    assert any(key.startswith("across.") for key in weights)
    text = ok("introductions", "--top", "3", cwd=tmp_path)
    assert text.startswith("1. ")
