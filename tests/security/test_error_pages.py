"""The custom 404 and 500 pages under the production configuration (DEBUG off, hashed static
files), read from the shared production run (``production.py``)."""


def test_it_serves_the_custom_404_and_500_pages_in_production(production):
    report, _ = production
    assert report["debug"] is False
    status, html, policy = report["missing"]
    assert status == 404 and "Page not found" in html and 'action="/search/"' in html
    assert "/static/css/site." in html and "default-src 'self'" in policy
    assert "Technical" not in html and "Traceback" not in html
    assert report["company"][0] == 404 and "Page not found" in report["company"][1]
    status, html = report["broken"]
    assert status == 500 and "Something went wrong on our side" in html and "/static/css/site." in html
