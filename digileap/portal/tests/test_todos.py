"""Each app's to-dos on the home page (issue 11, defect 8): counted within the user's scope, for the
role that acts on them, each linking to its filtered list; and the school page's panels."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.allocation.models import AllocationRound
from digileap.allocation.tests.factories import AllocationRoundFactory
from digileap.core.contributions import menu_for, todos_for
from digileap.devices.models import Delivery
from digileap.devices.tests.factories import DeliveryFactory
from digileap.programmes.models import EvidenceDocument, IndicatorSnapshot
from digileap.programmes.tests.factories import ProgrammeFactory, TargetFactory
from digileap.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def _todos(user) -> dict[str, tuple[int, str]]:
    return {todo.key: (todo.count, todo.url) for todo in todos_for(user)}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def programmes(world):
    inside = ProgrammeFactory(authority=world.authority, code="inside-prog")
    outside = ProgrammeFactory(authority=world.other_authority, code="OUTSIDE-prog")
    return inside, outside


def test_deliveries_to_accept_for_the_schools_side_within_its_scope(world, role_users, programmes):
    inside, outside = programmes
    DeliveryFactory(programme=inside, school=world.school, supplier=world.supplier)
    DeliveryFactory(programme=inside, school=world.school, supplier=world.supplier)
    DeliveryFactory(
        programme=inside,
        school=world.school,
        supplier=world.supplier,
        acceptance=Delivery.Acceptance.ACCEPTED,
        accepted_at=timezone.now(),
    )
    DeliveryFactory(programme=outside, school=world.other_school, supplier=world.supplier)
    url = reverse("devices:delivery-list") + "?acceptance=pending"
    assert _todos(role_users[Role.SCHOOL_COORDINATOR])["deliveries-to-accept"] == (2, url)
    assert _todos(role_users[Role.OPERATOR_STAFF])["deliveries-to-accept"] == (2, url)
    assert _todos(role_users[Role.ADMINISTRATOR])["deliveries-to-accept"] == (3, url)
    # The supplier delivered them and the owner reads them: neither accepts.
    assert "deliveries-to-accept" not in _todos(role_users[Role.SUPPLIER])
    assert "deliveries-to-accept" not in _todos(role_users[Role.PROGRAMME_OWNER])
    page = _client(role_users[Role.SCHOOL_COORDINATOR]).get(url)
    assert page.context["page"].paginator.count == 2
    home = _client(role_users[Role.SCHOOL_COORDINATOR]).get(reverse("home")).content.decode()
    assert f'href="{url.replace("&", "&amp;")}"' in home


def test_rounds_to_approve_for_the_programme_owner(world, role_users, programmes):
    inside, outside = programmes
    AllocationRoundFactory(programme=inside, status=AllocationRound.Status.COMPUTED)
    AllocationRoundFactory(programme=inside, status=AllocationRound.Status.DRAFT)
    AllocationRoundFactory(programme=outside, status=AllocationRound.Status.COMPUTED)
    url = reverse("allocation:allocationround-list") + "?status=computed"
    assert _todos(role_users[Role.PROGRAMME_OWNER])["rounds-to-approve"] == (1, url)
    assert "rounds-to-approve" not in _todos(role_users[Role.FUNDING_ADMINISTRATOR])
    assert "rounds-to-approve" not in _todos(role_users[Role.AUDITOR])
    response = _client(role_users[Role.PROGRAMME_OWNER]).get(url)
    assert [row[0].status for row in response.context["rows"]] == ["computed"]


def test_evidence_waits_for_a_second_person(world, role_users, programmes):
    inside, outside = programmes
    owner = role_users[Role.PROGRAMME_OWNER]
    colleague = user_with_role(Role.PROGRAMME_OWNER, world.authority, username="colleague")
    now = timezone.now()

    def document(programme, uploaded_by, approved=False):
        EvidenceDocument.objects.create(
            programme=programme,
            title="Report",
            file=ContentFile(b"%PDF-1.4", name="report.pdf"),
            sha256="0" * 64,
            uploaded_by=uploaded_by,
            uploaded_at=now,
            approved_by=colleague if approved else None,
            approved_at=now if approved else None,
        )

    document(inside, colleague)
    document(inside, colleague)
    document(inside, owner)  # the owner's own upload: someone else approves it
    document(inside, colleague, approved=True)
    document(outside, colleague)
    url = reverse("programmes:programme-documents", kwargs={"pk": inside.pk})
    assert _todos(owner)["evidence-inside-prog"] == (2, url)
    assert _todos(colleague)["evidence-inside-prog"] == (1, url)
    assert not any(key.startswith("evidence-") for key in _todos(role_users[Role.AUDITOR]))
    assert _client(owner).get(url).status_code == 200


def test_targets_at_risk_or_late_by_their_latest_snapshot(world, role_users, programmes):
    inside, _outside = programmes
    now = timezone.now()
    day = datetime.date(2025, 1, 1)
    for statuses in (["on_track", "at_risk"], ["at_risk", "late"], ["late", "achieved"], ["on_track"]):
        target = TargetFactory(programme=inside)
        for offset, status in enumerate(statuses):
            IndicatorSnapshot.objects.create(
                target=target, date=day + datetime.timedelta(days=offset), value=1, status=status, computed_at=now
            )
    (todo,) = [todo for todo in todos_for(role_users[Role.PROGRAMME_OWNER]) if todo.key == "targets-inside-prog"]
    assert (todo.count, todo.url) == (2, reverse("programmes:programme-dashboard", kwargs={"pk": inside.pk}))
    assert todo.text == "1 of them is late."
    assert "targets-inside-prog" not in _todos(role_users[Role.OPERATOR_STAFF])


def test_a_coordinator_of_several_schools_chooses_in_the_list(world, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    url = reverse("devices:assignment-handout", kwargs={"school_pk": world.school.pk})
    assert [(e.key, e.url) for e in menu_for(coordinator) if e.key == "handout"] == [("handout", url)]
    home = _client(coordinator).get(reverse("home"))
    assert [action.url for action in home.context["actions"]] == [url]
    # The recipient list offers the one school's hand-out without filtering first.
    recipients = _client(coordinator).get(reverse("devices:recipient-list"))
    assert (recipients.context["school"], recipients.context["can_hand_out"]) == (world.school, True)
    assert f'href="{url}"' in recipients.content.decode()
    operator_user = role_users[Role.OPERATOR_STAFF]
    SchoolFactory(operator=world.operator, authority=world.authority, name="INSIDE second school")
    assert [e for e in menu_for(operator_user) if e.key == "handout"] == []
    home = _client(operator_user).get(reverse("home"))
    assert len(home.context["actions"]) == 2  # one link per school, up to five
    recipients = _client(operator_user).get(reverse("devices:recipient-list"))
    assert (recipients.context["school"], recipients.context["can_hand_out"]) == (None, False)


def test_nothing_waiting_says_so(role_users):
    home = _client(role_users[Role.AUDITOR]).get(reverse("home"))
    assert home.context["todos"] == []
    assert "Nothing is waiting for you." in home.content.decode()


def test_the_school_page_gathers_the_apps_panels(world, role_users, programmes):
    inside, _outside = programmes
    DeliveryFactory(programme=inside, school=world.school, supplier=world.supplier)
    url = reverse("schools:school-detail", kwargs={"pk": world.school.pk})
    response = _client(role_users[Role.SCHOOL_COORDINATOR]).get(url)
    panels = {panel.key: panel for panel in response.context["panels"]}
    assert list(panels) == ["allocation", "connectivity", "training", "devices"]
    assert list(panels["allocation"].context["lines"]) == []
    handout = reverse("devices:assignment-handout", kwargs={"school_pk": world.school.pk})
    deliveries = reverse("devices:delivery-list") + f"?school={world.school.pk}&acceptance=pending"
    assert (panels["devices"].context["handout_url"], panels["devices"].context["pending_deliveries"]) == (handout, 1)
    assert panels["devices"].context["deliveries_url"] == deliveries
    content = response.content.decode()
    assert "1 delivery awaits acceptance" in content and f'href="{handout}"' in content
    # The auditor reads what is pending, and gets no hand-out link.
    DeliveryFactory(programme=inside, school=world.school, supplier=world.supplier)
    response = _client(role_users[Role.AUDITOR]).get(url)
    assert [panel.key for panel in response.context["panels"]] == ["allocation", "connectivity", "training", "devices"]
    assert response.context["panels"][3].context["handout_url"] is None
    response = _client(role_users[Role.SUPPLIER]).get(url)
    assert response.status_code == 404  # the supplier does not see the school at all
