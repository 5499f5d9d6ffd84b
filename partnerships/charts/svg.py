"""What every chart shares: escaped SVG markup, text measured before the browser sees it,
label boxes, and the links from a mark to the deals behind it.

Every label goes through ``fmt`` (escaped); colours come from CSS classes (``static/css/
charts.css``), so dark mode restyles them and no ``style=`` attribute is needed under the
strict CSP. Layouts are deterministic: same data, same drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def fmt(template: str, *args) -> SafeString:
    """``format_html`` that keeps numbers numeric (for ``{:.1f}``) and escapes everything else."""
    return mark_safe(  # noqa: S308 - every non-number argument is escaped  # nosec B308 B703
        template.format(*(a if isinstance(a, int | float) else conditional_escape(a) for a in args))
    )


def join(parts) -> SafeString:
    """Markup made by ``fmt`` (or constants), joined."""
    return mark_safe("".join(parts))  # noqa: S308 - parts are built by fmt  # nosec B308 B703


def _number(value: float) -> str:
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def svg(width, height, label, body, css="chart", *, interactive=False) -> SafeString:
    """An SVG with an accessible name; drawings with links are groups, not images (no nested links in an img)."""
    ident = css.split()[-1] + "-title"  # "chart chart-flows" → "chart-flows-title"
    return fmt(
        '<svg class="{}" viewBox="0 0 {} {}" role="{}" aria-labelledby="{}" '
        'preserveAspectRatio="xMidYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}">{}</title>{}</svg>',
        css,
        _number(width),
        _number(height),
        "group" if interactive else "img",
        ident,
        ident,
        label,
        body,
    )


# Advance widths of DejaVu Sans (the charts' first font, see charts.css), per 1,000 units of
# the font size; other characters count as wide ones. A label is measured on the server so
# that boxes can be kept apart before the page is sent; the browser tests measure it again.
_WIDTHS = {
    **dict.fromkeys("abdghnopqu", 635), **dict.fromkeys("ce", 615), "f": 352, "i": 278, "j": 278,
    "k": 579, "l": 278, "m": 974, "r": 411, "s": 521, "t": 392, **dict.fromkeys("vxy", 592),
    "w": 818, "z": 525, "A": 684, "B": 686, "C": 698, "D": 770, "E": 632, "F": 575, "G": 775,
    "H": 752, "I": 295, "J": 295, "K": 656, "L": 557, "M": 863, "N": 748, "O": 787, "P": 603,
    "Q": 787, "R": 695, "S": 635, "T": 611, "U": 732, "V": 684, "W": 989, "X": 685, "Y": 611,
    "Z": 685, **dict.fromkeys("0123456789", 636), " ": 318, ".": 318, ",": 318, "-": 361,
    "–": 500, "&": 780, "(": 390, ")": 390, "'": 275, "/": 337, "·": 318, "$": 636, "%": 950,
}  # fmt: skip
_WIDE = 800
MARGIN = 1.08  # measured text is widened a little: fonts differ from machine to machine


def text_width(text: str, size: float) -> float:
    """The width of ``text`` at ``size`` (user units), a little wider than DejaVu Sans draws it."""
    return sum(_WIDTHS.get(ch, _WIDE) for ch in text) / 1000 * size * MARGIN


def short_label(name: str, limit: int = 26) -> str:
    """A chart label: the name, cut with an ellipsis past ``limit`` characters (the title keeps it whole)."""
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in a chart's user units."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        return not (
            self.x1 + gap <= other.x0
            or other.x1 + gap <= self.x0
            or self.y1 + gap <= other.y0
            or other.y1 + gap <= self.y0
        )

    def inside(self, width: float, height: float) -> bool:
        return self.x0 >= 0 and self.y0 >= 0 and self.x1 <= width and self.y1 <= height


def text_box(x: float, y: float, text: str, size: float, anchor: str = "start") -> Box:
    """The box of a one-line label whose baseline starts (or ends, or centres) at (x, y)."""
    width = text_width(text, size)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return Box(left, y - size * 0.8, left + width, y + size * 0.25)


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


class DealLinks:
    """Where a chart mark leads: the one deal behind it, or the timeline of the pair.

    The timeline is filtered by the two companies, the kinds of the clauses behind the mark
    and the chart's years, so it lists the deals the mark adds up (and no unrelated one
    between the same companies).
    """

    def __init__(self, *, year_from: int | None = None, year_to: int | None = None):
        self.deal_url = slug_urls("partnerships:deal_detail")
        self.company_url = slug_urls("partnerships:company_detail")
        self.timeline = reverse("partnerships:deal_list")
        self.years = [("year_from", year_from), ("year_to", year_to)]

    def deals(self, a: str, b: str, deals: list[str], clause_kinds: list[str]) -> str:
        if len(deals) == 1:
            return self.deal_url(deals[0])
        params = [("company", a), ("counterparty", b), *(("clause", k) for k in clause_kinds)]
        params += [(name, value) for name, value in self.years if value]
        return self.timeline + "?" + urlencode(params)
