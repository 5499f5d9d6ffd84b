"""Container health check for the web process: GET / through gunicorn, as a proxy would.

It sends the first allowed host and ``X-Forwarded-Proto: https`` so production settings
(``ALLOWED_HOSTS``, ``SECURE_SSL_REDIRECT``) answer 200 instead of 400 or 301. Exit status
0 means healthy. Standard library only, so it runs in the slim image.
"""

import os
import sys
import urllib.request


def main() -> int:
    host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip() or "localhost"
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(  # noqa: S310 - fixed loopback URL
        f"http://127.0.0.1:{port}/",
        headers={"Host": host, "X-Forwarded-Proto": "https", "User-Agent": "pactwatch-healthcheck"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310  # nosec B310
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
