"""Template tags: figures (through ``partnerships.formatting``), dates and CSS classes. No tag here queries."""

from urllib.parse import urlsplit

from django import template

from partnerships import formatting

register = template.Library()

register.filter("amount", formatting.amount)
register.filter("split_amount", formatting.split_amount)
register.simple_tag(formatting.clause_value, name="clause_value")
register.simple_tag(formatting.deal_value, name="deal_value")
register.filter("basis_value", formatting.basis_value)
register.filter("change_text", formatting.change_text)


@register.filter
def precise_date(day, precision="day"):
    """A date shown only as precisely as it is known: "Jul 22, 2019", "Sep 2023", "2024"."""
    if not day:
        return ""
    if precision == "year":
        return f"{day:%Y}"
    if precision == "month":
        return f"{day:%b %Y}"
    return f"{day:%b} {day.day}, {day:%Y}"


@register.filter
def kind_class(kind):
    """A CSS class for a deal kind's colour (k-cloud...), safe for any value."""
    return "k-" + "".join(ch for ch in str(kind) if ch.isalnum() or ch == "_")[:30]


@register.filter
def iso(moment):
    """A datetime for ``<time datetime>``: seconds precision (HTML rejects microseconds)."""
    if not moment:
        return ""
    return moment.isoformat(timespec="seconds")


@register.filter
def clause_glossary(kind):
    """The glossary entry of a clause kind: ``/glossary/#clause-exclusivity``."""
    from partnerships.glossary import entry_url

    return entry_url("clause", kind_id(kind))


@register.filter
def deal_glossary(kind):
    """The glossary entry of a deal kind: ``/glossary/#deal-cloud``."""
    from partnerships.glossary import entry_url

    return entry_url("deal", kind_id(kind))


def kind_id(kind) -> str:
    """A kind as an HTML id part, safe for any value."""
    return "".join(ch for ch in str(kind) if ch.isalnum() or ch == "_")[:40]


@register.filter
def domain(url):
    """``https://www.example.com/a`` → ``example.com``: how a source is named when it has no publisher."""
    return (urlsplit(str(url or "")).hostname or "").lower().removeprefix("www.")
