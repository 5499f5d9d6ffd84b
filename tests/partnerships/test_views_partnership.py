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


@pytest.fixture
def dataset(db):
    call_command("load_dataset", "--no-evidence", verbosity=0)


def _changes(html: str) -> dict[str, str]:
    """The text of each phase change on the partnership page, by the later phase's title."""
    import html as html_lib

    part = html[html.index("What changed at each phase") :]
    blocks = re.split(r"<h3>", part)[1:]
    found = {}
    for block in blocks:
        title = re.sub(r"<[^>]+>", "", block.split("</h3>")[0]).split(":", 1)[1].strip()
        found[html_lib.unescape(title)] = html_lib.unescape(
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))
        )
    return found


def test_it_keeps_stargate_apart_from_the_microsoft_openai_phases(client, dataset):
    from partnerships import selectors
    from partnerships.models import Company

    p = selectors.partnership(a=Company.objects.get(slug="microsoft"), b=Company.objects.get(slug="openai"))
    assert [d.slug for d in p.chains[0].phases] == [
        "microsoft-openai-2019", "microsoft-openai-2023", "microsoft-openai-2025-01",
        "microsoft-openai-2025-09-mou", "microsoft-openai-2025-10",
    ]  # fmt: skip
    assert "stargate-2025" in [d.slug for d in p.others] and len(p.chains) == 1
    html = client.get("/partnerships/microsoft/openai/").content.decode()
    assert "another deal, not a phase" in html


def test_it_tells_the_cloud_exclusivity_given_up_in_january_2025_and_only_then(client, dataset):
    changes = _changes(client.get("/partnerships/microsoft/openai/").content.decode())
    given_up = [title for title, text in changes.items() if "Given up Exclusivity (cloud)" in text]
    assert given_up == ["Microsoft trades cloud exclusivity for a right of first refusal"]  # January 2025
    october = next(text for title, text in changes.items() if "27%" in title)
    assert "Given up Right of first refusal (compute)" in october and "Exclusivity (cloud)" not in october


def test_it_shows_amounts_old_to_new_with_their_basis(client, dataset):
    html = client.get("/partnerships/amazon/anthropic/").content.decode()
    changes = " ".join(_changes(html).values())
    assert (
        "Amazon → Anthropic: +$4B confirmed in this phase; $8B confirmed in total (was $4B confirmed)"
        in changes
    )
    microsoft = " ".join(_changes(client.get("/partnerships/microsoft/openai/").content.decode()).values())
    assert "+$12B confirmed in this phase; $13B confirmed in total (was $1B confirmed)" in microsoft
    for text in (changes, microsoft):
        assert "→ granted" not in text and "(qualifier)" not in text and "(amount" not in text
    assert "+$1B → amount not stated" in microsoft  # 2023: a new investment of an undisclosed size


def test_it_tells_apart_two_phases_announced_the_same_day(client):
    import datetime

    ms, oa, phases, _ = build_story()
    phases[1].announced_on = phases[0].announced_on = datetime.date(2019, 7, 22)
    for deal in phases[:2]:
        deal.save()
    html = client.get("/partnerships/microsoft/openai/").content.decode()
    headers = re.findall(r'<th scope="col"><a href="[^"]+">([^<]+)</a></th>', html)
    assert headers[0] != headers[1] and headers[0].startswith("Jul 2019: ")


def test_it_lets_other_modules_add_dated_events_to_the_story(client, monkeypatch):
    import datetime
    import importlib

    module = importlib.import_module("partnerships.selectors.partnership")

    build_story()

    def reviews(a, b, deals):
        return [
            module.TimelineEvent(
                datetime.date(2024, 4, 1), "review", "A merger inquiry", "/x/", badge="A regulator"
            )
        ]

    monkeypatch.setattr(module, "EVENT_SOURCES", [reviews])
    html = client.get("/partnerships/microsoft/openai/").content.decode()
    assert "A merger inquiry" in html and ">A regulator<" in html


def test_a_memorandum_without_terms_drops_nothing_and_the_next_phase_is_compared_past_it(client):
    """Microsoft–OpenAI, September 2025: a non-binding memorandum that names no term sits between
    the January 2025 phase and the October 2025 agreement."""
    call_command("load_dataset", "--no-evidence", verbosity=0)
    html = client.get("/partnerships/microsoft/openai/").content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)
    mou = next(i for i, h in enumerate(headers) if "Sep 2025" in h) - 1  # the first column heads the rows
    for label in ("Right of first refusal", "Exclusivity"):
        states = _row(html, label)
        assert states[mou] == "absent", (label, states)
    assert "dropped" not in _row(html, "Right of first refusal")
    assert "This step states no terms of its own" in html
    page = client.get("/deals/microsoft-openai-2025-10/").content.decode()
    assert "Since the last phase that stated terms" in page
    assert "Given up" in page  # the right of first refusal of the January 2025 phase
