import pytest

from tests.security.pages import forget_cached_pages


@pytest.fixture(autouse=True)
def _forget_cached_pages():
    """Pages cached during a test must not outlive its rolled-back data (see pages.py)."""
    yield
    forget_cached_pages()
