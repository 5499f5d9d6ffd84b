"""A Sankey layout: nodes in fixed columns, heights by value, placed by the standard relaxation.

No maintained Python package lays out a Sankey diagram without drawing it: the ones on the
package index draw with matplotlib (pySankey, sankeyflow, sugikey, ausankey) or hand the
layout to JavaScript (plotly, floweaver's widget); holoviews carries a port of d3-sankey
inside its plotting stack. This is the d3-sankey algorithm (Bostock), small and tested:

1. a node's value is the larger of what flows in and out;
2. one scale for all columns, so equal amounts are equal heights everywhere;
3. nodes start stacked in each column (largest first), then ``ITERATIONS`` rounds move each
   node towards the weighted centre of the nodes it is linked to, right to left and left to
   right, with a decreasing step, each round followed by collision resolution;
4. links leave and enter their nodes stacked in the order of the node at their other end,
   so bands do not cross at the nodes.

Unlike d3, a node takes at least ``min_slot`` of height (its label's line), so labels in one
column never overlap, and the drawing's height is what the columns need.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ITERATIONS = 32


@dataclass(eq=False)
class SankeyNode:
    key: object
    column: int
    value: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    y0: float = 0.0
    y1: float = 0.0
    incoming: list = field(default_factory=list)
    outgoing: list = field(default_factory=list)

    @property
    def centre(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(eq=False)
class SankeyLink:
    source: SankeyNode
    target: SankeyNode
    value: float
    payload: object = None
    width: float = 0.0
    y_source: float = 0.0  # top of the band where it leaves its source
    y_target: float = 0.0  # top of the band where it enters its target


@dataclass
class SankeyLayout:
    nodes: list[SankeyNode]
    links: list[SankeyLink]
    height: float
    scale: float  # user units per unit of value


def _build(links, columns) -> tuple[dict, list[SankeyLink]]:
    nodes: dict = {}
    made = []
    for source, target, value, payload in links:
        if value <= 0:
            continue
        a = nodes.setdefault(source, SankeyNode(source, columns[source]))
        b = nodes.setdefault(target, SankeyNode(target, columns[target]))
        link = SankeyLink(a, b, float(value), payload)
        a.outgoing.append(link)
        b.incoming.append(link)
        made.append(link)
    for node in nodes.values():
        node.value = max(sum(x.value for x in node.incoming), sum(x.value for x in node.outgoing))
    return nodes, made


def _slot(node: SankeyNode, scale: float, min_slot: float) -> float:
    return max(node.value * scale, min_slot)


def _resolve(column: list[SankeyNode], scale, min_slot, padding, top, bottom) -> None:
    """Push overlapping nodes apart: down from the top, then back up from the bottom."""
    column.sort(key=lambda n: n.centre)
    y = top
    for node in column:
        slot = _slot(node, scale, min_slot)
        start = max(node.centre - slot / 2, y)
        node.y0, node.y1 = _band(start, node, scale, slot)
        y = start + slot + padding
    y = bottom
    for node in reversed(column):
        slot = _slot(node, scale, min_slot)
        start = node.centre - slot / 2
        if start + slot > y:
            start = y - slot
            node.y0, node.y1 = _band(start, node, scale, slot)
        y = start - padding


def _band(start: float, node: SankeyNode, scale: float, slot: float) -> tuple[float, float]:
    """The node's drawn extent (its value's height) centred in its slot."""
    height = max(node.value * scale, 1.0)
    middle = start + slot / 2
    return middle - height / 2, middle + height / 2


def _relax(columns_nodes, forward: bool, alpha: float) -> None:
    order = columns_nodes if forward else list(reversed(columns_nodes))
    for column in order:
        for node in column:
            links = node.incoming if forward else node.outgoing
            total = sum(x.value for x in links)
            if not total:
                continue
            other = (lambda x: x.source) if forward else (lambda x: x.target)
            wanted = sum(other(x).centre * x.value for x in links) / total
            shift = (wanted - node.centre) * alpha
            node.y0 += shift
            node.y1 += shift


def _stack_links(nodes) -> None:
    for node in nodes:
        y = node.y0
        for link in sorted(node.outgoing, key=lambda x: (x.target.centre, x.target.column)):
            link.y_source = y
            y += link.width
        y = node.y0
        for link in sorted(node.incoming, key=lambda x: (x.source.centre, x.source.column)):
            link.y_target = y
            y += link.width


def sankey_layout(
    links,
    columns: dict,
    *,
    x_positions: list[float],
    node_width: float = 12.0,
    value_height: float = 420.0,
    min_slot: float = 18.0,
    padding: float = 6.0,
    top: float = 0.0,
) -> SankeyLayout:
    """Lay out ``links`` — (source key, target key, value, payload) — with each key's column.

    ``x_positions`` is the left edge of each column; ``value_height`` the height the
    fullest column's values take (the height then grows by the slots and the padding).
    """
    nodes, made = _build(links, columns)
    if not made:
        return SankeyLayout([], [], top, 0.0)
    count = max(columns.values()) + 1
    by_column = [[n for n in nodes.values() if n.column == c] for c in range(count)]
    fullest = max(sum(n.value for n in column) for column in by_column if column)
    scale = value_height / fullest
    height = top + max(
        sum(_slot(n, scale, min_slot) for n in column) + padding * max(len(column) - 1, 0)
        for column in by_column
    )
    for c, column in enumerate(by_column):
        column.sort(key=lambda n: (-n.value, str(n.key)))
        y = top
        for node in column:
            node.x0, node.x1 = x_positions[c], x_positions[c] + node_width
            slot = _slot(node, scale, min_slot)
            node.y0, node.y1 = _band(y, node, scale, slot)
            y += slot + padding
    alpha = 1.0
    for _round in range(ITERATIONS):
        alpha *= 0.99
        _relax(by_column, False, alpha)
        for column in by_column:
            _resolve(column, scale, min_slot, padding, top, height)
        _relax(by_column, True, alpha)
        for column in by_column:
            _resolve(column, scale, min_slot, padding, top, height)
    for link in made:
        link.width = link.value * scale
    _stack_links(nodes.values())
    return SankeyLayout(list(nodes.values()), made, height, scale)
