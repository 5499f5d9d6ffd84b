"""One vocabulary for both sides: the models' choices are built from the lists extraction emits."""

import json

import pytest

from extraction import vocabulary
from partnerships.models import Clause, Deal, DealParty
from partnerships.models.deals import DatePrecision


@pytest.mark.parametrize(
    ("model_choices", "source"),
    [
        (Deal.Kind, vocabulary.DealKind),
        (Clause.Kind, vocabulary.ClauseKind),
        (Clause.Unit, vocabulary.ClauseUnit),
        (Clause.Qualifier, vocabulary.ClauseQualifier),
        (Clause.Effect, vocabulary.ClauseEffect),
        (DealParty.Role, vocabulary.PartyRole),
        (DatePrecision, vocabulary.DatePrecision),
    ],
)
def test_the_models_store_exactly_the_vocabulary_extraction_emits(model_choices, source):
    assert model_choices.choices == [(member.value, member.label) for member in source]
    assert [m.name for m in model_choices] == [m.name for m in source]


def test_a_vocabulary_member_is_its_value_wherever_it_goes():
    unit = vocabulary.ClauseUnit.GW
    assert unit == "GW" == Clause.Unit.GW and hash(unit) == hash(Clause.Unit.GW)
    assert Clause.Unit(unit) is Clause.Unit.GW and Clause.Unit.GW.label == unit.label == "Gigawatts"
    assert json.dumps({"unit": unit}) == '{"unit": "GW"}' and f"{unit}" == "GW"
    assert vocabulary.ClauseQualifier.EXACT == "" and Clause.MONEY_UNITS == vocabulary.MONEY_UNITS


def test_names_match_on_one_key_on_both_sides():
    assert (
        vocabulary.normalize_name("Microsoft Corp.’s")
        == vocabulary.normalize_name("microsoft")
        == "microsoft"
    )
