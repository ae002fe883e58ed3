"""The costing rules of shortfall.py, without a database: statuses, gaps, options, cents."""

from decimal import Decimal

import pytest

from digileap.connectivity import shortfall as s

COSTS = s.Costs(
    fibre_per_km=Decimal("25000.00"),
    fibre_connection=Decimal("3000.00"),
    fibre_default_km=Decimal("1.00"),
    fibre_monthly=Decimal("150.00"),
    upgrade_per_mbps_month=Decimal("0.50"),
    wifi_per_classroom=Decimal("900.00"),
    switch_per_site=Decimal("2500.00"),
    years=5,
    technology_limits={"dsl": 250, "cable": 1000, "fibre": 10000},
)


def rule(kind, **figures):
    return s.BenchmarkRule(kind=kind, **{k: Decimal(str(v)) for k, v in figures.items()})


class TestAssess:
    def test_absolute_meets_at_the_threshold_and_below_under_it(self):
        gigabit = rule(s.ABSOLUTE, threshold_mbps=1000)
        assert s.assess(gigabit, measured_mbps=1000.0, tests=5, days=3).status == s.MEETS
        below = s.assess(gigabit, measured_mbps=999.999, tests=5, days=3)
        assert (below.status, below.required_mbps, below.measured_mbps) == (s.BELOW, 1000.0, 999.999)

    @pytest.mark.parametrize(("tests", "days"), [(4, 3), (5, 2), (0, 0)])
    def test_too_few_tests_or_days_is_insufficient_data(self, tests, days):
        result = s.assess(rule(s.ABSOLUTE, threshold_mbps=10), measured_mbps=500.0, tests=tests, days=days)
        assert result.status == s.INSUFFICIENT

    def test_no_measurement_is_insufficient_data(self):
        assert s.assess(rule(s.ABSOLUTE, threshold_mbps=10), measured_mbps=None, tests=9, days=9).status == (
            s.INSUFFICIENT
        )

    def test_per_pupil_needs_the_pupils(self):
        per_pupil = rule(s.PER_PUPIL, threshold_mbps="0.5")
        result = s.assess(per_pupil, measured_mbps=200.0, tests=6, days=3, pupils=401)
        assert (result.status, result.required_mbps) == (s.BELOW, 200.5)
        assert s.assess(per_pupil, measured_mbps=200.5, tests=6, days=3, pupils=401).status == s.MEETS
        unknown = s.assess(per_pupil, measured_mbps=200.0, tests=6, days=3, pupils=None)
        assert (unknown.status, unknown.required_mbps) == (s.INSUFFICIENT, None)

    def test_tiers(self):
        giga = rule(s.TIERS, threshold_mbps=20, lower_mbps=1)
        assert s.assess(giga, measured_mbps=20.0, tests=5, days=3).status == s.MEETS
        assert s.assess(giga, measured_mbps=19.9, tests=5, days=3).status == s.MODERATE
        assert s.assess(giga, measured_mbps=1.0, tests=5, days=3).status == s.MODERATE
        assert s.assess(giga, measured_mbps=0.99, tests=5, days=3).status == s.BELOW

    def test_contracted_is_a_share_of_the_contract_and_needs_one(self):
        contracted = rule(s.CONTRACTED, share_percent=80)
        result = s.assess(contracted, measured_mbps=79.0, tests=5, days=3, contracted_mbps=Decimal("100.00"))
        assert (result.status, result.required_mbps) == (s.BELOW, 80.0)
        assert s.assess(contracted, measured_mbps=80.0, tests=5, days=3, contracted_mbps=Decimal("100")).status == (
            s.MEETS
        )
        assert s.assess(contracted, measured_mbps=80.0, tests=5, days=3, contracted_mbps=None).status == s.INSUFFICIENT


