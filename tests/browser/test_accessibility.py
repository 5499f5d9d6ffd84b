"""Every public page in a real browser: axe-core finds no serious or critical violation, the
strict CSP blocks nothing the page needs (no console errors), the phone layout does not
scroll sideways, and desktop and phone screenshots are saved under test-artifacts/."""

import pytest

from tests.browser.support import PHONE, describe_violations, run_axe, screenshot
from tests.security.pages import PAGE_NAMES, public_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_it_has_no_serious_accessibility_violations(site, page, name):
    target = next(p for p in public_pages() if p.name == name)
    if not target.exists:
        pytest.skip(f"{target.path} is not implemented yet")
    response = page.goto(site + target.path)
    assert response.status == 200, target.path
    page.wait_for_load_state("networkidle")

    violations = run_axe(page)
    assert not violations, f"{target.path}:\n{describe_violations(violations)}"

    # Dark mode is part of the design: check contrast there too.
    page.emulate_media(color_scheme="dark")
    dark = run_axe(page)
    assert not dark, f"{target.path} (dark mode):\n{describe_violations(dark)}"
    page.emulate_media(color_scheme="light")

    page.set_viewport_size(PHONE)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{target.path} scrolls sideways by {overflow}px at 390px wide"

    screenshot(page, name)
    assert not page.console_log.problems(), f"{target.path}: {page.console_log.problems()}"


def test_it_can_be_used_with_the_keyboard_alone(site, page):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert "Skip" in focused, f"first tab stop is {focused!r}, expected the skip link"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
