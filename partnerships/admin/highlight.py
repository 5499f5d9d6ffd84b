"""Evidence quotes marked inside the announcement text, without trusting the text.

Announcement text is scraped, hence untrusted: every piece is escaped by format_html and
only our own ``<mark>`` tags are markup. Where each quote sits is ``partnerships.evidence``.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from partnerships.evidence import find_quote_spans

__all__ = ["find_quote_spans", "highlight_quotes"]


def highlight_quotes(text: str, clauses) -> tuple[SafeString, set[int]]:
    """The text as safe HTML with every found quote in ``<mark id="quote-<clause id>">``."""
    spans, missing = find_quote_spans(text, clauses)
    pieces, cursor = [], 0
    for span in spans:
        pieces.append(text[cursor : span.start])
        pieces.append(
            format_html('<mark id="quote-{}">{}</mark>', span.clause_id, text[span.start : span.end])
        )
        cursor = span.end
    pieces.append(text[cursor:])
    return format_html_join("", "{}", ((piece,) for piece in pieces)), missing
