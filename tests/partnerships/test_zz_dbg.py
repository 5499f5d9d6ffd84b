import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from partnerships.models import LedgerEntry, Deal, CompanyPartnerFlow
from partnerships.services.rollups import rollups_rebuild
from tests.partnerships.test_rollups import _apply, snapshot
from tests.factories import CompanyFactory

@pytest.mark.django_db
def test_dbg():
    ops = [('merge companies', 5, 4, 8), ('merge', 4, 2, 4), ('merge companies', 3, 0, 2), ('publish', 5, 0, 4), ('merge', 3, 0, 9), ('publish', 2, 2, 5), ('merge', 0, 0, 7)]
    companies = [CompanyFactory(name=f"Company {n}") for n in range(5)]
    deals = []
    for op in ops:
        try:
            with transaction.atomic():
                _apply(op, companies, deals)
        except ValidationError as e:
            print("refused", op, e); continue
        inc = snapshot()
        with transaction.atomic():
            rollups_rebuild(); reb = snapshot(); transaction.set_rollback(True)
        print("op", op, "OK" if inc == reb else "DIFF")
        if inc != reb:
            print(list(LedgerEntry.objects.values_list("deal_id","clause_id","grantor_id","beneficiary_id","year","counted","certainty")))
            print(inc[0]); print(reb[0]); break
