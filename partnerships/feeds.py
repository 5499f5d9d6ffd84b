"""Atom feeds: every published deal, one company's deals, deals with one clause kind.

Feed readers poll often, so the item query is bounded (latest 50) and eager-loads the
parties the description lists.
"""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from partnerships.models import Clause, Company, Deal, DealParty
from partnerships.templatetags.pactwatch import deal_value

FEED_SIZE = 50


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose summaries say ``type="text"``: ours are plain text, never markup.

    Django's Atom feed labels every summary ``type="html"``, which tells readers to render
    it as HTML; scraped words in it would then be markup.
    """

    def add_item_elements(self, handler, item):
        description, item["description"] = item["description"], None
        super().add_item_elements(handler, item)
        item["description"] = description
        if description is not None:
            handler.addQuickElement("summary", description, {"type": "text"})


class DealFeed(Feed):
    feed_type = PlainTextAtomFeed
    title = "Pactwatch: AI partnership deals"
    subtitle = "Published AI partnership deals, newest first, each with its clauses and sources."
    author_name = "Pactwatch"

    def link(self, obj=None):
        return reverse("partnerships:deal_list")

    def feed_url(self, obj=None):
        return reverse("partnerships:feed_deals")

    def deals(self, obj=None):
        return Deal.objects.published()

    def items(self, obj=None):
        return list(self.deals(obj).with_parties().newest_first()[:FEED_SIZE])

    def item_title(self, item):
        return " ".join(item.title.split())

    def item_description(self, item):
        # Plain text: Atom readers escape it; nothing scraped is sent as markup.
        parties = ", ".join(f"{p.company.name} ({p.get_role_display()})" for p in item.deal_parties.all())
        value = deal_value(item)
        return " — ".join(filter(None, [item.get_kind_display(), parties, value, item.summary]))

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.published_at or timezone.make_aware(
            datetime.datetime.combine(item.announced_on, datetime.time())
        )

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display()]


class CompanyDealFeed(DealFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Company, slug=slug, is_proposed=False)

    def title(self, obj):
        return f"Pactwatch: {obj.name} deals"

    def subtitle(self, obj):
        return f"Published AI partnership deals involving {obj.name}."

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse("partnerships:feed_company", kwargs={"slug": obj.slug})

    def deals(self, obj):
        return Deal.objects.published().filter(
            Exists(DealParty.objects.filter(deal=OuterRef("pk"), company=obj))
        )


class ClauseKindFeed(DealFeed):
    def get_object(self, request, kind):
        if kind not in Clause.Kind.values:
            raise Http404("No such clause kind.")
        return kind

    def title(self, obj):
        return f"Pactwatch: deals with a {Clause.Kind(obj).label.lower()} clause"

    def subtitle(self, obj):
        return f"Published AI partnership deals that include a {Clause.Kind(obj).label.lower()} clause."

    def link(self, obj):
        return reverse("partnerships:deal_list") + f"?clause={obj}"

    def feed_url(self, obj):
        return reverse("partnerships:feed_clause", kwargs={"kind": obj})

    def deals(self, obj):
        return Deal.objects.published().filter(Exists(Clause.objects.filter(deal=OuterRef("pk"), kind=obj)))


def _cached(feed):
    """Feed readers poll: serve anonymous polls from the page cache like any page."""
    from partnerships.cache import cached_response

    def view(request, **kwargs):
        return cached_response(request, lambda: feed(request, **kwargs), prefix="feed")

    return view


deal_feed = _cached(DealFeed())
company_feed = _cached(CompanyDealFeed())
clause_feed = _cached(ClauseKindFeed())
