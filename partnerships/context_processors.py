"""Template context every page gets: the "data as of" date, read only when a page shows it."""

from django.utils.functional import SimpleLazyObject


def data_as_of(request):
    from partnerships.cache import shared
    from partnerships.selectors import data_as_of as latest

    # The same date for every reader of a data version: read once per version, not per page.
    return {"data_as_of": SimpleLazyObject(lambda: shared("data-as-of", latest) or "")}
