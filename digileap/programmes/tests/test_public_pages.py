"""The public pages (/p/): what they show, in every language, and what they never show.

Every public route is rendered for a public and a non-public programme. Personal data (user
names, e-mails, actor labels) and non-public data (the non-public programme, ledger entries per
school, evidence documents, manual values' notes and authors, indicator parameters) carry
distinctive markers, and no response may contain any of them.
"""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.programmes import public_urls, services
from digileap.programmes.models import FundingTransaction, Target
from digileap.schools.tests.factories import SchoolFactory

from .factories import FundingSourceFactory, IndicatorFactory, ProgrammeFactory, TargetFactory

D = Decimal
LANGUAGES = [code for code, _label in settings.LANGUAGES]
MARKERS = [
    "NONPUBLIC",  # every text of the programme that is not public
    "SECRETUSER",  # user names of uploaders, approvers, who entered values, who recorded money
    "secret-mail",  # their e-mail addresses
    "Secretfirst",  # their first and last names
    "SECRETSCHOOL",  # a school in the ledger
    "SECRETREF",  # a ledger entry's reference
    "SECRETDOC",  # an evidence document's title and file
    "SECRETNOTE",  # a manual value's note
    "SECRETPARAM",  # indicator parameters
    "secret-owner",  # the audit trail's actor label
]


def marker_user(role, scope, name):
    return user_with_role(
        role,
        scope,
        username=f"SECRETUSER-{name}",
        email=f"secret-mail-{name}@example.org",
        first_name="Secretfirst",
        last_name="Secretlast",
    )


@pytest.fixture
def programmes(world):
    owner = marker_user(Role.PROGRAMME_OWNER, world.authority, "owner")
    administrator = marker_user(Role.FUNDING_ADMINISTRATOR, world.authority, "admin")
    owner.username = "SECRETUSER-secret-owner"
    owner.save()
    school = SchoolFactory(operator=world.operator, name="SECRETSCHOOL primary", number="SECRETSCHOOL-9")
    public = ProgrammeFactory(
        code="open-programme",
        name={"en": "Open programme", "nl": "Open programma", "de": "Offenes Programm"},
        description={"en": "About the open programme."},
        end_goal={"en": "Every pupil a laptop", "fr": "Un ordinateur par élève"},
        gender_equality_impact={"en": "Equal treatment of women and men."},
        authority=world.authority,
        climate_contribution=D("0"),
        digital_contribution=D("100"),
        sdgs=[4, 10],
        is_public=True,
        period_start=datetime.date(2024, 1, 1),
    )
    source = FundingSourceFactory(programme=public, name={"en": "Recovery facility"}, amount=D("5200000.00"))
    funded = TargetFactory(
        programme=public,
        number="405",
        title={"en": "Schools funded", "nl": "Gefinancierde scholen"},
        target_value=D("4"),
        due_date=datetime.date(2099, 12, 31),
        indicator=IndicatorFactory(programme=public, kind="schools_reached"),
    )
    manual = TargetFactory(
        programme=public,
        number="406",
        title={"en": "Teachers trained"},
        target_value=D("100"),
        due_date=datetime.date(2099, 12, 31),
        indicator=IndicatorFactory(programme=public, kind="manual", parameters={"source": "SECRETPARAM survey"}),
    )
    report = TargetFactory(
        programme=public,
        kind=Target.Kind.MILESTONE,
        number="407",
        title={"en": "Bandwidth report"},
        target_value=D("1"),
        unit="",
        due_date=datetime.date(2099, 12, 31),
        indicator=IndicatorFactory(programme=public, kind="document_approved", parameters={"document": "SECRETPARAM"}),
    )
    services.funding_transaction_record(
        actor=administrator,
        programme=public,
        source=source,
        kind=FundingTransaction.Kind.PAID,
        amount=D("1500.00"),
        date=datetime.date(2024, 6, 1),
        school=school,
        reference="SECRETREF-1",
    )
    services.manual_value_record(
        actor=administrator, target=manual, value=D("40"), as_of=datetime.date(2024, 6, 1), note="SECRETNOTE"
    )
    document = services.evidence_document_upload(
        actor=administrator,
        programme=public,
        title="SECRETDOC report",
        file=ContentFile(b"%PDF-1.4 the report", name="SECRETDOC.pdf"),
        target=report,
    )
    services.evidence_document_approve(actor=owner, document=document)

    hidden = ProgrammeFactory(
        code="closed-plan",  # not a marker: a 404 page repeats the address asked for
        name={code: f"NONPUBLIC name {code}" for code in LANGUAGES},
        description={"en": "NONPUBLIC description"},
        end_goal={"en": "NONPUBLIC goal"},
        authority=world.authority,
        is_public=False,
        tags=["NONPUBLIC tag"],
    )
    hidden_source = FundingSourceFactory(programme=hidden, name={"en": "NONPUBLIC source"}, amount=D("9999999.00"))
    hidden.objectives.create(position=1, title={"en": "NONPUBLIC objective"})
    TargetFactory(
        programme=hidden,
        number="NONPUBLIC-1",
        title={"en": "NONPUBLIC target"},
        indicator=IndicatorFactory(programme=hidden, kind="money", parameters={"measure": "paid"}),
    )
    FundingTransaction.objects.create(
        programme=hidden,
        source=hidden_source,
        kind="paid",
        amount=D("777.00"),
        date=datetime.date(2024, 6, 1),
        reference="NONPUBLIC payment",
        recorded_at=timezone.now(),
    )
    return public, hidden, funded


