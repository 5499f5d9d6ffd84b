"""schemathesis against the live schema on a live server: every operation, positive and negative
cases, no 5xx, every answer conforming to the schema (``--checks all``).

The server is pytest-django's ``live_server`` on loopback, holding the shipped dataset. The run
is bounded (``SCHEMATHESIS_SECONDS``, 75 s by default) and runs when ``PACTWATCH_SCHEMATHESIS=1``
(``.ci/run`` sets it for ``make test``); otherwise it skips, to keep the everyday suite quick.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

SECONDS = int(os.environ.get("SCHEMATHESIS_SECONDS", "75"))
ENABLED = os.environ.get("PACTWATCH_SCHEMATHESIS") == "1"


@pytest.mark.skipif(not ENABLED, reason="schemathesis runs with PACTWATCH_SCHEMATHESIS=1 (CI sets it)")
@pytest.mark.django_db(transaction=True)
def test_the_live_api_conforms_to_its_own_schema(live_server, settings):
    settings.API_RATE_LIMIT = 10**9  # schemathesis sends thousands of requests from one address
    call_command("load_dataset", verbosity=0)
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [
            str(st),
            "run",
            f"{live_server.url}/api/v1/schema/",
            "--checks",
            "all",
            "--max-time",
            str(SECONDS),
            "--workers",
            "2",
            "--request-timeout",
            "20",
            "--suppress-health-check",
            "too_slow,filter_too_much",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        check=False,
    )
    summary = result.stdout[-4000:]
    print(summary)  # operations, phases, cases, seed: in the CI log
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert "9 selected / 9 total" in result.stdout
