"""The admin's "Add announcement" form: an address to fetch, or pasted text with its address and date.

Every refusal is a form error on the field it concerns and the form comes back with what
the curator typed, so nothing is lost: an address that is not http(s) or points at a
private network, "Pasted text" with no text, a date in the future, a paste over the size
limit.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from scrapers.fetch import validate_public_url
from scrapers.models import AnnouncementSubmission, Newsroom
from scrapers.services.submissions import submitted_address
from scrapers.supplied import page_from_paste
from scrapers.untrusted import http_url

# Far above any announcement (the longest captured ones are ~30,000 characters) and far
# below Django's 2.5 MB request limit, which would answer with an error page instead.
MAX_TEXT_CHARACTERS = 200_000


class AnnouncementSubmissionForm(forms.Form):
    url = forms.CharField(
        label="Address",
        max_length=1000,
        help_text="The page's address exactly as the publisher gives it; it is stored and linked as typed.",
        widget=forms.URLInput(attrs={"size": 90}),
    )
    mode = forms.ChoiceField(
        label="Text",
        choices=AnnouncementSubmission.Mode.choices,
        initial=AnnouncementSubmission.Mode.FETCH,
        widget=forms.RadioSelect,
        help_text="Fetch the page (a worker reads it through the scraper's guarded client), or use "
        "the text pasted below (when the page cannot be fetched).",
    )
    text = forms.CharField(
        label="Pasted text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 100}),
        help_text=f"The announcement's text, up to {MAX_TEXT_CHARACTERS:,} characters.",
    )
    title = forms.CharField(label="Title", max_length=500, required=False)
    published_on = forms.DateField(
        label="Published on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Required with pasted text; for a fetched page it replaces the date the page gives.",
    )
    newsroom = forms.ModelChoiceField(
        label="Newsroom", queryset=Newsroom.objects.order_by("name"), required=False
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if not http_url(url):
            raise ValidationError("Enter an absolute address starting with http:// or https://.")
        try:
            submitted_address(url)
        except ValueError as exc:
            raise ValidationError(f"This address cannot be stored: {exc}.") from exc
        validate_public_url(url)  # UnsafeURLError is a ValidationError: "… is not a public address."
        return url

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if len(text) > MAX_TEXT_CHARACTERS:
            raise ValidationError(
                f"The text is {len(text):,} characters long; the limit is {MAX_TEXT_CHARACTERS:,}. "
                "Paste the announcement itself, without the rest of the page."
            )
        return text

    def clean_published_on(self):
        value = self.cleaned_data["published_on"]
        if value is not None and value > timezone.localdate():
            raise ValidationError("This date is in the future; give the day the page was published.")
        return value

    def clean(self):
        data = super().clean()
        self.page = None
        if data.get("mode") == AnnouncementSubmission.Mode.TEXT:
            self._clean_paste(data)
        elif data.get("text", "").strip():
            self.add_error("mode", 'You pasted text: choose "Pasted text" to use it, or clear it.')
        return data

    def _clean_paste(self, data) -> None:
        if "published_on" in data and data["published_on"] is None:
            self.add_error("published_on", "Give the day the announcement was published.")
        if "text" not in data:
            return  # over the limit: its own error says so
        page = page_from_paste(
            url=data.get("url", ""),
            text=data["text"],
            title=data.get("title", ""),
            published_on=data.get("published_on"),
        )
        if not page.text.strip():
            self.add_error("text", "Paste the announcement's text, or choose to fetch the page.")
        elif "url" in data and "published_on" in data and data["published_on"] is not None:
            self.page = page
