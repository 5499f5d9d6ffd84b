"""Rollups: the ledger added up ahead of time, per company, so a page reads a few rows.

A busy company has tens of thousands of ledger rows; its page shows a few dozen sums. These
tables hold those sums, rewritten by ``partnerships.services.rollups`` in the transaction of
the ledger write that changed them (``ledger_refresh``), and rebuilt from the ledger by
``manage.py rebuild_ledger``. They are derived data: never edit them.

* ``CompanyFlowYear``: what a company gives and receives per flow kind, unit and year of
  announcement, by certainty (company totals, the comparison's years, the home page's year
  figures: the "gives" side of every company is the whole ledger);
* ``CompanyPartner``: one counterparty of a company in one relationship (investors,
  customers...) and the number of deals behind it: its index ranks a relationship's
  counterparties, most deals first;
* ``CompanyPartnerFlow``: what flows between the two in that relationship, per direction,
  flow kind and unit, by certainty, with the same deal count (so one range of its index
  holds the busiest counterparties' rows).
"""

from django.db import models

from partnerships.models.companies import Company

GIVES, RECEIVES = "gives", "receives"
DIRECTIONS = [(GIVES, "Gives"), (RECEIVES, "Receives")]


class _Sums(models.Model):
    """Counted amounts (``LedgerEntry.counted``) summed by certainty."""

    confirmed = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    reported = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    unconfirmed = models.DecimalField(max_digits=24, decimal_places=4, default=0)

    class Meta:
        abstract = True


class CompanyFlowYear(_Sums):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=8, choices=DIRECTIONS)
    flow = models.CharField(max_length=12)
    unit = models.CharField(max_length=12, blank=True)
    year = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "direction", "flow", "unit", "year"], name="companyflowyear_key"
            )
        ]
        indexes = [
            # Home page: one year's totals, every company's "gives" side.
            models.Index(fields=["year", "direction"], name="companyflowyear_year_idx"),
        ]

    def __str__(self):
        return f"{self.company_id} {self.direction} {self.flow} {self.unit} {self.year}"


class CompanyPartner(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    counterparty = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    relationship = models.CharField(max_length=20)
    deals = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "counterparty", "relationship"], name="companypartner_key"
            )
        ]
        indexes = [
            # Company page: the (n + 1)-th busiest counterparty of a relationship, read off the index.
            models.Index(
                "company",
                "relationship",
                models.F("deals").desc(),
                "counterparty",
                name="companypartner_rank_idx",
            ),
            # Refreshes find a pair's rows from either side.
            models.Index(fields=["counterparty", "company"], name="companypartner_other_idx"),
        ]

    def __str__(self):
        return f"{self.company_id} {self.relationship} {self.counterparty_id}: {self.deals}"


class CompanyPartnerFlow(_Sums):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    counterparty = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    relationship = models.CharField(max_length=20)
    direction = models.CharField(max_length=8, choices=DIRECTIONS)
    flow = models.CharField(max_length=12)
    unit = models.CharField(max_length=12, blank=True)
    # Deals behind the (company, counterparty, relationship): the same on each of its rows.
    deals = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "counterparty", "relationship", "direction", "flow", "unit"],
                name="companypartnerflow_key",
            )
        ]
        indexes = [
            # Company page: a relationship's busiest counterparties, down to the rank ``CompanyPartner`` gives.
            models.Index(
                "company",
                "relationship",
                models.F("deals").desc(),
                "counterparty",
                name="companypartnerflow_rank_idx",
            ),
            # Refreshes find a pair's rows from either side.
            models.Index(fields=["counterparty", "company"], name="companypartnerflow_other_idx"),
        ]

    def __str__(self):
        return f"{self.company_id} {self.direction} {self.flow} {self.unit} ({self.counterparty_id})"
