import os
from pathlib import Path

import pytest

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
if not REALDATA.exists():
    # CI copies shared/ beside the clone; a developer may point elsewhere.
    REALDATA = Path(os.environ.get("PACTWATCH_REALDATA", REALDATA))


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The captured vendor pages in ../shared/realdata, or a clean skip when they are absent."""
    if not REALDATA.is_dir():
        pytest.skip(f"real data not available at {REALDATA} (set PACTWATCH_REALDATA or clone ../shared)")
    return REALDATA
