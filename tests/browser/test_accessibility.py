"""Every page a reader can reach (public pages, alert-link pages, the not-found page) in a real browser: axe-core finds no serious or critical violation (light
and dark colour schemes), the strict CSP blocks nothing the page needs (no console errors),
the phone layout does not scroll sideways, and desktop and phone screenshots are saved under
test-artifacts/screenshots/.

One test walks all pages so the dataset is loaded once; its failure message lists every
problem on every page.
"""

import warnings

import pytest

from tests.browser.support import PHONE, describe_violations, run_axe, screenshot
from tests.security.pages import reader_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_page(page, url: str, name: str, status: int = 200) -> list[str]:
    problems = []
    response = page.goto(url)
    if response.status != status:
        return [f"HTTP {response.status}, expected {status}"]
    page.wait_for_load_state("networkidle")
    screenshot(page, name)

    violations = run_axe(page)
    if violations:
        problems.append(describe_violations(violations))
    page.emulate_media(color_scheme="dark")
    dark = run_axe(page, rules=["color-contrast", "link-in-text-block"])
    if dark:
        problems.append("dark mode:\n" + describe_violations(dark))
    page.emulate_media(color_scheme="light")

    page.set_viewport_size(PHONE)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        problems.append(f"scrolls sideways by {overflow}px at 390px wide")
    page.set_viewport_size({"width": 1280, "height": 800})

    logged = [entry for entry in page.console_log.problems() if entry != f"HTTP {status} {url}"]
    if logged:
        problems.append(f"console errors (CSP or script): {logged}")
    page.console_log.clear()
    return problems


def test_it_has_no_serious_accessibility_violations_on_any_public_page(site, page):
    pages = reader_pages()
    missing = [p.path for p in pages if not p.exists]
    report = {}
    for target in pages:
        if target.exists or target.status == 404:
            problems = _check_page(page, site + target.path, target.name, target.status)
            if problems:
                report[target.path] = problems
    assert not report, "\n".join(f"{path}:\n" + "\n".join(found) for path, found in report.items())
    if missing:
        warnings.warn(f"pages not implemented, not checked: {missing}", stacklevel=1)


def test_it_can_be_used_with_the_keyboard_alone(site, page):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert "Skip" in focused, f"first tab stop is {focused!r}, expected the skip link"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
