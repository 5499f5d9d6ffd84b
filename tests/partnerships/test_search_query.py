"""Reading a query as ``websearch_to_tsquery`` does, with company names and kinds (no database)."""

from partnerships.search.query import Vocabulary, parse_query
from partnerships.search.snippets import snippet

VOCABULARY = Vocabulary(
    companies={"amazon": 1, "aws": 1, "amazon web services": 1, "microsoft": 2, "openai": 3},
    spellings={1: ("Amazon", "AWS", "Amazon Web Services"), 2: ("Microsoft", "MSFT"), 3: ("OpenAI",)},
    kinds={"exclusivity": {"clause": ("exclusivity",)}, "acqui hire": {"deal": ("acquihire",)}},
)


def _read(raw):
    return [
        [(t.text, t.negated, t.companies, t.clause_kinds) for t in group]
        for group in parse_query(raw, VOCABULARY).groups
    ]


def test_it_ands_words_and_drops_english_stop_words():
    assert _read("the gigawatt of datacenters") == [
        [("gigawatt", False, (), ()), ("datacenters", False, (), ())]
    ]


def test_it_reads_quoted_phrases_and_excluded_words():
    assert _read('"sovereign cloud" -chips -"board seat"') == [
        [("sovereign cloud", False, (), ()), ("chips", True, (), ()), ("board seat", True, (), ())]
    ]


def test_it_splits_alternatives_on_or_like_postgresql():
    assert _read("nvidia amd or broadcom") == [
        [("nvidia", False, (), ()), ("amd", False, (), ())],
        [("broadcom", False, (), ())],
    ]


def test_it_reads_company_names_and_aliases_longest_first():
    assert _read("Amazon Web Services OpenAI") == [
        [("amazon web services", False, (1,), ()), ("openai", False, (3,), ())]
    ]
    assert _read("aws")[0][0][2] == (1,)
    assert _read("Microsoft Corp")[0][0][2] == (2,)  # corporate suffixes do not make a company


def test_it_reads_clause_and_deal_kinds_by_label():
    assert _read("exclusivity")[0][0][3] == ("exclusivity",)
    term = parse_query("acqui-hire", VOCABULARY).groups[0][0]
    assert term.deal_kinds == ("acquihire",)


def test_it_finds_nothing_to_search_in_only_stop_words_or_only_exclusions():
    assert not parse_query("the of and", VOCABULARY)
    assert not parse_query("-chips", VOCABULARY)
    assert not parse_query('"', VOCABULARY)


def test_it_marks_whole_words_only():
    html = str(snippet("Ten gigawatts of compute, one gigawatt-scale site.", {"gigawatt"}))
    assert "<mark>gigawatts</mark>" in html and "<mark>gigawatt-scale</mark>" in html
    assert "gigawatt</mark>s" not in html and "gigawatt </mark>" not in html


def test_it_escapes_scraped_text_and_only_adds_marks():
    html = str(snippet('<img src=x onerror="alert(1)"> partnership <b>bold</b>', {"partnership"}))
    assert (
        html
        == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>partnership</mark> &lt;b&gt;bold&lt;/b&gt;"
    )


def test_it_cuts_a_window_around_the_first_match():
    text = " ".join(f"w{i}" for i in range(100)) + " target " + " ".join(f"v{i}" for i in range(100))
    html = str(snippet(text, {"target"}))
    assert html.startswith("… ") and html.endswith(" …") and "<mark>target</mark>" in html
    assert len(html.split()) < 40


def test_it_highlights_the_company_name_for_an_alias_but_not_words_of_long_aliases():
    query = parse_query("aws", VOCABULARY)
    assert query.highlight_words() == {"aws", "amazon"}
