"""The filings parsers are a pure layer: they import without Django, the ORM or the network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = (
    "import sys, scrapers.filings as f; "
    "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'partnerships', 'httpx', 'celery') "
    "or m in ('scrapers.models', 'scrapers.fetch')); "
    "print(len(f.__all__), loaded)"
)


def test_it_imports_without_django_settings_and_loads_no_orm_or_http_client():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.strip().split(" ", 1)
    assert int(count) > 30
    assert loaded == "[]"
