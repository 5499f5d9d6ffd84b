import datetime

import factory
from django.utils.text import slugify

from partnerships.models import Clause, Company, Deal, DealParty
from scrapers.models import Announcement, Newsroom


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Company.Kind.LAB


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    title = factory.Sequence(lambda n: f"Deal {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    kind = Deal.Kind.INVESTMENT
    status = Deal.Status.PUBLISHED
    # One day apart in creation order, never in the future (publishing refuses future dates),
    # however many deals the whole run has created.
    announced_on = factory.Sequence(
        lambda n: min(datetime.date(2024, 1, 1) + datetime.timedelta(days=n), datetime.date.today())
    )
    summary = "A partnership written for tests."


class DealPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealParty

    deal = factory.SubFactory(DealFactory)
    company = factory.SubFactory(CompanyFactory)
    role = DealParty.Role.PARTNER


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause

    deal = factory.SubFactory(DealFactory)
    kind = Clause.Kind.INVESTMENT
    amount = None
    unit = ""
    status = Clause.Status.CONFIRMED


class NewsroomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Newsroom

    name = factory.Sequence(lambda n: f"Newsroom {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Newsroom.Kind.FEED
    url = factory.Sequence(lambda n: f"https://news{n}.example.com/feed.xml")


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    newsroom = factory.SubFactory(NewsroomFactory)
    url = factory.Sequence(lambda n: f"https://news.example.com/posts/{n}")
    title = factory.Sequence(lambda n: f"Announcement {n}")
    text = "Example Corp and Sample Labs announce a partnership."


class ArchivedAnnouncementFactory(AnnouncementFactory):
    """A source page Pactwatch has fetched and kept, so quotes can be checked against its text."""

    fetch_status = "fetched"
    content_hash = factory.Sequence(lambda n: f"archived-{n}")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """An active (confirmed) alert subscription with no filters: it matches every deal."""

    class Meta:
        model = "partnerships.Subscription"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    status = "active"
    frequency = "instant"
    consent_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
    consent_ip = "192.0.2.1"

    @factory.post_generation
    def companies(self, create, extracted, **kwargs):
        if create and extracted:
            self.companies.set(extracted)
