import json
from types import SimpleNamespace

from partnerships.admin.highlight import find_quote_spans, highlight_quotes


def clause(pk, quote):
    return SimpleNamespace(pk=pk, quote=quote)


def test_it_escapes_the_text_and_marks_only_the_quotes():
    text = 'A <img src=x onerror="alert(1)"> B. Contoso invests $2 billion. C & D.'
    html, missing = highlight_quotes(text, [clause(7, "contoso  invests $2 billion.")])
    assert str(html) == (
        'A &lt;img src=x onerror=&quot;alert(1)&quot;&gt; B. <mark id="quote-7">Contoso invests $2 billion.</mark>'
        " C &amp; D."
    )
    assert missing == set()


def test_it_escapes_markup_inside_a_quote():
    html, _ = highlight_quotes("x <b>bold</b> y", [clause(1, "<b>bold</b>")])
    assert str(html) == 'x <mark id="quote-1">&lt;b&gt;bold&lt;/b&gt;</mark> y'


def test_it_matches_curly_quotes_ellipses_and_markdown_emphasis():
    text = "We\u2019ll **jointly** develop new systems, said the firm, and expand the deal over years."
    spans, missing = find_quote_spans(
        text, [clause(1, "We'll jointly develop"), clause(2, "new systems ... over years.")]
    )
    assert missing == set()
    assert [text[s.start : s.end] for s in spans] == [
        "We\u2019ll **jointly** develop",
        "new systems, said the firm, and expand the deal over years.",
    ]


def test_it_reports_quotes_that_are_not_in_the_text_and_skips_empty_ones():
    html, missing = highlight_quotes("Nothing here.", [clause(1, "something else"), clause(2, "")])
    assert missing == {1}
    assert str(html) == "Nothing here."


def test_overlapping_quotes_do_not_nest_marks():
    html, _ = highlight_quotes("one two three four", [clause(1, "one two three"), clause(2, "two three four")])
    assert str(html) == '<mark id="quote-1">one two three</mark><mark id="quote-2"> four</mark>'


def test_it_finds_the_real_dataset_quotes_in_the_archived_texts(realdata):
    """Real announcements: nearly every evidence quote of deals.json sits in its local text.

    The few misses are paraphrases in the dataset itself; the review page flags those.
    """
    deals = json.loads((realdata / "deals.json").read_text(encoding="utf-8"))
    total = found = 0
    for deal in deals:
        path = realdata / deal["local_text"] if deal.get("local_text") else None
        if path is None or not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        quotes = [clause(i, c["quote"]) for i, c in enumerate(deal["clauses"]) if c.get("quote")]
        spans, missing = find_quote_spans(text, quotes)
        total += len(quotes)
        found += len(quotes) - len(missing)
        for span in spans:
            assert span.end > span.start
    assert total > 50
    assert found / total >= 0.95, f"{found} of {total} quotes found"
