"""Comparing deals: the chosen deals live in the URL, so no account or cookie is needed.

The compare page reads ``?deals=a,b,c``. The timeline and the deal pages carry the deals chosen
so far as ``?compare=a,b`` and their "Add to compare" links lead to ``/compare/?deals=a,b,<this>``;
the compare page links back to the timeline with the same list to add more, and each chosen
deal has a remove link.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from partnerships import selectors
from partnerships.cache import cached_response

MAX_COMPARED = 6


def slug_list(raw: str, limit: int) -> list[str]:
    """``"a, b,,a"`` → ``["a", "b"]``: lower-case, unique, at most ``limit``."""
    slugs = []
    for part in (raw or "").split(","):
        part = part.strip().lower()[:200]
        if part and part not in slugs:
            slugs.append(part)
    return slugs[:limit]


@dataclass(frozen=True)
class CompareTray:
    """The deals chosen for comparison so far, and the links that add or remove one."""

    slugs: tuple[str, ...] = ()

    @classmethod
    def of(cls, request, param: str = "compare") -> "CompareTray":
        return cls(tuple(slug_list(request.GET.get(param, ""), MAX_COMPARED)))

    def __bool__(self) -> bool:
        return bool(self.slugs)

    def __contains__(self, slug) -> bool:
        return slug in self.slugs

    @property
    def is_full(self) -> bool:
        return len(self.slugs) >= MAX_COMPARED

    @property
    def joined(self) -> str:
        return ",".join(self.slugs)

    def compare_url(self, slugs=None) -> str:
        slugs = self.slugs if slugs is None else slugs
        return reverse("partnerships:compare_deals") + (
            "?" + urlencode({"deals": ",".join(slugs)}) if slugs else ""
        )

    def add_url(self, slug: str) -> str:
        """The compare page with ``slug`` added (or the same page if it is already chosen)."""
        return self.compare_url(self.slugs if slug in self.slugs else (*self.slugs, slug)[:MAX_COMPARED])

    def remove_url(self, slug: str) -> str:
        return self.compare_url(tuple(s for s in self.slugs if s != slug))

    def timeline_url(self, **filters) -> str:
        """The timeline in "pick deals" mode: its add links keep this list."""
        query = {**filters, "compare": self.joined} if self.slugs else filters
        return reverse("partnerships:deal_list") + ("?" + urlencode(query) if query else "")


def compare_deals(request):
    def build():
        slugs = slug_list(request.GET.get("deals", ""), MAX_COMPARED)
        deals, rows, missing = selectors.compare_deals(slugs=slugs) if slugs else ([], [], [])
        tray = CompareTray(tuple(deal.slug for deal in deals))
        error = ""
        if request.GET.get("deals") is not None and len(deals) < 2 and (missing or not deals):
            error = "Pick between two and six published deals (their slugs, separated by commas)."
        chosen = [
            {"deal": deal, "remove_url": tray.remove_url(deal.slug), "parties": list(deal.deal_parties.all())}
            for deal in deals
        ]
        ctx = {
            "deals": deals,
            "chosen": chosen,
            "rows": rows,
            "missing": missing,
            "error": error,
            "raw": request.GET.get("deals", ""),
            "tray": tray,
            "add_more_url": tray.timeline_url(),
            "same_company_url": _same_company_url(tray, chosen),
            "max_compared": MAX_COMPARED,
        }
        return render(request, "partnerships/compare_deals.html", ctx, status=400 if error else 200)

    return cached_response(request, build)


def _same_company_url(tray: CompareTray, chosen: list[dict]) -> str:
    """With one deal chosen: its first party's other deals, ready to add."""
    if len(chosen) != 1 or not chosen[0]["parties"]:
        return ""
    return tray.timeline_url(company=chosen[0]["parties"][0].company.slug)