def public_urls_for(code: str) -> list[str]:
    """Every route of public_urls.py, with ``code`` where a route takes one."""
    urls = []
    for pattern in public_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {"code": code} if "code" in pattern.pattern.converters else {}
        urls.append(reverse(f"public:{pattern.name}", kwargs=kwargs))
    return urls


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_personal_or_non_public_data_on_any_public_route(programmes, language):
    public, hidden, _funded = programmes
    client = Client()
    seen = []
    for code in (public.code, hidden.code):
        for url in public_urls_for(code):
            for query in (f"?lang={language}", ""):
                response = client.get(url + query, HTTP_ACCEPT_LANGUAGE=language)
                text = body(response)
                seen.append((url + query, response.status_code))
                found = [marker for marker in MARKERS if marker.lower() in text.lower()]
                assert found == [], f"{url}{query} shows {found}"
                if code == public.code:
                    assert hidden.code not in text, f"{url}{query} names the non-public programme"
    statuses = {url: status for url, status in seen}
    assert statuses[reverse("public:programme", kwargs={"code": public.code})] == 200
    assert statuses[reverse("public:programme", kwargs={"code": hidden.code})] == 404
    assert statuses[reverse("public:programme-json", kwargs={"code": hidden.code})] == 404
    assert statuses[reverse("public:programme-csv", kwargs={"code": hidden.code})] == 404
    assert statuses[reverse("public:index")] == 200


def test_every_public_route_is_covered():
    names = {pattern.name for pattern in public_urls.urlpatterns}
    assert names == {
        "index",
        "index-json",
        "index-csv",
        "programme",
        "programme-json",
        "programme-csv",
        "programme-budget-csv",
    }


def test_the_markers_are_in_the_database(programmes):
    """The control: what the pages must not show is really there to be shown."""
    public, hidden, _funded = programmes
    assert public.transactions.get().school.name == "SECRETSCHOOL primary"
    assert public.evidence_documents.get().title == "SECRETDOC report"
    assert hidden.name["en"] == "NONPUBLIC name en"


def test_programme_page_shows_the_recovery_plan_facts(programmes):
    public, _hidden, _funded = programmes
    response = Client().get(reverse("public:programme", kwargs={"code": public.code}) + "?lang=en")
    text = body(response)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert "<h1>Open programme</h1>" in text
    assert "5,200,000.00 EUR" in text
    assert "INSIDE authority" in text
    assert "4. Quality education" in text and "10. Reduced inequalities" in text
    assert "Equal treatment of women and men." in text
    assert "Every pupil a laptop" in text
    assert "405 · Schools funded" in text
    assert '<progress max="100" value="25">' in text  # 1 of 4 schools
    assert '<span class="badge badge--achieved">Achieved</span>' in text  # the approved report
    assert "1,500.00" in text  # paid, as a programme total


