import os

import pytest

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, SmtpSink, missing_browser_tools
from tests.security.pages import forget_cached_pages, load_data


@pytest.fixture(scope="module")
def browser():
    reason = missing_browser_tools()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's async-safety
    # guard would then refuse ORM calls made by the test itself. Only while a browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            # Playwright gives each launch a fresh temporary --user-data-dir of its own.
            instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Every securitypolicyviolation event becomes a console error, so a page that the strict CSP
# blocks anything on (an inline style attribute set by a script, an injected <style>) fails
# the test that loaded it, even when Chromium itself would only warn.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline')
    + ' at ' + event.sourceFile + ':' + event.lineNumber + ' ' + (event.sample || ''));
}, true);
"""


class ConsoleLog(list):
    """Console errors and CSP violations seen by a page: a strict-CSP page must produce none."""

    def problems(self) -> list[str]:
        # A failed resource shows up twice: as a console line without its URL (dropped) and as
        # an "HTTP <status> <url>" entry from the response listener (kept, except the favicon
        # Chromium asks for on its own).
        return [m for m in self if "favicon.ico" not in m and not m.startswith("Failed to load resource")]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_LISTENER)
    tab = context.new_page()
    tab.console_log = ConsoleLog()
    tab.on("console", lambda m: m.type == "error" and tab.console_log.append(m.text))
    tab.on("pageerror", lambda exc: tab.console_log.append(f"uncaught: {exc}"))
    tab.on("response", lambda r: r.status >= 400 and tab.console_log.append(f"HTTP {r.status} {r.url}"))
    yield tab
    context.close()


@pytest.fixture
def site(live_server, settings):
    """The live server with the dataset loaded; cookies work over plain http on 127.0.0.1."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    settings.SITE_URL = live_server.url
    load_data()
    return live_server.url


@pytest.fixture
def smtp_sink(settings):
    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    sink.stop()


@pytest.fixture(autouse=True)
def _forget_cached_pages():
    """Pages cached during a test must not outlive its rolled-back data (see pages.py)."""
    yield
    forget_cached_pages()
