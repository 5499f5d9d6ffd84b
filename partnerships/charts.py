"""Server-rendered SVG charts: no JavaScript, no CDN, same picture for every reader.

Every label goes through ``format_html`` (escaped); colours come from CSS classes
(``k-<kind>`` in site.css) so dark mode restyles them and no ``style=`` attribute is
needed under the strict CSP. Layouts are deterministic: same data, same drawing.
"""

import datetime
import math
from collections import defaultdict
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe

from partnerships.formatting import amount
from partnerships.models import Deal
from partnerships.templatetags.pactwatch import kind_class

KIND_LABELS = dict(Deal.Kind.choices)


def _fmt(template: str, *args):
    """``format_html`` that keeps numbers numeric (for ``{:.1f}``) and escapes everything else."""
    return mark_safe(  # noqa: S308 - every non-number argument is escaped  # nosec (B308/B703 reviewed: see the reason before)
        template.format(*(a if isinstance(a, int | float) else conditional_escape(a) for a in args))
    )


def _svg(width, height, label, body, css="chart", *, interactive=False):
    """An SVG with an accessible name; drawings with links are groups, not images (no nested links in an img)."""
    ident = css.split()[-1] + "-title"  # "chart chart-flows" → "chart-flows-title"
    return _fmt(
        '<svg class="{}" viewBox="0 0 {} {}" role="{}" aria-labelledby="{}" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}">{}</title>{}</svg>',
        css,
        width,
        height,
        "group" if interactive else "img",
        ident,
        ident,
        label,
        body,
    )


def _quarter_label(day: datetime.date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


def quarters_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    quarters, day = [], datetime.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    while day <= end:
        quarters.append(day)
        month = day.month + 3
        day = datetime.date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
    return quarters


def quarter_chart(rows, *, start: datetime.date, end: datetime.date, timeline_url: str = ""):
    """Stacked bars: deals per quarter, one colour per deal kind. ``rows``: (quarter, kind, n)."""
    counts: dict[datetime.date, dict[str, int]] = defaultdict(dict)
    for quarter, kind, n in rows:
        if isinstance(quarter, datetime.datetime):
            quarter = quarter.date()
        counts[quarter][kind] = n
    quarters = quarters_between(start, end)
    width, height, pad_left, pad_bottom = 760, 240, 34, 34
    top = max((sum(c.values()) for c in counts.values()), default=0) or 1
    step = (width - pad_left - 8) / max(len(quarters), 1)
    bar = max(step * 0.72, 2)
    scale = (height - pad_bottom - 12) / top
    parts = []
    for i, quarter in enumerate(quarters):
        x = pad_left + i * step
        y = height - pad_bottom
        for kind in Deal.Kind.values:
            n = counts.get(quarter, {}).get(kind, 0)
            if not n:
                continue
            h = n * scale
            y -= h
            parts.append(
                _fmt(
                    '<rect class="{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}">'
                    "<title>{}: {} {} deal{}</title></rect>",
                    kind_class(kind),
                    x,
                    y,
                    bar,
                    h,
                    _quarter_label(quarter),
                    n,
                    KIND_LABELS.get(kind, kind).lower(),
                    "" if n == 1 else "s",
                )
            )
        if quarter.month == 1:
            parts.append(
                _fmt(
                    '<text class="axis" x="{:.1f}" y="{}">{}</text>',
                    x,
                    height - pad_bottom + 16,
                    quarter.year,
                )
            )
    parts.append(_fmt('<text class="axis" x="2" y="14">{}</text>', top))
    parts.append(
        _fmt(
            '<line class="axis-line" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
            pad_left - 2,
            height - pad_bottom,
            width - 4,
            height - pad_bottom,
        )
    )
    return _svg(width, height, "Deals per quarter by kind", mark_safe("".join(parts)), "chart chart-quarters")  # noqa: S308  # nosec (B308/B703 reviewed: see the reason before)


def year_bars(rows, *, label: str):
    """A small bar chart of (year, count)."""
    if not rows:
        return ""
    width, height, pad = 360, 140, 24
    top = max(n for _, n in rows) or 1
    step = (width - 2 * pad) / len(rows)
    parts = []
    for i, (year, n) in enumerate(rows):
        h = n / top * (height - 2 * pad)
        x = pad + i * step
        parts.append(
            _fmt(
                '<rect class="bar" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"><title>{}: {}</title></rect>'
                '<text class="axis" x="{:.1f}" y="{}">{}</text><text class="axis" x="{:.1f}" y="{:.1f}">{}</text>',
                x,
                height - pad - h,
                step * 0.7,
                h,
                year,
                n,
                x,
                height - 6,
                str(year)[2:] if len(rows) > 8 else year,
                x,
                height - pad - h - 3,
                n,
            )
        )
    return _svg(width, height, label, mark_safe("".join(parts)), "chart chart-years")  # noqa: S308  # nosec (B308/B703 reviewed: see the reason before)


def _circle_layout(nodes, *, cx, cy, radius):
    """Place nodes on a circle, grouped by company kind then name: stable for the same data."""
    ordered = sorted(nodes, key=lambda c: (c.kind, c.name.lower(), c.pk))
    positions = {}
    for i, company in enumerate(ordered):
        angle = 2 * math.pi * i / max(len(ordered), 1) - math.pi / 2
        positions[company.pk] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle)
    return positions


