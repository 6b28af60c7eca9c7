"""The map page's filters, measures and saved views, as pure functions of an audience view.

They only ever narrow a view that ``coalition.domain.privacy`` already redacted, so nothing
here can reveal what the audience may not see: a link naming a hidden organization, an
unknown movement or a bad date opens the map without it, the same as a typo would.

The sentences the page shows (why a focus has no ties, why fewer are shown than the map
holds) are worked out here from the same filters that narrow the map, so they cannot
disagree with it, and count ties in the Overview's words (``services.ties_in_words``).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from coalition.domain.models import TIE_KINDS
from coalition.domain.vocabulary import region_key, region_label, region_spellings
from coalition.formats import FORMATS
from coalition.formats.files import scratch_folder
from coalition.i18n import N_, _, ngettext
from coalition.maps.services import tie_counts, ties_in_words

__all__ = [
    "COMMUNITY_CHOICES",
    "LINK_NAMES",
    "SIZE_CHOICES",
    "MapFilters",
    "counts_sentence",
    "export_bytes",
    "file_name",
    "filter_map",
    "filters_from_link",
    "focus_hint",
    "link_of",
    "measures",
    "regions",
    "shown",
]

COMMUNITY_CHOICES = ("all organizations", "community-led only", "allies and others only")
#: How a link says the community choice (``led=community``), short and stable.
COMMUNITY_IN_LINKS = {COMMUNITY_CHOICES[1]: "community", COMMUNITY_CHOICES[2]: "allies"}
SIZE_CHOICES = ("ties", "strength", "betweenness")
MAX_STEPS = 3
MAX_SEARCH = 200
#: The query parameters a saved view is made of, in the order a link lists them.
LINK_NAMES = ("movements", "regions", "kinds", "min", "from", "until", "led", "search", "focus", "steps", "size")
_UNSAFE_IN_FILE_NAMES = re.compile(r"[^a-z0-9_]+")


@dataclass(frozen=True)
class MapFilters:
    """What the map page shows: its filters, its focus and the measure that sizes nodes.

    Movements and tie kinds are ids, regions are ``region_key`` s, so that one choice keeps
    every spelling of a region. The defaults keep everything.
    """

    movements: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    tie_kinds: tuple[str, ...] = ()
    min_strength: int = 1
    active_from: date | None = None
    active_until: date | None = None
    community_led: str = COMMUNITY_CHOICES[0]
    search: str = ""
    focus: str | None = None
    steps: int = 1
    size_by: str = SIZE_CHOICES[0]

    def cleared(self) -> MapFilters:
        """No filter, but the same focus, steps and size: "show me all its partners"."""
        return MapFilters(focus=self.focus, steps=self.steps, size_by=self.size_by)


def regions(view: dict[str, Any]) -> dict[str, str]:
    """``{region_key: label}`` of the regions the visible organizations name, sorted by
    label: "Eastport" and "eastport" are one region, listed once."""
    spellings = region_spellings(sorted(o["region"] for o in view["organizations"] if o.get("region")))
    labels = {key: region_label(spelling) for key, spelling in spellings.items()}
    return dict(sorted(labels.items(), key=lambda item: (item[1].casefold(), item[0])))


def measures(view: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Sizes the map can use, per organization: ties (degree) and summed tie strength.

    Conflict ties are not counted: a conflict is not working together.
    """
    degree: Counter = Counter()
    strength: Counter = Counter()
    for tie in view["ties"]:
        if tie["kind"] == "conflict":
            continue
        for end in (tie["source"], tie["target"]):
            degree[end] += 1
            strength[end] += int(tie.get("strength") or 3)
    ids = [o["id"] for o in view["organizations"]]
    return {
        "ties": {i: float(degree[i]) for i in ids},
        "strength": {i: float(strength[i]) for i in ids},
    }


