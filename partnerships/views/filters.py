"""The timeline's filter form: parses the query string the URL carries (shareable, bookmarkable)."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms

from partnerships.models import Clause, Deal
from partnerships.selectors import TimelineFilters

_MULTIPLIERS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


def parse_amount(raw: str) -> Decimal:
    """``"500M"``, ``"1.5b"``, ``"$2,000,000"`` → a Decimal of dollars."""
    match = re.fullmatch(r"\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*([kmbt]?)", raw.strip().lower())
    if not match:
        raise forms.ValidationError("Write an amount like 500M, 1.5B or 2000000.")
    try:
        number = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        raise forms.ValidationError("Write an amount like 500M, 1.5B or 2000000.") from None
    return number * _MULTIPLIERS[match.group(2)]


class TimelineFilterForm(forms.Form):
    company = forms.SlugField(required=False, label="Company")
    counterparty = forms.SlugField(required=False, label="With")
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any kind")] + list(Deal.Kind.choices), label="Deal kind"
    )
    clause = forms.ChoiceField(
        required=False, choices=[("", "Any clause")] + list(Clause.Kind.choices), label="Has clause"
    )
    year_from = forms.IntegerField(required=False, min_value=1990, max_value=2100, label="From year")
    year_to = forms.IntegerField(required=False, min_value=1990, max_value=2100, label="To year")
    min_amount = forms.CharField(required=False, max_length=30, label="Minimum value (USD)")

    def clean_min_amount(self):
        raw = self.cleaned_data.get("min_amount") or ""
        return parse_amount(raw) if raw.strip() else None

    def clean(self):
        data = super().clean()
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", "The end year comes before the start year.")
        return data

    def filters(self) -> TimelineFilters:
        """The valid filters; an invalid field is ignored (and shown as an error), never fatal."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return TimelineFilters(
            company=data.get("company") or "",
            counterparty=data.get("counterparty") or "",
            kind=data.get("kind") or "",
            clause=data.get("clause") or "",
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            min_amount=data.get("min_amount"),
        )


def current_year() -> int:
    return datetime.date.today().year
