"""Example deals for the glossary: the latest published deals of each deal kind and clause kind."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.urls import reverse

from partnerships.models import Clause, Deal


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    announced_on: datetime.date

    def get_absolute_url(self) -> str:
        return reverse("partnerships:deal_detail", kwargs={"slug": self.slug})


# Deals numbered within their kind, and (clause kind, deal) pairs numbered within the clause
# kind, newest first, in one UNION; a deal with two clauses of one kind is one pair.
_SQL = """
SELECT family, kind, slug, title, announced_on FROM (
  SELECT 'deal' AS family, d.kind AS kind, d.slug AS slug, d.title AS title, d.announced_on AS announced_on,
         ROW_NUMBER() OVER (PARTITION BY d.kind ORDER BY d.announced_on DESC, d.id DESC) AS n
  FROM {deal} d WHERE d.status = %s
  UNION ALL
  SELECT 'clause', c.kind, d.slug, d.title, d.announced_on,
         ROW_NUMBER() OVER (PARTITION BY c.kind ORDER BY d.announced_on DESC, d.id DESC)
  FROM (SELECT DISTINCT kind, deal_id FROM {clause}) c JOIN {deal} d ON d.id = c.deal_id
  WHERE d.status = %s
) ranked WHERE n <= %s
"""


def _sql() -> str:
    tables = {"deal": Deal._meta.db_table, "clause": Clause._meta.db_table}
    return _SQL.format(**tables)  # noqa: S608 - table names come from the models  # nosec B608


def glossary_examples(*, per_kind: int = 3) -> dict[tuple[str, str], list[Example]]:
    """``{("clause", "exclusivity"): [Example, ...], ("deal", "cloud"): [...]}``: 1 query."""
    published = Deal.Status.PUBLISHED
    with connection.cursor() as cursor:
        # Table names come from the models and every value is a parameter.
        cursor.execute(_sql(), [published, published, per_kind])  # nosec B608
        rows = cursor.fetchall()
    examples: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for family, kind, slug, title, announced_on in rows:
        if isinstance(announced_on, str):  # SQLite returns the date of a UNION column as text
            announced_on = datetime.date.fromisoformat(announced_on)
        examples[(family, kind)].append(Example(slug, title, announced_on))
    for found in examples.values():
        found.sort(key=lambda example: (example.announced_on, example.slug), reverse=True)
    return dict(examples)