def filter_map(
    view: dict[str, Any],
    *,
    movements: Iterable[str] = (),
    regions: Iterable[str] = (),
    tie_kinds: Iterable[str] = (),
    min_strength: int = 1,
    active_from: date | None = None,
    active_until: date | None = None,
    community_led: str = COMMUNITY_CHOICES[0],
    search: str = "",
    focus: str | None = None,
    steps: int = 1,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The organizations and ties the filters keep (``shown`` with the filters spelled out).

    >>> v = {"organizations": [{"id": "a", "name": "A", "movements": ["x"]},
    ...                        {"id": "b", "name": "B", "movements": ["y"]}],
    ...      "ties": [{"source": "a", "target": "b", "kind": "coalition", "strength": 2}]}
    >>> [o["id"] for o in filter_map(v, movements=["x"])[0]]
    ['a']
    """
    filters = MapFilters(
        movements=tuple(movements),
        regions=tuple(region_key(r) for r in regions),
        tie_kinds=tuple(tie_kinds),
        min_strength=min_strength,
        active_from=active_from,
        active_until=active_until,
        community_led=community_led,
        search=search,
        focus=focus,
        steps=steps,
    )
    return shown(view, filters)


def shown(view: dict[str, Any], filters: MapFilters) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The organizations and ties the filters keep.

    Empty selections keep everything. An organization is kept when it passes every
    organization filter (the focus always is). A tie is kept when both its ends are, its
    kind is selected, its strength is at least ``min_strength`` and it was active at
    some point of the date range (a tie without dates counts as active). With a focus,
    only the organizations within ``steps`` kept ties of it remain.
    """
    orgs = [o for o in view["organizations"] if o["id"] == filters.focus or _passes(o, _org_tests(filters))]
    kept = {o["id"] for o in orgs}
    tie_tests = _tie_tests(filters)
    ties = [t for t in view["ties"] if t["source"] in kept and t["target"] in kept and _passes(t, tie_tests)]
    if filters.focus and filters.focus in kept:
        near = _within(filters.focus, ties, filters.steps)
        orgs = [o for o in orgs if o["id"] in near]
        ties = [t for t in ties if t["source"] in near and t["target"] in near]
    return orgs, ties


# the sentences the page shows ------------------------------------------------------------
def focus_hint(view: dict[str, Any], filters: MapFilters, ties: list[dict[str, Any]]) -> str | None:
    """Why the focused organization shows fewer ties than it has, in plain words, or None
    when every tie it has is on the map (``ties``: those shown)."""
    focus = filters.focus
    org = next((o for o in view["organizations"] if o["id"] == focus), None)
    if org is None:
        return None
    own = [t for t in view["ties"] if focus in (t["source"], t["target"])]
    if not own:
        return _("{organization} has no ties yet.").format(organization=org["name"])
    on_map = sum(1 for t in ties if focus in (t["source"], t["target"]))
    if on_map == len(own):
        return None
    partners = {o["id"]: o for o in view["organizations"]}
    which = _filter_names(_hiding(filters, own, partners, focus))
    if not on_map:
        # TRANSLATORS: {filters} names the map's filters that hide the ties
        return ngettext(
            "The filters hide all {count:,} tie of {organization} ({filters}): clear them to see its partners.",
            "The filters hide all {count:,} ties of {organization} ({filters}): clear them to see its partners.",
            len(own),
        ).format(count=len(own), organization=org["name"], filters=which)
    return ngettext(
        "The filters hide {hidden} of the {count:,} tie of {organization} ({filters}).",
        "The filters hide {hidden} of the {count:,} ties of {organization} ({filters}).",
        len(own),
    ).format(hidden=len(own) - on_map, count=len(own), organization=org["name"], filters=which)


def counts_sentence(
    view: dict[str, Any], filters: MapFilters, orgs: list[dict[str, Any]], ties: list[dict[str, Any]]
) -> str:
    """How many organizations and ties are shown and, when fewer than the map holds, why;
    the map's ties are counted in the Overview's words so the two pages agree."""
    everyone, every_tie = len(view["organizations"]), len(view["ties"])
    in_words = ties_in_words(*tie_counts(view["ties"]))
    if len(orgs) == everyone and len(ties) == every_tie:
        # TRANSLATORS: {ties_in_words} is "77 ties: 71 working now (...), 1 conflict, 5 ended"
        return ngettext(
            "Shown: all {count:,} organization and all {ties_in_words}.",
            "Shown: all {count:,} organizations and all {ties_in_words}.",
            everyone,
        ).format(count=everyone, ties_in_words=in_words)
    reasons = _hidden_organizations(view, filters, orgs) + _hidden_ties(view, filters, ties)
    # TRANSLATORS: separates the reasons why organizations or ties are not shown
    separator = _("; ")
    # TRANSLATORS: {ties_in_words} is "77 ties: 71 working now (...), 1 conflict, 5 ended"; {reasons} lists
    # why the others are not shown
    return ngettext(
        "Shown: {shown:,} of {count:,} organization and {shown_ties:,} of the map's {ties_in_words}. "
        "Not shown: {reasons}.",
        "Shown: {shown:,} of {count:,} organizations and {shown_ties:,} of the map's {ties_in_words}. "
        "Not shown: {reasons}.",
        everyone,
    ).format(
        shown=len(orgs), count=everyone, shown_ties=len(ties), ties_in_words=in_words, reasons=separator.join(reasons)
    )


# saved views ----------------------------------------------------------------------------
def link_of(filters: MapFilters) -> dict[str, str]:
    """The query parameters of a saved view: only what differs from the defaults, with
    short stable names (``LINK_NAMES``), so that a plain map has a plain address.

    >>> link_of(MapFilters(movements=("housing", "migrant"), focus="a", steps=2))
    {'movements': 'housing,migrant', 'focus': 'a', 'steps': '2'}
    """
    default = MapFilters()
    values = {
        "movements": ",".join(filters.movements),
        "regions": ",".join(filters.regions),
        "kinds": ",".join(filters.tie_kinds),
        "min": str(filters.min_strength) if filters.min_strength != default.min_strength else "",
        "from": filters.active_from.isoformat() if filters.active_from else "",
        "until": filters.active_until.isoformat() if filters.active_until else "",
        "led": COMMUNITY_IN_LINKS.get(filters.community_led, ""),
        "search": filters.search.strip(),
        "focus": filters.focus or "",
        "steps": str(filters.steps) if filters.focus and filters.steps != default.steps else "",
        "size": filters.size_by if filters.size_by != default.size_by else "",
    }
    return {name: values[name] for name in LINK_NAMES if values[name]}


def filters_from_link(link: Mapping[str, str], view: dict[str, Any]) -> MapFilters:
    """The view a link asks for, keeping only what this audience's map has: unknown or
    hidden ids, bad numbers and bad dates are dropped without a word, so a link never
    fails and never tells whether something hidden exists."""
    org_ids = {o["id"] for o in view["organizations"]}
    focus = str(link.get("focus") or "")
    size_by = str(link.get("size") or "")
    led = {word: choice for choice, word in COMMUNITY_IN_LINKS.items()}
    return MapFilters(
        movements=_known(link.get("movements"), [m["id"] for m in view["movements"]]),
        regions=_known(link.get("regions"), list(regions(view))),
        tie_kinds=_known(link.get("kinds"), TIE_KINDS),
        min_strength=_whole(link.get("min"), 1, 5),
        active_from=_day(link.get("from")),
        active_until=_day(link.get("until")),
        community_led=led.get(str(link.get("led") or ""), COMMUNITY_CHOICES[0]),
        search=str(link.get("search") or "")[:MAX_SEARCH],
        focus=focus if focus in org_ids else None,
        steps=_whole(link.get("steps"), 1, MAX_STEPS),
        size_by=size_by if size_by in SIZE_CHOICES else SIZE_CHOICES[0],
    )


def file_name(filters: MapFilters, audience: str, fmt: str) -> str:
    """The download name of a view, saying what it holds:
    ``coalition-map-coalition-housing.html``; ``filtered`` when other filters apply.

    >>> file_name(MapFilters(movements=("housing",), min_strength=3), "public", "png")
    'coalition-map-public-housing-filtered.png'
    """
    parts = [audience, *filters.movements, *filters.regions, *([filters.focus] if filters.focus else [])]
    narrowed = replace(filters, movements=(), regions=(), focus=None, steps=1, size_by=SIZE_CHOICES[0])
    if narrowed != MapFilters():
        parts.append("filtered")
    words = [w for w in (_UNSAFE_IN_FILE_NAMES.sub("_", p.casefold()).strip("_") for p in parts) if w]
    stem = "-".join(["coalition-map", *words])[:120]
    return f"{stem}.{fmt}"


def export_bytes(view: dict[str, Any], orgs: list[dict[str, Any]], ties: list[dict[str, Any]], fmt: str) -> bytes:
    """What is shown, written by the export format ``fmt`` (html, png...) for the view's
    audience: the same banner and withheld note as a whole-map export, with only these
    organizations and ties."""
    narrowed = {**view, "organizations": orgs, "ties": ties, "introductions": []}
    export = FORMATS[fmt]
    with scratch_folder("coalition-view-") as folder:
        path = Path(folder) / export.download_name
        export.write(narrowed, path)
        return path.read_bytes()


# the filters, one test each (their names are the sidebar's) -------------------------------
Test = Callable[[dict[str, Any]], bool]


def _org_tests(filters: MapFilters) -> dict[str, Test]:
    """The organization filters in use, by name."""
    tests: dict[str, Test] = {}
    if filters.movements:
        chosen = set(filters.movements)
        tests[N_("movements")] = lambda org: bool(chosen & set(org.get("movements", [])))
    if filters.regions:
        keys = set(filters.regions)
        tests[N_("regions")] = lambda org: region_key(org.get("region") or "") in keys
    if filters.community_led != COMMUNITY_CHOICES[0]:
        wanted = filters.community_led == COMMUNITY_CHOICES[1]
        tests[N_("community-led or not")] = lambda org: bool(org.get("community_led")) == wanted
    needle = filters.search.strip().lower()
    if needle:
        # TRANSLATORS: the name of a filter of the map: the words searched for
        tests[N_("search")] = lambda org: needle in org["name"].lower() or needle in org["id"]
    return tests


def _tie_tests(filters: MapFilters) -> dict[str, Test]:
    """The tie filters in use, by name."""
    tests: dict[str, Test] = {}
    if filters.tie_kinds:
        kinds = set(filters.tie_kinds)
        tests[N_("tie kinds")] = lambda tie: tie["kind"] in kinds
    if filters.min_strength > 1:
        tests[N_("weakest tie shown")] = lambda tie: int(tie.get("strength") or 3) >= filters.min_strength
    if filters.active_from or filters.active_until:
        # TRANSLATORS: the name of a filter of the map: the dates a tie was active
        tests[N_("dates")] = lambda tie: _active(tie, filters.active_from, filters.active_until)
    return tests


def _filter_names(names: Iterable[str]) -> str:
    """Filters' names as the sentences list them, in the session's language (the tests
    are keyed by their English names)."""
    # TRANSLATORS: separates the names of the map's filters ("movements, regions")
    return _(", ").join(_(name) for name in names)


def _passes(record: dict[str, Any], tests: dict[str, Test]) -> bool:
    return all(test(record) for test in tests.values())


def _failed(record: dict[str, Any], tests: dict[str, Test]) -> list[str]:
    return [name for name, test in tests.items() if not test(record)]


def _hiding(filters: MapFilters, own: list[dict[str, Any]], orgs: dict[str, dict], focus: str) -> list[str]:
    """The names of the filters that hide at least one of the focus's ties, in the
    sidebar's order: a tie filter, or an organization filter its partner fails."""
    org_tests, tie_tests = _org_tests(filters), _tie_tests(filters)
    named: set[str] = set()
    for tie in own:
        partner = orgs[tie["target"] if tie["source"] == focus else tie["source"]]
        named.update(_failed(partner, org_tests) + _failed(tie, tie_tests))
    return [name for name in [*org_tests, *tie_tests] if name in named]


def _hidden_organizations(view: dict[str, Any], filters: MapFilters, orgs: list[dict[str, Any]]) -> list[str]:
    org_tests = _org_tests(filters)
    passing = [o for o in view["organizations"] if o["id"] == filters.focus or _passes(o, org_tests)]
    reasons = []
    if len(passing) < len(view["organizations"]):
        hidden = len(view["organizations"]) - len(passing)
        reasons.append(
            ngettext(
                "{count:,} organization the filters hide ({filters})",
                "{count:,} organizations the filters hide ({filters})",
                hidden,
            ).format(count=hidden, filters=_filter_names(org_tests))
        )
    if len(orgs) < len(passing):
        name = next(o["name"] for o in view["organizations"] if o["id"] == filters.focus)
        far = len(passing) - len(orgs)
        distance = ngettext("{steps} step", "{steps} steps", filters.steps).format(steps=filters.steps)
        reasons.append(
            # TRANSLATORS: {distance} is "1 step", "2 steps": how many ties away from the organization in focus
            ngettext(
                "{count:,} organization more than {distance} from {organization}",
                "{count:,} organizations more than {distance} from {organization}",
                far,
            ).format(count=far, distance=distance, organization=name)
        )
    return reasons


def _hidden_ties(view: dict[str, Any], filters: MapFilters, ties: list[dict[str, Any]]) -> list[str]:
    """The ties a tie filter hides, then the other ties not shown: those to an
    organization not shown."""
    tie_tests = _tie_tests(filters)
    by_filters = sum(1 for t in view["ties"] if not _passes(t, tie_tests))
    to_hidden = len(view["ties"]) - len(ties) - by_filters
    reasons = []
    if by_filters:
        reasons.append(
            ngettext(
                "{count:,} tie the tie filters hide ({filters})",
                "{count:,} ties the tie filters hide ({filters})",
                by_filters,
            ).format(count=by_filters, filters=_filter_names(tie_tests))
        )
    if to_hidden:
        reasons.append(
            ngettext(
                "{count:,} tie to organizations not shown", "{count:,} ties to organizations not shown", to_hidden
            ).format(count=to_hidden)
        )
    return reasons


# reading links ---------------------------------------------------------------------------
def _known(value: Any, known: Iterable[str]) -> tuple[str, ...]:
    """The known names a comma-separated list holds, in the known order. A name holding
    a comma (a region may) is found whole too."""
    if not value:
        return ()
    listed = f",{value},"
    return tuple(name for name in known if f",{name}," in listed)


def _whole(value: Any, lowest: int, highest: int) -> int:
    """A whole number within bounds, or ``lowest`` (the default) for anything else."""
    text = str(value or "").strip()
    if not text.isdigit():
        return lowest
    number = int(text)
    return number if lowest <= number <= highest else lowest


# dates and distances ---------------------------------------------------------------------
def _active(tie: dict[str, Any], start: date | None, end: date | None) -> bool:
    since, until = _day(tie.get("since")), _day(tie.get("until"))
    if end is not None and since is not None and since > end:
        return False
    if start is not None and until is not None and until < start:
        return False
    return True


def _day(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _within(start: str, ties: list[dict[str, Any]], steps: int) -> set[str]:
    neighbours: dict[str, set[str]] = {}
    for tie in ties:
        neighbours.setdefault(tie["source"], set()).add(tie["target"])
        neighbours.setdefault(tie["target"], set()).add(tie["source"])
    seen = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if seen[node] >= steps:
            continue
        for other in neighbours.get(node, ()):
            if other not in seen:
                seen[other] = seen[node] + 1
                queue.append(other)
    return set(seen)
