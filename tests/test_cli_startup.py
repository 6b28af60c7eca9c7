"""The command line starts without the heavy libraries (issue 14): analyses, drawings
and the PDF brief are imported by the commands that use them, so ``coalition --help``
and ``coalition import`` of a CSV folder start in a fraction of a second."""

from __future__ import annotations

import json
import subprocess
import sys

from coalition.analysis.gaps import TEXT_ITEMS
from coalition.cli import analysis
from coalition.introductions.recommend import DEFAULT_BOLDNESS

from .conftest import ROOT

HEAVY = ("networkx", "igraph", "scipy", "pandas", "matplotlib", "reportlab", "streamlit", "pyvis", "openpyxl")

#: What a fresh interpreter holds after building the app and reading a CSV folder.
LOADED = """
import json, sys, tempfile
from pathlib import Path
from coalition.cli import app
from coalition.formats import FORMATS
from coalition.maps import transfer
folder = Path(tempfile.mkdtemp())
(folder / "organizations.csv").write_text("id,name,movements\\ncasa,Casa,housing\\n", encoding="utf-8")
FORMATS["csv"].read(folder)
print(json.dumps([name for name in sys.argv[1:] if name in sys.modules]))
"""


def test_the_app_and_a_csv_import_load_none_of_the_heavy_libraries() -> None:
    run = subprocess.run(
        [sys.executable, "-c", LOADED, *HEAVY], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(run.stdout) == []


def test_the_defaults_the_cli_shows_are_the_analyses_own() -> None:
    assert analysis.TEXT_ITEMS == TEXT_ITEMS
    assert analysis.DEFAULT_BOLDNESS == DEFAULT_BOLDNESS
