"""One run of the real production settings (DEBUG off, WhiteNoise's hashed and compressed
static files) in a subprocess, shared by the tests that check what only production serves.

Settings are read at import, so production has to run in its own interpreter; migrating,
collecting and compressing the static files there is most of the cost, so it happens once
per test session and every production test reads the same report.
"""

import json
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.security.test_deploy_check import ROOT, _production_env

SCRIPT = textwrap.dedent(
    """
    import json, re, sys
    import django
    from django.conf import settings

    django.setup()
    settings.STATIC_ROOT = sys.argv[1]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.test import Client, RequestFactory
    from django.views.defaults import server_error

    from tests.security.pages import load_data, public_pages

    def get(path):
        return client.get(path, secure=True, HTTP_HOST="pactwatch.example")

    client = Client()
    missing = get("/no-such-page/")
    company = get("/companies/nobody/")
    broken = server_error(RequestFactory().get("/", secure=True, HTTP_HOST="pactwatch.example"))
    report = {
        "debug": settings.DEBUG,
        "missing": [missing.status_code, missing.content.decode(), missing.headers.get("Content-Security-Policy", "")],
        "company": [company.status_code, company.content.decode()],
        "broken": [broken.status_code, broken.content.decode()],
        "pages": {},
        "static": {},
    }
    load_data()
    home = ""
    for page in public_pages():
        if page.exists:
            response = get(page.path)
            report["pages"][page.path] = response.status_code
            if page.name == "home":
                home = response.content.decode()
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', home):
        response = get(url)
        report["static"][url] = [response.status_code, response.headers.get("Cache-Control", "")]
    print(json.dumps(report))
    """
)


def production_report(workdir: Path) -> tuple[dict, str]:
    """Run production once in ``workdir``; return its report and the tail of its stderr."""
    env = _production_env(
        DATABASE_URL=f"sqlite:///{workdir / 'production.sqlite3'}",
        SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(workdir / "static")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr[-3000:]