def test_programme_content_in_the_chosen_language_with_english_fallback(programmes):
    public, _hidden, _funded = programmes
    url = reverse("public:programme", kwargs={"code": public.code})
    dutch = body(Client().get(url + "?lang=nl"))
    assert "<h1>Open programma</h1>" in dutch and "Gefinancierde scholen" in dutch
    assert '<html lang="nl">' in dutch
    french = body(Client().get(url + "?lang=fr"))
    assert "<h1>Open programme</h1>" in french  # no French name: English
    assert "Un ordinateur par élève" in french
    cookie = Client()
    cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert "<h1>Offenes Programm</h1>" in body(cookie.get(url))


def test_programme_json(programmes):
    public, _hidden, _funded = programmes
    response = Client().get(reverse("public:programme-json", kwargs={"code": public.code}) + "?lang=nl")
    data = json.loads(body(response))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert data["name"] == "Open programma"
    assert data["language"] == "nl"
    assert data["budget"]["total"] == "5200000.00"
    assert data["budget"]["paid"] == "1500.00"
    assert data["sdgs"][0]["number"] == 4
    assert [(m["number"], m["value"], m["status"]) for m in data["milestones"]] == [
        ("405", "1", "on_track"),
        ("406", "40.00", "on_track"),
        ("407", "1", "achieved"),
    ]
    assert set(data) == {
        "as_of", "authority", "budget", "climate_contribution", "code", "country", "description",
        "digital_contribution", "end_goal", "gender_equality_impact", "language", "links", "milestones",
        "name", "objectives", "period_end", "period_start", "region", "sdgs", "source_url", "status",
        "status_label", "tags",
    }  # fmt: skip


def test_programme_csvs(programmes):
    public, _hidden, _funded = programmes
    response = Client().get(reverse("public:programme-csv", kwargs={"code": public.code}) + "?lang=en")
    rows = list(csv.reader(io.StringIO(body(response)), delimiter=";"))
    assert rows[0][:4] == ["programme", "number", "kind", "title"]
    assert [row[1:4] + row[10:13] for row in rows[1:]] == [
        ["405", "target", "Schools funded", "1", "25.0", "on_track"],
        ["406", "target", "Teachers trained", "40.00", "40.0", "on_track"],
        ["407", "milestone", "Bandwidth report", "1", "100.0", "achieved"],
    ]
    response = Client().get(reverse("public:programme-budget-csv", kwargs={"code": public.code}))
    rows = list(csv.reader(io.StringIO(body(response)), delimiter=";"))
    assert rows == [
        ["programme", "kind", "source", "amount_eur", "cofinancing_rate", "committed_eur", "paid_eur"],
        ["open-programme", "eu_rrf", "Recovery facility", "5200000.00", "", "0.00", "1500.00"],
    ]


def test_index_lists_only_public_programmes(programmes):
    data = json.loads(body(Client().get(reverse("public:index-json"))))
    assert [p["code"] for p in data["programmes"]] == ["open-programme"]
    assert data["programmes"][0]["budget_total"] == "5200000.00"
    assert data["programmes"][0]["milestones_and_targets"] == 3
    page = body(Client().get(reverse("public:index") + "?lang=en"))
    assert 'href="/p/open-programme/?lang=en">Open programme</a>' in page
    rows = list(csv.reader(io.StringIO(body(Client().get(reverse("public:index-csv")))), delimiter=";"))
    assert [row[0] for row in rows] == ["code", "open-programme"]


def test_public_pages_refuse_writes(programmes):
    public, _hidden, _funded = programmes
    response = Client().post(reverse("public:programme", kwargs={"code": public.code}))
    assert response.status_code in (403, 405)  # CSRF or method
    assert Client(enforce_csrf_checks=False).post(reverse("public:index")).status_code == 405
