import pytest

from tests.security.pages import forget_cached_pages, load_data, public_pages


@pytest.fixture
def pages(db):
    """Every public page, with the data it needs loaded into the test database."""
    load_data()
    return {page.name: page for page in public_pages()}


@pytest.fixture(autouse=True)
def _forget_cached_pages():
    """Pages cached during a test must not outlive its rolled-back data (see pages.py)."""
    yield
    forget_cached_pages()


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    """The report of one production run (see production.py), shared by the production tests."""
    from tests.security.production import production_report

    return production_report(tmp_path_factory.mktemp("production"))
