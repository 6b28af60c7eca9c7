"""PDF: a planning brief to print for a coalition meeting (reportlab).

Every page carries the audience line ("Coalition only — do not forward"), the date and
the page number. Then: the map (``image_format``), the movement gap matrix with the
movements that never work together, single points of failure, the top introductions
with their brokers and reasons, community-led groups on the edge, needs another member
could meet, what was withheld (counts only), and a directory of who is in the map
(name, movements, region, offers and needs; no contacts, whatever the audience).

Everything comes from the audience view (``coalition.analysis.gaps.analyse_gaps`` and
``coalition.introductions.recommend.recommend`` on it), so nothing hidden can reach the page.
Every line goes through ``pdf_text.markup``: data text is escaped before reportlab's
paragraph markup sees it (a name holding ``<img src=...>`` or ``<a href>`` stays text),
each script is drawn by its font (``fonts``: Noto, Droid Sans Fallback, NanumGothic),
shaped and put in right-to-left order where it needs it, and reads back as typed when
the text is copied out. Names lose bidi controls and are cut to 60 characters. In a
right-to-left interface language (``coalition.i18n.is_rtl``) the whole brief is laid
out right to left: paragraphs aligned right, bullets on the right, table columns from
the right, the page header mirrored. Document metadata holds the title and audience only.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from coalition.analysis.gaps import analyse_gaps
from coalition.domain.freshness import Freshness, last_confirmed, mark_stale
from coalition.domain.vocabulary import movement_label, region_label, term_label
from coalition.formats.common import banner, display_text, display_view, today_text, withheld_note
from coalition.formats.files import atomic_path
from coalition.formats.fonts import FACES
from coalition.formats.image_format import map_png
from coalition.formats.pdf_text import Paragraph, RTLParagraph, font_name, markup
from coalition.i18n import N_, _, is_rtl, ngettext
from coalition.introductions.recommend import recommend, stored_introductions
from coalition.maps.changes import summary_lines
from coalition.maps.services import ties_in_words

__all__ = ["write", "brief"]

TOP_INTRODUCTIONS = 8
MAX_DIRECTORY = 200
MAX_ITEMS = 10
#: The key printed under the map (shown as ``_(MAP_KEY)``).
MAP_KEY = N_(
    "Colour: first movement; a thick outline in another colour: a second movement. Diamond: community-led. "
    "Dashed red: conflict. Faded: a tie nobody has confirmed for a while (see 'Ties to check'). A dashed box below the map, if any, holds the groups with no ties yet."
)
MARGIN = 0.6 * inch
LONG_WORD = re.compile(r"\S{25,}")
RED, AMBER, INK, GREY = (
    colors.HexColor("#f4c7c3"),
    colors.HexColor("#fce8b2"),
    colors.HexColor("#1a1a1a"),
    colors.HexColor("#5f5f5f"),
)


def write(view: dict[str, Any], path: Path) -> list[Path]:
    with atomic_path(path) as tmp:
        tmp.write_bytes(brief(view))
    return [path]


def brief(view: dict[str, Any], today: date | None = None) -> bytes:
    """The brief as PDF bytes, laid out right to left when the interface language is
    written so. Raises ``fonts.MissingFont`` when a name's script has no font installed."""
    shown = display_view(view, limit=60)
    freshness = view.get("freshness")
    report = analyse_gaps(shown, today=today, max_items=MAX_ITEMS, freshness=freshness)
    suggestions = recommend(shown, top=TOP_INTRODUCTIONS, today=today, freshness=freshness)
    styles = _styles()
    out = io.BytesIO()
    audience = view["audience"]
    doc = SimpleDocTemplate(
        out, pagesize=letter, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=0.95 * inch, bottomMargin=0.7 * inch,
        # TRANSLATORS: {audience} is public, coalition or private, as stored
        title=_("Coalition planning brief ({audience} audience)").format(audience=audience), author="",
        subject=banner(audience), creator="Coalition Mapper", producer="Coalition Mapper", keywords="",
    )  # fmt: skip
    story: list[Any] = [
        _p(_("Coalition planning brief"), styles["title"]),
        # TRANSLATORS: {date} is today (2026-11-01); {audience} is public, coalition or private, as stored
        _p(_("{date} \u00b7 for the {audience} audience \u00b7 {banner}").format(
            date=today_text(), audience=audience, banner=banner(audience)), styles["lead"]),
        _p(_summary(shown, report), styles["body"]),
        _p(withheld_note(view), styles["note"]),
        Spacer(1, 6),
    ]  # fmt: skip
    width = letter[0] - 2 * MARGIN
    story.append(Image(io.BytesIO(map_png(view)), width=width, height=width * 5.4 / 8.6))
    story.append(_p(_(MAP_KEY), styles["small"]))
    story += _matrix(report, styles, width)
    story += _section(_("Single points of failure"), [i["explanation"] for i in report["single_points_of_failure"]],
                      styles, _("No single organization or tie holds the coalition together on its own."))  # fmt: skip
    story += _introductions(suggestions, styles, width)
    story += _planned(stored_introductions(shown, "planned"), styles, width)
    story += _section(
        _("Community-led groups on the edge"),
        [
            _("{organization}: {why}").format(organization=report["names"].get(i["org"], i["org"]), why=i["why"])
            for i in report["isolated_community_led"]
        ],
        styles,
        _("Every community-led group has ties into the coalition."),
    )
    story += _needs(report, styles, width)
    story += _stale(view, styles)
    if view.get("changes"):
        story += _changes(view["changes"], styles)
    story += _directory(shown, styles, width)
    story += [
        Spacer(1, 10),
        _p(_("What this brief leaves out"), styles["h2"]),
        _p(withheld_note(view), styles["body"]),
    ]
    start, end = (TA_RIGHT, TA_LEFT) if is_rtl() else (TA_LEFT, TA_RIGHT)  # where a line begins and ends
    header = [
        (_p(banner(audience).upper(), _aligned(styles["header_bold"], start)), 6),
        # TRANSLATORS: {date} is today (2026-11-01)
        (_p(_("Coalition planning brief \u00b7 {date}").format(date=today_text()), _aligned(styles["header"], end)),
         6),
        # TRANSLATORS: {audience} is public, coalition or private, as stored
        (_p(_("{audience} audience \u00b7 {banner}").format(audience=audience, banner=banner(audience)),
            _aligned(styles["footer"], start)), 0),
    ]  # fmt: skip

    def page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        top = letter[1] - 0.45 * inch
        canvas.setFillColor(INK)
        canvas.rect(MARGIN, top - 6, width, 20, stroke=0, fill=1)
        number = _p(_("page {number}").format(number=document.page), _aligned(styles["footer"], end))
        for (line, pad), baseline in zip([*header, (number, 0)], (top, top, 0.4 * inch, 0.4 * inch), strict=True):
            _draw_line(canvas, line, MARGIN + pad, width - 2 * pad, baseline)
        canvas.restoreState()

    doc.build(story, onFirstPage=page, onLaterPages=page)
    return out.getvalue()


