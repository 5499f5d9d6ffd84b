"""The charts as a reader sees them in Chromium, on the shipped dataset: no label over another
(bounding boxes measured by the browser), every mark a link to the deals behind it, no empty
band above a drawing, and legible text at 390 px (the simplified chart, never 4 px text).
Screenshots of each page at 1280 and 390 go to test-artifacts/screenshots/."""

import pytest

from tests.browser.support import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHART_PAGES = {
    "charts-home": "/",
    "charts-network": "/network/",
    "charts-network-all": "/network/?year=all",
    "charts-flows": "/flows/",
    "charts-flows-2025": "/flows/?year=2025",
    "charts-company-openai": "/companies/openai/",
}

# Boxes of the visible labels of every visible chart, in CSS pixels.
LABEL_BOXES = """() => [...document.querySelectorAll('figure svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
    const frame = svg.getBoundingClientRect();
    return {
      chart: svg.getAttribute('class'),
      frame: [frame.left, frame.top, frame.right, frame.bottom],
      labels: [...svg.querySelectorAll('text.label')].map(t => {
        const b = t.getBoundingClientRect();
        return {text: t.textContent, box: [b.left, b.top, b.right, b.bottom]};
      }),
    };
  })"""

# Every drawn mark and the link around it.
MARKS = """() => [...document.querySelectorAll(
    'figure svg line.edge, figure svg circle.node, figure svg path.band, figure svg rect.sk-node, '
    + 'figure svg.chart-quarters rect, figure svg.chart-years-narrow rect, figure svg rect.fbar, figure svg.chart-years rect')]
  .map(m => ({mark: m.tagName + '.' + m.getAttribute('class'), href: m.closest('a') && m.closest('a').getAttribute('href')}))"""

# The smallest rendered text of the visible charts, in CSS pixels.
SMALLEST_TEXT = """() => Math.min(...[...document.querySelectorAll('figure svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .flatMap(svg => [...svg.querySelectorAll('text')].map(t => {
    const size = parseFloat(getComputedStyle(t).fontSize);
    const scale = svg.getScreenCTM().a;
    return size * scale;
  })), 99)"""

# How far below its top edge a chart starts drawing.
EMPTY_TOP = """() => [...document.querySelectorAll('figure svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
    const top = svg.getBoundingClientRect().top;
    const first = Math.min(...[...svg.querySelectorAll('text, rect, circle, path.band, line')]
      .map(e => e.getBoundingClientRect()).filter(b => b.height > 0 || b.width > 0).map(b => b.top));
    return {chart: svg.getAttribute('class'), gap: first - top};
  })"""


def _overlaps(a, b) -> bool:
    # One pixel of slack: anti-aliased glyph boxes of neighbours may touch.
    return not (a[2] <= b[0] + 1 or b[2] <= a[0] + 1 or a[3] <= b[1] + 1 or b[3] <= a[1] + 1)


def _label_problems(charts) -> list[str]:
    problems = []
    for chart in charts:
        labels, frame = chart["labels"], chart["frame"]
        for i, first in enumerate(labels):
            box = first["box"]
            if (
                box[0] < frame[0] - 1
                or box[2] > frame[2] + 1
                or box[1] < frame[1] - 1
                or box[3] > frame[3] + 1
            ):
                problems.append(f"{chart['chart']}: {first['text']!r} is cut by the chart's edge")
            for second in labels[i + 1 :]:
                if _overlaps(box, second["box"]):
                    problems.append(f"{chart['chart']}: {first['text']!r} overlaps {second['text']!r}")
    return problems


def test_it_draws_legible_linked_charts_without_overlapping_labels(site, page):
    report = {}
    for name, path in CHART_PAGES.items():
        page.set_viewport_size(DESKTOP)
        assert page.goto(site + path).status == 200, path
        problems = _label_problems(page.evaluate(LABEL_BOXES))
        marks = page.evaluate(MARKS)
        if not marks:
            problems.append("no chart mark found")
        problems += [f"{m['mark']} is not a link" for m in marks if not m["href"]][:5]
        problems += [
            f"{g['chart']}: {g['gap']:.0f}px empty above" for g in page.evaluate(EMPTY_TOP) if g["gap"] > 32
        ]
        smallest = page.evaluate(SMALLEST_TEXT)
        if smallest < 10:
            problems.append(f"chart text {smallest:.1f}px at 1280")
        page.set_viewport_size(PHONE)
        smallest = page.evaluate(SMALLEST_TEXT)
        if smallest < 11:
            problems.append(f"chart text {smallest:.1f}px at 390")
        problems += [f"at 390: {p}" for p in _label_problems(page.evaluate(LABEL_BOXES))]
        screenshot(page, name)
        if page.console_log.problems():
            problems.append(f"console errors: {page.console_log.problems()}")
        page.console_log.clear()
        if problems:
            report[path] = problems
    assert not report, "\n".join(f"{path}:\n  " + "\n  ".join(found) for path, found in report.items())


def test_it_opens_the_deals_behind_a_flow_band(site, page):
    page.goto(site + "/flows/?year=all")
    band = page.locator("svg.chart-money a", has=page.locator("path.band")).filter(
        has_text="Microsoft → OpenAI: investment"
    )
    href = band.first.get_attribute("href")
    assert href.startswith("/deals/?company=microsoft&counterparty=openai")
    page.goto(site + href)
    titles = page.locator(".deal-title").all_inner_texts()
    assert titles and all("Microsoft" in t or "OpenAI" in t for t in titles)
