"""A small round, computed through the services, for the page, API and selector tests of rounds.

Inside the ``world`` authority: school 1001 (``world.school``, ``world.operator``) with 10 primary
pupils and school 1002 (a second operator) with 20. The round pays EUR 100 per pupil (version 1:
1,000 and 2,000), then EUR 120 (version 2: 1,200 and 2,400). ``world.other_school`` is outside.
"""

from dataclasses import dataclass

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import EnrolmentFactory, OperatorFactory, SchoolFactory

from ..models import AllocationRound, AllocationVersion
from ..services.rounds import round_compute, round_create, round_update, version_approve, version_publish


@dataclass
class RoundScenario:
    owner: object
    programme: object
    round: AllocationRound
    first: AllocationVersion
    second: AllocationVersion
    school: object  # 1001, world.school
    second_school: object  # 1002, another operator

    def approve_and_publish(self) -> None:
        version_approve(actor=self.owner, version=self.second)
        version_publish(actor=self.owner, version=self.second)
        self.refresh()

    def refresh(self) -> None:
        self.round.refresh_from_db()
        self.first.refresh_from_db()
        self.second.refresh_from_db()


def build_round_scenario(world, *, owner=None) -> RoundScenario:
    owner = owner or user_with_role(Role.PROGRAMME_OWNER, world.authority, username="round-owner")
    programme = ProgrammeFactory(authority=world.authority, code="DS", name={"en": "Digisprong"})
    EnrolmentFactory(school=world.school, level=1, grade=0, pupils=10)
    second_operator = OperatorFactory(authority=world.authority, name="Second operator", code="OP2")
    second_school = SchoolFactory(operator=second_operator, name="Second school", number="1002")
    EnrolmentFactory(school=second_school, level=1, grade=0, pupils=20)
    EnrolmentFactory(school=world.other_school, level=1, grade=0, pupils=30)
    allocation_round = round_create(
        actor=owner,
        programme=programme,
        data={
            "code": "DS-1",
            "name": "Digisprong devices",
            "school_year": "2024/25",
            "formula": {"per_pupil": [{"amount": "100"}]},
        },
    )
    first = round_compute(actor=owner, allocation_round=allocation_round, note="first try")
    round_update(actor=owner, allocation_round=allocation_round, data={"formula": {"per_pupil": [{"amount": "120"}]}})
    second = round_compute(actor=owner, allocation_round=allocation_round)
    scenario = RoundScenario(owner, programme, allocation_round, first, second, world.school, second_school)
    scenario.refresh()
    return scenario