def slug_urls(name: str, slugs: int = 1):
    """A function of slugs giving the URL ``name`` reverses to, resolving the pattern only once.

    The network and flows pages link hundreds of companies and pairs: one ``reverse()``
    per link was the biggest part of their render time. Slugs need no quoting.
    """
    markers = [f"0slug{i}marker0" for i in range(slugs)]
    base = reverse(name, args=markers)

    def url(*values: str) -> str:
        result = base
        for marker, value in zip(markers, values, strict=True):
            result = result.replace(marker, value, 1)
        return result

    return url


def _timeline_link(a, b, base=None, **extra) -> str:
    params = {"company": a.slug, "counterparty": b.slug, **{k: v for k, v in extra.items() if v}}
    return (base or reverse("partnerships:deal_list")) + "?" + urlencode(params)


def network_svg(companies: dict, edges: list, *, year=None):
    """Who partners with whom: a circle of companies, one line per (pair, deal kind)."""
    if not companies:
        return ""
    size = 760
    positions = _circle_layout(companies.values(), cx=size / 2, cy=size / 2, radius=size / 2 - 130)
    timeline, company_url = reverse("partnerships:deal_list"), slug_urls("partnerships:company_detail")
    parts = []
    for a_id, b_id, kind, n in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        (x1, y1, _), (x2, y2, _) = positions[a_id], positions[b_id]
        a, b = companies[a_id], companies[b_id]
        year_params = {"year_from": year, "year_to": year} if year else {}
        parts.append(
            _fmt(
                '<a href="{}"><line class="edge {}" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke-width="{:.1f}">'
                "<title>{} – {}: {} {} deal{}</title></line></a>",
                _timeline_link(a, b, timeline, kind=kind, **year_params),
                kind_class(kind),
                x1,
                y1,
                x2,
                y2,
                min(1.5 + math.log2(n + 1), 8),
                a.name,
                b.name,
                n,
                KIND_LABELS.get(kind, kind).lower(),
                "" if n == 1 else "s",
            )
        )
    for pk, (x, y, angle) in positions.items():
        company = companies[pk]
        anchor = "start" if math.cos(angle) >= 0 else "end"
        tx = x + (8 if anchor == "start" else -8)
        parts.append(
            _fmt(
                '<a href="{}"><circle class="node c-{}" cx="{:.1f}" cy="{:.1f}" r="6"></circle>'
                '<text class="label" x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text></a>',
                company_url(company.slug),
                company.kind,
                x,
                y,
                tx,
                y + 4,
                anchor,
                company.name,
            )
        )
    body = mark_safe("".join(parts))  # noqa: S308 - every part is built by _fmt  # nosec B308 B703
    return _svg(size, size, "Network of partnerships", body, "chart chart-network", interactive=True)


