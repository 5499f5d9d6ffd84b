"""The extraction package is pure: importing and running it loads no Django, no app and no HTTP client."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, pkgutil, importlib, sys
import extraction
for module in pkgutil.iter_modules(extraction.__path__):
    importlib.import_module(f"extraction.{module.name}")
from extraction.core import extract_text
result = extract_text("TITLE: Acme and Globex partner\\n\\nAcme will invest $2 billion in Globex.")
print(json.dumps({"modules": sorted(sys.modules), "is_deal": result.is_deal}))
"""


def _probe() -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_it_imports_and_extracts_with_django_settings_unconfigured():
    probe = _probe()
    modules = set(probe["modules"])
    assert probe["is_deal"] is True
    assert "extraction.core" in modules and "extraction.model" in modules  # the probe did import them
    assert not {m for m in modules if m == "django" or m.startswith("django.")}
    assert not {m for m in modules if m.split(".")[0] in {"partnerships", "scrapers", "config"}}
    assert not {m for m in modules if m.split(".")[0] in {"httpx", "httpcore", "requests", "celery"}}
