"""Security headers and the Content-Security-Policy on every public page.

The policy must forbid inline script and style (no 'unsafe-inline' / 'unsafe-eval'), so
every inline <script> must carry the per-response nonce, and no page may rely on inline
event handlers or style attributes (the browser would refuse them under this policy).
"""

import re

import pytest
from bs4 import BeautifulSoup

from tests.security.pages import PAGE_NAMES

EVENT_HANDLER = re.compile(r"^on[a-z]+$")


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_it_sends_security_headers_and_a_strict_csp(client, pages, name):
    page = pages[name]
    if not page.exists:
        pytest.skip(f"{page.path} is not implemented yet")
    response = client.get(page.path, secure=True)
    assert response.status_code == 200, page.path

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "max-age=" in response.headers["Strict-Transport-Security"]

    policy = _policy(response)
    everything = " ".join(word for words in policy.values() for word in words)
    assert "'unsafe-inline'" not in everything
    assert "'unsafe-eval'" not in everything
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    nonces = [word for word in policy["script-src"] if word.startswith("'nonce-")]
    # django-csp adds the nonce only when the page used it: at most one, and then it must match.
    assert len(nonces) <= 1, policy["script-src"]
    nonce = nonces[0][len("'nonce-") : -1] if nonces else None

    soup = BeautifulSoup(response.content, "lxml")
    for script in soup.find_all("script"):
        if script.get("src"):
            assert script["src"].startswith("/"), f"third-party script {script['src']} on {page.path}"
        elif script.get("type") not in {"application/json", "application/ld+json"}:
            assert nonce and script.get("nonce") == nonce, f"inline script without the nonce on {page.path}"
    for tag in soup.find_all(True):
        handlers = [attr for attr in tag.attrs if EVENT_HANDLER.match(attr)]
        assert not handlers, f"inline event handler {handlers} on <{tag.name}> in {page.path}"
        assert "style" not in tag.attrs, (
            f"inline style attribute on <{tag.name}> in {page.path} (blocked by style-src 'self')"
        )
    for style in soup.find_all("style"):
        assert nonce and style.get("nonce") == nonce, f"<style> without nonce on {page.path}"
    for link in soup.find_all("link", rel="stylesheet"):
        assert link["href"].startswith("/"), f"third-party stylesheet on {page.path}"


def test_it_sets_secure_cookie_flags_in_production(settings):
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SECURE_HSTS_SECONDS >= 31536000


def test_it_denies_framing_of_the_admin_login(client, settings):
    response = client.get(f"/{settings.ADMIN_URL}login/", secure=True)
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
