"""The network drawing: companies linked by clauses, laid out by networkx (Kamada-Kawai).

Each connected group of companies is laid out on its own (Kamada-Kawai places a group's
companies at distances that follow their path lengths; across groups there is no path, so
one layout of everything would push the groups apart and crush each of them), then the
groups are packed in rows, largest first. Labels are then placed by ``charts.labels``;
when one does not fit, the drawing is given more height and laid out again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx

from partnerships import ledger
from partnerships.charts import labels
from partnerships.charts.svg import Box, DealLinks, fmt, join, short_label, svg
from partnerships.selectors.network import Network, NetworkEdge

WIDTH = 1000.0
FONT = 13.0
PAD = 12.0
FLOW_LABELS = dict(ledger.FLOWS)
STRETCHES = (1.0, 1.25, 1.5, 1.8, 2.2, 2.7, 3.3)


def radius(deals: int) -> float:
    return min(4.0 + 2.2 * math.sqrt(deals), 20.0)


def _component_positions(graph: nx.Graph) -> dict[int, tuple[float, float]]:
    """One group's layout, scaled to a square of side ~sqrt(size), origin at its top left."""
    nodes = sorted(graph.nodes)
    if len(nodes) == 1:
        return {nodes[0]: (0.5, 0.5)}
    if len(nodes) == 2:
        return {nodes[0]: (0.0, 0.5), nodes[1]: (1.0, 0.5)}
    start = nx.circular_layout(graph.subgraph(nodes))
    raw = nx.kamada_kawai_layout(graph, pos=start, weight=None)
    xs, ys = [raw[n][0] for n in nodes], [raw[n][1] for n in nodes]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    side = math.sqrt(len(nodes))
    return {n: ((raw[n][0] - min(xs)) / span * side, (raw[n][1] - min(ys)) / span * side) for n in nodes}


def pack(graph: nx.Graph) -> dict[int, tuple[float, float]]:
    """Every group laid out and packed left to right in rows (relative units)."""
    groups = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    boxes = []
    for group in groups:
        positions = _component_positions(graph.subgraph(group))
        w = max(x for x, _ in positions.values()) or 1.0
        h = max(y for _, y in positions.values()) or 1.0
        boxes.append((positions, w, h))
    limit = max(max(w for _, w, _ in boxes), math.sqrt(sum(w * h for _, w, h in boxes)) * 1.7)
    result, x, y, row = {}, 0.0, 0.0, 0.0
    for positions, w, h in boxes:
        if x > 0 and x + w > limit:
            x, y, row = 0.0, y + row + 0.6, 0.0
        for node, (px, py) in positions.items():
            result[node] = (x + px, y + py)
        x, row = x + w + 0.6, max(row, h)
    return result


@dataclass
class Placed:
    positions: dict[int, tuple[float, float]]
    labels: dict[int, labels.Label]
    height: float


def _fit(net: Network, unit: dict[int, tuple[float, float]], stretch: float) -> Placed | None:
    margin = PAD + 20 + 90  # room for a node and a label beside it at the edges
    xs, ys = [p[0] for p in unit.values()], [p[1] for p in unit.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    scale = (WIDTH - 2 * margin) / span_x
    height = ((max(ys) - min(ys)) * scale * stretch) + 2 * (PAD + 22)
    positions = {
        pk: (margin + (x - min(xs)) * scale, PAD + 22 + (y - min(ys)) * scale * stretch)
        for pk, (x, y) in unit.items()
    }
    nodes = {node.company.id: node for node in net.nodes}
    dots = [
        labels.Dot(*positions[pk], radius(nodes[pk].deals), short_label(nodes[pk].company.name))
        for pk in (node.company.id for node in net.nodes)
    ]
    found = labels.place(dots, size=FONT, width=WIDTH, height=height)
    if any(label is None for label in found):
        return None
    return Placed(positions, {n.company.id: lab for n, lab in zip(net.nodes, found, strict=True)}, height)


def layout(net: Network) -> Placed:
    """Positions and label places in user units; the height grows until every label fits."""
    graph = nx.Graph()
    graph.add_nodes_from(node.company.id for node in net.nodes)
    graph.add_edges_from((e.a.id, e.b.id) for e in net.edges)
    unit = pack(graph)
    for stretch in STRETCHES:
        placed = _fit(net, unit, stretch)
        if placed is not None:
            return placed
    raise ValueError("the network labels do not fit even at the tallest drawing")


def _edge(edge: NetworkEdge, offset: float, placed: Placed, links: DealLinks) -> str:
    (x1, y1), (x2, y2) = placed.positions[edge.a.id], placed.positions[edge.b.id]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    nx_, ny_ = -(y2 - y1) / length * offset, (x2 - x1) / length * offset
    way = {
        "ab": f"{edge.a.name} → {edge.b.name}",
        "ba": f"{edge.b.name} → {edge.a.name}",
        "mutual": "both ways",
    }
    ways = ", ".join(way[d] for d in sorted(edge.directions))
    n = len(edge.deals)
    return fmt(
        '<a href="{}"><title>{} – {}: {} ({}), {} deal{}</title>'
        '<line class="edge fl-{}" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke-width="{:.1f}"></line></a>',
        links.deals(edge.a.slug, edge.b.slug, edge.deals, edge.clause_kinds),
        edge.a.name,
        edge.b.name,
        FLOW_LABELS.get(edge.flow, edge.flow).lower(),
        ways,
        n,
        "" if n == 1 else "s",
        edge.flow,
        x1 + nx_,
        y1 + ny_,
        x2 + nx_,
        y2 + ny_,
        min(1.5 + math.log2(n + 1), 6.0),
    )


def _edges(net: Network, placed: Placed, links: DealLinks) -> list[str]:
    by_pair: dict[tuple[int, int], list[NetworkEdge]] = {}
    for edge in net.edges:
        by_pair.setdefault((edge.a.id, edge.b.id), []).append(edge)
    parts = []
    for pair_edges in by_pair.values():
        count = len(pair_edges)
        for i, edge in enumerate(sorted(pair_edges, key=lambda e: e.flow)):
            parts.append(_edge(edge, (i - (count - 1) / 2) * 3.5, placed, links))
    return parts


def network_svg(net: Network, *, links: DealLinks):
    """The drawing, or "" when nothing is linked. Every node and line is a link."""
    if not net.nodes:
        return ""
    placed = layout(net)
    parts = _edges(net, placed, links)
    for node in net.nodes:
        x, y = placed.positions[node.company.id]
        label = placed.labels[node.company.id]
        parts.append(
            fmt(
                '<a href="{}"><title>{}: {} deal{}</title>'
                '<circle class="node c-{}" cx="{:.1f}" cy="{:.1f}" r="{:.1f}"></circle>'
                '<text class="label" x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text></a>',
                links.company_url(node.company.slug),
                node.company.name,
                node.deals,
                "" if node.deals == 1 else "s",
                node.company.kind,
                x,
                y,
                radius(node.deals),
                label.x,
                label.y,
                label.anchor,
                short_label(node.company.name),
            )
        )
    title = "Companies linked by the clauses of their deals"
    return svg(WIDTH, placed.height, title, join(parts), "chart chart-network", interactive=True)


def label_boxes(net: Network) -> list[Box]:
    """The label boxes ``network_svg`` draws (tests check that none overlap)."""
    placed = layout(net)
    return [placed.labels[node.company.id].box for node in net.nodes]
