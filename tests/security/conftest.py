import pytest

from tests.security.pages import load_data, public_pages


@pytest.fixture
def pages(db):
    """Every public page, with the data it needs loaded into the test database."""
    load_data()
    return {page.name: page for page in public_pages()}
