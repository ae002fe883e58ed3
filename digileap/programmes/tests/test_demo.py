import datetime
from decimal import Decimal

from django.core.management import call_command

from digileap.core import audit
from digileap.portal.demo import seed_demo
from digileap.programmes.demo import DEMO_CODE, seed_demo_programmes
from digileap.programmes.models import FundingTransaction, IndicatorSnapshot, Programme
from digileap.programmes.selectors import target_progress

TODAY = datetime.date(2025, 3, 1)


def test_demo_programmes_are_loaded_once(db):
    seed_demo(schools=40)
    created = seed_demo_programmes(today=TODAY)
    codes = set(Programme.objects.values_list("code", flat=True))
    assert {"brussels-digitale-omkeer", "flanders-digisprong", "ghent-digisprong", DEMO_CODE} <= codes
    assert len(codes) == 6
    programme = Programme.objects.get(code=DEMO_CODE)
    entries = FundingTransaction.objects.filter(programme=programme)
    assert created == entries.count() > 0
    assert not entries.filter(date__gt=TODAY).exists()
    assert IndicatorSnapshot.objects.filter(target__programme=programme).count() == 2 * 61
    rows = target_progress(programme.targets.order_by("position"), TODAY)
    reached = rows[0]["value"]
    assert Decimal("0") < reached < rows[0]["target"].target_value
    head = audit.chain_head_hash()
    assert seed_demo_programmes(today=TODAY + datetime.timedelta(days=3)) == 0
    assert audit.chain_head_hash() == head


def test_the_command_includes_the_programmes(db, capsys):
    call_command("seed_demo", "--schools", "20", "--seed", "3")
    assert Programme.objects.filter(code="latvia-dators-ikvienam-bernam", is_public=True).exists()
    assert Programme.objects.filter(code=DEMO_CODE).exists()
