"""Every public page renders under the production configuration: DEBUG off, static files
collected into hashed, compressed names (WhiteNoise's manifest storage) and served by
WhiteNoise with far-future caching. A template naming a static file that does not exist
answers 500 only in production, so this reads the shared production run (``production.py``:
collectstatic into a temporary STATIC_ROOT, a fresh SQLite database, the dataset)."""


def test_it_serves_every_page_and_hashed_static_files_in_production(production):
    report, stderr = production
    assert report["pages"], "no page was checked"
    broken = {path: status for path, status in report["pages"].items() if status != 200}
    assert not broken, f"pages failing under production settings: {broken}\n{stderr}"
    assert report["static"], "the home page links no static file"
    for url, (status, cache_control) in report["static"].items():
        assert status == 200, url
        assert "." in url.rsplit("/", 1)[-1] and len(url.rsplit("/", 1)[-1].split(".")) >= 3, (
            f"{url} is not a hashed name (manifest storage not used)"
        )
        assert "max-age=315360000" in cache_control or "immutable" in cache_control, (url, cache_control)
