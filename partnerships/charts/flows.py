"""The flows page's drawings: a Sankey diagram per unit, and bars for narrow screens.

Money runs investors → investees and buyers → providers: an investment goes from the
first column to the second, a spend commitment from the second to the third, so Microsoft
appears as an investor of OpenAI on the left and as OpenAI's Azure provider on the right,
each band drawn the way the money goes. Compute runs suppliers → customers. Widths are the
confirmed amount (solid) plus the reported amount (hatched); unconfirmed amounts are in the
table only. Arrowheads are markers sized in user units, so a wide band keeps a small head.
"""

from __future__ import annotations

from dataclasses import dataclass

from partnerships import ledger
from partnerships.charts.sankey import SankeyLayout, sankey_layout
from partnerships.charts.svg import Box, DealLinks, fmt, join, short_label, svg, text_box, text_width
from partnerships.formatting import amount, split_amount
from partnerships.selectors.network import FlowLink

WIDTH = 1000.0
FONT = 13.0
NODE_WIDTH = 12.0
TOP = 26.0  # the column headings
LIMIT = 30  # bands drawn; the table lists every flow
MONEY_COLUMNS = ("Investors", "Investees and buyers", "Providers")
COMPUTE_COLUMNS = ("Suppliers", "Customers")
FLOW_WORDS = dict(ledger.FLOWS)


@dataclass(frozen=True)
class Diagram:
    """What one Sankey shows: its id prefix (unique on the page), unit, columns and title."""

    ident: str
    unit: str
    columns: tuple[str, ...]
    title: str


MONEY = Diagram("money", "USD", MONEY_COLUMNS, "Money: investors to investees and buyers to providers")
COMPUTE = Diagram("compute", "GW", COMPUTE_COLUMNS, "Compute: suppliers to customers, in gigawatts")


def _ends(link: FlowLink, diagram: Diagram) -> tuple[tuple, tuple]:
    if diagram is COMPUTE:
        return ("supplier", link.source.id), ("customer", link.target.id)
    if link.flow == ledger.INVESTMENT:
        return ("investor", link.source.id), ("middle", link.target.id)
    return ("middle", link.source.id), ("provider", link.target.id)


_COLUMN = {"investor": 0, "middle": 1, "provider": 2, "supplier": 0, "customer": 1}


@dataclass
class Drawn:
    layout: SankeyLayout
    names: dict  # node key → company Side
    x_positions: list[float]
    labels: dict  # node key → (x, y, anchor, text)


def _layout(links: list[FlowLink], diagram: Diagram) -> Drawn:
    chosen = sorted(links, key=lambda x: -x.drawn)[:LIMIT]
    names, raw = {}, []
    for link in chosen:
        a, b = _ends(link, diagram)
        names[a], names[b] = link.source, link.target
        raw.append((a, b, float(link.drawn), link))
    columns = {key: _COLUMN[key[0]] for key in names}
    used = sorted(set(columns.values()))
    columns = {key: used.index(c) for key, c in columns.items()}
    widths = {c: 0.0 for c in range(len(used))}
    for key, c in columns.items():
        widths[c] = max(widths[c], text_width(short_label(names[key].name), FONT))
    left, right = widths[0] + 10, (widths[len(used) - 1] + 10 if len(used) > 1 else 10)
    last = WIDTH - right - NODE_WIDTH
    x_positions = [left + (last - left) * c / max(len(used) - 1, 1) for c in range(len(used))]
    layout = sankey_layout(raw, columns, x_positions=x_positions, node_width=NODE_WIDTH, top=TOP)
    placed = {}
    for node in layout.nodes:
        text = short_label(names[node.key].name)
        y = node.centre + FONT * 0.32
        if node.column == 0 and len(used) > 1:
            placed[node.key] = (node.x0 - 5, y, "end", text)
        else:
            placed[node.key] = (node.x1 + 5, y, "start", text)
    return Drawn(layout, names, x_positions, placed)


