"""bandit finds nothing of medium or high severity in the application code."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BANDIT = Path(sys.executable).with_name("bandit")


def test_it_is_clean_at_medium_severity():
    if not BANDIT.exists() and not shutil.which("bandit"):
        pytest.fail("bandit is pinned in the dev extra; install it with `pip install -e .[dev]`")
    result = subprocess.run(
        [str(BANDIT if BANDIT.exists() else "bandit"), "-r", "config", "partnerships", "scrapers", "extraction",
         "-ll", "-f", "json", "-q", "-x", "*/migrations/*"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    report = json.loads(result.stdout)
    findings = [
        f"{item['filename']}:{item['line_number']} {item['test_id']} {item['issue_text']}"
        for item in report["results"]
    ]
    assert not findings, "\n".join(findings)
    assert report["errors"] == [], report["errors"]
    assert result.returncode == 0
