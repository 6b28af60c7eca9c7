"""Accessibility in real headless Chromium: every page passes an axe-core audit, the main
jobs can be done with the keyboard alone, and every page is photographed for ``docs/``.

The audit runs axe-core (bundled in axe-playwright-python, pinned in
requirements-dev.txt: nothing is downloaded at test time) on every page of the sidebar,
over the demo map for the coalition audience, with the WCAG 2.0 and 2.1 A and AA rules
(text contrast of 4.5:1, a label on every input...), in the page and in each of its
frames (the map is drawn in an iframe), and fails on any serious or critical violation.
Every violation found, whatever its impact, is kept in ``test-artifacts/axe-<page>.json``.

The dashboard is the one ``coalition serve`` serves (the shared ``app_url`` fixture);
without Chromium the tests fail in CI and are skipped loudly elsewhere.
"""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from coalition.survey.links import start_round
from coalition.ui.pages import EXPLORE, WORK
from graph.sqlite.store import SQLiteStore

from .conftest import ARTIFACTS, ROOT, map_node_ids, open_page, wait_for_page

pytestmark = pytest.mark.browser

DOCS = ROOT / "docs"
#: (file stem, title) of every page, as the sidebar lists them (Surveys: for editors)
PAGES = (*EXPLORE, *WORK, ("surveys", "Surveys"))
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
    "iframes": False,  # each frame is audited on its own, so a violation names its frame
}
BLOCKING = ("serious", "critical")
NEW_ORGANIZATION = "Keyboard Kitchen Collective"


def test_every_page_passes_the_axe_audit_and_is_photographed_for_the_docs(page, app_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    for stem, title in PAGES:
        open_page(page, app_url, "" if stem == "overview" else stem, title)
        if stem == "map":
            map_node_ids(page)  # vis-network has drawn the map
        assert not page.get_by_test_id("stException").count(), f"{title} raised an exception"
        page.screenshot(path=str(DOCS / f"screenshot-{stem}.png"))
        page.screenshot(path=str(ARTIFACTS / f"page-{stem}.png"), full_page=True)
        violations = _audit(page)
        (ARTIFACTS / f"axe-{stem}.json").write_text(json.dumps(violations, indent=1))
        problems += [_describe(title, violation) for violation in violations if violation["impact"] in BLOCKING]
    assert not problems, "axe-core found serious or critical violations:\n" + "\n".join(problems)
    assert page.external_requests == []


def test_the_survey_form_passes_the_axe_audit_on_a_phone_and_is_photographed(page, app_url: str, app_map) -> None:
    store = SQLiteStore(app_map)
    (link,) = start_round(store, "accessibility", ["cielo_abierto_collective"], base_url=app_url)
    store.close()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link["url"])
    wait_for_page(page, "Relationship survey")
    assert not page.get_by_test_id("stException").count()
    page.screenshot(path=str(DOCS / "screenshot-survey-form.png"))
    violations = _audit(page)
    problems = [_describe("Survey form", v) for v in violations if v["impact"] in BLOCKING]
    assert not problems, "axe-core found serious or critical violations:\n" + "\n".join(problems)
    assert page.external_requests == []


def test_an_organization_is_added_and_found_on_the_map_with_the_keyboard_alone(page, app_url: str) -> None:
    open_page(page, app_url, "", "Overview")
    _follow_link(page, "Organizations")
    _tab_to(page, "[role=tab]", "Profile")
    _arrow_to_tab(page, "Add")
    _tab_to(page, "input", label="Name")
    page.keyboard.type(NEW_ORGANIZATION)
    _tab_to(page, "input", label="Movements")
    page.keyboard.type("Housing")
    page.keyboard.press("Enter")  # picks the first movement that matches
    page.keyboard.press("Escape")
    _tab_to(page, "button", "Add organization")
    page.keyboard.press("Enter")
    page.get_by_text(f"Added {NEW_ORGANIZATION}.").wait_for(timeout=60_000)

    _follow_link(page, "Map")
    assert "keyboard_kitchen_collective" in map_node_ids(page)
    assert page.external_requests == []


def _audit(page) -> list[dict]:
    """axe-core's violations in the page and in each of its frames, each marked with the
    frame it was found in (``None`` for the page itself)."""
    violations = []
    for frame in page.frames:
        found = Axe().run(frame, options=AXE_OPTIONS).response["violations"]
        where = None if frame == page.main_frame else frame.frame_element().get_attribute("title")
        violations += [{**violation, "frame": where} for violation in found]
    return violations


def _describe(title: str, violation: dict) -> str:
    """One line a developer can act on: the rule, the page (and frame), the first elements."""
    where = f"{title} page" + (f", in the frame {violation['frame']!r}" if violation["frame"] else "")
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    return (
        f"- {violation['id']} ({violation['impact']}) on the {where}: {violation['help']}; "
        f"{len(violation['nodes'])} element(s), first: {targets}"
    )


FOCUSED = """([selector, text, label]) => {
    const focused = document.activeElement;
    return !!focused && focused.matches(selector)
        && (!text || focused.innerText.trim() === text)
        && (!label || focused.getAttribute('aria-label') === label);
}"""


def _tab_to(page, selector: str, text: str = "", label: str = "", presses: int = 80) -> None:
    """Press Tab until the focused element matches ``selector`` (and shows ``text`` or is
    labelled ``label``); fail when it is not reached, as a keyboard user could not."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED, [selector, text, label]):
            return
    pytest.fail(f"Tab never reached {selector} {text or label!r}: not reachable with the keyboard")


def _arrow_to_tab(page, name: str) -> None:
    """Move along a row of tabs with the right arrow key until ``name`` is focused, and open it."""
    for _ in range(10):
        if page.evaluate(FOCUSED, ["[role=tab]", name, ""]):
            page.keyboard.press("Enter")
            return
        page.keyboard.press("ArrowRight")
    pytest.fail(f"the arrow keys never reached the tab {name!r}")


def _follow_link(page, title: str) -> None:
    """Reach the sidebar link to a page with Tab, follow it with Enter, wait for the page."""
    _tab_to(page, "[data-testid=stPageLink-NavLink]", title)
    page.keyboard.press("Enter")
    wait_for_page(page, title)
