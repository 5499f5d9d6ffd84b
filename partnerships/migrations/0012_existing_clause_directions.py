"""Give clauses saved before grantor and beneficiary existed a direction where the roles tell it.

Only two-party deals whose roles pair up (investor/investee, acquirer/target, customer/
provider, licensee/licensor) and only kinds whose direction follows from those roles:
money invested flows investor → investee, money spent on compute customer → provider,
capacity and chips provider → customer, a licence licensor → licensee. Every other clause
keeps no direction; the publish gate asks a curator for one before the deal is published
again, and ``load_dataset`` rewrites the shipped deals' clauses from the file. Certainty
stays at its default, "reported", until a curator or the dataset says more.
"""

from django.db import migrations

PAYER_PAYEE = [("investor", "investee"), ("acquirer", "target"), ("customer", "provider"), ("licensee", "licensor")]
INVESTMENT = {"equity_stake", "investment", "convertible_note", "warrant"}
COMPUTE = {"compute_commitment", "cloud_spend_back"}
SUPPLY = {"chips_supply", "discounted_compute"}
LICENCE = {"ip_license", "model_distribution"}
MONEY = {"USD", "EUR", "GBP", "JPY"}


def _direction(kind, unit, payer, payee):
    """(grantor, beneficiary) of a clause between a paying side and a paid side, or None."""
    if kind in INVESTMENT or (kind in COMPUTE and unit in MONEY):
        return payer, payee
    if kind in SUPPLY or (kind in COMPUTE and unit not in MONEY) or kind in LICENCE:
        return payee, payer
    return None


def forwards(apps, schema_editor):
    Clause = apps.get_model("partnerships", "Clause")
    DealParty = apps.get_model("partnerships", "DealParty")
    roles = {}
    for deal_id, company_id, role in DealParty.objects.values_list("deal_id", "company_id", "role"):
        roles.setdefault(deal_id, {})[role] = company_id
    counts = {deal_id: n for deal_id, n in _party_counts(DealParty)}
    for clause in Clause.objects.filter(grantor__isnull=True, beneficiary__isnull=True).iterator():
        deal_roles = roles.get(clause.deal_id, {})
        if counts.get(clause.deal_id) != 2:
            continue
        pair = next(((deal_roles[a], deal_roles[b]) for a, b in PAYER_PAYEE if a in deal_roles and b in deal_roles), None)
        direction = pair and _direction(clause.kind, clause.unit, *pair)
        if direction:
            Clause.objects.filter(pk=clause.pk).update(grantor_id=direction[0], beneficiary_id=direction[1])


def _party_counts(DealParty):
    from django.db.models import Count

    return DealParty.objects.values("deal_id").annotate(n=Count("id")).values_list("deal_id", "n")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0011_clause_direction_certainty_deal_valuation_ledger"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
