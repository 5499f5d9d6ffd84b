"""The custom 404 and 500 pages under the production configuration (DEBUG off, hashed static
files), run in a subprocess as ``test_production_static`` does: settings are read at import."""

import json
import secrets
import subprocess
import sys
import textwrap

from tests.security.test_deploy_check import ROOT, _production_env

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import django
    from django.conf import settings

    django.setup()
    settings.STATIC_ROOT = sys.argv[1]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.test import Client, RequestFactory
    from django.views.defaults import server_error

    client = Client()
    missing = client.get("/no-such-page/", secure=True, HTTP_HOST="pactwatch.example")
    company = client.get("/companies/nobody/", secure=True, HTTP_HOST="pactwatch.example")
    broken = server_error(RequestFactory().get("/", secure=True, HTTP_HOST="pactwatch.example"))
    print(json.dumps({
        "debug": settings.DEBUG,
        "missing": [missing.status_code, missing.content.decode(), missing.headers.get("Content-Security-Policy", "")],
        "company": [company.status_code, company.content.decode()],
        "broken": [broken.status_code, broken.content.decode()],
    }))
    """
)


def test_it_serves_the_custom_404_and_500_pages_in_production(tmp_path):
    env = _production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "static")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["debug"] is False
    status, html, policy = report["missing"]
    assert status == 404 and "Page not found" in html and 'action="/search/"' in html
    assert "/static/css/site." in html and "default-src 'self'" in policy
    assert "Technical" not in html and "Traceback" not in html
    assert report["company"][0] == 404 and "Page not found" in report["company"][1]
    status, html = report["broken"]
    assert status == 500 and "Something went wrong on our side" in html and "/static/css/site." in html
