"""Fixes from the acceptance walk of the programme administration pages (issue 11)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from digileap.accounts.models import Role
from digileap.core.permissions import Action, permits
from digileap.programmes.indicators import (
    ENUM_LABELS,
    IndicatorKind,
    get_kind,
    plain_schema,
    register_indicator_kind,
    unregister_indicator_kind,
)
from digileap.programmes.target_forms import indicator_parameter_fields

from .factories import FundingSourceFactory, ProgrammeFactory


def client_for(user) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def test_a_single_authority_is_preselected_without_an_empty_choice(world, role_users):
    form = client_for(role_users[Role.PROGRAMME_OWNER]).get(reverse("programmes:programme-create")).context["form"]
    choices = [(str(value), label) for value, label in form.fields["authority"].choices]
    assert choices == [(str(world.authority.pk), str(world.authority))]
    assert form["authority"].value() == world.authority.pk
    html = str(form["authority"])
    assert "---------" not in html
    assert f'<option value="{world.authority.pk}" selected>' in html


def test_several_authorities_keep_the_empty_choice(world, role_users):
    form = client_for(role_users[Role.ADMINISTRATOR]).get(reverse("programmes:programme-create")).context["form"]
    labels = [label for _value, label in form.fields["authority"].choices]
    assert labels[0] == "---------"
    assert len(labels) >= 3
    assert form["authority"].value() is None


@pytest.mark.parametrize("page", ["programmes:programme-detail", "programmes:programme-dashboard"])
def test_a_programme_without_funding_source_says_so_and_offers_to_add_one(world, role_users, page):
    programme = ProgrammeFactory(authority=world.authority)
    add_url = reverse("programmes:programme-source-create", args=[programme.pk])
    link = f'<a href="{add_url}">Add a funding source</a>'

    owner_page = client_for(role_users[Role.PROGRAMME_OWNER]).get(reverse(page, args=[programme.pk]))
    html = owner_page.content.decode()
    assert "No funding source is recorded yet. " + link in html
    assert "state no budget" not in html

    reader = role_users[Role.FUNDING_ADMINISTRATOR]
    assert not permits(reader, Action.CHANGE, programme)
    reader_html = client_for(reader).get(reverse(page, args=[programme.pk])).content.decode()
    assert "No funding source is recorded yet." in reader_html
    assert add_url not in reader_html


def test_a_programme_with_a_funding_source_does_not_say_none_is_recorded(world, role_users):
    programme = FundingSourceFactory(programme__authority=world.authority).programme
    html = (
        client_for(role_users[Role.PROGRAMME_OWNER])
        .get(reverse("programmes:programme-detail", args=[programme.pk]))
        .content.decode()
    )
    assert "No funding source is recorded yet." not in html


# The indicator's parameter fields read the labels the kinds' schemas carry (titles, enum labels).


def parameter_fields(kind_code: str) -> dict:
    return {
        name: field
        for kind, fields in indicator_parameter_fields()
        if kind.code == kind_code
        for name, _n, field in fields
    }


def test_device_parameters_show_titles_and_labels_not_codes():
    fields = parameter_fields("devices_delivered")
    assert fields["device_types"].label == "Device types"
    assert ("laptop", "Laptop") in fields["device_types"].choices
    assert ("interactive_display", "Interactive display") in fields["device_types"].choices
    assert fields["condition"].label == "Condition"
    assert list(fields["condition"].choices) == [("", "—"), ("new", "New"), ("refurbished", "Refurbished")]
    assert fields["target_group"].choices[1:] == [("pupil", "Pupil"), ("teacher", "Teacher")]
    assert fields["count"].label == "Count"
    assert fields["count"].choices[1:] == [
        ("accepted", "Accepted devices"),
        ("delivered", "Delivered devices, damaged included"),
        ("all_not_damaged", "Delivered devices, damaged excluded"),
    ]
    assert fields["levels"].label == "Levels"
    assert fields["levels"].choices == [
        (0, "Pre-primary (ISCED 0)"),
        (1, "Primary (ISCED 1)"),
        (2, "Lower secondary (ISCED 2)"),
        (3, "Upper secondary (ISCED 3)"),
        (4, "Post-secondary non-tertiary (ISCED 4)"),
    ]
    pupils = parameter_fields("pupils_with_device")
    assert pupils["enrolment_of"].label == "Enrolment of"
    assert pupils["enrolment_of"].choices[1:] == [
        ("programme_authority", "Every school of the programme's authority"),
        ("schools_with_recipients", "Only schools with recipients of the programme's devices"),
    ]
    assert pupils["as_ratio"].label == "As a ratio (%)"
    assert pupils["eligibility_groups"].label == "Eligibility groups"


def test_the_labels_follow_the_language():
    with translation.override("de"):
        fields = parameter_fields("devices_delivered")
        assert fields["condition"].choices[1:] == [
            ("new", str(translation.gettext("New"))),
            ("refurbished", str(translation.gettext("Refurbished"))),
        ]


class PartlyLabelledKind(IndicatorKind):
    code = "uat_partly_labelled"
    label = "Partly labelled"
    parameter_schema = {
        "type": "object",
        "properties": {
            "colour": {
                "type": "string",
                "title": gettext_lazy("Colour"),
                "enum": ["red", "ultraviolet"],
                ENUM_LABELS: {"red": gettext_lazy("Red")},
            },
            "plain_code": {"type": "string", "enum": ["a_b"]},
        },
        "additionalProperties": False,
    }


@pytest.fixture
def partly_labelled_kind():
    register_indicator_kind(PartlyLabelledKind())  # lazy texts pass jsonschema's check of the schema
    yield get_kind("uat_partly_labelled")
    unregister_indicator_kind("uat_partly_labelled")


def test_a_value_without_label_and_a_property_without_title_fall_back_to_their_codes(partly_labelled_kind):
    fields = parameter_fields("uat_partly_labelled")
    assert fields["colour"].label == "Colour"
    assert fields["colour"].choices == [("", "—"), ("red", "Red"), ("ultraviolet", "ultraviolet")]
    assert fields["plain_code"].label == "Plain code"
    assert fields["plain_code"].choices == [("", "—"), ("a_b", "a_b")]
    with translation.override("de"):
        partly_labelled_kind.validate_parameters({"colour": "ultraviolet"})
        with pytest.raises(ValidationError):
            partly_labelled_kind.validate_parameters({"colour": "green"})


def test_schemas_with_lazy_texts_validate_and_serialise():
    kind = get_kind("pupils_with_device")
    kind.validate_parameters({"levels": [1, 2], "enrolment_of": "schools_with_recipients"})
    with pytest.raises(ValidationError):
        kind.validate_parameters({"enrolment_of": "everyone"})
    plain = plain_schema(kind.parameter_schema)
    assert json.loads(json.dumps(plain))["properties"]["enrolment_of"]["title"] == "Enrolment of"
    assert json.loads(json.dumps(plain))["properties"]["levels"]["items"][ENUM_LABELS]["1"] == "Primary (ISCED 1)"


def test_the_target_page_shows_the_labels_and_levels_are_saved_as_numbers(world, role_users):
    programme = ProgrammeFactory(authority=world.authority)
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    html = client.get(reverse("programmes:programme-target-create", args=[programme.pk])).content.decode()
    assert "Device types" in html and "Interactive display" in html and "Primary (ISCED 1)" in html
    assert ">device_types<" not in html and ">interactive_display<" not in html
    response = client.get(
        reverse("programmes:programme-indicator-preview", args=[programme.pk]),
        {"indicator_kind": "access_points_installed", "param__access_points_installed__levels": ["1", "2"]},
    )
    assert response.json()["error"] == ""


def test_device_parameter_help_is_for_people_and_translatable():
    fields = parameter_fields("devices_delivered")
    assert str(fields["count"].help_text) == (
        "Which devices count. By default only those the school accepted; devices recorded as missing at "
        "acceptance never count."
    )
    assert isinstance(fields["count"].help_text, Promise)
    assert "'" not in str(fields["accepted_only"].help_text)
