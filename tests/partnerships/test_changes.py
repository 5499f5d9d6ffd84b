from partnerships.changes import change_set, is_empty


def _clause(**fields):
    base = {
        "kind": "investment",
        "subject": "",
        "effect": "granted",
        "amount": "1E+9",
        "unit": "USD",
        "qualifier": "",
        "basis": "incremental",
        "certainty": "reported",
        "grantor": "a",
        "beneficiary": "b",
    }
    return {**base, **fields}


def test_it_lists_clauses_added_removed_and_changed_field_by_field():
    before = {
        "value_max": "1E+9",
        "currency": "USD",
        "clauses": [_clause(), _clause(kind="exclusivity", amount="")],
    }
    after = {
        "value_max": "4E+9",
        "currency": "USD",
        "clauses": [
            _clause(amount="4E+9", certainty="confirmed"),
            _clause(kind="revenue_share", amount="20", unit="percent"),
        ],
    }
    changes = change_set(before, after)
    assert [c["kind"] for c in changes["added"]] == ["revenue_share"]
    assert [c["kind"] for c in changes["removed"]] == ["exclusivity"]
    [changed] = changes["changed"]
    assert changed["changes"] == [
        {"field": "amount", "before": "1000000000", "after": "4000000000"},
        {"field": "certainty", "before": "reported", "after": "confirmed"},
    ]
    assert changed["after"]["value_text"] == "$4B"
    assert changes["deal"] == [{"field": "headline value", "before": "$1B", "after": "$4B"}]


def test_a_direction_fix_alone_is_a_change():
    changes = change_set({"clauses": [_clause()]}, {"clauses": [_clause(grantor="b", beneficiary="a")]})
    assert [c["field"] for c in changes["changed"][0]["changes"]] == ["grantor", "beneficiary"]


def test_the_same_terms_are_no_change_and_a_first_publication_adds_everything():
    assert is_empty(change_set({"clauses": [_clause()]}, {"clauses": [_clause()]}))
    assert len(change_set(None, {"clauses": [_clause(), _clause(kind="term")]})["added"]) == 2
