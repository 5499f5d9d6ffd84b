"""The read API under ``/api/v1/``: published data as JSON, described by an OpenAPI 3.1 schema.

Built with django-ninja: each operation's query and path parameters are a pydantic model, so
the schema served at ``/api/v1/schema/`` is the validator itself (a value the schema refuses
is refused with a 400, one it allows is read by the same rules as the pages). CI runs
schemathesis against that schema on a live server (``tests/api/test_schemathesis.py``).

- ``app``: the ``NinjaAPI``, its error handlers and the docs page;
- ``edge``: the middleware in front of it (CORS, rate limit, conditional GET, cached answers,
  problem details for every error, HEAD and OPTIONS);
- ``problems``: RFC 9457 problem details;
- ``schemas``: what each answer holds; ``params``: what each operation reads;
- ``reads`` (deals, companies, partnerships, ledger, archive): the queries, each a fixed
  number whatever the data size;
- ``routes``: the operations.

Slugs (deals, companies, newsrooms) are permanent: a merged deal answers with a redirect to the
deal that absorbed it, an alias of a company with a redirect to the company.
"""
