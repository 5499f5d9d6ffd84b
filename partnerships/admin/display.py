"""How the admin shows clauses and phase diffs: the public formatter, in admin markup."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join

from partnerships import formatting
from partnerships.diff import clause_diff
from partnerships.models import Deal


def clause_label(clause) -> str:
    return clause.get_kind_display() + (f" ({clause.subject})" if clause.subject else "")


def clause_value(clause) -> str:
    """The figure the public pages show ("$4B", "up to 27%", "removed"), or "granted"."""
    return formatting.clause_value(clause) or "granted"


def render_clause_diff(before: Deal, after: Deal):
    """The clause diff from ``before`` to ``after`` as an admin table (every cell escaped)."""
    diff = clause_diff(list(before.clauses.all()), list(after.clauses.all()))
    rows = [("added", clause_label(c), "", clause_value(c)) for c in diff.added]
    rows += [("removed", clause_label(c), clause_value(c), "") for c in diff.removed]
    rows += [
        ("changed", clause_label(ch.after), clause_value(ch.before), clause_value(ch.after))
        for ch in diff.changed
    ]
    rows += [("unchanged", clause_label(c), clause_value(c), clause_value(c)) for c in diff.unchanged]
    head = format_html(
        'Against <a href="{}">{}</a> ({}):',
        reverse("admin:partnerships_deal_change", args=[before.pk]),
        before.title,
        before.announced_on,
    )
    if not rows:
        return format_html("{} neither phase lists clauses.", head)
    return format_html(
        '{}<table class="clause-diff"><thead><tr><th>change</th><th>clause</th><th>before</th><th>after</th>'
        "</tr></thead><tbody>{}</tbody></table>",
        head,
        format_html_join(
            "",
            '<tr class="diff-{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            ((r[0], *r) for r in rows),
        ),
    )
