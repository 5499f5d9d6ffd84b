"""The API docs page runs Swagger UI from our static files under the strict CSP, with no violation."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_the_docs_page_renders_every_operation_without_a_csp_violation(page, site):
    page.add_init_script(CATCH_VIOLATIONS)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    response = page.goto(f"{site}/api/v1/docs/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/deals/" in path for path in paths)
    assert len(paths) == 9
    page.locator(".opblock-summary").first.click()  # expanding an operation renders its schema too
    page.wait_for_selector(".opblock-body", timeout=10_000)
    assert page.evaluate("window.__csp") == []
    assert page.console_log.problems() == []
    assert all(url.startswith(site) or url.startswith("data:") for url in requested), "no CDN, no third party"
