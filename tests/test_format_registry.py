"""The Format protocol: every format names its endings, MIME type and download name,
and an ending always leads back to the format that claims it."""

from __future__ import annotations

from pathlib import Path

import pytest

from coalition.domain.errors import InvalidInput
from coalition.formats import EXPORT_FORMATS, FORMATS, IMPORT_FORMATS, detect, format_for


@pytest.mark.parametrize("name", FORMATS)
def test_each_ending_of_a_format_leads_back_to_it_for_export(name: str) -> None:
    fmt = FORMATS[name]
    assert fmt.name == name and fmt.suffixes and "/" in fmt.mime_type
    for suffix in fmt.suffixes:
        assert detect(Path(f"map{suffix}"), for_export=True) == name
    assert detect(Path(fmt.download_name), for_export=True) == name


def test_the_seven_data_formats_read_and_every_format_writes() -> None:
    assert set(IMPORT_FORMATS) == {"csv", "xlsx", "json", "graphml", "gexf", "kumu", "kumu-xlsx"}
    assert set(EXPORT_FORMATS) == set(FORMATS)


def test_reading_an_export_only_format_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="pdf is an export format only"):
        format_for("pdf", tmp_path / "brief.pdf").read(tmp_path / "brief.pdf")
    with pytest.raises(InvalidInput, match="unknown format 'docx'"):
        format_for("docx", tmp_path / "map.docx")
