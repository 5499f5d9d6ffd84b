"""The deal's kind: from its wording first, from who its parties are when the wording points nowhere."""

import pytest

from extraction.kinds import deal_kind
from extraction.vocabulary import DealKind


@pytest.mark.parametrize(
    ("title", "parties", "kind"),
    [
        ("Le Chat and AFP team up", ["Mistral AI", "AFP"], DealKind.LICENSING),
        ("OpenAI partners with Condé Nast", ["OpenAI", "Condé Nast"], DealKind.LICENSING),
        (
            "Acme, NVIDIA and Anthropic announce strategic partnerships",
            ["NVIDIA", "Anthropic"],
            DealKind.COMPUTE,
        ),
        ("Supporting the DOW's mission with AI", ["xAI", "U.S. Department of War"], DealKind.DISTRIBUTION),
        ("Expanding xAI for Government with GSA OneGov", ["xAI", "GSA OneGov"], DealKind.DISTRIBUTION),
        (
            "Anthropic and the Government of Rwanda sign MOU",
            ["Anthropic", "Government of Rwanda"],
            DealKind.OTHER,
        ),
        ("Perplexity Joins the NVIDIA Nemotron Coalition", ["Perplexity", "NVIDIA"], DealKind.RESEARCH),
        (
            "Anthropic and Iceland announce national AI education pilots",
            ["Anthropic", "Iceland"],
            DealKind.DISTRIBUTION,
        ),
        ("Acme and Globex announce a partnership", ["Acme", "Globex"], DealKind.OTHER),
    ],
)
def test_it_reads_the_kind_from_the_parties_when_the_wording_points_nowhere(title, parties, kind):
    assert deal_kind(title=title, lead=[], clauses=[], parties=parties) == kind


def test_the_wording_wins_over_the_parties():
    title = "Anthropic to acquire a start-up; NVIDIA advises"
    assert (
        deal_kind(title=title, lead=[], clauses=[], parties=["Anthropic", "NVIDIA"]) == DealKind.ACQUISITION
    )


def test_gpus_sold_as_capacity_by_a_cloud_are_compute_not_chips():
    title = "Microsoft signs a contract with Lambda for NVIDIA GPUs"
    assert deal_kind(title=title, lead=[], clauses=[], parties=["Microsoft", "Lambda"]) == DealKind.COMPUTE
    assert deal_kind(title=title, lead=[], clauses=[], parties=["Microsoft", "NVIDIA"]) == DealKind.CHIPS
