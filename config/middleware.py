"""Request hardening shared by every view."""

from django.http import HttpResponseBadRequest

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class RejectNulBytesMiddleware:
    """Answer 400 when a path, query or form parameter contains a NUL byte.

    No legitimate Pactwatch input has one, and PostgreSQL refuses text containing NUL
    (``DataError``), so a view that passes a raw ``request.GET`` value to the ORM would answer
    500 to anyone who appends ``%00`` to a URL. Django's form fields already reject NUL; this
    covers every other read, in one place, before any view runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET) or (
            request.method == "POST" and request.content_type in FORM_TYPES and _has_nul(request.POST)
        ):
            return HttpResponseBadRequest(
                "Bad request: NUL characters are not allowed in addresses or form fields.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())
