from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from extraction.vocabulary import normalize_name  # the matching key, shared with extraction

__all__ = ["Company", "CompanyAlias", "normalize_name"]


class Company(models.Model):
    """An organisation that takes part in deals.

    Subsidiaries and business units that never sign on their own (AWS, Google Cloud,
    Microsoft Azure as a company name) are aliases of their parent rather than companies,
    so "AWS" and "Amazon" count as one partner in every total. See README, "Companies".
    """

    class Kind(models.TextChoices):
        LAB = "lab", "AI lab"
        CLOUD = "cloud", "Cloud provider"
        CHIPMAKER = "chipmaker", "Chipmaker"
        INVESTOR = "investor", "Investor"
        ENTERPRISE = "enterprise", "Enterprise"
        GOVERNMENT = "government", "Government"
        # A joint venture that signs deals in its own right (Stargate LLC): its owners invest into it.
        VENTURE = "venture", "Joint venture"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(blank=True)
    description = models.CharField(max_length=500, blank=True)
    # Proposed by extraction, not yet reviewed by a curator: hidden from public pages.
    is_proposed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:company_detail", kwargs={"slug": self.slug})


class CompanyAlias(models.Model):
    """Another name a company goes by in announcements ("MSFT", "AWS", "Amazon Web Services")."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    normalized = models.CharField(max_length=200, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "company aliases"
        constraints = [
            # One alias resolves to exactly one company, or matching is ambiguous.
            models.UniqueConstraint(fields=["normalized"], name="companyalias_normalized_unique"),
        ]

    def __str__(self):
        return f"{self.name} → {self.company}"

    def save(self, *args, **kwargs):
        self.normalized = normalize_name(self.name)
        super().save(*args, **kwargs)
