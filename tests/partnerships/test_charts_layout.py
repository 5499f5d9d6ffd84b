"""The chart layouts on their own: the Sankey relaxation and the label placement (no database)."""

import random

from partnerships.charts import labels
from partnerships.charts.sankey import sankey_layout
from partnerships.charts.svg import Box, text_box, text_width


def _layout(links, columns, **kw):
    return sankey_layout(links, columns, x_positions=[0.0, 300.0, 600.0], top=20.0, **kw)


def test_it_sizes_a_node_by_the_larger_of_what_flows_in_and_out():
    layout = _layout([("a", "m", 10, None), ("m", "z", 4, None)], {"a": 0, "m": 1, "z": 2})
    nodes = {node.key: node for node in layout.nodes}
    assert nodes["m"].value == 10
    assert abs((nodes["m"].y1 - nodes["m"].y0) - 10 * layout.scale) < 1e-6
    assert abs((nodes["z"].y1 - nodes["z"].y0) - 4 * layout.scale) < 1e-6


def test_it_keeps_nodes_of_a_column_apart_and_inside_the_drawing_whatever_the_data():
    rng = random.Random(7)
    sources, middles, ends = (
        [f"s{i}" for i in range(9)],
        [f"m{i}" for i in range(6)],
        [f"e{i}" for i in range(8)],
    )
    links = [(rng.choice(sources), rng.choice(middles), rng.uniform(0.1, 50), None) for _ in range(25)]
    links += [(rng.choice(middles), rng.choice(ends), rng.uniform(0.1, 80), None) for _ in range(25)]
    columns = {**dict.fromkeys(sources, 0), **dict.fromkeys(middles, 1), **dict.fromkeys(ends, 2)}
    layout = _layout(links, columns, min_slot=18.0, padding=6.0)
    for column in range(3):
        nodes = sorted((n for n in layout.nodes if n.column == column), key=lambda n: n.y0)
        centres = [n.centre for n in nodes]
        assert all(b - a >= 18.0 for a, b in zip(centres, centres[1:], strict=False))  # a label line each
        assert all(n.centre - 9 >= 20.0 - 1e-6 and n.centre + 9 <= layout.height + 1e-6 for n in nodes)


def test_it_stacks_links_inside_their_nodes_and_keeps_every_value():
    links = [("a", "x", 5, "ax"), ("a", "y", 3, "ay"), ("b", "x", 2, "bx")]
    layout = _layout(links, {"a": 0, "b": 0, "x": 1, "y": 1})
    for link in layout.links:
        assert abs(link.width - link.value * layout.scale) < 1e-6
        assert link.source.y0 - 1e-6 <= link.y_source and link.y_source + link.width <= link.source.y1 + 1e-6
        assert link.target.y0 - 1e-6 <= link.y_target and link.y_target + link.width <= link.target.y1 + 1e-6
    assert sorted(link.payload for link in layout.links) == ["ax", "ay", "bx"]


def test_it_draws_the_same_layout_every_time():
    links = [("a", "x", 5, None), ("b", "y", 3, None), ("b", "x", 1, None)]
    first = [(n.key, round(n.y0, 6)) for n in _layout(links, {"a": 0, "b": 0, "x": 1, "y": 1}).nodes]
    again = [(n.key, round(n.y0, 6)) for n in _layout(links, {"a": 0, "b": 0, "x": 1, "y": 1}).nodes]
    assert first == again


def test_it_ignores_flows_of_nothing():
    layout = _layout([("a", "b", 0, None)], {"a": 0, "b": 1})
    assert layout.nodes == [] and layout.links == []


def test_it_places_every_label_of_a_crowded_hub_without_overlap_or_clipping():
    rng = random.Random(3)
    hub = labels.Dot(500, 300, 20, "OpenAI")
    dots = [hub] + [
        labels.Dot(500 + rng.uniform(-160, 160), 300 + rng.uniform(-120, 120), 6, f"Partner company {i}")
        for i in range(14)
    ]
    placed = labels.place(dots, size=13, width=1000, height=600)
    boxes = [label.box for label in placed if label is not None]
    assert labels.overlapping(boxes) == []
    assert all(box.inside(1000, 600) for box in boxes)
    assert placed[0] is not None  # the most important label always finds a place


def test_it_says_when_a_label_cannot_be_placed_rather_than_overlap():
    dots = [labels.Dot(50, 10, 5, "A long company name"), labels.Dot(52, 12, 5, "Another long company name")]
    placed = labels.place(dots, size=13, width=120, height=24)
    assert placed[1] is None


def test_it_measures_wide_letters_wider_than_narrow_ones():
    assert text_width("WWW", 13) > text_width("iii", 13) * 2.5
    box = text_box(100, 50, "OpenAI", 13, "end")
    assert box.x1 == 100 and box.x0 < 100 and Box(0, 0, 1, 1).overlaps(Box(0.5, 0.5, 2, 2))
