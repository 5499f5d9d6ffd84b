"""The worker benchmark's pieces work without a worker: its fixture speaks conditional GET, and
``python -m bench --merge`` keeps what it did not re-run."""

import httpx

import bench.__main__ as runner
import bench.scrape_worker as scrape_worker
from bench.scrape_services import FixtureProcess


def test_it_registers_the_worker_benchmark_with_the_runner():
    assert "scrape_worker" in runner.MODULES
    assert callable(scrape_worker.main)


def test_its_fixture_answers_a_conditional_get_with_304(tmp_path):
    fixture = FixtureProcess(hosts=2, latency=0.0, base_items=3, log=tmp_path / "fixture.log")
    try:
        url = fixture.feed_url(1)
        assert url.startswith("http://127.0.0.3:")
        first = httpx.get(url, headers={"User-Agent": "PactwatchBot/0.1"}, timeout=10)
        assert first.status_code == 200 and first.content.count(b"<item>") == 3
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

        by_etag = httpx.get(url, headers={"If-None-Match": etag}, timeout=10)
        by_date = httpx.get(url, headers={"If-Modified-Since": modified}, timeout=10)
        stale = httpx.get(url, headers={"If-None-Match": '"something-else"'}, timeout=10)

        assert (by_etag.status_code, by_etag.content) == (304, b"")
        assert by_date.status_code == 304
        assert stale.status_code == 200
        log = fixture.log()["log"]
        assert [(e[0], e[1], e[2], e[5], e[6]) for e in log] == [
            ("pw", 1, "feed", 200, False),
            ("cdio", 1, "feed", 304, True),
            ("cdio", 1, "feed", 304, True),
            ("cdio", 1, "feed", 200, True),
        ]
    finally:
        fixture.stop()
    assert fixture.process.poll() is not None


def test_its_fixture_publishes_an_item_at_the_scheduled_time(tmp_path):
    fixture = FixtureProcess(hosts=1, latency=0.0, base_items=2, log=tmp_path / "fixture.log")
    try:
        fixture.schedule([(0.0, 0)])  # long past: the item is already there
        body = httpx.get(fixture.feed_url(0), timeout=10).content
        assert body.count(b"<item>") == 3 and b"/news/item-3</link>" in body
        assert httpx.get(fixture.article_url(0, 3), timeout=10).status_code == 200
    finally:
        fixture.stop()


def test_merge_keeps_the_modules_that_did_not_run():
    previous = "\n".join(
        [
            "# Pactwatch benchmark report",
            "",
            "Generated on day one.",
            "",
            "## Summary",
            "",
            "| benchmark | status | time (s) |",
            "| --- | --- | --- |",
            "| `bench/scrape.py` | ok | 70.0 |",
            "| `bench/pages.py` | ok | 200.0 |",
            "",
            "## Goals, figures and same-run baselines",
            "",
            "| module | figure | value | baseline (same run) | ratio | goal | met |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            "| pages | max_queries | 8 | — |  | ≤ 8 | yes |",
            "| scrape | cycle_wall_s | 2 | — |  | ≤ 3 s | yes |",
            "",
            "## bench/scrape.py — ok",
            "",
            "old scrape figures",
            "",
            "## bench/pages.py — ok",
            "",
            "old page figures",
            "",
        ]
    )
    current = "\n".join(
        [
            "# Pactwatch benchmark report",
            "",
            "Generated on day two.",
            "",
            "## Summary",
            "",
            "| benchmark | status | time (s) |",
            "| --- | --- | --- |",
            "| `bench/scrape_worker.py` | ok | 300.0 |",
            "",
            "## Goals, figures and same-run baselines",
            "",
            "| module | figure | value | baseline (same run) | ratio | goal | met |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            "| scrape | cycle_wall_s | not reported | — |  | ≤ 3 s | — |",
            "| scrape_worker | rss_mb | 580 | — |  | ≤ 250 MB | **no** |",
            "",
            "## bench/scrape_worker.py — ok",
            "",
            "new worker figures",
            "",
        ]
    )
    merged = runner.merge_reports(previous, current, {"scrape_worker"})
    assert "Generated on day two." in merged and "Generated on day one." not in merged
    assert "sections of scrape, pages are kept" in merged
    order = [
        merged.index(s) for s in ("| `bench/scrape.py`", "| `bench/scrape_worker.py`", "| `bench/pages.py`")
    ]
    assert order == sorted(order)
    goals = [
        merged.index(s)
        for s in ("| scrape | cycle_wall_s", "| scrape_worker | rss_mb", "| pages | max_queries")
    ]
    assert goals == sorted(goals)
    sections = [merged.index(s) for s in ("old scrape figures", "new worker figures", "old page figures")]
    assert sections == sorted(sections)
    assert merged.count("## bench/scrape.py") == 1
    assert "not reported" not in merged and merged.count("| scrape | cycle_wall_s |") == 1