FLOW_LABELS = {
    "equity": "Equity invested",
    "spend": "Cloud / chip spend committed",
    "power": "Compute power committed",
}


_ARROW_DEFS = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
    'orient="auto-start-reverse"><path class="arrow-head" d="M0,0 L10,5 L0,10 z"></path></marker></defs>'
)


def _flow_arrow(flow, positions, biggest, timeline):
    """One flow as a curved arrow, thicker for larger amounts (log scale, per unit)."""
    x1, y1, _ = positions[flow.source.pk]
    x2, y2, _ = positions[flow.target.pk]
    # Bend every arrow to its left: A→B and B→A become two visible arcs.
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    bend = 0.18 if flow.category != "power" else 0.32
    share = math.log10(1 + float(flow.amount or 0)) / max(math.log10(1 + biggest[flow.unit]), 1e-9)
    classes = f"flow flow-{flow.category}" + (" flow-circular" if flow.circular else "")
    return _fmt(
        '<a href="{}"><path class="{}" d="M{:.1f},{:.1f} Q{:.1f},{:.1f} {:.1f},{:.1f}" '
        'stroke-width="{:.1f}" fill="none" marker-end="url(#arrow)">'
        "<title>{} → {}: {}{} ({}, {} deal{}){}</title></path></a>",
        _timeline_link(flow.source, flow.target, timeline),
        classes,
        x1,
        y1,
        mx - dy * bend,
        my + dx * bend,
        x2,
        y2,
        1 + 7 * share,
        flow.source.name,
        flow.target.name,
        "up to " if flow.up_to else "",
        amount(flow.amount, flow.unit),
        FLOW_LABELS[flow.category].lower(),
        flow.deals,
        "" if flow.deals == 1 else "s",
        " — circular" if flow.circular else "",
    )


def _flow_node(company, x, y, angle, company_url):
    anchor = "start" if math.cos(angle) >= 0 else "end"
    return _fmt(
        '<a href="{}"><circle class="node c-{}" cx="{:.1f}" cy="{:.1f}" r="7"></circle>'
        '<text class="label" x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text></a>',
        company_url(company.slug),
        company.kind,
        x,
        y,
        x + (10 if anchor == "start" else -10),
        y + 4,
        anchor,
        company.name,
    )


def flows_svg(flows: list):
    """Directed flows between companies: curved arrows, thickness by amount (log), circular ones marked."""
    if not flows:
        return ""
    nodes = {}
    for flow in flows:
        nodes[flow.source.pk] = flow.source
        nodes[flow.target.pk] = flow.target
    size = 760
    positions = _circle_layout(nodes.values(), cx=size / 2, cy=size / 2, radius=size / 2 - 140)
    timeline, company_url = reverse("partnerships:deal_list"), slug_urls("partnerships:company_detail")
    biggest = {}
    for flow in flows:
        biggest[flow.unit] = max(biggest.get(flow.unit, 0), float(flow.amount or 0))
    parts = [_ARROW_DEFS]
    parts += [_flow_arrow(flow, positions, biggest, timeline) for flow in flows]
    parts += [_flow_node(nodes[pk], x, y, angle, company_url) for pk, (x, y, angle) in positions.items()]
    body = mark_safe("".join(parts))  # noqa: S308 - constant markup and parts built by _fmt  # nosec B308 B703
    return _svg(
        size, size, "Capital and compute flows between companies", body, "chart chart-flows", interactive=True
    )


def legend(kinds=None):
    kinds = kinds or Deal.Kind.values
    return _fmt(
        '<ul class="legend">{}</ul>',
        format_html_join(
            "", '<li><span class="swatch {}"></span>{}</li>', ((kind_class(k), KIND_LABELS[k]) for k in kinds)
        ),
    )
