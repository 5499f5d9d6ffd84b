"""Placing node labels so that no two overlap and none is cut by the chart's edge.

Each label tries positions around its node (right, left, above, below, then the corners),
most important node first, and takes the first whose box is inside the chart and clear of
every label already placed and of every node. When one cannot be placed, the caller gives
the drawing more room and tries again (``place_all``), so a label is never dropped and
never drawn over another.
"""

from __future__ import annotations

from dataclasses import dataclass

from partnerships.charts.svg import Box, text_box, text_width

GAP = 2.0  # the least space between two boxes


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    text: str

    @property
    def box(self) -> Box:
        return Box(self.x - self.r, self.y - self.r, self.x + self.r, self.y + self.r)


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    anchor: str
    box: Box


def _candidates(dot: Dot, size: float) -> list[Label]:
    pad = 3.0
    mid = dot.y + size * 0.32  # a baseline that centres the text on the node
    half = text_width(dot.text, size) / 2
    spots = [
        (dot.x + dot.r + pad, mid, "start"),
        (dot.x - dot.r - pad, mid, "end"),
        (dot.x, dot.y - dot.r - pad - size * 0.25, "middle"),
        (dot.x, dot.y + dot.r + pad + size * 0.8, "middle"),
        (dot.x + dot.r * 0.7 + pad, dot.y - dot.r * 0.7 - pad, "start"),
        (dot.x - dot.r * 0.7 - pad, dot.y - dot.r * 0.7 - pad, "end"),
        (dot.x + dot.r * 0.7 + pad, dot.y + dot.r * 0.7 + pad + size * 0.8, "start"),
        (dot.x - dot.r * 0.7 - pad, dot.y + dot.r * 0.7 + pad + size * 0.8, "end"),
        (dot.x + half * 0.6, dot.y - dot.r - pad - size * 0.25, "middle"),
        (dot.x - half * 0.6, dot.y + dot.r + pad + size * 0.8, "middle"),
    ]
    return [Label(x, y, anchor, text_box(x, y, dot.text, size, anchor)) for x, y, anchor in spots]


def place(dots: list[Dot], *, size: float, width: float, height: float) -> list[Label | None]:
    """A label for each dot (in the order given: most important first), or None where none fits."""
    placed: list[Box] = []
    result: list[Label | None] = []
    circles = [dot.box for dot in dots]
    for index, dot in enumerate(dots):
        chosen = None
        for label in _candidates(dot, size):
            if not label.box.inside(width, height):
                continue
            if any(label.box.overlaps(other, GAP) for other in placed):
                continue
            if any(label.box.overlaps(c, 1.0) for i, c in enumerate(circles) if i != index):
                continue
            chosen = label
            break
        if chosen is not None:
            placed.append(chosen.box)
        result.append(chosen)
    return result


def overlapping(boxes: list[Box]) -> list[tuple[int, int]]:
    """Pairs of boxes that overlap (for tests and for the layout's own check)."""
    return [
        (i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])
    ]
