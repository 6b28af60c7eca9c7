"""Import / Export: upload a map, read its validation report, possible duplicates and a
preview, confirm; and download the map in any export format for a chosen audience,
hidden organizations left out or (anonymize) shown as neutral stand-ins.

Uploads are written to a temporary folder that is deleted when the import is checked;
nothing is kept on disk. Imports are all-or-nothing (``coalition.maps.transfer.import_map``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import streamlit as st

from coalition.auth import permissions
from coalition.formats import EXPORT_FORMATS, FORMATS
from coalition.formats.files import scratch_folder
from coalition.i18n import N_, _, ngettext
from coalition.maps.transfer import progress_to
from coalition.ui import actions, login, state
from coalition.ui.charts import md
from coalition.ui.forms import audience_label
from coalition.ui.state import Keys, Tables

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
#: The download name and media type of each export format.
UPLOAD_TYPES = ["json", "zip", "csv", "xlsx", "graphml", "gexf", "xml"]
EXPORT_ANONYMIZE = "export_anonymize"  # widget key (belongs in state.Keys)
IMPORT_DUPLICATES = "import_duplicates"  # table key (belongs in state.Tables)


def _cells(row: dict) -> dict[str, str]:
    return {k: "; ".join(map(str, v)) if isinstance(v, list) else "" if v is None else str(v) for k, v in row.items()}


st.title(_("Import / Export"))
store = state.get_store()
user = state.current_user()
audience = state.audience()
may_import = permissions.allowed(user, permissions.IMPORT)


def check(files: list, write: bool = False):
    """Write the uploads to a temporary folder and import them (or only check them)."""
    with scratch_folder("coalition-upload-") as folder:
        paths = []
        for upload in files:
            path = Path(folder) / (SAFE_NAME.sub("_", Path(upload.name).name).lstrip(".") or "upload")
            path.write_bytes(upload.getvalue())
            paths.append(path)
        single = len(paths) == 1 and paths[0].suffix.lower() != ".csv"
        target = paths[0] if single else Path(folder)
        bar = st.progress(0.0, text=_("Importing…") if write else _("Checking the file…"))

        def advance(done: int, total: int) -> None:
            bar.progress(min(done / total, 1.0) if total else 1.0)

        with progress_to(advance):
            limits = state.settings().import_limits
            report = actions.import_file(user, store, target, dry_run=not write, limits=limits)
        bar.empty()
        return report, [] if write else report.preview  # the file is read once, within the limits


if may_import:
    st.subheader(_("Import a map"))
    st.write(
        _(
            "Upload a JSON map, a .zip of CSV files or the CSV files themselves (organizations.csv, and optionally "
            "ties.csv and movements.csv), an Excel workbook (our sheets, or Kumu's Elements and Connections), a Kumu "
            "blueprint (.json), GraphML or GEXF. Nothing is written until you confirm, and then all of it or nothing."
        )
    )
files = (
    st.file_uploader(_("Map file(s)"), type=UPLOAD_TYPES, accept_multiple_files=True, key=Keys.IMPORT_FILES)
    if may_import
    else None
)
if files:
    ok, result = state.attempt(lambda: check(files))
    if ok:
        report, preview = result
        summary = report.summary().replace(report.path, ", ".join(f.name for f in files))
        # TRANSLATORS: {summary} is the import's report, e.g. "organizations.csv: 3 organizations, 2 ties"
        st.markdown(_("**Check:** {summary}").format(summary=md(summary)))
        if report.problems:
            count = len(report.problems)
            st.error(
                ngettext(
                    "{count} problem: fix them in the file and upload it again. Nothing was imported.",
                    "{count} problems: fix them in the file and upload it again. Nothing was imported.",
                    count,
                ).format(count=count)
            )
            st.dataframe(
                pd.DataFrame(
                    [{"file": p.file, "row": p.row, "field": p.field, "problem": p.message} for p in report.problems],
                    columns=[N_("file"), N_("row"), N_("field"), N_("problem")],
                ).rename(columns=_),  # headings marked N_, shown in the session's language
                hide_index=True,
                key=Tables.IMPORT_PROBLEMS,
            )
        else:
            st.success(_("No problems found."))
        if report.duplicates:
            count = len(report.duplicates)
            st.warning(
                ngettext(
                    "{count} organization name looks like another one. Importing adds them as separate "
                    "organizations; to merge, use one id.",
                    "{count} organization names look like another one. Importing adds them as separate "
                    "organizations; to merge, use one id.",
                    count,
                ).format(count=count)
            )
            st.dataframe(
                pd.DataFrame(
                    [
                        {"organization": d["name"], "where": d["where"], "looks like": d["similar_to"],
                         "in": _("this file") if d["in"] == "file" else _("the map"), "suggestion": d["suggestion"]}
                        for d in report.duplicates
                    ],
                    columns=[N_("organization"), N_("where"), N_("looks like"), N_("in"), N_("suggestion")],
                ).rename(columns=_),
                hide_index=True,
                key=IMPORT_DUPLICATES,
            )  # fmt: skip
        if preview:
            st.markdown(_("**Preview** (first organizations in the file)"))
            st.dataframe(pd.DataFrame([_cells(row) for row in preview]), hide_index=True, key=Tables.IMPORT_PREVIEW)
        if st.button(_("Import"), type="primary", disabled=bool(report.problems), key=Keys.IMPORT_CONFIRM):
            done, written = state.attempt(lambda: check(files, write=True))
            if done:
                state.flash(written[0].summary().replace(written[0].path, ", ".join(f.name for f in files)))
                state.forget(Keys.IMPORT_FILES)
                st.rerun()

st.subheader(_("Export the map"))
left, right = st.columns(2)
choices = permissions.allowed_audiences(user)  # a viewer: its own audience; an editor: up to coalition
export_audience = permissions.cap_audience(
    user,
    left.selectbox(
        _("For whom"),
        choices,
        index=choices.index(audience),
        format_func=audience_label,
        key=Keys.EXPORT_AUDIENCE,
        help=_(
            "The export holds only what this audience may see; hidden organizations, ties and contacts are left out."
        ),
    ),
)
fmt = right.selectbox(_("Format"), EXPORT_FORMATS, key=Keys.EXPORT_FORMAT)
name, mime = FORMATS[fmt].download_name, FORMATS[fmt].mime_type
view = state.view(store, export_audience)
withheld = view["withheld"]
anonymize = st.checkbox(
    _("Show hidden organizations as anonymous stand-ins"),
    key=EXPORT_ANONYMIZE,
    disabled=not withheld["organizations"],
    # TRANSLATORS: the quoted example is how an export names a stand-in; keep sex_work and hidden-2 as they are
    help=_(
        "Instead of leaving them out, show each as 'a community-led sex_work group (hidden-2)': no name, id, "
        "region or contact, ties to visible organizations kept with neutral details. Numbered afresh for every export."
    ),
)


def organizations(n: int) -> str:
    return ngettext("{count} organization", "{count} organizations", n).format(count=n)


def ties(n: int) -> str:
    return ngettext("{count} tie", "{count} ties", n).format(count=n)


if anonymize and withheld["organizations"]:
    # TRANSLATORS: {audience} is public, coalition or private; the other fields count, e.g. "3 organizations"
    exported = _(
        "For the {audience} audience: {organizations} and {ties}; left out: {hidden_organizations}, "
        "{hidden_ties}, {hidden_introductions} (the organizations as anonymous stand-ins)."
    )
else:
    # TRANSLATORS: {audience} is public, coalition or private; the other fields count, e.g. "3 organizations"
    exported = _(
        "For the {audience} audience: {organizations} and {ties}; left out: {hidden_organizations}, "
        "{hidden_ties}, {hidden_introductions}."
    )
st.caption(
    exported.format(
        audience=audience_label(export_audience),
        organizations=organizations(len(view["organizations"])),
        ties=ties(len(view["ties"])),
        hidden_organizations=organizations(withheld["organizations"]),
        hidden_ties=ties(withheld["ties"]),
        hidden_introductions=ngettext(
            "{count} introduction", "{count} introductions", withheld["introductions"]
        ).format(count=withheld["introductions"]),
    )
)


def export_bytes() -> bytes:
    with scratch_folder("coalition-export-") as folder:
        path = Path(folder) / name
        actions.export_file(
            user, store, path, fmt=fmt, audience=export_audience, anonymize=anonymize,
            freshness=state.settings().freshness,
        )  # fmt: skip
        return path.read_bytes()


saved_as = name.replace("coalition-map", f"coalition-map-{export_audience}")  # the button names the file saved
st.download_button(
    _("Download {file}").format(file=saved_as),
    data=login.guarded(export_bytes),
    file_name=saved_as,
    mime=mime,
    on_click="ignore",
    key=Keys.EXPORT_DOWNLOAD,
)
