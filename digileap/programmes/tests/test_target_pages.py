"""The pages for milestones and targets (with the live preview of the indicator's value), manual
values, evidence documents (approved by a second person) and money (one entry, or a file)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.programmes import services
from digileap.programmes.models import EvidenceDocument, FundingTransaction, ManualValue, Target

from .factories import FundingSourceFactory, IndicatorFactory, ProgrammeFactory, TargetFactory

D = Decimal
LANGUAGES = ("en", "nl", "fr", "de", "lv")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def texts(name: str, value: str) -> dict:
    return {f"{name}_{code}": (value if code == "en" else "") for code in LANGUAGES}


@pytest.fixture
def programme(world):
    programme = ProgrammeFactory(code="PAGES", authority=world.authority)
    source = FundingSourceFactory(programme=programme, position=1, name={"en": "EU RRF"}, amount=D("1000.00"))
    FundingSourceFactory(programme=programme, position=2, name={"en": "Region"}, amount=D("500.00"), kind="regional")
    for amount in ("1200.00", "34.50"):
        FundingTransaction.objects.create(
            programme=programme,
            source=source,
            kind="committed",
            amount=D(amount),
            date=datetime.date(2024, 2, 1),
            school=world.school,
            recorded_at=timezone.now(),
        )
    return programme


def target_post(**overrides) -> dict:
    data = {
        "kind": "target",
        "number": "401",
        "position": "",
        **texts("title", "Money committed"),
        **texts("description", ""),
        **texts("verification", "The ledger"),
        "baseline": "0",
        "target_value": "1000",
        "unit": "EUR",
        "accumulation": "cumulative",
        "period_start": "",
        "due_date": "2025-12-31",
        "due_label": "Q4 2025",
        "reported_status": "in_progress",
        "indicator_kind": "money",
        "param__money__measure": "committed",
        "param__money__source_kinds": ["eu_rrf"],
    }
    data.update(overrides)
    return data


# --- milestones and targets -----------------------------------------------------------------------


def test_owner_adds_a_target_with_its_indicator(programme, role_users):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("programmes:programme-target-create", args=[programme.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # One parameter group per registered kind, from its schema; languages by their own names.
    for code in ("document_approved", "manual", "money", "schools_reached"):
        assert f'data-indicator-kind="{code}"' in html
    for name in ("Nederlands", "Français", "Deutsch", "Latviešu"):
        assert name in html
    assert "programmes/indicator_preview.js" in html
    assert "<script>" not in html

    response = client.post(url, target_post())
    assert response.status_code == 302, response.content.decode()
    target = Target.objects.get(programme=programme)
    assert (
        target.kind,
        target.number,
        target.position,
        target.title,
        target.verification,
        target.target_value,
        target.due_date,
        target.due_label,
        target.reported_status,
    ) == (
        "target",
        "401",
        1,
        {"en": "Money committed"},
        {"en": "The ledger"},
        D("1000.00"),
        datetime.date(2025, 12, 31),
        "Q4 2025",
        "in_progress",
    )
    assert (target.indicator.kind, target.indicator.parameters) == (
        "money",
        {"measure": "committed", "source_kinds": ["eu_rrf"]},
    )
    listing = client.get(reverse("programmes:programme-targets", args=[programme.pk])).content.decode()
    assert "1,234.50" in listing  # the value today


def test_owner_edits_a_target_and_its_parameters(programme, role_users):
    indicator = IndicatorFactory(programme=programme, kind="money", parameters={"measure": "committed"})
    target = TargetFactory(programme=programme, indicator=indicator, number="7", title={"en": "Old"})
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("programmes:target-update", args=[target.pk])
    assert 'value="committed" selected' in client.get(url).content.decode()
    response = client.post(
        url,
        target_post(
            number="7", position=str(target.position), **{"param__money__measure": "paid"}, **texts("title", "New")
        ),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.title == {"en": "New"}
    assert target.indicator.parameters == {"measure": "paid", "source_kinds": ["eu_rrf"]}


def test_service_validation_errors_show_on_the_form(programme, role_users):
    TargetFactory(programme=programme, number="401")
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("programmes:programme-target-create", args=[programme.pk])
    response = client.post(url, target_post())
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "number": ["Another milestone or target of this programme has this number."]
    }
    response = client.post(url, target_post(number="402", target_value="0"))
    assert response.status_code == 400
    assert response.context["form"].errors == {"target_value": ["The target value differs from the baseline."]}
    response = client.post(url, target_post(number="403", accumulation="per_period"))
    assert response.status_code == 400
    assert response.context["form"].errors == {"period_start": ["A per-period target needs the day counting starts."]}
    response = client.post(url, target_post(number="404", **{"param__money__measure": ""}))
    assert response.status_code == 400
    assert "Parameters: &#x27;measure&#x27; is a required property" in response.content.decode()
    assert Target.objects.filter(programme=programme).count() == 1


def test_readers_may_not_change_targets(programme, world, role_users):
    target = TargetFactory(programme=programme)
    for role in (Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR):
        client = client_for(role_users[role])
        assert client.get(reverse("programmes:programme-target-create", args=[programme.pk])).status_code == 403
        assert client.post(reverse("programmes:target-update", args=[target.pk]), target_post()).status_code == 403
        assert client.get(reverse("programmes:programme-indicator-preview", args=[programme.pk])).status_code == 403
    outside = ProgrammeFactory(authority=world.other_authority)
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    assert client.get(reverse("programmes:programme-target-create", args=[outside.pk])).status_code == 404
    assert client.get(reverse("programmes:programme-indicator-preview", args=[outside.pk])).status_code == 404


def preview(client, programme, language="en", **params):
    url = reverse("programmes:programme-indicator-preview", args=[programme.pk])
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language).json()


def test_preview_computes_the_value_today_formatted_for_the_language(programme, role_users):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    money = {"indicator_kind": "money", "param__money__measure": "committed"}
    assert preview(client, programme, **money) == {
        "value": "1234.50",
        "formatted": "1,234.50",
        "unit": "EUR",
        "label": "Money",
        "error": "",
    }
    assert preview(client, programme, "de", **money)["formatted"] == "1.234,50"
    assert preview(client, programme, **money, param__money__source_kinds="regional")["value"] == "0.00"
    reached = preview(client, programme, indicator_kind="schools_reached")
    assert (reached["value"], reached["formatted"], reached["unit"]) == ("1", "1", "schools")
    # Per period from a day after the entries: nothing counts.
    later = preview(client, programme, **money, accumulation="per_period", period_start="2024-03-01")
    assert later["value"] == "0.00"
    assert preview(client, programme, **money, accumulation="per_period")["error"] == (
        "A per-period target needs the day counting starts."
    )
    assert preview(client, programme, indicator_kind="money")["error"] == "Parameters: 'measure' is a required property"
    assert preview(client, programme)["error"] == "Choose an indicator."


def test_preview_of_an_edited_target_counts_its_own_records(programme, role_users):
    indicator = IndicatorFactory(programme=programme, kind="manual", parameters={})
    target = TargetFactory(programme=programme, indicator=indicator)
    ManualValue.objects.create(
        indicator=indicator, as_of=datetime.date(2024, 1, 1), value=D("42"), note="survey", entered_at=timezone.now()
    )
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    assert preview(client, programme, indicator_kind="manual", target=target.pk)["formatted"] == "42"
    assert preview(client, programme, indicator_kind="manual")["formatted"] == "0"
    new_milestone = preview(client, programme, indicator_kind="document_approved")
    assert new_milestone["error"] == "Computed once the milestone or target is saved."


# --- manual values --------------------------------------------------------------------------------


def test_manual_values_are_entered_with_a_note_and_listed_with_who_entered_them(programme, role_users):
    indicator = IndicatorFactory(programme=programme, kind="manual", parameters={"source": "survey"})
    target = TargetFactory(programme=programme, indicator=indicator, unit="%")
    admin = role_users[Role.FUNDING_ADMINISTRATOR]
    client = client_for(admin)
    url = reverse("programmes:target-values", args=[target.pk])
    response = client.post(url, {"value": "37.5", "as_of": "2024-06-30", "note": ""})
    assert response.status_code == 400
    assert ManualValue.objects.count() == 0
    response = client.post(url, {"value": "37.5", "as_of": "2024-06-30", "note": "Survey of June"})
    assert response.status_code == 302
    value = ManualValue.objects.get()
    assert (value.value, value.as_of, value.note, value.entered_by) == (
        D("37.50"),
        datetime.date(2024, 6, 30),
        "Survey of June",
        admin,
    )
    html = client.get(url).content.decode()
    assert "Survey of June" in html and admin.username in html and "37.50 %" in html
    assert (
        client_for(role_users[Role.AUDITOR]).post(url, {"value": "1", "as_of": "2024-07-01", "note": "x"}).status_code
        == 403
    )


def test_values_are_not_entered_for_computed_indicators(programme, role_users):
    target = TargetFactory(
        programme=programme,
        indicator=IndicatorFactory(programme=programme, kind="money", parameters={"measure": "paid"}),
    )
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("programmes:target-values", args=[target.pk])
    assert "values are entered by hand only for indicators declared manual" in client.get(url).content.decode()
    assert client.post(url, {"value": "1", "as_of": "2024-07-01", "note": "x"}).status_code == 403


# --- evidence documents ---------------------------------------------------------------------------


def test_the_uploader_cannot_approve_their_own_document_in_the_service(programme, role_users):
    owner = role_users[Role.PROGRAMME_OWNER]
    document = services.evidence_document_upload(
        actor=owner, programme=programme, title="Report", file=SimpleUploadedFile("report.pdf", b"%PDF-1.4")
    )
    with pytest.raises(ValidationError) as refused:
        services.evidence_document_approve(actor=owner, document=document)
    assert refused.value.messages == ["A document is approved by someone other than the person who uploaded it."]
    document.refresh_from_db()
    assert document.approved_at is None


def test_documents_are_uploaded_by_one_person_and_approved_by_another(programme, role_users):
    target = TargetFactory(programme=programme, number="405")
    uploader = role_users[Role.FUNDING_ADMINISTRATOR]
    owner = role_users[Role.PROGRAMME_OWNER]
    url = reverse("programmes:programme-documents", args=[programme.pk])
    response = client_for(uploader).post(
        url, {"title": "Delivery report", "file": SimpleUploadedFile("report.pdf", b"%PDF-1.4"), "target": target.pk}
    )
    assert response.status_code == 302
    document = EvidenceDocument.objects.get()
    assert (document.title, document.target, document.uploaded_by) == ("Delivery report", target, uploader)
    # The owner uploads one too and sees that another person approves it.
    own = services.evidence_document_upload(
        actor=owner, programme=programme, title="Own", file=SimpleUploadedFile("own.pdf", b"%PDF-1.4")
    )
    page = client_for(owner).get(url).content.decode()
    approve = reverse("programmes:evidencedocument-approve", args=[document.pk])
    assert approve in page
    assert reverse("programmes:evidencedocument-approve", args=[own.pk]) not in page
    assert "You uploaded this document: another person approves it." in page
    assert "Pending approval" in page
    # Posting the approval of one's own document anyway: refused, with the reason.
    response = client_for(owner).post(reverse("programmes:evidencedocument-approve", args=[own.pk]), follow=True)
    assert "A document is approved by someone other than the person who uploaded it." in response.content.decode()
    own.refresh_from_db()
    assert own.approved_at is None
    # The funding administrator may upload but not approve.
    assert client_for(uploader).post(approve).status_code == 403
    response = client_for(owner).post(approve)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.approved_by == owner and document.approved_at is not None
    page = client_for(owner).get(url).content.decode()
    assert f"by {owner.username} on" in page
    download = client_for(owner).get(reverse("programmes:evidencedocument-download", args=[document.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4"


# --- money ----------------------------------------------------------------------------------------


def money_post(**overrides) -> dict:
    data = {
        "source": "",
        "kind": "paid",
        "amount": "100.00",
        "date": "2024-05-01",
        "school": "1001",
        "reference": "P-1",
    }
    data.update(overrides)
    return data


def test_one_payment_within_the_budget_is_recorded(programme, role_users):
    source = programme.funding_sources.get(position=2)
    admin = role_users[Role.FUNDING_ADMINISTRATOR]
    response = client_for(admin).post(
        reverse("programmes:programme-transactions", args=[programme.pk]), money_post(source=source.pk)
    )
    assert response.status_code == 302
    entry = FundingTransaction.objects.get(source=source)
    assert (entry.kind, entry.amount, entry.date, entry.school.number, entry.reference, entry.recorded_by) == (
        "paid",
        D("100.00"),
        datetime.date(2024, 5, 1),
        "1001",
        "P-1",
        admin,
    )


def test_an_amount_over_the_budget_asks_to_record_anyway(programme, role_users):
    source = programme.funding_sources.get(position=2)
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("programmes:programme-transactions", args=[programme.pk])
    response = client.post(url, money_post(source=source.pk, kind="committed", amount="500.01"))
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "With this amount, Region would have EUR 500.01 committed against a budget of EUR 500.00: EUR 0.01 over."
        in html
    )
    assert 'name="record_anyway"' in html
    assert FundingTransaction.objects.filter(source=source).count() == 0
    response = client.post(url, money_post(source=source.pk, kind="committed", amount="500.01", record_anyway="on"))
    assert response.status_code == 302
    assert FundingTransaction.objects.filter(source=source).count() == 1
    page = client.get(url).content.decode()
    assert "Region: EUR 500.01 committed against a budget of EUR 500.00, EUR 0.01 over." in page
    assert "EU RRF: EUR 1,234.50 committed against a budget of EUR 1,000.00, EUR 234.50 over." in page


def test_money_form_errors_show_on_the_form(programme, world, role_users):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("programmes:programme-transactions", args=[programme.pk])
    source = programme.funding_sources.get(position=2)
    response = client.post(url, money_post(source=source.pk, school="2002", amount="0"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The programme&#x27;s authority has no school numbered 2002." in html
    assert "An amount is not zero." in html
    for role in (Role.AUDITOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR):
        assert client_for(role_users[role]).post(url, money_post(source=source.pk)).status_code == 403


def test_a_file_of_payments_is_checked_then_recorded_with_over_budget_confirmed(programme, role_users):
    client = client_for(role_users[Role.FUNDING_ADMINISTRATOR])
    url = reverse("programmes:programme-transactions-import", args=[programme.pk])
    bad = SimpleUploadedFile("money.csv", b"source;kind;amount;date\nRegion;gift;5;2024-01-01\n")
    response = client.post(url, {"action": "check", "file": bad, "profile": "generic"})
    html = response.content.decode()
    assert "&#x27;gift&#x27; is neither a commitment nor a payment" in html
    assert 'name="token"' not in html
    text = b"source;kind;amount;date;school;reference\nRegion;payment;300;2024-01-01;1001;A\nRegion;payment;250;2024-01-02;;B\n"
    response = client.post(
        url, {"action": "check", "file": SimpleUploadedFile("money.csv", text), "profile": "generic"}
    )
    html = response.content.decode()
    assert "Line 3: Region: payments would reach EUR 550.00 against a budget of EUR 500.00 (EUR 50.00 over)" in html
    token = response.context["token"]
    assert FundingTransaction.objects.filter(kind="paid").count() == 0
    response = client.post(url, {"action": "confirm", "token": token})
    assert FundingTransaction.objects.filter(kind="paid").count() == 0  # not ticked: nothing recorded
    response = client.post(
        url, {"action": "check", "file": SimpleUploadedFile("money.csv", text), "profile": "generic"}
    )
    response = client.post(url, {"action": "confirm", "token": response.context["token"], "record_anyway": "on"})
    assert response.status_code == 302
    assert sorted(FundingTransaction.objects.filter(kind="paid").values_list("amount", "reference")) == [
        (D("250.00"), "B"),
        (D("300.00"), "A"),
    ]
    # Once more: already recorded, nothing changes.
    response = client.post(
        url, {"action": "check", "file": SimpleUploadedFile("money.csv", text), "profile": "generic"}
    )
    assert (response.context["result"].created, response.context["result"].unchanged) == (0, 2)


def test_the_programme_page_links_to_targets_documents_and_money(programme, role_users):
    html = client_for(role_users[Role.AUDITOR]).get(reverse("programmes:programme-detail", args=[programme.pk]))
    html = html.content.decode()
    for name in ("programme-targets", "programme-documents", "programme-transactions"):
        assert reverse(f"programmes:{name}", args=[programme.pk]) in html


def test_an_unknown_token_records_nothing(programme, role_users):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("programmes:programme-transactions-import", args=[programme.pk])
    response = client.post(url, {"action": "confirm", "token": "nope"}, follow=True)
    assert "The checked file is no longer here: upload it again." in response.content.decode()
