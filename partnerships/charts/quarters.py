"""Bar charts: deals per quarter on the home page (per year on narrow screens), a company's deals per year.

Both axes are labelled; each bar segment links to the timeline of that year and deal kind.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html_join

from partnerships.charts.svg import fmt, join, svg
from partnerships.models import Deal
from partnerships.templatetags.pactwatch import kind_class

KIND_LABELS = dict(Deal.Kind.choices)


def _quarter_label(day: datetime.date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


def quarters_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    quarters, day = [], datetime.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    while day <= end:
        quarters.append(day)
        month = day.month + 3
        day = datetime.date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
    return quarters


@dataclass(frozen=True)
class Frame:
    """A bar chart's size: its width, height, room for the axes, and text size."""

    width: float
    height: float
    left: float
    bottom: float
    font: float


WIDE = Frame(760, 260, 46, 46, 12)
NARROW = Frame(360, 240, 40, 46, 13)


def _ticks(top: int) -> list[int]:
    step = max(1, -(-top // 4))
    return list(range(0, top + step, step))


def _axes(frame: Frame, top: int, scale: float) -> list[str]:
    """The value axis: a labelled grid line per tick, and the base line."""
    base = frame.height - frame.bottom
    parts = []
    for tick in _ticks(top):
        y = base - tick * scale
        parts.append(
            fmt(
                '<line class="grid-line" x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}"></line>'
                '<text class="axis" x="{}" y="{:.1f}" text-anchor="end">{}</text>',
                frame.left,
                y,
                frame.width - 4,
                y,
                frame.left - 6,
                y + frame.font * 0.35,
                tick,
            )
        )
    parts.append(
        fmt(
            '<line class="axis-line" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
            frame.left,
            base,
            frame.width - 4,
            base,
        )
    )
    return parts


def _timeline_url(base: str, year: int, kind: str) -> str:
    return base + "?" + urlencode({"kind": kind, "year_from": year, "year_to": year})


def _bars(frame: Frame, periods, counts, label_of, year_of, top_padding: float = 14) -> tuple[list[str], int]:
    top = max((sum(c.values()) for c in counts.values()), default=0) or 1
    ticks = _ticks(top)
    scale = (frame.height - frame.bottom - top_padding) / ticks[-1]
    step = (frame.width - frame.left - 8) / max(len(periods), 1)
    bar = max(step * 0.72, 2)
    timeline = reverse("partnerships:deal_list")
    parts = _axes(frame, top, scale)
    for i, period in enumerate(periods):
        x = frame.left + 4 + i * step
        y = frame.height - frame.bottom
        for kind in Deal.Kind.values:
            n = counts.get(period, {}).get(kind, 0)
            if not n:
                continue
            h = n * scale
            y -= h
            parts.append(
                fmt(
                    '<a href="{}"><title>{}: {} {} deal{} (opens {} on the timeline)</title>'
                    '<rect class="{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"></rect></a>',
                    _timeline_url(timeline, year_of(period), kind),
                    label_of(period),
                    n,
                    KIND_LABELS.get(kind, kind).lower(),
                    "" if n == 1 else "s",
                    year_of(period),
                    kind_class(kind),
                    x,
                    y,
                    bar,
                    h,
                )
            )
    return parts, step


def quarter_chart(rows, *, start: datetime.date, end: datetime.date):
    """Stacked bars: deals per quarter, one colour per deal kind. ``rows``: (quarter, kind, n)."""
    counts: dict[datetime.date, dict[str, int]] = defaultdict(dict)
    for quarter, kind, n in rows:
        if isinstance(quarter, datetime.datetime):
            quarter = quarter.date()
        counts[quarter][kind] = n
    quarters = quarters_between(start, end)
    frame = WIDE
    parts, step = _bars(frame, quarters, counts, _quarter_label, lambda q: q.year)
    parts += _axes_titles(frame, "Quarter announced (each year starts at its tick)")
    for i, quarter in enumerate(quarters):
        if quarter.month == 1:
            x = frame.left + 4 + i * step
            parts.append(
                fmt(
                    '<line class="axis-line" x1="{:.1f}" y1="{}" x2="{:.1f}" y2="{}"></line>'
                    '<text class="axis" x="{:.1f}" y="{}">{}</text>',
                    x,
                    frame.height - frame.bottom,
                    x,
                    frame.height - frame.bottom + 5,
                    x,
                    frame.height - frame.bottom + 18,
                    quarter.year,
                )
            )
    label = "Deals announced per quarter, by kind"
    return svg(
        frame.width, frame.height, label, join(parts), "chart chart-quarters chart-wide", interactive=True
    )


def _axes_titles(frame: Frame, x_title: str) -> list[str]:
    base = frame.height - frame.bottom
    return [
        fmt(
            '<text class="axis axis-title" x="{:.1f}" y="{}" text-anchor="middle">{}</text>'
            '<text class="axis axis-title" x="{}" y="{:.1f}" text-anchor="middle" '
            'transform="rotate(-90 {} {:.1f})">Deals</text>',
            (frame.left + frame.width) / 2,
            frame.height - 6,
            x_title,
            frame.font,
            base / 2,
            frame.font,
            base / 2,
        )
    ]


def year_chart(rows, *, start: datetime.date, end: datetime.date):
    """The narrow-screen form of the quarter chart: the same deals stacked per year."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for quarter, kind, n in rows:
        counts[quarter.year][kind] += n
    years = list(range(start.year, end.year + 1))
    frame = NARROW
    parts, step = _bars(frame, years, counts, str, lambda y: y)
    parts += _axes_titles(frame, "Year announced")
    for i, year in enumerate(years):
        x = frame.left + 4 + i * step + step * 0.36
        parts.append(
            fmt(
                '<text class="axis" x="{:.1f}" y="{}" text-anchor="middle">{}</text>',
                x,
                frame.height - frame.bottom + 18,
                f"’{year % 100:02d}",
            )
        )
    label = "Deals announced per year, by kind"
    return svg(
        frame.width,
        frame.height,
        label,
        join(parts),
        "chart chart-years-narrow chart-narrow",
        interactive=True,
    )


def quarter_table(rows) -> list[tuple[str, list[tuple[str, int]], int]]:
    """The chart's numbers as rows: (quarter label, [(kind label, n)], total), newest first."""
    counts: dict[datetime.date, dict[str, int]] = defaultdict(dict)
    for quarter, kind, n in rows:
        if isinstance(quarter, datetime.datetime):
            quarter = quarter.date()
        counts[quarter][kind] = n
    return [
        (
            _quarter_label(q),
            [(KIND_LABELS.get(k, k), n) for k, n in sorted(counts[q].items())],
            sum(counts[q].values()),
        )
        for q in sorted(counts, reverse=True)
    ]


def year_bars(rows, *, label: str, url=None):
    """A small bar chart of (year, count), its count on each bar; ``url(year)`` links each bar."""
    if not rows:
        return ""
    width, height, pad = 360, 150, 24
    top = max(n for _, n in rows) or 1
    step = (width - 2 * pad) / len(rows)
    parts = []
    for i, (year, n) in enumerate(rows):
        h = n / top * (height - 2 * pad - 6)
        x = pad + i * step
        bar = fmt(
            '<title>{}: {} deal{}</title><rect class="bar" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"></rect>'
            '<text class="axis" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>',
            year,
            n,
            "" if n == 1 else "s",
            x,
            height - pad - h,
            step * 0.7,
            h,
            x + step * 0.35,
            height - pad - h - 3,
            n,
        )
        parts.append(fmt('<a href="{}">{}</a>', url(year), bar) if url else bar)
        parts.append(
            fmt(
                '<text class="axis" x="{:.1f}" y="{}" text-anchor="middle">{}</text>',
                x + step * 0.35,
                height - 6,
                f"’{year % 100:02d}" if len(rows) > 6 else year,
            )
        )
    return svg(width, height, label, join(parts), "chart chart-years", interactive=url is not None)


def legend(kinds=None):
    kinds = kinds or Deal.Kind.values
    return fmt(
        '<ul class="legend">{}</ul>',
        format_html_join(
            "", '<li><span class="swatch {}"></span>{}</li>', ((kind_class(k), KIND_LABELS[k]) for k in kinds)
        ),
    )
