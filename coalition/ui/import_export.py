"""Import / Export: upload a map, read its validation report and a preview, confirm; and
download the map in any export format for a chosen audience.

Uploads are written to a temporary folder that is deleted when the import is checked;
nothing is kept on disk. Imports are all-or-nothing (``coalition.transfer.import_map``).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from coalition.formats import EXPORT_FORMATS, module_for
from coalition.models import AUDIENCES
from coalition.transfer import export_map, import_map
from coalition.ui import state
from coalition.ui.charts import md
from coalition.ui.state import Keys, Tables

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
EXPORT_FILES = {"csv": ("coalition-map.zip", "application/zip"), "json": ("coalition-map.json", "application/json")}


def _cells(row: dict) -> dict[str, str]:
    return {k: "; ".join(map(str, v)) if isinstance(v, list) else "" if v is None else str(v) for k, v in row.items()}


st.title("Import / Export")
store = state.get_store()
audience = state.audience()


def check(files: list, write: bool = False):
    """Write the uploads to a temporary folder and import them (or only check them)."""
    with tempfile.TemporaryDirectory(prefix="coalition-upload-") as folder:
        paths = []
        for upload in files:
            path = Path(folder) / (SAFE_NAME.sub("_", Path(upload.name).name).lstrip(".") or "upload")
            path.write_bytes(upload.getvalue())
            paths.append(path)
        single = len(paths) == 1 and paths[0].suffix.lower() in (".zip", ".json")
        target = paths[0] if single else Path(folder)
        report = import_map(store, target, dry_run=not write)
        preview = (
            [] if write else [row.data for row in module_for(report.format, target).read(target).organizations[:20]]
        )
        return report, preview


st.subheader("Import a map")
st.write(
    "Upload a JSON map, a .zip of CSV files, or the CSV files themselves (organizations.csv, and optionally "
    "ties.csv and movements.csv). Nothing is written until you confirm, and then all of it or nothing."
)
files = st.file_uploader("Map file(s)", type=["json", "zip", "csv"], accept_multiple_files=True, key=Keys.IMPORT_FILES)
if files:
    ok, result = state.attempt(lambda: check(files))
    if ok:
        report, preview = result
        st.markdown(f"**Check:** {md(report.summary().replace(report.path, ', '.join(f.name for f in files)))}")
        if report.problems:
            count = len(report.problems)
            st.error(
                f"{count} problem{'s' if count > 1 else ''}: fix them in the file and upload it again. "
                "Nothing was imported."
            )
            st.dataframe(
                pd.DataFrame(
                    [{"file": p.file, "row": p.row, "field": p.field, "problem": p.message} for p in report.problems]
                ),
                hide_index=True,
                key=Tables.IMPORT_PROBLEMS,
            )
        else:
            st.success("No problems found.")
        if preview:
            st.markdown("**Preview** (first organizations in the file)")
            st.dataframe(pd.DataFrame([_cells(row) for row in preview]), hide_index=True, key=Tables.IMPORT_PREVIEW)
        if st.button("Import", type="primary", disabled=bool(report.problems), key=Keys.IMPORT_CONFIRM):
            done, written = state.attempt(lambda: check(files, write=True))
            if done:
                state.flash(written[0].summary().replace(written[0].path, ", ".join(f.name for f in files)))
                state.forget(Keys.IMPORT_FILES)
                st.rerun()

st.subheader("Export the map")
left, right = st.columns(2)
export_audience = left.selectbox(
    "For whom",
    AUDIENCES,
    index=AUDIENCES.index(audience),
    key=Keys.EXPORT_AUDIENCE,
    help="The export holds only what this audience may see; hidden organizations, ties and contacts are left out.",
)
fmt = right.selectbox("Format", EXPORT_FORMATS, key=Keys.EXPORT_FORMAT)
name, mime = EXPORT_FILES.get(fmt, (f"coalition-map.{fmt}", "application/octet-stream"))
view = state.view(store, export_audience)
withheld = view["withheld"]
st.caption(
    f"For the {export_audience} audience: {len(view['organizations'])} organizations and {len(view['ties'])} ties; "
    f"left out: {withheld['organizations']} organizations, {withheld['ties']} ties, "
    f"{withheld['introductions']} introductions."
)


def export_bytes() -> bytes:
    with tempfile.TemporaryDirectory(prefix="coalition-export-") as folder:
        path = Path(folder) / name
        export_map(store, path, fmt=fmt, audience=export_audience)
        return path.read_bytes()


st.download_button(
    f"Download {name} ({export_audience})",
    data=export_bytes,
    file_name=name.replace("coalition-map", f"coalition-map-{export_audience}"),
    mime=mime,
    on_click="ignore",
    key=Keys.EXPORT_DOWNLOAD,
)