# sections ---------------------------------------------------------------------------
def _summary(view: dict[str, Any], report: dict[str, Any]) -> str:
    summary = report["summary"]
    led = sum(1 for o in view["organizations"] if o.get("community_led"))
    movements = sum(1 for m in report["movements"].values() if m["organizations"])
    count = summary["organizations"]
    # TRANSLATORS: "12 organizations (5 community-led) across 4 movements; 30 ties: ..."
    return _("{organizations} across {movements}; {ties}.").format(
        organizations=ngettext(
            "{count} organization ({led} community-led)", "{count} organizations ({led} community-led)", count
        ).format(count=count, led=led),
        movements=ngettext("{count} movement", "{count} movements", movements).format(count=movements),
        # the ties in the Overview's words, so the brief and the dashboard never seem to disagree
        ties=ties_in_words(summary["ties"], summary["conflict_ties"], summary["ended_ties_left_out"]),
    )


def _matrix(report: dict[str, Any], styles: dict, width: float) -> list[Any]:
    ids = [m for m, info in report["movements"].items() if info["organizations"]]
    if not ids:
        return []
    names = {m: report["movements"][m]["name"] for m in ids}
    header = [""] + [_p(names[m], styles["cell_bold"]) for m in ids]
    rows, style = [header], [("GRID", (0, 0), (-1, -1), 0.4, GREY), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    missing = {tuple(p) for p in report["missing_movement_pairs"]}
    weak = {tuple(p) for p in report["weak_movement_pairs"]}
    for r, a in enumerate(ids, start=1):
        row = [_p(names[a], styles["cell_bold"])]
        for c, b in enumerate(ids, start=1):
            cell = report["movement_matrix"][a][b]
            ratio = "" if cell["ratio"] is None else f" ({cell['ratio']:.2f})"
            row.append(_p(f"{cell['ties']}{ratio}", styles["cell"]))
            pair = (a, b) if (a, b) in missing | weak else (b, a)
            if pair in missing:
                style.append(("BACKGROUND", (c, r), (c, r), RED))
            elif pair in weak:
                style.append(("BACKGROUND", (c, r), (c, r), AMBER))
        rows.append(row)
    table = _table(rows, [width * 0.2] + [width * 0.8 / len(ids)] * len(ids), style)
    never = [
        _("{movement} and {other}").format(movement=names[a], other=names[b])
        for a, b in report["missing_movement_pairs"]
        if a != b
    ]
    lines = [
        _p(_("Movement gap matrix"), styles["h2"]),
        _p(
            _(
                "Ties between the organizations of two movements, with the density of ties compared with random "
                "mixing in brackets (1.00 = as expected). Red: no tie at all. Amber: far below random mixing."
            ),
            styles["small"],
        ),
        table,
    ]
    if never:
        lines.append(_p(_("Never work together: {pairs}.").format(pairs=_("; ").join(never)), styles["body"]))
    return [Spacer(1, 8), KeepTogether(lines)]


def _table_reasons(suggestion: dict[str, Any]) -> list[str]:
    """A suggestion's reasons the table has no column for: the first reason is the
    broker's line (a cold one is said in the broker column), the gap's sentence follows
    it (said under the pair). By place, not by wording: the reasons are in the reader's
    language."""
    told = {1} if suggestion.get("gap") else set()
    if not suggestion.get("broker"):
        told.add(0)
    return [r for i, r in enumerate(suggestion["reasons"]) if i not in told][:4]


def _introductions(suggestions: list[dict[str, Any]], styles: dict, width: float) -> list[Any]:
    title = _p(_("Introductions to make"), styles["h2"])
    if not suggestions:
        return [title, _p(_("No introduction to suggest for this audience."), styles["body"])]
    # TRANSLATORS: headings of the brief's table of suggested introductions ("#" numbers them)
    headings = (_("#"), _("Introduce"), _("Who can introduce them"), _("Why"))
    rows = [[_p(h, styles["cell_bold"]) for h in headings]]
    for n, s in enumerate(suggestions, start=1):
        broker = s["broker_name"] or _("nobody in common: a cold introduction")
        reasons = _table_reasons(s)
        pair = _markup(_("{organization} \u2194 {other}").format(organization=s["names"][0], other=s["names"][1]))
        gap = f"<br/><i>{_markup(s['gap']['text'])}</i>" if s.get("gap") else ""
        rows.append([
            _p(str(n), styles["cell"]),
            _p_markup(pair + gap, styles["cell"]),
            _p(broker, styles["cell"]),
            _p_markup("<br/>".join(_markup(f"\u2022 {r}") for r in reasons), styles["cell"]),
        ])  # fmt: skip
    table = _table(rows, [width * f for f in (0.05, 0.3, 0.22, 0.43)], HEADED_TABLE)
    note = _p(
        _(
            "Community-led groups lead: an ally never comes before a community-led group of its movement. Only groups "
            "that consent to introductions and have capacity this month are suggested."
        ),
        styles["small"],
    )
    return [Spacer(1, 8), title, note, table]


def _planned(planned: list[dict[str, Any]], styles: dict, width: float) -> list[Any]:
    """The introductions already planned, with who brokers them and the notes kept."""
    title = _p(_("Introductions planned"), styles["h2"])
    if not planned:
        return [Spacer(1, 8), title, _p(_("No introduction is planned yet."), styles["body"])]
    # TRANSLATORS: headings of the brief's table of planned introductions
    rows = [[_p(h, styles["cell_bold"]) for h in (_("Introduce"), _("Planned on"), _("Note"))]]
    for intro in planned:
        rows.append([
            _p(_("{organization} \u2194 {other}").format(organization=intro["names"][0], other=intro["names"][1]),
               styles["cell"]),
            _p(intro.get("status_date") or "", styles["cell"]),
            _p(intro.get("note") or "", styles["cell"]),
        ])  # fmt: skip
    table = _table(rows, [width * f for f in (0.4, 0.15, 0.45)], HEADED_TABLE)
    return [Spacer(1, 8), title, table]


def _needs(report: dict[str, Any], styles: dict, width: float) -> list[Any]:
    title = _p(_("Needs another member could meet"), styles["h2"])
    matches = report["needs_offers"][:20]
    if not matches:
        return [title, _p(_("No need matches an offer in this map."), styles["body"])]
    names = report["names"]
    # TRANSLATORS: headings of the brief's table of needs another member could meet: who needs, what, who offers it
    headings = (_("Needs"), _("What"), _("Offered by"), _("How near"))
    rows = [[_p(h, styles["cell_bold"]) for h in headings]]
    for m in matches:
        rows.append([
            _p(names.get(m["needs"], m["needs"]), styles["cell"]),
            _p(term_label(m["resource"]), styles["cell"]),
            _p(names.get(m["offers"], m["offers"]), styles["cell"]),
            _p(_(m["nearness"]), styles["cell"]),
        ])  # fmt: skip
    table = _table(rows, [width * f for f in (0.3, 0.18, 0.3, 0.22)], HEADED_TABLE)
    more = report["summary"]["needs_offers"] - len(matches)
    extra = (
        [
            _p(
                ngettext(
                    "... and {count} more match (coalition gaps --json lists them).",
                    "... and {count} more matches (coalition gaps --json lists them).",
                    more,
                ).format(count=more),
                styles["small"],
            )
        ]
        if more > 0
        else []
    )
    return [Spacer(1, 8), title, table, *extra]


def _directory(view: dict[str, Any], styles: dict, width: float) -> list[Any]:
    """Who is in the map: name, movements, community-led, region, offers and needs."""
    organizations = sorted(view["organizations"], key=lambda o: o["name"].lower())
    if not organizations:
        return []
    movement_names = {m["id"]: movement_label(m) for m in view["movements"]}
    headings = (_("Organization"), _("Movements"), _("Region"), _("Offers"), _("Needs"))
    rows = [[_p(h, styles["cell_bold"]) for h in headings]]
    for org in organizations[:MAX_DIRECTORY]:
        name = (
            _("{organization} (community-led)").format(organization=org["name"])
            if org.get("community_led")
            else org["name"]
        )
        rows.append([
            _p(name, styles["cell"]),
            _p(_(", ").join(movement_names.get(m, m) for m in org.get("movements", [])), styles["cell"]),
            _p(display_text(region_label(org.get("region") or ""), 40), styles["cell"]),
            _p(_words(org.get("offers")), styles["cell"]),
            _p(_words(org.get("needs")), styles["cell"]),
        ])  # fmt: skip
    table = _table(rows, [width * f for f in (0.3, 0.2, 0.12, 0.19, 0.19)], HEADED_TABLE)
    more = len(organizations) - MAX_DIRECTORY
    extra = (
        [
            _p(
                ngettext("... and {count} more organization.", "... and {count} more organizations.", more).format(
                    count=more
                ),
                styles["small"],
            )
        ]
        if more > 0
        else []
    )
    return [PageBreak(), _p(_("Who is in this map"), styles["h2"]), table, *extra]


def _changes(found: dict[str, Any], styles: dict) -> list[Any]:
    """What changed since the latest snapshot (``coalition.maps.changes``), in sentences."""
    # TRANSLATORS: {snapshot} is a snapshot's name, {date} the day it was taken (2026-11-01)
    title = _("What changed since {snapshot} ({date})").format(snapshot=found["since"], date=found["since_at"][:10])
    return [PageBreak(), *_section(title, summary_lines(found, shown=20), styles, _("Nothing changed."))]


def _words(values: Any) -> str:
    return _(", ").join(display_text(term_label(str(v)), 40) for v in values or [])


def _stale(view: dict[str, Any], styles: dict) -> list[Any]:
    """The ties nobody has confirmed for a while, oldest first: the meeting can ask
    whether they still hold (``coalition tie confirm`` records the answer)."""
    freshness = view.get("freshness") or Freshness()
    names = {o["id"]: display_text(o["name"]) for o in view["organizations"]}
    stale = sorted(
        (t for t in mark_stale(view["ties"], freshness) if t["stale"]),
        key=lambda t: (last_confirmed(t) or date.min, t["source"], t["target"]),
    )
    items = [
        # TRANSLATORS: {kind} is a tie's kind (collaboration, funding...); {date} a day (2026-11-01) or "never"
        _("{organization} \u2013 {other} ({kind}): last confirmed {date}").format(
            organization=names[t["source"]], other=names[t["target"]], kind=term_label(t["kind"]),
            date=_day(last_confirmed(t)),
        )
        for t in stale
    ]  # fmt: skip
    section = _section(
        _("Ties to check at the meeting"),
        items,
        styles,
        ngettext(
            "Every tie shown was confirmed in the last {months} month.",
            "Every tie shown was confirmed in the last {months} months.",
            freshness.months,
        ).format(months=freshness.months),
    )
    if items:
        note = ngettext(
            "Not confirmed in {months} month.", "Not confirmed in {months} months.", freshness.months
        ).format(months=freshness.months)
        if len(items) > MAX_ITEMS:
            note += " " + _("The {shown} oldest of {count} are listed.").format(shown=MAX_ITEMS, count=len(items))
        section.insert(2, _p(note, styles["small"]))
    return section


def _day(day: date | None) -> str:
    # TRANSLATORS: when a tie was last confirmed: never
    return day.isoformat() if day else _("never")


def _section(title: str, items: list[str], styles: dict, empty: str) -> list[Any]:
    heading = _p(title, styles["h2"])
    if not items:
        return [Spacer(1, 8), heading, _p(empty, styles["body"])]
    bullets = ListFlowable(
        [_p(item, styles["body"]) for item in items[:MAX_ITEMS]],
        bulletType="bullet",
        leftIndent=0 if is_rtl() else 12,
        rightIndent=12 if is_rtl() else 0,
        bulletDir="rtl" if is_rtl() else "ltr",
    )
    return [Spacer(1, 8), heading, bullets]


# helpers ----------------------------------------------------------------------------
#: The look of a table whose first row is its headings.
HEADED_TABLE = [
    ("GRID", (0, 0), (-1, -1), 0.4, GREY), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
]  # fmt: skip


def _markup(text: str, bold: bool = False) -> str:
    """Text (data or a sentence) as paragraph markup: escaped, each script in its font,
    shaped and ordered (``pdf_text.markup``); words too long for a table column get
    break points."""
    broken = LONG_WORD.sub(lambda m: " ".join(m[0][i : i + 24] for i in range(0, len(m[0]), 24)), text)
    return markup(broken, bold=bold, rtl=is_rtl())


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain ``text`` in ``style``."""
    return _p_markup(_markup(text, bold=style.fontName == _bold_font()), style)


def _p_markup(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of ``_markup`` pieces (joined with ``<br/>`` or inside ``<i>``), right to
    left in a right-to-left language."""
    return (RTLParagraph if is_rtl() else Paragraph)(text, style)


def _aligned(style: ParagraphStyle, alignment: int) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-{alignment}", parent=style, alignment=alignment)


def _table(rows: list[list[Any]], widths: list[float], style: list[tuple]) -> Table:
    """A table whose first row repeats on every page; in a right-to-left language its
    columns run from the right (the cells and the style's columns mirrored)."""
    if is_rtl():
        last = len(widths) - 1
        rows, widths = [row[::-1] for row in rows], widths[::-1]
        style = [(name, _mirror(start, last), _mirror(stop, last), *rest) for name, start, stop, *rest in style]
        style = [(name, (min(a[0], b[0]), a[1]), (max(a[0], b[0]), b[1]), *rest) for name, a, b, *rest in style]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _mirror(cell: tuple[int, int], last: int) -> tuple[int, int]:
    column = cell[0] if cell[0] >= 0 else last + 1 + cell[0]
    return (last - column, cell[1])


def _draw_line(canvas: Any, paragraph: Paragraph, left: float, width: float, baseline: float) -> None:
    """A one-line paragraph (the page's header and footer) with its first baseline at
    ``baseline``, aligned in ``width`` from ``left`` as its style says."""
    _width, height = paragraph.wrap(width, 100)
    lines = paragraph.blPara
    first = lines.lines[0] if lines.kind == 1 and lines.lines else lines
    paragraph.drawOn(canvas, left, baseline - height + getattr(first, "ascent", paragraph.style.fontSize))


def _bold_font() -> str:
    return font_name(FACES["latin"], bold=True)


def _styles() -> dict[str, ParagraphStyle]:
    """The brief's paragraph styles, aligned to the side its language begins lines on."""
    regular, bold = font_name(FACES["latin"]), _bold_font()
    base = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5, textColor=INK,
                          alignment=TA_RIGHT if is_rtl() else TA_LEFT, spaceAfter=3)  # fmt: skip
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=20, leading=24, spaceAfter=2),
        "lead": ParagraphStyle("lead", parent=base, fontName=bold, fontSize=11, leading=14, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=13, leading=16, spaceBefore=6, spaceAfter=4),
        "note": ParagraphStyle(
            "note", parent=base, backColor=colors.HexColor("#fff4ce"), borderPadding=4, spaceBefore=4
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=bold, fontSize=8.5, leading=10.5, spaceAfter=0),
        "header_bold": ParagraphStyle("header_bold", parent=base, fontName=bold, fontSize=10, leading=12,
                                      textColor=colors.white, spaceAfter=0),
        "header": ParagraphStyle("header", parent=base, fontSize=9, leading=11, textColor=colors.white, spaceAfter=0),
        "footer": ParagraphStyle("footer", parent=base, fontSize=8, leading=10, textColor=GREY, spaceAfter=0),
    }  # fmt: skip
