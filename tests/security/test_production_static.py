"""Every public page renders under the production configuration: DEBUG off, static files
collected into hashed, compressed names (WhiteNoise's manifest storage) and served by
WhiteNoise with far-future caching. A template naming a static file that does not exist
answers 500 only in production, so this runs the real production settings in a subprocess
(collectstatic into a temporary STATIC_ROOT, a fresh SQLite database, the dataset)."""

import json
import secrets
import subprocess
import sys
import textwrap

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
    from django.test import Client

    from tests.security.pages import load_data, public_pages

    load_data()
    client = Client()
    report = {"pages": {}, "static": {}}
    for page in public_pages():
        if page.exists:
            response = client.get(page.path, secure=True, HTTP_HOST="pactwatch.example")
            report["pages"][page.path] = response.status_code
            if page.name == "home":
                home = response.content.decode()
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', home):
        response = client.get(url, secure=True, HTTP_HOST="pactwatch.example")
        report["static"][url] = [response.status_code, response.headers.get("Cache-Control", "")]
    print(json.dumps(report))
    """
)


def test_it_serves_every_page_and_hashed_static_files_in_production(tmp_path):
    env = _production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "static")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["pages"], "no page was checked"
    broken = {path: status for path, status in report["pages"].items() if status != 200}
    assert not broken, f"pages failing under production settings: {broken}\n{result.stderr[-3000:]}"
    assert report["static"], "the home page links no static file"
    for url, (status, cache_control) in report["static"].items():
        assert status == 200, url
        assert "." in url.rsplit("/", 1)[-1] and len(url.rsplit("/", 1)[-1].split(".")) >= 3, (
            f"{url} is not a hashed name (manifest storage not used)"
        )
        assert "max-age=315360000" in cache_control or "immutable" in cache_control, (url, cache_control)
