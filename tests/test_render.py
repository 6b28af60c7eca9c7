"""graph.render: a self-contained, escaped map page with positions computed in Python,
and movement groups instead of a frozen browser on large maps."""

from __future__ import annotations

import random
import re
import time

import pytest

from graph.render import AGGREGATE_ABOVE, layout_positions, render_map

MOVEMENTS = [
    {"id": "housing", "name": "Housing justice", "color": "#0072B2"},
    {"id": "migrant", "name": "Migrant rights", "color": "#009E73"},
    {"id": "disability", "name": "Disability rights", "color": "#CC79A7"},
    {"id": "queer_trans", "name": "Queer and trans liberation", "color": "#E69F00"},
    {"id": "sex_work", "name": "Sex worker rights", "color": "#D55E00"},
]
HOSTILE = "<img src=x onerror=alert(1)>"


def generated_map(n: int, ties_per_org: int = 4, seed: int = 3) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    orgs = [
        {
            "id": f"org{i}",
            "name": f"Group {i}",
            "movements": [rng.choice(MOVEMENTS)["id"]],
            "kind": "collective",
            "community_led": rng.random() < 0.4,
            "region": rng.choice(["north", "south", "east", "west"]),
        }
        for i in range(n)
    ]
    seen: set[tuple[int, int]] = set()
    ties = []
    while len(ties) < n * ties_per_org:
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            kind = "conflict" if rng.random() < 0.02 else "coalition"
            ties.append({"source": f"org{a}", "target": f"org{b}", "kind": kind, "strength": rng.randint(1, 5)})
    return orgs, ties


def small_map() -> tuple[list[dict], list[dict]]:
    orgs = [
        {"id": "a", "name": "Tenants Union", "movements": ["housing"], "community_led": True, "kind": "union"},
        {"id": "b", "name": HOSTILE, "movements": ["migrant", "housing"], "kind": "ngo", "region": "</script>"},
        {"id": "c", "name": "Night Shift", "movements": ["sex_work"], "community_led": True},
    ]
    ties = [
        {"source": "a", "target": "b", "kind": "coalition", "strength": 4, "since": "2019-01-01"},
        {"source": "b", "target": "c", "kind": "conflict", "strength": 1},
        {"source": "a", "target": "zzz", "kind": "coalition", "strength": 1},  # an end the audience may not see
    ]
    return orgs, ties


def test_names_are_escaped_and_never_become_markup() -> None:
    orgs, ties = small_map()
    html = render_map(MOVEMENTS, orgs, ties).html
    assert HOSTILE not in html and "<img" not in html
    assert html.count("</script>") == 3  # only our own three script blocks end
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html


def test_the_page_loads_nothing_from_the_network() -> None:
    html = render_map(MOVEMENTS, *small_map()).html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "@import" not in html
    assert not any(host in html for host in ("jsdelivr", "cdnjs", "unpkg", "bootstrapcdn", "googleapis", "jquery"))
    assert "<link" not in html and "<script src" not in html
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_vis_network_is_inlined_with_its_license() -> None:
    html = render_map(MOVEMENTS, *small_map()).html
    assert "@license" in html and "vis.js is dual licensed" in html
    assert "vis.Network" in html and "div.vis-tooltip{" in html  # its script and (the used part of) its stylesheet


def test_our_script_never_uses_inner_html() -> None:
    html = render_map(MOVEMENTS, *small_map()).html
    own_script = html.rsplit("<script>", 1)[1]
    assert "innerHTML" not in own_script and "eval(" not in own_script


def test_physics_is_off_and_every_node_has_a_position() -> None:
    page = render_map(MOVEMENTS, *small_map())
    assert '"physics": {"enabled": false}' in page.html
    assert all(f'"id": "{i}"' in page.html for i in "abc")
    assert re.findall(r'"x": -?\d', page.html) and len(re.findall(r'"y": -?\d', page.html)) == 3


def test_ties_to_organizations_not_shown_are_left_out() -> None:
    page = render_map(MOVEMENTS, *small_map())
    assert len(page.edges) == 2 and "zzz" not in page.html


def test_shapes_and_lines_carry_meaning_besides_colour() -> None:
    page = render_map(MOVEMENTS, *small_map())
    shapes = {row["organization"]: row["shape"] for row in page.nodes}
    assert shapes == {"Tenants Union": "diamond", HOSTILE: "dot", "Night Shift": "diamond"}
    assert [e["line"] for e in page.edges] == ["solid", "dashed"]
    labels = [item["label"] for item in page.legend]
    assert "Housing justice" in labels and any("community-led" in label for label in labels)
    assert any("conflict" in label for label in labels)


def test_sizes_follow_the_chosen_measure() -> None:
    orgs, ties = small_map()
    page = render_map(MOVEMENTS, orgs, ties, sizes={"a": 10.0, "b": 0.0, "c": 2.5}, size_label="betweenness")
    sizes = {
        m.group(1): float(m.group(2)) for m in re.finditer(r'"id": "(\w)", "label"[^}]*?"size": ([\d.]+)', page.html)
    }
    assert sizes["a"] > sizes["c"] > sizes["b"]
    assert {row["organization"]: row["betweenness"] for row in page.nodes}["Tenants Union"] == 10.0


def test_layout_is_seeded_and_repeatable() -> None:
    orgs, ties = generated_map(200)
    edges = [(t["source"], t["target"], t["strength"]) for t in ties]
    ids = [o["id"] for o in orgs]
    assert layout_positions(ids, edges, seed=1) == layout_positions(ids, edges, seed=1)
    assert layout_positions(ids, edges, seed=1) != layout_positions(ids, edges, seed=2)
    assert layout_positions([], []) == {} and layout_positions(["x"], []) == {"x": (0.0, 0.0)}


def test_an_empty_map_renders_with_a_message() -> None:
    page = render_map(MOVEMENTS, [], [])
    assert page.nodes == [] and "No organization matches" in page.html


def test_up_to_the_limit_organizations_are_drawn_one_by_one() -> None:
    orgs, ties = generated_map(AGGREGATE_ABOVE, ties_per_org=2)
    page = render_map(MOVEMENTS, orgs, ties)
    assert not page.aggregated and len(page.nodes) == AGGREGATE_ABOVE and not page.message


@pytest.mark.parametrize("n", [10_000])
def test_a_10000_organization_map_is_grouped_not_frozen(n: int) -> None:
    orgs, ties = generated_map(n)
    started = time.perf_counter()
    page = render_map(MOVEMENTS, orgs, ties)
    seconds = time.perf_counter() - started
    print(f"\nrender_map on {n:,} organizations / {len(ties):,} ties: {seconds:.2f} s, {len(page.html):,} bytes")
    assert page.aggregated and "grouped by movement" in page.message
    assert len(page.nodes) <= 2 * len(MOVEMENTS)
    assert sum(row["organizations"] for row in page.nodes) == n
    assert page.organizations == n
    shapes = {row["shape"] for row in page.nodes}
    assert shapes == {"square", "triangle"}  # community-led groups and the others look different


def test_the_page_carries_only_the_styles_of_the_parts_it_shows() -> None:
    """vis-network's navigation buttons, editing tools and configurator are off: their
    rules (inline icons, 219 of the stylesheet's 220 KB) are left out; the tooltip's stay."""
    html = render_map(MOVEMENTS, *small_map()).html
    style = html.split("vis-network 9.1.2 stylesheet", 1)[1].split("</style>", 1)[0]
    assert "div.vis-tooltip{" in style and ".vis-overlay{" in style
    assert "data:image" not in style and "vis-navigation" not in style and "vis-manipulation" not in style
    assert len(html) < 520_000
