"""No page a reader can reach scrolls sideways, at 390 px (a phone) or 1280 px (a laptop), and
the strict CSP blocks nothing on any of them. Screenshots of every page at both widths are
saved under test-artifacts/screenshots/ (git-ignored) for people to look at.

One test walks all pages so the dataset is loaded once; its failure lists every problem.
"""

import json

import pytest

from tests.browser.support import DESKTOP, PHONE, SCREENSHOTS
from tests.security.pages import reader_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (("desktop", DESKTOP), ("phone", PHONE))
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest('.table-scroll'))
    .slice(0, 3).map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide};
}"""


def test_no_page_scrolls_sideways_at_390_or_1280_and_each_is_photographed(site, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report, measured = {}, {}
    for target in reader_pages():
        problems = []
        for label, size in WIDTHS:
            page.set_viewport_size(size)
            response = page.goto(site + target.path)
            if response.status != target.status:
                problems.append(f"HTTP {response.status}, expected {target.status}")
                break
            page.wait_for_load_state("networkidle")
            found = page.evaluate(OVERFLOW)
            measured[(target.name, size["width"])] = found["scroll"]
            if found["scroll"] > found["inner"]:
                problems.append(
                    f"scrollWidth {found['scroll']} > {found['inner']} at {size['width']}px: {found['wide']}"
                )
            page.screenshot(path=str(SCREENSHOTS / f"layout-{target.name}-{label}.png"), full_page=True)
        # The page's own expected status (404, 400) is not a problem; anything else logged is.
        own = f"HTTP {target.status} {site}{target.path}"
        logged = [entry for entry in page.console_log.problems() if entry != own]
        if logged:
            problems.append(f"console errors or CSP violations: {logged}")
        page.console_log.clear()
        if problems:
            report[target.path] = problems
    (SCREENSHOTS.parent / "layout-scroll-widths.json").write_text(
        json.dumps(
            {f"{name} @{width}": scroll for (name, width), scroll in sorted(measured.items())}, indent=1
        )
    )
    assert not report, "\n".join(f"{path}:\n  " + "\n  ".join(found) for path, found in report.items())
    assert len(measured) >= 2 * 20, sorted(measured)
