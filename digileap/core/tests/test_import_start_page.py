"""The import start page offers, for the chosen target, its own template, its own profiles, and the
school year only where the target uses it (issue 11, defect 7: the delivery import offered the
schools template, every target's profiles and the school year)."""

import re

import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.import_views import uses_school_year
from digileap.core.tabular.profiles import available_profiles


@pytest.fixture
def admin_client(client, db):
    client.force_login(user_with_role(Role.ADMINISTRATOR, username="import-admin"))
    return client


def offered_profiles(html: str) -> list[str]:
    select = re.search(r'<select name="profile"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_delivery_import_offers_its_own_template_and_profiles_and_no_school_year(admin_client):
    html = admin_client.get(reverse("importjob-create"), {"target": "deliveries"}).content.decode()
    assert offered_profiles(html) == ["autopilot-csv", "generic"]
    assert f"{reverse('importprofile-template')}?target=deliveries" in html
    assert "?target=schools" not in html
    assert 'name="school_year"' not in html
    assert '<input type="hidden" name="target" value="deliveries">' in html


def test_the_schools_import_offers_the_school_year_and_only_school_profiles(admin_client):
    html = admin_client.get(reverse("importjob-create")).content.decode()  # schools by default
    assert offered_profiles(html) == sorted(available_profiles("schools"))
    assert 'name="school_year"' in html
    assert f"{reverse('importprofile-template')}?target=schools" in html


def test_the_transactions_import_offers_its_generic_profile(admin_client):
    html = admin_client.get(reverse("importjob-create"), {"target": "transactions"}).content.decode()
    assert offered_profiles(html) == ["generic"]
    assert 'name="school_year"' not in html


def test_only_the_targets_that_use_it_have_a_school_year():
    assert uses_school_year("schools") is True
    assert uses_school_year("deliveries") is False
    assert uses_school_year("transactions") is False


def test_a_profile_of_another_target_is_refused(admin_client):
    response = admin_client.post(reverse("importjob-create"), {"target": "deliveries", "profile": "hamburg"})
    assert response.status_code == 400
    assert "Select a valid choice. hamburg is not one of the available choices." in response.content.decode()


def test_each_target_downloads_its_own_template(admin_client):
    response = admin_client.get(reverse("importprofile-template"), {"target": "deliveries"})
    assert response["Content-Disposition"] == 'attachment; filename="digileap-deliveries-template.csv"'
    header = b"".join(response.streaming_content).decode("utf-8-sig").strip().split(";")
    assert header == [
        "serial",
        "model",
        "asset_tag",
        "mac_address",
        "autopilot_hash",
        "windows_product_id",
        "google_device_id",
        "condition",
        "school",
        "site",
        "delivery_note",
        "delivered_on",
        "order",
        "programme",
    ]
    response = admin_client.get(reverse("importprofile-template"), {"target": "transactions"})
    header = b"".join(response.streaming_content).decode("utf-8-sig").strip().split(";")
    assert header == ["programme", "source", "kind", "amount", "date", "school", "reference"]
    assert admin_client.get(reverse("importprofile-template"), {"target": "nothing"}).status_code == 404


def test_the_job_page_counts_warnings_and_says_where_money_over_budget_is_shown(db):
    from django.template.loader import render_to_string

    from digileap.core.models import ImportJob

    job = ImportJob(target="transactions", profile="generic", status=ImportJob.Status.PREVIEWED)
    context = {"job": job, "summary": {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": 1}}
    html = render_to_string("core/imports/_job_status.html", {**context, "Status": ImportJob.Status})
    assert "<dt>Warnings</dt><dd>1</dd>" in html
    assert "Some rows take a funding source over its budget" in html
