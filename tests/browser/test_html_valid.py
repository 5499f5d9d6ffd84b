"""The Nu HTML checker (npm vnu-jar, run with Java) finds no error in any page a reader can
reach (public pages, alert-link pages, the not-found page) or in any email template's HTML part."""

import pytest

from tests.browser.support import missing_vnu_tools, vnu_errors
from tests.security.pages import load_data, reader_pages

pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def _vnu():
    reason = missing_vnu_tools()
    if reason:
        pytest.skip(reason)


@pytest.mark.django_db
def test_it_serves_valid_html_on_every_public_page(client):
    load_data()
    pages = reader_pages()
    documents = {}
    for page in pages:
        if not page.exists and page.status != 404:
            continue
        response = client.get(page.path)
        assert response.status_code == page.status, page.path
        documents[page.path] = response.content.decode()
        # The htmx fragment of a page is a part of a document; the full page is what is validated.
    missing = [page.path for page in pages if not page.exists and page.status != 404]
    errors = vnu_errors(documents)
    assert not errors, "\n".join(f"{path}:\n  " + "\n  ".join(found) for path, found in errors.items())
    assert len(documents) >= 1
    if missing:
        pytest.skip(f"validated {len(documents)} pages; not implemented yet: {', '.join(missing)}")


def test_it_rejects_invalid_html():
    # The checker itself must be able to fail, or the test above proves nothing.
    errors = vnu_errors(
        {"broken": "<!doctype html><html lang=en><title>x</title><p hx-get=/x>unclosed<div></span>"}
    )
    assert errors["broken"]
