"""Template context every page gets: the "data as of" date, read only when a page shows it."""

from django.utils.functional import SimpleLazyObject


def data_as_of(request):
    from partnerships.selectors import data_as_of as latest

    return {"data_as_of": SimpleLazyObject(lambda: latest() or "")}
