"""Where the filings tests read their documents: captured EDGAR/GOV.UK bodies and our own fixtures.

The captures live in ``../shared/realdata/regulatory`` (through the ``realdata`` fixture, which
skips cleanly when they are absent); the files in ``fixtures/`` were written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="session")
def edgar(realdata) -> Path:
    folder = realdata / "regulatory" / "edgar"
    if not folder.is_dir():
        pytest.skip(f"no EDGAR captures at {folder}")
    return folder


@pytest.fixture(scope="session")
def cma(realdata) -> Path:
    folder = realdata / "regulatory" / "cma"
    if not folder.is_dir():
        pytest.skip(f"no CMA captures at {folder}")
    return folder


# The scrapers' loopback HTTP server and settings, for the tests that fetch.
from tests.scrapers.conftest import _server, extraction_calls, scraper_settings, server  # noqa: E402,F401
