"""``manage.py ingest``: saved files into announcements and candidate deals, idempotent, offline."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from partnerships.models import Deal
from scrapers.models import Announcement, AnnouncementRevision
from tests.factories import NewsroomFactory
from tests.scrapers.conftest import rss

pytestmark = pytest.mark.django_db

DEAL = (
    "Oracle and Cohere announced a partnership today. Oracle will invest $300 million in Cohere, "
    "and Cohere will train its models on Oracle Cloud Infrastructure."
)
SUMMARY = re.compile(
    r"(\d+) files, (\d+) announcements \((\d+) new, (\d+) updated, (\d+) unchanged\), (\d+) candidates, (\d+) errors"
)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("ingest", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def numbers(out: str) -> tuple[int, ...]:
    return tuple(int(n) for n in SUMMARY.search(out).groups())


@pytest.fixture
def saved(tmp_path):
    """One file of each kind, written for these tests."""
    (tmp_path / "deal.txt").write_text(
        f"SOURCE: https://vendor.example/news/oracle-cohere/\nDATE: 2025-05-06\nTITLE: Oracle invests in Cohere\n\n{DEAL}\n"
    )
    (tmp_path / "note.md").write_text(
        "---\nsource_url: https://vendor.example/news/bread/\npublished_at: '2025-05-07'\n---\n\n"
        "# Bread\n\nOur team baked sourdough bread on Friday and wrote down the recipe.\n"
    )
    (tmp_path / "page.html").write_text(
        '<html><head><link rel="canonical" href="https://vendor.example/blog/post-a/">'
        '<meta property="og:type" content="article"><title>Post A</title></head>'
        "<body><article><h1>Post A</h1><p>A long walk through the hills near the office.</p></article></body></html>"
    )
    (tmp_path / "feed.xml").write_text(
        rss([("One", "https://vendor.example/one/", "Mon, 17 Nov 2025 09:00:00 +0000")] * 2)
    )
    (tmp_path / "list.json").write_text(
        json.dumps(
            {"posts": [{"title": "Two", "url": "https://vendor.example/two?x=1", "date": "2025-01-02"}]}
        )
    )
    return tmp_path


def test_it_fills_the_review_queue_from_saved_files(saved):
    out, err = run(saved)

    assert numbers(out) == (5, 5, 5, 0, 0, 1, 0)
    assert err == ""
    assert sorted(Announcement.objects.values_list("url", flat=True)) == [
        "https://vendor.example/blog/post-a/",
        "https://vendor.example/news/bread/",
        "https://vendor.example/news/oracle-cohere/",
        "https://vendor.example/one/",
        "https://vendor.example/two?x=1",
    ]
    deal = Deal.objects.get()
    assert deal.status == Deal.Status.CANDIDATE
    assert deal.sources.get().url == "https://vendor.example/news/oracle-cohere/"
    assert Announcement.objects.filter(extracted_at__isnull=True).count() == 0


def test_only_an_article_page_is_archived(saved):
    run(saved)
    page = Announcement.objects.get(url="https://vendor.example/blog/post-a/")
    assert page.fetch_status == Announcement.FetchStatus.FETCHED and page.get_raw_html().startswith(b"<html>")
    assert AnnouncementRevision.objects.filter(announcement=page).count() == 1
    text = Announcement.objects.get(url="https://vendor.example/news/oracle-cohere/")
    assert (
        text.fetch_status == Announcement.FetchStatus.SKIPPED and not text.raw_html and not text.content_hash
    )
    item = Announcement.objects.get(url="https://vendor.example/one/")
    assert (
        item.fetch_status == Announcement.FetchStatus.PENDING and item.text == ""
    )  # a worker may archive it


def test_a_second_run_adds_nothing(saved):
    run(saved)
    counts = (Announcement.objects.count(), Deal.objects.count(), AnnouncementRevision.objects.count())
    out, _ = run(saved)
    assert numbers(out) == (5, 5, 0, 0, 5, 1, 0)
    assert (
        Announcement.objects.count(),
        Deal.objects.count(),
        AnnouncementRevision.objects.count(),
    ) == counts


def test_an_edited_file_updates_its_announcement(saved):
    run(saved)
    path = saved / "deal.txt"
    path.write_text(path.read_text().replace("TITLE: Oracle invests in Cohere", "TITLE: Oracle backs Cohere"))
    out, _ = run(path)
    assert numbers(out) == (1, 1, 0, 1, 0, 1, 0)
    assert Announcement.objects.get(url__contains="oracle-cohere").title == "Oracle backs Cohere"
    assert Deal.objects.count() == 1


def test_a_bad_file_is_reported_and_skipped(saved):
    (saved / "bare.txt").write_text("Text with no address at all.")
    (saved / "empty.xml").write_bytes(b"")

    out, err = run(saved, saved / "missing.txt")

    assert numbers(out) == (8, 5, 5, 0, 0, 1, 3)
    assert "bare.txt: no source address" in err and "empty.xml: the file is empty" in err
    assert "missing.txt: no such file" in err
    assert Announcement.objects.count() == 5


def test_a_dry_run_writes_nothing_and_says_what_a_run_would(saved):
    out, _ = run(saved, "--dry-run")
    assert numbers(out) == (5, 5, 5, 0, 0, 1, 0) and "dry run" in out
    assert not Announcement.objects.exists() and not Deal.objects.exists()


def test_it_attaches_items_to_a_newsroom_and_uses_its_address(tmp_path):
    newsroom = NewsroomFactory(slug="vendor-news", kind="html", url="https://vendor.example/news")
    cards = "".join(
        f'<article><a href="/news/p{i}/"><h3>Post {i}</h3></a><time datetime="2025-0{i}-01">x</time></article>'
        for i in range(1, 4)
    )
    (tmp_path / "listing.html").write_text(f"<html><body>{cards}</body></html>")

    out, _ = run(tmp_path / "listing.html", "--newsroom", "vendor-news")

    assert numbers(out)[:3] == (1, 3, 3)
    assert set(Announcement.objects.values_list("newsroom", flat=True)) == {newsroom.pk}
    assert Announcement.objects.filter(url="https://vendor.example/news/p1/").exists()


def test_it_prints_one_line_per_file_when_not_a_terminal(saved):
    out, _ = run(saved)
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert len(lines) == 5 and lines[0].startswith("[1/5] ") and lines[-1].startswith("[5/5] ")
    assert "\r" not in out


def test_an_address_for_several_files_or_an_unknown_newsroom_is_refused(saved):
    with pytest.raises(CommandError, match="exactly one file"):
        run(saved, "--url", "https://vendor.example/x")
    with pytest.raises(CommandError, match="No newsroom"):
        run(saved, "--newsroom", "nobody")
    assert not Announcement.objects.exists()


def test_it_fills_the_queue_of_a_fresh_install_from_the_captured_pages(realdata):
    texts = sorted((realdata / "announcements").glob("*.txt"))
    feed = realdata / "feeds" / "native" / "openai_com_news_rss_2026-09-25_first8of1229.xml"
    if not texts or not feed.is_file():
        pytest.skip("the captured announcements or the native OpenAI feed are missing")

    out, err = run(*texts, feed)

    files, total, new, updated, unchanged, candidates, errors = numbers(out)
    assert (files, errors, updated, unchanged) == (len(texts) + 1, 0, 0, 0)
    assert total == new == len(texts) + 8 == Announcement.objects.count()
    assert candidates == Deal.objects.filter(status=Deal.Status.CANDIDATE).count() >= len(texts) * 3 // 4
    assert numbers(run(*texts, feed)[0])[2:5] == (0, 0, total)  # the second run: nothing new