def label_boxes(links: list[FlowLink], diagram: Diagram) -> tuple[list[Box], float]:
    """The node label boxes the diagram draws and its height (tests check none overlap)."""
    drawn = _layout(links, diagram)
    boxes = [text_box(x, y, text, FONT, anchor) for x, y, anchor, text in drawn.labels.values()]
    return boxes, drawn.layout.height + 6


_HATCHED = {"money": (ledger.INVESTMENT, ledger.SPEND), "compute": (ledger.SUPPLY,)}


def _defs(diagram: Diagram, ident: str) -> str:
    """The arrowhead (sized in user units, whatever the band's width) and a hatch per flow colour.

    ``ident`` prefixes the ids: the wide and the narrow drawing each carry their own, since
    a pattern inside a hidden drawing paints nothing in the visible one.
    """
    patterns = [
        fmt(
            '<pattern id="{}-hatch-{}" patternUnits="userSpaceOnUse" width="6" height="6" '
            'patternTransform="rotate(45)"><rect class="hatch-bg ff-{}" width="6" height="6"></rect>'
            '<line class="hatch-line" x1="0" y1="0" x2="0" y2="6"></line></pattern>',
            ident,
            flow,
            flow,
        )
        for flow in _HATCHED[diagram.ident]
    ]
    return fmt(
        '<defs><marker id="{}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'markerUnits="userSpaceOnUse" orient="auto"><path class="arrow-head" d="M0,0 L10,5 L0,10 z"></path>'
        "</marker>{}</defs>",
        ident,
        join(patterns),
    )


def _curve(x0: float, y0: float, x1: float, y1: float) -> str:
    middle = (x0 + x1) / 2
    return f"M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"


def _band(link, diagram: Diagram, scale: float, links: DealLinks) -> str:
    flow: FlowLink = link.payload
    x0, x1 = link.source.x1, link.target.x0
    confirmed, reported = float(flow.amounts.confirmed) * scale, float(flow.amounts.reported) * scale
    parts = []
    offset = 0.0
    for width, css in ((confirmed, f"band fl-{flow.flow}"), (reported, "band band-reported")):
        if width <= 0:
            continue
        ys, yt = link.y_source + offset + width / 2, link.y_target + offset + width / 2
        hatch = fmt(' stroke="url(#{}-hatch-{})"', diagram.ident, flow.flow) if "reported" in css else ""
        parts.append(
            fmt(
                '<path class="{}" d="{}" stroke-width="{:.1f}"{}></path>',
                css,
                _curve(x0, ys, x1, yt),
                max(width, 1.0),
                hatch,
            )
        )
        offset += width
    centre_s, centre_t = link.y_source + link.width / 2, link.y_target + link.width / 2
    parts.append(
        fmt(
            '<path class="spine" d="{}" marker-end="url(#{}-arrow)"></path>',
            _curve(x0, centre_s, x1, centre_t),
            diagram.ident,
        )
    )
    n = len(flow.deals)
    return fmt(
        '<a href="{}"><title>{} → {}: {} {} ({} deal{})</title>{}</a>',
        links.deals(flow.source.slug, flow.target.slug, flow.deals, flow.clause_kinds),
        flow.source.name,
        flow.target.name,
        FLOW_WORDS.get(flow.flow, flow.flow).lower(),
        split_amount(flow.amounts, flow.unit),
        n,
        "" if n == 1 else "s",
        join(parts),
    )


def _node(node, drawn: Drawn, diagram: Diagram, links: DealLinks) -> str:
    side = drawn.names[node.key]
    x, y, anchor, text = drawn.labels[node.key]
    return fmt(
        '<a href="{}"><title>{} ({}): {}</title><rect class="sk-node" x="{:.1f}" y="{:.1f}" width="{:.1f}" '
        'height="{:.1f}"></rect><text class="label" x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text></a>',
        links.company_url(side.slug),
        side.name,
        diagram.columns[min(node.column, len(diagram.columns) - 1)].lower(),
        amount(node.value / drawn.layout.scale if drawn.layout.scale else 0, diagram.unit),
        node.x0,
        node.y0,
        node.x1 - node.x0,
        max(node.y1 - node.y0, 1.0),
        x,
        y,
        anchor,
        text,
    )


