"""End to end in real headless Chromium: the dashboard as a person uses it.

Drives Debian's Chromium (``/usr/bin/chromium``; ``playwright install`` cannot download
browsers here) with Playwright against ``coalition serve`` over a demo map (the shared
``app_url`` fixture in ``conftest.py``): the map is drawn by vis-network (node ids read
inside its iframe), an organization added through the form appears on the map, an upload
is checked before it is imported, and the browser makes no request outside the app.
Every page is opened, audited and photographed in ``test_accessibility.py``; screenshots
of the steps here go to ``test-artifacts/``.

Without Chromium the tests fail in CI (CI=true) and are skipped loudly elsewhere;
``scripts/setup-chromium.sh`` installs it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, map_node_ids, open_page

pytestmark = pytest.mark.browser

PRIVATE_ORG = "kitchen_table_mutual_aid"


def test_the_map_is_drawn_for_the_audience_only(page, app_url: str) -> None:
    open_page(page, app_url, "map", "Map")
    ids = map_node_ids(page)
    assert "riverside_tenants_union" in ids and "night_shift_collective" in ids
    assert PRIVATE_ORG not in ids  # private: never sent to a coalition audience
    assert len(ids) >= 40
    assert page.external_requests == []


def test_an_organization_added_in_the_form_appears_on_the_map(page, app_url: str) -> None:
    open_page(page, app_url, "organizations", "Organizations")
    page.get_by_role("tab", name="Add").click()
    form = page.get_by_test_id("stForm").first
    form.get_by_label("Name", exact=True).fill("Harbor Renters Network")
    form.get_by_label("Region", exact=True).fill("harbor")
    movements = form.get_by_test_id("stMultiSelect").first
    movements.click()
    page.get_by_role("option", name="Housing justice").click()
    page.keyboard.press("Escape")
    form.get_by_role("button", name="Add organization").click()
    page.get_by_text("Added Harbor Renters Network.").wait_for(timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "organization-added.png"), full_page=True)

    open_page(page, app_url, "map", "Map")
    assert "harbor_renters_network" in map_node_ids(page)
    page.screenshot(path=str(ARTIFACTS / "map-with-new-organization.png"), full_page=True)
    assert page.external_requests == []


def test_an_upload_is_checked_then_imported_on_confirmation(page, app_url: str, tmp_path: Path) -> None:
    header = "id,name,movements,kind,community_led,region\n"
    bad = tmp_path / "bad" / "organizations.csv"
    bad.parent.mkdir()
    bad.write_text(
        header + "lantern_house,Lantern House,housing,collective,true,harbor\nx,Nowhere,no_such_movement,,,\n"
    )
    good = tmp_path / "good" / "organizations.csv"
    good.parent.mkdir()
    good.write_text(header + "lantern_house,Lantern House,housing,collective,true,harbor\n")

    open_page(page, app_url, "import_export", "Import / Export")
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(bad))
    page.get_by_text("problem: fix them in the file").wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Import", exact=True).is_disabled()
    page.screenshot(path=str(ARTIFACTS / "import-with-problems.png"), full_page=True)

    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(good))
    page.get_by_text("No problems found.").wait_for(timeout=60_000)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("imported 1 organizations").wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)

    open_page(page, app_url, "map", "Map")
    assert "lantern_house" in map_node_ids(page)
    assert page.external_requests == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        (
            "huge_number.json",
            '{"format": "coalition-map", "version": 1, "organizations": [{"id": ' + "9" * 5000 + "}]}",
        ),
        ("wide_cell.csv", "id,name,movements\nx," + "y" * 140_000 + ",housing\n"),
    ],
)
def test_a_hostile_upload_is_one_message_on_the_page_never_a_traceback(
    page, app_url: str, tmp_path: Path, name: str, content: str
) -> None:
    hostile = tmp_path / name
    hostile.write_text(content, encoding="utf-8")
    open_page(page, app_url, "import_export", "Import / Export")
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(hostile))
    page.locator("[data-testid='stAlertContentError']").first.wait_for(timeout=60_000)
    shown = page.locator("[data-testid='stMain']").inner_text()
    assert "Traceback" not in shown and 'File "' not in shown and "/work/" not in shown
    assert page.locator("[data-testid='stException']").count() == 0
    assert (
        page.get_by_role("button", name="Import", exact=True).count() == 0
        or page.get_by_role("button", name="Import", exact=True).is_disabled()
    )


def test_an_export_downloads_only_what_its_audience_may_see(page, app_url: str, tmp_path: Path) -> None:
    open_page(page, app_url, "import_export", "Import / Export")
    with page.expect_download(timeout=60_000) as started:
        page.get_by_role("button", name="Download coalition-map-coalition.zip").click()
    saved = tmp_path / started.value.suggested_filename
    started.value.save_as(saved)
    assert saved.name == "coalition-map-coalition.zip"
    with zipfile.ZipFile(saved) as archive:
        organizations = archive.read("organizations.csv").decode()
    assert "riverside_tenants_union" in organizations and PRIVATE_ORG not in organizations
    assert page.external_requests == []
