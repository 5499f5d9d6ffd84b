"""Atom feeds: every published deal, one company's deals, one clause kind, and a subscriber's own.

Every feed is a ``BaseDealFeed``: the same item (title, description with parties and the
headline value, link, dates) whatever the feed, and a bounded item query (the latest 50)
that eager-loads the parties the description lists. A feed only says which deals it
carries, as a ``DealFilter`` (``deal_filter``).
"""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from partnerships.cache import cached_response
from partnerships.filters import DealFilter
from partnerships.formatting import deal_value
from partnerships.models import Clause, Company, Subscription
from partnerships.services import alerts

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


class BaseDealFeed(Feed):
    feed_type = PlainTextAtomFeed
    author_name = "Pactwatch"
    item_guid_is_permalink = True

    def deal_filter(self, obj) -> DealFilter:
        return DealFilter()

    def items(self, obj=None):
        deals = self.deal_filter(obj).deals().with_parties().with_last_change().prefetch_related("clauses")
        return list(deals.newest_first()[:FEED_SIZE])

    def item_title(self, item):
        return " ".join(item.title.split())

    def item_description(self, item):
        # Plain text: Atom readers escape it; nothing scraped is sent as markup.
        parties = ", ".join(f"{p.company.name} ({p.get_role_display()})" for p in item.deal_parties.all())
        value = deal_value(item)
        value = f"{value} ({item.certainty})" if value else ""  # reported figures say so
        return " — ".join(filter(None, [item.get_kind_display(), parties, value, item.summary]))

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    def item_pubdate(self, item):
        """The announcement date (midnight UTC): when the deal became news, not when it was loaded."""
        return datetime.datetime.combine(item.announced_on, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, item):
        """The last material change (``Deal.last_changed``), never before the announcement."""
        return max(item.last_changed, self.item_pubdate(item))

    def item_categories(self, item):
        return [item.get_kind_display()]


class DealFeed(BaseDealFeed):
    title = "Pactwatch: AI partnership deals"
    subtitle = "Published AI partnership deals, newest first, each with its clauses and sources."

    def link(self, obj=None):
        return reverse("partnerships:deal_list")

    def feed_url(self, obj=None):
        return reverse("partnerships:feed_deals")


class CompanyDealFeed(BaseDealFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Company, slug=slug, is_proposed=False)

    def deal_filter(self, obj):
        return DealFilter(companies=(obj.slug,))

    def title(self, obj):
        return f"Pactwatch: {obj.name} deals"

    def subtitle(self, obj):
        return f"Published AI partnership deals involving {obj.name}."

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse("partnerships:feed_company", kwargs={"slug": obj.slug})


class ClauseKindFeed(BaseDealFeed):
    def get_object(self, request, kind):
        if kind not in Clause.Kind.values:
            raise Http404("No such clause kind.")
        return kind

    def deal_filter(self, obj):
        return DealFilter(clauses=(obj,))

    def title(self, obj):
        return f"Pactwatch: deals with a {Clause.Kind(obj).label.lower()} clause"

    def subtitle(self, obj):
        return f"Published AI partnership deals that include a {Clause.Kind(obj).label.lower()} clause."

    def link(self, obj):
        return reverse("partnerships:deal_list") + f"?clause={obj}"

    def feed_url(self, obj):
        return reverse("partnerships:feed_clause", kwargs={"kind": obj})


class SubscriptionFeed(BaseDealFeed):
    """The deals a subscription's filters accept, for people who prefer a feed reader.

    Its URL is signed (no password); never cached, since it names one subscriber.
    """

    title = "Pactwatch: your deal alerts"

    def get_object(self, request, token):
        try:
            subscription = alerts.subscription_from_token(token=token, purpose="feed")
        except alerts.TokenError:
            raise Http404("No such feed.") from None
        if subscription.status not in {Subscription.Status.ACTIVE, Subscription.Status.PENDING}:
            raise Http404("This subscription has ended.")
        return subscription

    def deal_filter(self, obj):
        return DealFilter.of_subscription(obj)

    def subtitle(self, obj):
        return "; ".join(alerts.subscription_description(obj)[:-1])

    def link(self, obj):
        return "/"

    def feed_url(self, obj):
        return alerts.feed_url(obj)


def _cached(feed):
    """Feed readers poll: serve anonymous polls from the page cache like any page."""

    def view(request, **kwargs):
        return cached_response(request, lambda: feed(request, **kwargs), prefix="feed")

    return view


deal_feed = _cached(DealFeed())
company_feed = _cached(CompanyDealFeed())
clause_feed = _cached(ClauseKindFeed())
subscription_feed = SubscriptionFeed()
