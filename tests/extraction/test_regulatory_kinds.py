"""The clause kinds regulators look at, and the acqui-hire deal kind, read from our own sentences."""

import pytest

from extraction.core import extract_text

HEAD = "TITLE: Globex and Initech announce a strategic partnership\n\nGlobex and Initech announced a partnership. "


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Globex invested $2 billion in Initech through a convertible note.", "convertible_note"),
        ("Globex will receive a non-voting board observer seat at Initech.", "board_observer"),
        ("Globex will hold non-voting shares in Initech.", "non_voting"),
        ("Initech grants Globex information rights over its model releases.", "consultation_rights"),
        ("Initech's research team will join Globex as part of the agreement.", "talent"),
        (
            "Initech will offer its models to Globex agencies at no cost for the first year.",
            "discounted_compute",
        ),
        ("Globex will integrate Initech's assistant into its operating system.", "product_integration"),
        ("The companies will co-design custom AI chips for Initech's workloads.", "chip_codesign"),
        (
            "Globex customers get access to new Initech models on the same day they are released.",
            "model_release_parity",
        ),
    ],
)
def test_it_reads_each_new_clause_kind(sentence, kind):
    result = extract_text(HEAD + sentence)
    assert result.is_deal
    assert kind in {c.kind for c in result.clauses}, [c.kind for c in result.clauses]


def test_an_observer_seat_is_not_read_as_a_board_seat():
    result = extract_text(HEAD + "Globex will receive a non-voting board observer seat at Initech.")
    assert "board_rights" not in {c.kind for c in result.clauses}


def test_a_licence_and_hire_deal_is_an_acquihire():
    result = extract_text(
        "TITLE: Globex licenses Initech's models and hires its founders\n\n"
        "Globex agreed to license Initech's models and will hire its founders and most of its staff, "
        "who will join Globex as part of the agreement."
    )
    assert result.is_deal and result.kind == "acquihire"
    talent = [c for c in result.clauses if c.kind == "talent"]
    assert talent and talent[0].grantor == "Initech" and talent[0].beneficiary == "Globex"


@pytest.mark.parametrize(
    "text",
    [
        "SOURCE: https://www.anthropic.com/news/m\nTITLE: Introducing Claude Opus 9\n\n"
        "Claude Opus 9 is available today. It integrates into your IDE and costs less.",
        "TITLE: Globex reports third-quarter results\n\nGlobex reported revenue of $12 billion and "
        "invested $3 billion in data centres, with discounted pricing for customers.",
    ],
)
def test_a_text_that_is_not_a_deal_gets_no_clauses_at_all(text):
    result = extract_text(text)
    assert not result.is_deal and result.clauses == []
