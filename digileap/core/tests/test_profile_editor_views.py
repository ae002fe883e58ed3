"""The profile editor's pages: start from a file, propose, preview, save; saved profiles; the schema URL.

Every role is walked: who may import a target may write its profiles, the others are refused, and
a saved profile is seen only by users who may import its target.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from digileap.accounts.models import Role

pytestmark = pytest.mark.django_db

GERMAN_HEADERS = ["Schulnummer", "Name der Schule", "PLZ", "Ort", "Schüler gesamt"]
GERMAN_ROWS = [
    ["1001", "Grundschule am Park", "22337", "Hamburg", "121"],
    ["1002", "Gymnasium Süd", "22339", "Hamburg", "viele"],
]


def german_csv(rows=None) -> bytes:
    """A semicolon-separated Windows-1252 file, as Excel writes it in Germany."""
    lines = [";".join(GERMAN_HEADERS)] + [";".join(row) for row in (rows or GERMAN_ROWS)]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def signed_in(client, user):
    client.force_login(user)
    return client


def start(client, *, target="schools", content=None, name="schulen-hamburg.csv", header_row=1):
    return client.post(
        reverse("importprofile-start"),
        {"target": target, "file": SimpleUploadedFile(name, content or german_csv()), "header_row": header_row},
    )


def editor_post(client, data: dict, **overrides):
    """POST the editor form with the values it shows, changed by ``overrides``."""
    values = dict(data)
    values.update(overrides)
    return client.post(reverse("importprofile-editor"), values)


def form_values(response) -> dict:
    """The values the editor page's form would submit unchanged (from the bound and unbound forms)."""
    editor = response.context["editor"]
    values = {
        "rows": len(editor.mappings),
        "constants": len(editor.constants),
        "filters": len(editor.filters),
        "code_lists": len(editor.code_lists),
        "definition_json": editor.definition_json,
        "definition_json_original": editor.definition_json,
    }
    for form in editor.forms():
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            values[bound.html_name] = "on" if value is True else value
    return values


def test_smoke(client, role_users):
    client = signed_in(client, role_users[Role.ADMINISTRATOR])
    response = start(client)
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.get(reverse("importprofile-editor"))
    assert response.status_code == 200
    values = form_values(response)
    print({k: v for k, v in values.items() if k.endswith(("-source", "-field"))})
    response = editor_post(client, values, action="preview")
    assert response.status_code == 200, response.content.decode()[:5000]
    print(response.context["preview"])