class TestPlan:
    def test_upgrade_is_cheapest_for_a_small_gap_within_the_technology(self):
        plan = s.plan(
            required=Decimal("200"),
            current=50.0,
            technologies=["dsl"],
            distances=[],
            classrooms_without_wifi=8,
            sites_needing_switches=1,
            costs=COSTS,
        )
        # Upgrade: 150 x 0.50 x 12 = 900.00 a year, 4,500.00 over 5 years; fibre: 28,000 + 1,800 x 5.
        assert plan == s.Plan(
            gap_mbps=Decimal("150.00"),
            classrooms_without_wifi=8,
            sites_needing_switches=1,
            option=s.UPGRADE,
            uplink_capex=Decimal("0.00"),
            uplink_opex_year=Decimal("900.00"),
            wifi_capex=Decimal("7200.00"),
            switch_capex=Decimal("2500.00"),
            total=Decimal("14200.00"),
        )

    def test_beyond_the_technology_only_fibre_closes_the_gap(self):
        plan = s.plan(
            required=Decimal("1000"),
            current=40.0,
            technologies=["dsl"],
            distances=[Decimal("2.50"), None, Decimal("0.40")],
            classrooms_without_wifi=0,
            sites_needing_switches=0,
            costs=COSTS,
        )
        # The nearest fibre: 0.40 km x 25,000 + 3,000 = 13,000.00; 150 x 12 = 1,800.00 a year.
        assert (plan.option, plan.gap_mbps, plan.uplink_capex, plan.uplink_opex_year, plan.total) == (
            s.FIBRE,
            Decimal("960.00"),
            Decimal("13000.00"),
            Decimal("1800.00"),
            Decimal("22000.00"),
        )

    def test_fibre_wins_when_cheaper_over_the_years_even_if_an_upgrade_is_possible(self):
        # Upgrade: 900 x 0.50 x 12 = 5,400 a year, 27,000 over 5; fibre at the default km: 28,000 + 9,000.
        cheap_fibre = s.Costs(**{**COSTS.__dict__, "fibre_per_km": Decimal("10000.00")})
        plan = s.plan(
            required=Decimal("1000"),
            current=100.0,
            technologies=["cable"],
            distances=[],
            classrooms_without_wifi=0,
            sites_needing_switches=0,
            costs=cheap_fibre,
        )
        # Fibre: 10,000 + 3,000 + 1,800 x 5 = 22,000.00 < 27,000.00.
        assert (plan.option, plan.uplink_capex, plan.total) == (s.FIBRE, Decimal("13000.00"), Decimal("22000.00"))

    def test_no_uplink_on_record_means_fibre(self):
        plan = s.plan(
            required=Decimal("20"),
            current=10.0,
            technologies=[],
            distances=[],
            classrooms_without_wifi=0,
            sites_needing_switches=0,
            costs=COSTS,
        )
        assert plan.option == s.FIBRE

    def test_unknown_technology_limit_allows_an_upgrade(self):
        assert s.upgrade_possible(Decimal("5000"), ["radio"], {"dsl": 250}) is True
        assert s.upgrade_possible(Decimal("251"), ["dsl"], {"dsl": 250}) is False
        assert s.upgrade_possible(Decimal("250"), ["dsl", "mobile"], {"dsl": 250, "mobile": 100}) is True

    def test_met_gap_needs_no_uplink_change(self):
        plan = s.plan(
            required=Decimal("20"),
            current=25.0,
            technologies=["dsl"],
            distances=[],
            classrooms_without_wifi=3,
            sites_needing_switches=0,
            costs=COSTS,
        )
        assert (plan.option, plan.gap_mbps, plan.uplink_opex_year, plan.total) == (
            s.NONE,
            Decimal("0.00"),
            Decimal("0.00"),
            Decimal("2700.00"),
        )

    def test_money_is_rounded_to_the_cent_half_up(self):
        costs = s.Costs(**{**COSTS.__dict__, "upgrade_per_mbps_month": Decimal("0.01"), "years": 3})
        # Gap 0.125 Mbit/s rounds to 0.13; 0.13 x 0.01 x 12 = 0.0156 -> 0.02 a year; 3 years: 0.06.
        plan = s.plan(
            required=Decimal("10.125"),
            current=10.0,
            technologies=["dsl"],
            distances=[],
            classrooms_without_wifi=0,
            sites_needing_switches=0,
            costs=costs,
        )
        assert (plan.gap_mbps, plan.uplink_opex_year, plan.total) == (Decimal("0.13"), Decimal("0.02"), Decimal("0.06"))
        assert s.cents(Decimal("2.675")) == Decimal("2.68")
        assert s.cents(Decimal("-2.675")) == Decimal("-2.68")

    def test_unknown_required_or_current_gives_no_gap(self):
        assert s.gap_mbps(None, 10.0) == Decimal("0.00")
        assert s.gap_mbps(Decimal("10"), None) == Decimal("0.00")
        # A float's shortest form, not its binary value: 100 - 99.9 is exactly 0.1.
        assert s.gap_mbps(Decimal("100"), 99.9) == Decimal("0.10")


def test_needs_switches():
    assert s.needs_switches(switches=0, age_years=None, max_age_years=8) is True
    assert s.needs_switches(switches=2, age_years=9, max_age_years=8) is True
    assert s.needs_switches(switches=2, age_years=8, max_age_years=8) is False
    assert s.needs_switches(switches=2, age_years=None, max_age_years=8) is False


def test_median():
    assert s.median([]) is None
    assert s.median([3.0, 1.0, 2.0]) == 2.0
    assert s.median([4.0, 1.0, 2.0, 3.0]) == 2.5
