"""Subscription forms. Field names match the timeline's query string (company, kind, clause,
min_amount), so "alert me about deals like these" is the timeline's own URL parameters.

Choices are checkboxes (companies in a list a small script makes searchable), not
multi-select boxes: usable at every width and without a modifier key."""

import unicodedata

from django import forms

from partnerships.filters import DealFilter, FilterValueError, parse_amount
from partnerships.formatting import decimal_plain
from partnerships.models import Clause, Company, Deal, Subscription
from partnerships.names import companies_named


class SubscriptionFiltersForm(forms.Form):
    company = forms.ModelMultipleChoiceField(
        queryset=Company.objects.filter(is_proposed=False).order_by("name"),
        to_field_name="slug",
        required=False,
        label="Companies (any party)",
        help_text="Leave empty for every company.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list scroll"}),
    )
    kind = forms.MultipleChoiceField(
        choices=Deal.Kind.choices,
        required=False,
        label="Deal kinds",
        help_text="Leave empty for every kind.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
    )
    clause = forms.MultipleChoiceField(
        choices=Clause.Kind.choices,
        required=False,
        label="Clauses",
        help_text="Deals with any of these clauses, e.g. exclusivity or a right of first refusal.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
    )
    min_amount = forms.CharField(
        required=False, max_length=30, label="Minimum headline value", help_text="For example 500M or 1.5B."
    )
    frequency = forms.ChoiceField(
        choices=Subscription.Frequency.choices, initial=Subscription.Frequency.INSTANT, label="How often"
    )

    def clean_min_amount(self):
        raw = (self.cleaned_data.get("min_amount") or "").strip()
        try:
            return parse_amount(raw) if raw else None
        except FilterValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def deal_filter(self) -> DealFilter:
        """The valid form as the deal filter a subscription stores (its frequency is separate)."""
        data = self.cleaned_data
        return DealFilter(
            companies=tuple(c.slug for c in data.get("company") or []),
            kinds=tuple(data.get("kind") or []),
            clauses=tuple(data.get("clause") or []),
            min_amount=data.get("min_amount"),
        )

    @staticmethod
    def initial_from_query(query) -> dict:
        """Prefill from a timeline or manage-link query string; unknown values are dropped."""
        kinds, clauses = set(Deal.Kind.values), set(Clause.Kind.values)
        # The timeline accepts names and aliases ("aws"); the form's choices are slugs.
        named = companies_named(query.getlist("company")[:20] + query.getlist("counterparty")[:20])
        initial = {
            "company": list(dict.fromkeys(c.slug for c in named.values() if c is not None)),
            "kind": [k for k in query.getlist("kind") if k in kinds],
            "clause": [k for k in query.getlist("clause") if k in clauses],
        }
        if query.get("min_amount"):
            initial["min_amount"] = query.get("min_amount")[:30]
        if query.get("frequency") in Subscription.Frequency.values:
            initial["frequency"] = query.get("frequency")
        return initial

    @staticmethod
    def initial_from_subscription(subscription: Subscription) -> dict:
        return {
            "company": list(subscription.companies.values_list("slug", flat=True)),
            "kind": subscription.deal_kind_list,
            "clause": subscription.clause_kind_list,
            "min_amount": "" if subscription.min_amount is None else decimal_plain(subscription.min_amount),
            "frequency": subscription.frequency,
        }


class SubscribeForm(SubscriptionFiltersForm):
    email = forms.EmailField(max_length=254, label="Your email")
    # Honeypot: hidden from people by CSS and aria-hidden, filled in by naive bots.
    website = forms.CharField(required=False, max_length=200, label="Leave this field empty")

    field_order = ["email", "company", "kind", "clause", "min_amount", "frequency", "website"]

    def clean_email(self):
        """Refuse invisible and control characters (U+202E and friends): the address could not be mailed."""
        email = self.cleaned_data["email"]
        hidden = [ch for ch in email if unicodedata.category(ch).startswith("C") or ch.isspace()]
        if hidden:
            names = ", ".join(dict.fromkeys(f"U+{ord(ch):04X}" for ch in hidden))
            raise forms.ValidationError(
                f"This address contains an invisible or control character ({names}); type it again without it.",
                code="invisible_character",
            )
        return email

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())
