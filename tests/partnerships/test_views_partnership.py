import re

import pytest
from django.core.management import call_command

from tests.partnerships.story import build_story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def _row(html: str, label: str) -> list[str]:
    """The state classes of one matrix row, left to right."""
    row = re.search(
        rf"<tr>\s*<th scope=\"row\"><a href=\"/glossary/#clause-\w+\">{label}</a>.*?</tr>", html, re.S
    ).group(0)
    return re.findall(r'<td class="st-(\w+)"', row)


def test_it_tells_how_exclusivity_became_a_right_of_first_refusal_and_then_nothing(client):
    build_story()
    html = client.get("/partnerships/microsoft/openai/").content.decode()
    assert _row(html, "Exclusivity") == ["new", "same", "removed", "absent"]
    assert _row(html, "Right of first refusal") == ["absent", "absent", "new", "removed"]
    assert _row(html, "Investment") == ["new", "changed", "dropped", "absent"]
    assert _row(html, "AGI clause") == ["absent", "absent", "absent", "new"]
    assert "about 27%" in html
    assert "What changed at each phase" in html


def test_it_lists_every_phase_in_order(client):
    _, _, phases, _ = build_story()
    html = client.get("/partnerships/microsoft/openai/").content.decode()
    positions = [html.index(deal.get_absolute_url()) for deal in phases]
    assert positions == sorted(positions)


def test_it_redirects_the_reversed_pair_to_the_canonical_address(client):
    build_story()
    response = client.get("/partnerships/openai/microsoft/")
    assert response.status_code == 301 and response["Location"] == "/partnerships/microsoft/openai/"


def test_it_answers_404_for_an_unknown_company(client):
    build_story()
    assert client.get("/partnerships/microsoft/nobody/").status_code == 404


def test_it_tells_the_real_story_from_the_shipped_dataset(client):
    call_command("load_dataset", "--no-evidence", verbosity=0)
    html = client.get("/partnerships/microsoft/openai/").content.decode()
    assert "Right of first refusal" in html
    assert "Exclusivity" in html
    assert 'class="st-removed"' in html
