"""Server-rendered SVG charts: no JavaScript, no CDN, the same picture for every reader.

``quarters`` (bar charts), ``network`` (companies linked by clauses, laid out by networkx),
``sankey`` (the layout of a flow diagram) and ``flows`` (its drawing), ``labels`` (label
placement without overlaps) and ``svg`` (markup, text measure, links to the deals).
"""

from partnerships.charts.flows import COMPUTE, MONEY, flow_bars_svg, sankey_svg
from partnerships.charts.network import network_svg
from partnerships.charts.quarters import legend, quarter_chart, quarter_table, year_bars, year_chart
from partnerships.charts.svg import DealLinks, slug_urls

__all__ = [
    "COMPUTE",
    "MONEY",
    "DealLinks",
    "flow_bars_svg",
    "legend",
    "network_svg",
    "quarter_chart",
    "quarter_table",
    "sankey_svg",
    "slug_urls",
    "year_bars",
    "year_chart",
]