def _headings(drawn: Drawn, diagram: Diagram) -> list[str]:
    used = sorted({node.column for node in drawn.layout.nodes})
    names = diagram.columns if len(used) == len(diagram.columns) else diagram.columns[-len(used) :]
    parts = []
    for column, name in zip(used, names, strict=False):
        x = drawn.x_positions[column] + NODE_WIDTH / 2
        anchor = "start" if column == 0 else ("end" if column == len(used) - 1 else "middle")
        x = drawn.x_positions[column] if anchor == "start" else x
        x = drawn.x_positions[column] + NODE_WIDTH if anchor == "end" else x
        parts.append(
            fmt('<text class="axis heading" x="{:.1f}" y="16" text-anchor="{}">{}</text>', x, anchor, name)
        )
    return parts


def sankey_svg(links: list[FlowLink], diagram: Diagram, *, deal_links: DealLinks):
    """The Sankey for one unit, or "" when nothing flows in it."""
    if not links:
        return ""
    drawn = _layout(links, diagram)
    parts = [_defs(diagram, diagram.ident), *_headings(drawn, diagram)]
    bands = sorted(drawn.layout.links, key=lambda x: -x.width)
    parts += [_band(link, diagram, drawn.layout.scale, deal_links) for link in bands]
    parts += [_node(node, drawn, diagram, deal_links) for node in drawn.layout.nodes]
    css = f"chart chart-flows chart-wide chart-{diagram.ident}"
    return svg(WIDTH, drawn.layout.height + 6, diagram.title, join(parts), css, interactive=True)


BAR_WIDTH = 360.0
BAR_ROW = 44.0
BAR_LIMIT = 12
BAR_LEFT = 64.0  # the amount is written left of its bar


def flow_bars_svg(links: list[FlowLink], diagram: Diagram, *, deal_links: DealLinks):
    """The narrow-screen chart: the largest flows as labelled bars (confirmed solid, reported hatched)."""
    chosen = sorted(links, key=lambda x: -x.drawn)[:BAR_LIMIT]
    if not chosen:
        return ""
    biggest = float(max(x.drawn for x in chosen)) or 1.0
    ident = f"{diagram.ident}-bars"
    parts = [_defs(diagram, ident)]
    span = BAR_WIDTH - BAR_LEFT - 2
    for i, link in enumerate(chosen):
        y = i * BAR_ROW
        confirmed = float(link.amounts.confirmed) / biggest * span
        reported = float(link.amounts.reported) / biggest * span
        label = f"{short_label(link.source.name, 18)} → {short_label(link.target.name, 18)}"
        bars = []
        if confirmed > 0:
            bars.append(
                fmt(
                    '<rect class="fbar ff-{}" x="{}" y="{:.1f}" width="{:.1f}" height="12"></rect>',
                    link.flow,
                    BAR_LEFT,
                    y + 24,
                    max(confirmed, 1.0),
                )
            )
        if reported > 0:
            bars.append(
                fmt(
                    '<rect class="fbar fbar-reported" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="12" '
                    'fill="url(#{}-hatch-{})"></rect>',
                    BAR_LEFT + confirmed,
                    y + 24,
                    max(reported, 1.0),
                    ident,
                    link.flow,
                )
            )
        parts.append(
            fmt(
                '<a href="{}"><title>{} → {}: {}</title><text class="label" x="2" y="{:.1f}">{}</text>'
                '<text class="label amount" x="2" y="{:.1f}">{}</text>{}</a>',
                deal_links.deals(link.source.slug, link.target.slug, link.deals, link.clause_kinds),
                link.source.name,
                link.target.name,
                split_amount(link.amounts, link.unit),
                y + 15,
                label,
                y + 35,
                amount(link.drawn, link.unit),
                join(bars),
            )
        )
    css = f"chart chart-bars chart-narrow chart-{diagram.ident}-bars"
    title = f"{diagram.title}: the {len(chosen)} largest flows"
    return svg(BAR_WIDTH, len(chosen) * BAR_ROW, title, join(parts), css, interactive=True)
