"""Documents in every input format become the same clean text; dates are read from headers or datelines."""

from datetime import UTC, date, datetime

import pytest

from extraction.core import extract_text
from extraction.dates import find_dateline, parse_date, parse_datetime
from extraction.text import html_to_text, parse_document, split_sentences


def test_it_reads_header_lines():
    doc = parse_document(
        "SOURCE: https://acme.example/news/1\nDATE: 2025-10-06\nTITLE: Acme and Globex\n\nBody text."
    )
    assert (doc.source, doc.header_date, doc.title, doc.body) == (
        "https://acme.example/news/1",
        date(2025, 10, 6),
        "Acme and Globex",
        "Body text.",
    )


def test_it_reads_front_matter_and_the_markdown_heading():
    raw = "---\nsource_url: https://acme.example/a\npublished_at: '2025-11-24'\n---\n\n# Big news\n\n**Bold** [link](https://x.example)."
    doc = parse_document(raw)
    assert doc.header_date == date(2025, 11, 24)
    assert doc.title == "Big news"
    assert "Bold link." in doc.body
    assert "https://x.example" not in doc.body


def test_it_strips_html_including_scripts():
    raw = (
        "<html><head><title>T</title><script>var secret = 1;</script></head>"
        "<body><h1>Acme &amp; Globex</h1><p>First para.</p><p>Second <b>para</b>.</p>"
        "<style>p{color:red}</style></body></html>"
    )
    doc = parse_document(raw)
    assert doc.title == "Acme & Globex"
    assert "secret" not in doc.body and "color" not in doc.body and "<" not in doc.body
    assert "First para." in doc.body and "Second para." in doc.body


def test_it_reads_a_press_release_dateline():
    body = "SANTA CLARA, Calif., Oct. 06, 2025 (GLOBE NEWSWIRE) -- Acme and Globex today announced a deal."
    assert find_dateline(body) == date(2025, 10, 6)


def test_it_reads_dates_in_usual_forms():
    assert parse_date("Sep 2, 2025") == date(2025, 9, 2)
    assert parse_date("26 February 2024") == date(2024, 2, 26)
    assert parse_date("2023-01-23") == date(2023, 1, 23)
    assert parse_date("no date here") is None


def test_it_prefers_the_header_date_and_falls_back_to_the_dateline():
    text = "REDMOND, Wash., Jan. 23, 2023 -- Acme and Globex announced a partnership."
    assert extract_text(text).announced_on == date(2023, 1, 23)
    assert extract_text("DATE: 2024-05-01\n\n" + text).announced_on == date(2024, 5, 1)


def test_it_splits_sentences_into_verbatim_slices():
    text = "Acme Inc. and Globex Corp. signed a deal. It is worth $1 billion! The U.S. market grows."
    sentences = split_sentences(text)
    assert sentences == [
        "Acme Inc. and Globex Corp. signed a deal.",
        "It is worth $1 billion!",
        "The U.S. market grows.",
    ]
    assert all(sentence in text for sentence in sentences)


def test_it_drops_related_posts_at_the_end_of_a_page():
    doc = parse_document(
        "# Title\n\nThe real post.\n\n## Related content\n\n### Another post\n\nTeaser text."
    )
    assert "Teaser" not in doc.body


def test_html_to_text_keeps_words_whole_across_inline_tags_and_drops_code():
    text = html_to_text("<p>Open<b>AI</b> and Acme</p><script>track()</script><p>AT&amp;T &lt;b&gt;</p>")
    assert text.split() == ["OpenAI", "and", "Acme", "AT&T", "<b>"]


def test_it_reads_listing_and_announcement_dates_with_the_same_rules():
    # A listing keeps the time and what is known; an announcement needs the day as written.
    assert parse_datetime("2025-10-06T23:30:00-05:00").moment.isoformat() == "2025-10-06T23:30:00-05:00"
    assert parse_date("2025-10-06T23:30:00-05:00") == date(2025, 10, 6)
    assert parse_date("Mon, 06 Oct 2025 23:30:00 -0500") == date(2025, 10, 6)
    assert parse_date("OCT. 6TH, 2025") == date(2025, 10, 6)
    assert parse_datetime("Published in March 2024") == (datetime(2024, 3, 1, tzinfo=UTC), "month")
    assert parse_date("Published in March 2024") is None  # a month is not an announcement's day


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "Oct 6, 3025", "Sepember 3, 2025"]
)
def test_it_reads_no_date_rather_than_an_impossible_one(text):
    assert parse_datetime(text) == (None, "day")
    assert parse_date(text) is None


def test_a_dateline_month_may_be_written_in_capitals():
    assert find_dateline("SEATTLE, OCT. 06, 2025 -- Acme and Globex today announced a deal.") == date(
        2025, 10, 6
    )


def test_it_takes_the_cited_page_of_a_source_line_as_the_source():
    doc = parse_document(
        "SOURCE: research note on compute plans, row citing https://acme.example/news/deal (copy)\n\nBody."
    )
    assert doc.source == "https://acme.example/news/deal"
    assert parse_document("SOURCE: a saved copy\n\nBody.").source == "a"


def test_it_reads_a_quoted_blocks_from_line_as_its_source():
    doc = parse_document(
        "--- FROM: same note, row citing https://acme.example/news/x\nAcme and Globex agree."
    )
    assert (doc.source, doc.body) == ("https://acme.example/news/x", "Acme and Globex agree.")


def test_it_reads_header_lines_after_leading_blank_lines():
    doc = parse_document("\n\nSOURCE: https://acme.example/n/2\nTITLE: Acme and Globex\n\nBody text.")
    assert (doc.source, doc.title, doc.body) == ("https://acme.example/n/2", "Acme and Globex", "Body text.")
