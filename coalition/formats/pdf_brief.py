"""PDF: a planning brief to print for a coalition meeting (reportlab).

Every page carries the audience line ("Coalition only — do not forward"), the date and
the page number. Then: the map (``image_format``), the movement gap matrix with the
movements that never work together, single points of failure, the top introductions
with their brokers and reasons, community-led groups on the edge, needs another member
could meet, what was withheld (counts only), and a directory of who is in the map
(name, movements, region, offers and needs; no contacts, whatever the audience).

Everything comes from the audience view (``coalition.analysis.gaps.analyse_gaps`` and
``coalition.introductions.recommend.recommend`` on it), so nothing hidden can reach the page.
Data text is escaped before reportlab's paragraph markup sees it (a name holding
``<img src=...>`` or ``<a href>`` stays text), names lose bidi controls and are cut to
60 characters, and DejaVu Sans (shipped with matplotlib) draws non-Latin scripts.
Document metadata holds the title and audience only.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from coalition.analysis.gaps import analyse_gaps
from coalition.domain.freshness import Freshness, last_confirmed, mark_stale
from coalition.domain.vocabulary import region_label, term_label
from coalition.formats.common import banner, display_text, display_view, today_text, withheld_note
from coalition.formats.files import atomic_path
from coalition.formats.image_format import map_png
from coalition.introductions.recommend import recommend, stored_introductions
from coalition.maps.changes import summary_lines
from coalition.maps.services import ties_in_words

__all__ = ["write", "brief"]

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
TOP_INTRODUCTIONS = 8
MAX_DIRECTORY = 200
MAX_ITEMS = 10
MAP_KEY = (
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
    """The brief as PDF bytes."""
    _fonts()
    shown = display_view(view, limit=60)
    freshness = view.get("freshness")
    report = analyse_gaps(shown, today=today, max_items=MAX_ITEMS, freshness=freshness)
    suggestions = recommend(shown, top=TOP_INTRODUCTIONS, today=today, freshness=freshness)
    styles = _styles()
    out = io.BytesIO()
    audience = view["audience"]
    doc = SimpleDocTemplate(
        out, pagesize=letter, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=0.95 * inch, bottomMargin=0.7 * inch,
        title=f"Coalition planning brief ({audience} audience)", author="", subject=banner(audience),
        creator="Coalition Mapper", producer="Coalition Mapper", keywords="",
    )  # fmt: skip
    story: list[Any] = [
        Paragraph("Coalition planning brief", styles["title"]),
        Paragraph(_e(f"{today_text()} \u00b7 for the {audience} audience \u00b7 {banner(audience)}"), styles["lead"]),
        Paragraph(_e(_summary(shown, report)), styles["body"]),
        Paragraph(_e(withheld_note(view)), styles["note"]),
        Spacer(1, 6),
    ]
    width = letter[0] - 2 * MARGIN
    story.append(Image(io.BytesIO(map_png(view)), width=width, height=width * 5.4 / 8.6))
    story.append(Paragraph(MAP_KEY, styles["small"]))
    story += _matrix(report, styles, width)
    story += _section("Single points of failure", [i["explanation"] for i in report["single_points_of_failure"]], styles,
                      "No single organization or tie holds the coalition together on its own.")  # fmt: skip
    story += _introductions(suggestions, styles, width)
    story += _planned(stored_introductions(shown, "planned"), styles, width)
    story += _section(
        "Community-led groups on the edge",
        [f"{report['names'].get(i['org'], i['org'])}: {i['why']}" for i in report["isolated_community_led"]],
        styles,
        "Every community-led group has ties into the coalition.",
    )
    story += _needs(report, styles, width)
    story += _stale(view, styles)
    if view.get("changes"):
        story += _changes(view["changes"], styles)
    story += _directory(shown, styles, width)
    story += [
        Spacer(1, 10),
        Paragraph("What this brief leaves out", styles["h2"]),
        Paragraph(_e(withheld_note(view)), styles["body"]),
    ]

    def page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        top = letter[1] - 0.45 * inch
        canvas.setFillColor(INK)
        canvas.rect(MARGIN, top - 6, width, 20, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(BOLD, 10)
        canvas.drawString(MARGIN + 6, top, banner(audience).upper())
        canvas.setFont(FONT, 9)
        canvas.drawRightString(MARGIN + width - 6, top, f"Coalition planning brief \u00b7 {today_text()}")
        canvas.setFillColor(GREY)
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, 0.4 * inch, f"{audience} audience \u00b7 {banner(audience)}")
        canvas.drawRightString(MARGIN + width, 0.4 * inch, f"page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=page, onLaterPages=page)
    return out.getvalue()


# sections ---------------------------------------------------------------------------
def _summary(view: dict[str, Any], report: dict[str, Any]) -> str:
    summary = report["summary"]
    led = sum(1 for o in view["organizations"] if o.get("community_led"))
    movements = sum(1 for m in report["movements"].values() if m["organizations"])
    return (
        f"{summary['organizations']} organizations ({led} community-led) across {movements} movements; "
        f"{ties_in_words(summary['ties'], summary['conflict_ties'], summary['ended_ties_left_out'])}."
    )  # the ties in the Overview's words, so the brief and the dashboard never seem to disagree


def _matrix(report: dict[str, Any], styles: dict, width: float) -> list[Any]:
    ids = [m for m, info in report["movements"].items() if info["organizations"]]
    if not ids:
        return []
    names = {m: report["movements"][m]["name"] for m in ids}
    header = [""] + [Paragraph(_e(names[m]), styles["cell_bold"]) for m in ids]
    rows, style = [header], [("GRID", (0, 0), (-1, -1), 0.4, GREY), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    missing = {tuple(p) for p in report["missing_movement_pairs"]}
    weak = {tuple(p) for p in report["weak_movement_pairs"]}
    for r, a in enumerate(ids, start=1):
        row = [Paragraph(_e(names[a]), styles["cell_bold"])]
        for c, b in enumerate(ids, start=1):
            cell = report["movement_matrix"][a][b]
            ratio = "" if cell["ratio"] is None else f" ({cell['ratio']:.2f})"
            row.append(Paragraph(_e(f"{cell['ties']}{ratio}"), styles["cell"]))
            pair = (a, b) if (a, b) in missing | weak else (b, a)
            if pair in missing:
                style.append(("BACKGROUND", (c, r), (c, r), RED))
            elif pair in weak:
                style.append(("BACKGROUND", (c, r), (c, r), AMBER))
        rows.append(row)
    table = Table(rows, colWidths=[width * 0.2] + [width * 0.8 / len(ids)] * len(ids), repeatRows=1)
    table.setStyle(TableStyle(style))
    never = [f"{names[a]} and {names[b]}" for a, b in report["missing_movement_pairs"] if a != b]
    lines = [
        Paragraph("Movement gap matrix", styles["h2"]),
        Paragraph(
            "Ties between the organizations of two movements, with the density of ties compared with random "
            "mixing in brackets (1.00 = as expected). Red: no tie at all. Amber: far below random mixing.",
            styles["small"],
        ),
        table,
    ]
    if never:
        lines.append(Paragraph(_e("Never work together: " + "; ".join(never) + "."), styles["body"]))
    return [Spacer(1, 8), KeepTogether(lines)]


def _introductions(suggestions: list[dict[str, Any]], styles: dict, width: float) -> list[Any]:
    title = Paragraph("Introductions to make", styles["h2"])
    if not suggestions:
        return [title, Paragraph("No introduction to suggest for this audience.", styles["body"])]
    rows = [[Paragraph(h, styles["cell_bold"]) for h in ("#", "Introduce", "Who can introduce them", "Why")]]
    for n, s in enumerate(suggestions, start=1):
        broker = s["broker_name"] or "nobody in common: a cold introduction"
        reasons = [r for r in s["reasons"] if not r.startswith(("cold introduction", "It "))][:4]
        rows.append([
            Paragraph(str(n), styles["cell"]),
            Paragraph(_e(f"{s['names'][0]} \u2194 {s['names'][1]}")
                      + (f"<br/><i>{_e(s['gap']['text'])}</i>" if s.get("gap") else ""), styles["cell"]),
            Paragraph(_e(broker), styles["cell"]),
            Paragraph("<br/>".join(_e(f"\u2022 {r}") for r in reasons), styles["cell"]),
        ])  # fmt: skip
    table = Table(rows, colWidths=[width * f for f in (0.05, 0.3, 0.22, 0.43)], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, GREY), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ]))  # fmt: skip
    note = Paragraph(
        "Community-led groups lead: an ally never comes before a community-led group of its movement. Only groups "
        "that consent to introductions and have capacity this month are suggested.",
        styles["small"],
    )
    return [Spacer(1, 8), title, note, table]


def _planned(planned: list[dict[str, Any]], styles: dict, width: float) -> list[Any]:
    """The introductions already planned, with who brokers them and the notes kept."""
    title = Paragraph("Introductions planned", styles["h2"])
    if not planned:
        return [Spacer(1, 8), title, Paragraph("No introduction is planned yet.", styles["body"])]
    rows = [[Paragraph(h, styles["cell_bold"]) for h in ("Introduce", "Planned on", "Note")]]
    for intro in planned:
        rows.append([
            Paragraph(_e(f"{intro['names'][0]} \u2194 {intro['names'][1]}"), styles["cell"]),
            Paragraph(_e(intro.get("status_date") or ""), styles["cell"]),
            Paragraph(_e(intro.get("note") or ""), styles["cell"]),
        ])  # fmt: skip
    table = Table(rows, colWidths=[width * f for f in (0.4, 0.15, 0.45)], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, GREY), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ]))  # fmt: skip
    return [Spacer(1, 8), title, table]


def _needs(report: dict[str, Any], styles: dict, width: float) -> list[Any]:
    title = Paragraph("Needs another member could meet", styles["h2"])
    matches = report["needs_offers"][:20]
    if not matches:
        return [title, Paragraph("No need matches an offer in this map.", styles["body"])]
    names = report["names"]
    rows = [[Paragraph(h, styles["cell_bold"]) for h in ("Needs", "What", "Offered by", "How near")]]
    for m in matches:
        rows.append([
            Paragraph(_e(names.get(m["needs"], m["needs"])), styles["cell"]),
            Paragraph(_e(term_label(m["resource"])), styles["cell"]),
            Paragraph(_e(names.get(m["offers"], m["offers"])), styles["cell"]),
            Paragraph(_e(m["nearness"]), styles["cell"]),
        ])  # fmt: skip
    table = Table(rows, colWidths=[width * f for f in (0.3, 0.18, 0.3, 0.22)], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, GREY), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ]))  # fmt: skip
    more = report["summary"]["needs_offers"] - len(matches)
    extra = (
        [Paragraph(f"... and {more} more matches (coalition gaps --json lists them).", styles["small"])]
        if more > 0
        else []
    )
    return [Spacer(1, 8), title, table, *extra]


def _directory(view: dict[str, Any], styles: dict, width: float) -> list[Any]:
    """Who is in the map: name, movements, community-led, region, offers and needs."""
    organizations = sorted(view["organizations"], key=lambda o: o["name"].lower())
    if not organizations:
        return []
    movement_names = {m["id"]: m["name"] for m in view["movements"]}
    rows = [[Paragraph(h, styles["cell_bold"]) for h in ("Organization", "Movements", "Region", "Offers", "Needs")]]
    for org in organizations[:MAX_DIRECTORY]:
        led = " (community-led)" if org.get("community_led") else ""
        rows.append([
            Paragraph(_e(org["name"] + led), styles["cell"]),
            Paragraph(_e(", ".join(movement_names.get(m, m) for m in org.get("movements", []))), styles["cell"]),
            Paragraph(_e(display_text(region_label(org.get("region") or ""), 40)), styles["cell"]),
            Paragraph(_e(_words(org.get("offers"))), styles["cell"]),
            Paragraph(_e(_words(org.get("needs"))), styles["cell"]),
        ])  # fmt: skip
    table = Table(rows, colWidths=[width * f for f in (0.3, 0.2, 0.12, 0.19, 0.19)], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, GREY), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ]))  # fmt: skip
    more = len(organizations) - MAX_DIRECTORY
    extra = [Paragraph(f"... and {more} more organizations.", styles["small"])] if more > 0 else []
    return [PageBreak(), Paragraph("Who is in this map", styles["h2"]), table, *extra]


def _changes(found: dict[str, Any], styles: dict) -> list[Any]:
    """What changed since the latest snapshot (``coalition.maps.changes``), in sentences."""
    title = f"What changed since {found['since']} ({found['since_at'][:10]})"
    return [PageBreak(), *_section(title, summary_lines(found, shown=20), styles, "Nothing changed.")]


def _words(values: Any) -> str:
    return ", ".join(display_text(term_label(str(v)), 40) for v in values or [])


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
        f"{names[t['source']]} – {names[t['target']]} ({term_label(t['kind'])}): last confirmed "
        f"{_day(last_confirmed(t))}"
        for t in stale
    ]
    more = f" The {MAX_ITEMS} oldest of {len(items)} are listed." if len(items) > MAX_ITEMS else ""
    section = _section(
        "Ties to check at the meeting",
        items,
        styles,
        f"Every tie shown was confirmed in the last {freshness.months} months.",
    )
    if items:
        section.insert(2, Paragraph(_e(f"Not confirmed in {freshness.months} months.{more}"), styles["small"]))
    return section


def _day(day: date | None) -> str:
    return day.isoformat() if day else "never"


def _section(title: str, items: list[str], styles: dict, empty: str) -> list[Any]:
    heading = Paragraph(_e(title), styles["h2"])
    if not items:
        return [Spacer(1, 8), heading, Paragraph(_e(empty), styles["body"])]
    bullets = ListFlowable(
        [Paragraph(_e(item), styles["body"]) for item in items[:MAX_ITEMS]], bulletType="bullet", leftIndent=12
    )
    return [Spacer(1, 8), heading, bullets]


# helpers ----------------------------------------------------------------------------
def _e(text: str) -> str:
    """Data text made safe for reportlab's paragraph markup; words too long for a table
    column get break points."""
    return escape(LONG_WORD.sub(lambda m: " ".join(m[0][i : i + 24] for i in range(0, len(m[0]), 24)), text))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK, alignment=TA_LEFT,
                          spaceAfter=3)  # fmt: skip
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=20, leading=24, spaceAfter=2),
        "lead": ParagraphStyle("lead", parent=base, fontName=BOLD, fontSize=11, leading=14, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=13, leading=16, spaceBefore=6, spaceAfter=4),
        "note": ParagraphStyle(
            "note", parent=base, backColor=colors.HexColor("#fff4ce"), borderPadding=4, spaceBefore=4
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0),
    }


def _fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
