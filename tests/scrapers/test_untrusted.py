"""The rules for links, text and nesting that every scraped value passes through."""

import json

import pytest
from bs4 import BeautifulSoup

from scrapers.untrusted import (
    MAX_JSON_DEPTH,
    TooDeep,
    check_tree_depth,
    db_text,
    http_url,
    json_depth,
    json_loads,
)


@pytest.mark.parametrize(
    "url",
    ["https://vendor.example/news/a?x=1", "http://vendor.example", "HTTPS://Vendor.Example/a"],
)
def test_it_keeps_http_links(url):
    assert http_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "vbscript:msgbox",
        "mailto:a@example.org",
        "ftp://vendor.example/x",
        "//vendor.example/a",
        "/news/a",
        "http://",
        "http://vendor.example:port/",
        "http://vendor.example/a\x00b",
        "http://vendor.example/a b",
        None,
        42,
    ],
)
def test_it_refuses_everything_else_as_a_link(url):
    assert http_url(url) == ""


def test_it_strips_what_postgresql_cannot_store_and_keeps_line_breaks():
    assert db_text("a\x00b\x01c\x7fd\x9fe\ud800f\tg\nh\ri") == "abcdef\tg\nh\ri"
    assert db_text("caf\u00e9 \u201cok\u201d", 4) == "caf\u00e9"
    assert db_text(None) == ""


def test_it_measures_json_depth_ignoring_brackets_in_strings():
    assert json_depth(json.dumps({"a": [[1], {"b": "[[[[{{{{"}]})) == 3
    assert json_depth('"' + "[" * 1000 + '"') == 0


def test_it_refuses_json_nested_deeper_than_the_limit():
    assert json_loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(TooDeep):
        json_loads("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    with pytest.raises(TooDeep):
        json_loads(b"[" * 100_000)


def test_it_refuses_an_html_tree_nested_too_deep():
    check_tree_depth(BeautifulSoup("<div>" * 200, "lxml"))
    with pytest.raises(TooDeep, match="deeper than 256"):
        check_tree_depth(BeautifulSoup("<div>" * 300, "lxml"))
