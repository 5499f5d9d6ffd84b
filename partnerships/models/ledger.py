"""The ledger: one row per flow a published clause states, the one place totals come from.

Rows are derived, never edited: ``partnerships.services.ledger.ledger_refresh`` rewrites the
rows of the deals a curation write touched (and of their predecessor chains) in the same
transaction, and ``manage.py rebuild_ledger`` recomputes them all. The counting rule (what a
row adds to a sum: ``counted``) is ``partnerships.ledger``:

* a tranche (the clause is ``part_of`` another) counts 0, its parent counts;
* an incremental amount, or one whose basis is not stated, counts in full;
* a ``total`` counts ``max(0, total − earlier)``, *earlier* being what the same grantor,
  beneficiary, flow kind and unit already counted in the deal's other clauses and in its
  earlier phases;
* only money, GW (MW converted) and chips add up; percent, shares, years count 0.

Money is kept in its currency: USD, EUR and GBP rows are summed apart, never converted.
A right given up (effect "removed") gives nothing and has no row; neither has a clause
without a grantor and a beneficiary, or whose two sides are one company.
"""

from django.db import models
from django.db.models import Q

from partnerships import ledger
from partnerships.models.companies import Company
from partnerships.models.deals import Certainty, Clause, Deal


class LedgerEntryQuerySet(models.QuerySet):
    def of_year(self, year: int):
        return self.filter(year=year)


class LedgerEntry(models.Model):
    class Flow(models.TextChoices):
        INVESTMENT = ledger.INVESTMENT, "Investment"
        SPEND = ledger.SPEND, "Spend commitment"
        SUPPLY = ledger.SUPPLY, "Compute or chips supply"
        LICENCE = ledger.LICENCE, "Licence or distribution"
        RIGHT = ledger.RIGHT, "Right"
        OTHER = ledger.OTHER, "Other"

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="ledger_entries")
    clause = models.OneToOneField(Clause, on_delete=models.CASCADE, related_name="ledger_entry")
    grantor = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="ledger_given")
    beneficiary = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="ledger_received")
    mutual = models.BooleanField(default=False)
    flow = models.CharField(max_length=12, choices=Flow.choices)
    clause_kind = models.CharField(max_length=30, choices=Clause.Kind.choices)
    # Normalised: GW for MW (converted), the currency for money, else the clause's unit.
    unit = models.CharField(max_length=12, blank=True)
    amount = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    stated_amount = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    stated_unit = models.CharField(max_length=12, blank=True)
    # What enters sums, in ``unit``: see the module docstring.
    counted = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    qualifier = models.CharField(max_length=15, blank=True)
    certainty = models.CharField(max_length=12, choices=Certainty.choices)
    basis = models.CharField(max_length=12, blank=True)
    is_tranche = models.BooleanField(default=False)
    announced_on = models.DateField()
    year = models.PositiveSmallIntegerField()
    deal_kind = models.CharField(max_length=20, choices=Deal.Kind.choices)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-announced_on", "deal_id", "clause_id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=Q(counted__gte=0), name="ledgerentry_counted_nonnegative"),
            models.CheckConstraint(
                condition=~Q(grantor=models.F("beneficiary")), name="ledgerentry_two_sides"
            ),
        ]
        indexes = [
            # Home totals and the year filter of the network and flows: one year's flows by kind and unit.
            models.Index(fields=["year", "flow", "unit"], name="ledger_year_flow_unit_idx"),
            # Company page: what a company gives, by flow kind and unit.
            models.Index(fields=["grantor", "flow", "unit"], name="ledger_grantor_flow_idx"),
            # Company page: what a company receives, by flow kind and unit.
            models.Index(fields=["beneficiary", "flow", "unit"], name="ledger_beneficiary_flow_idx"),
            # Rollup refreshes: a company's rows of some years, from either side, and one pair's rows.
            models.Index(fields=["grantor", "year"], name="ledger_grantor_year_idx"),
            models.Index(fields=["beneficiary", "year"], name="ledger_beneficiary_year_idx"),
            models.Index(fields=["grantor", "beneficiary"], name="ledger_pair_idx"),
        ]

    def __str__(self):
        return f"{self.grantor_id} → {self.beneficiary_id}: {self.flow} {self.counted} {self.unit}"
