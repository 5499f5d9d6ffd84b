"""The glossary page: every deal kind and clause kind, what it means, why regulators look at it,
and the latest published deals that have it."""

from django.shortcuts import render

from extraction.vocabulary import ClauseKind, DealKind
from partnerships.cache import cached_response
from partnerships.glossary import CLAUSE_ENTRIES, DEAL_ENTRIES, anchor
from partnerships.selectors.glossary import glossary_examples


def _sections(examples) -> list[dict]:
    sections = []
    for family, title, vocabulary, entries in (
        ("deal", "Deal kinds", DealKind, DEAL_ENTRIES),
        ("clause", "Clause kinds", ClauseKind, CLAUSE_ENTRIES),
    ):
        rows = [
            {
                "id": anchor(family, entry.kind),
                "label": vocabulary(entry.kind).label,
                "kind": str(entry.kind),
                "entry": entry,
                "examples": examples.get((family, str(entry.kind)), []),
                "filter": ("kind" if family == "deal" else "clause", str(entry.kind)),
            }
            for entry in entries
        ]
        sections.append({"family": family, "title": title, "rows": rows})
    return sections


def glossary(request):
    def build():
        ctx = {"sections": _sections(glossary_examples())}
        return render(request, "partnerships/glossary.html", ctx)

    return cached_response(request, build)
