"""Walk every route of the URL configuration, as every role, with objects inside and outside the scope.

The routes come from ``get_resolver()`` (pages and the API router alike), so a new route is walked
as soon as it is added. A route with keyword arguments the walk cannot fill fails
``test_every_route_can_be_walked`` by name: give its kwargs the names the walk understands
(``pk`` for the model the route name starts with, ``<model>_pk`` for another model), and give
the walk an INSIDE and an OUTSIDE object of that model: an app does so in
``digileap/<app>/tests/walk.py`` with ``walk_objects(*, world, role_users) -> {label: (inside, outside)}``
(OUTSIDE objects carry the marker "OUTSIDE" in their names, as in ``conftest.world``).

For every role but the administrator (whose scope is everything):
- GET on a route without kwargs (lists, exports, forms) shows nothing of the OUTSIDE objects:
  pages, JSON, CSV and XLSX are searched for the marker, API counts match what is shown;
- GET on a route with an OUTSIDE object's key is a 404 (or 403, 405, or a redirect to sign-in);
- POST, PUT, PATCH and DELETE aimed at OUTSIDE objects change nothing in the database.
The auditor's writes change nothing anywhere, also on INSIDE objects.
"""

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

import openpyxl
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core import audit
from digileap.core.models import AuditEvent, ImportJob
from digileap.core.tests.audit_dba import triggers_bypassed
from digileap.schools.models import EligibilityGroup, EligibleCount, StaffCount
from digileap.schools.tests.factories import EnrolmentFactory, SiteFactory, SocioEconomicIndexFactory

MARKER = "OUTSIDE"

# Routes left out of the walk, each public by design or walked differently.
EXCLUDED_ROUTES = {
    "healthz": "public by design: liveness and database status for load balancers, no data",
    "favicon": "public by design: a redirect to the icon, no data",
    "login": "public by design: the sign-in form",
    "logout": "public by design: signing out; a POST would end the walking client's session",
    "set_language": "public by design: stores the chosen language in a cookie",
    "api-token": "public by design: exchanges a username and password for a token (throttled)",
    "api-schema": "the OpenAPI description of the routes, no data; any signed-in role (or public by setting), "
    "see digileap/accounts/tests/test_signin_walk.py",
    "api-docs": "the API documentation page, no data; any signed-in role (or public by setting), "
    "see digileap/accounts/tests/test_signin_walk.py",
    "devices:useragreement-accept": (
        "public by design: a parent or pupil accepts a user agreement by the secret token of its link; "
        "covered by digileap/devices/tests/test_agreements_views.py"
    ),
    **{
        f"connectivity:{name}": (
            "public by design: staff without an account run the speed test by the signed link of a school; "
            "covered by digileap/connectivity/tests/test_speedtest_views.py"
        )
        for name in ("testlink-run", "testlink-start", "testlink-finish")
    },
    "training:authority-badge-issuer": (
        "public by design: an authority's Open Badges issuer profile (its name and the public keys that "
        "verify its badges), nothing personal; covered by digileap/training/tests/test_badges.py"
    ),
    "training:completion-verify": (
        "public by design: checks a certificate number and says which course it is for, nothing personal; "
        "covered by digileap/training/tests/test_certificate.py"
    ),
    "training:invitation-accept": (
        "public by design: a staff member follows the one-time link of their invitation to make their "
        "teacher account; covered by digileap/training/tests/test_invitation*.py"
    ),
    "people:userinvitation-accept": (
        "public by design: an invited person follows the one-time link of their invitation to make their "
        "account or take the role; covered by digileap/accounts/tests/test_people_views.py"
    ),
    "connectivity:speedtest-ping": (
        "public by design: an empty answer the speed test times for latency and jitter, no data; "
        "covered by digileap/connectivity/tests/test_speedtest_views.py"
    ),
    **{
        f"public:{name}": "public by design; covered by test_public_pages.py"
        for name in (
            "index",
            "index-json",
            "index-csv",
            "programme",
            "programme-json",
            "programme-csv",
            "programme-budget-csv",
        )
    },
}
EXCLUDED_PATHS = {
    "admin/": "Django's admin is gated by is_staff; test_admin_is_for_staff_only checks role users are sent away",
    "static/": "static files, served in development only",
    "media/": "uploaded files, served in development only",
}
WRITE_METHODS = ("post", "put", "patch", "delete")
DETAIL_GET_STATUSES = {403, 404, 405}


@dataclass
class Route:
    name: str  # with namespace, e.g. "schools:school-detail"
    pattern: str
    kwargs: list[str] = field(default_factory=list)

    @property
    def short_name(self) -> str:
        return self.name.rsplit(":", 1)[-1]

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")


def _kwarg_names(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str, kwargs: list[str]):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner_namespace = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                walk(
                    entry.url_patterns,
                    prefix + str(entry.pattern),
                    inner_namespace,
                    kwargs + _kwarg_names(entry.pattern),
                )
            elif isinstance(entry, URLPattern):
                name = namespace + entry.name if entry.name else f"<unnamed {prefix}{entry.pattern}>"
                routes.append(Route(name, prefix + str(entry.pattern), kwargs + _kwarg_names(entry.pattern)))

    walk(get_resolver().url_patterns, "", "", [])
    return routes


def exclusion_reason(route: Route) -> str | None:
    if route.name in EXCLUDED_ROUTES:
        return EXCLUDED_ROUTES[route.name]
    for prefix, reason in EXCLUDED_PATHS.items():
        if route.pattern.lstrip("^").startswith(prefix):
            return reason
    return None


def walked_routes() -> list[Route]:
    return [route for route in all_routes() if exclusion_reason(route) is None]


def model_label_for(prefix: str) -> str | None:
    """The model a route name prefix or a ``<model>_pk`` kwarg means: its model name exactly
    (``school``, ``importjob``), or the one model whose name ends with it (``operator``)."""
    prefix = prefix.replace("-", "").replace("_", "").lower()
    models = [m for m in apps.get_models() if m.__module__.startswith("digileap.")]
    exact = [m for m in models if m._meta.model_name == prefix]
    if len(exact) == 1:
        return exact[0]._meta.label_lower
    suffix = [m for m in models if m._meta.model_name.endswith(prefix)]
    if len(suffix) == 1:
        return suffix[0]._meta.label_lower
    return None


def route_model(route: Route) -> str | None:
    return model_label_for(route.short_name.split("-", 1)[0])


class Unfillable(Exception):
    pass


def kwargs_for(route: Route, registry: dict, side: str) -> dict:
    """Keyword arguments pointing at the ``side`` ("inside" or "outside") object of each model."""
    values = {}
    for name in route.kwargs:
        if name == "pk":
            label = route_model(route)
            if label is None:
                raise Unfillable(f"the route name does not start with a model name: {route.short_name!r}")
        elif name.endswith("_pk"):
            label = model_label_for(name[: -len("_pk")])
            if label is None:
                raise Unfillable(f"{name!r} does not name a model")
        else:
            raise Unfillable(f"the walk does not know how to fill {name!r} (use pk or <model>_pk)")
        if label not in registry:
            app = label.split(".")[0]
            raise Unfillable(f"no INSIDE/OUTSIDE objects of {label}: add them to digileap/{app}/tests/walk.py")
        values[name] = registry[label][side].pk
    return values


def url_for(route: Route, registry: dict, side: str) -> str:
    return reverse(route.name, kwargs=kwargs_for(route, registry, side))


# The database fingerprint: every row of every Digileap table.

FINGERPRINT_SKIPPED_FIELDS = {"accounts.user": {"last_login"}}
# The pupil-data access log records reads (a page that shows pupils writes one row): not a write by
# the role, and the log's own tests count its rows exactly (digileap/privacy/tests).
FINGERPRINT_SKIPPED_MODELS = {"privacy.pupildataaccess"}


def fingerprint() -> dict[str, tuple[int, str]]:
    prints = {}
    for model in apps.get_models():
        if not model.__module__.startswith("digileap."):
            continue
        label = model._meta.label_lower
        if label in FINGERPRINT_SKIPPED_MODELS:
            continue
        names = [
            f.attname for f in model._meta.concrete_fields if f.name not in FINGERPRINT_SKIPPED_FIELDS.get(label, ())
        ]
        rows = list(model._default_manager.order_by("pk").values_list(*names))
        prints[label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return prints


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))


# Reading responses.


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type or content.startswith(b"PK\x03\x04"):
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        cells = []
        for sheet in workbook.worksheets:
            cells.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                cells.extend(str(value) for value in row if value is not None)
        return "\n".join(cells)
    return content.decode("utf-8-sig", errors="replace")


def leaks(response) -> list[str]:
    """What of the OUTSIDE objects a response shows."""
    problems = []
    text = body_text(response)
    if MARKER in text:
        index = text.index(MARKER)
        problems.append(f"shows {text[max(0, index - 60) : index + 40]!r}")
    if "json" in response.get("Content-Type", ""):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and "count" in data and isinstance(data.get("results"), list):
            if data.get("next") is None and data["count"] != len(data["results"]):
                problems.append(f"count {data['count']} but {len(data['results'])} results")
    return problems


def is_redirect_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def write_payload(registry: dict, label: str | None, side: str) -> dict:
    """The fields of the ``side`` object of the route's model, renamed so a new row could be made
    from it: a create aims at the OUTSIDE parents, an update at the OUTSIDE object itself."""
    if label is None or label not in registry:
        return {"name": f"{MARKER} written"}
    data = audit.snapshot(registry[label][side])
    data.pop("id", None)
    for key, value in list(data.items()):
        if isinstance(value, str) and key in {"name", "number", "code", "original_filename"}:
            data[key] = f"{value}-written"
    return data


def form_encoded(data: dict) -> dict:
    encoded = {}
    for key, value in data.items():
        if value is None:
            encoded[key] = ""
        elif isinstance(value, bool):
            if value:
                encoded[key] = "on"
        elif isinstance(value, (dict, list)):
            encoded[key] = json.dumps(value)
        else:
            encoded[key] = str(value)
    return encoded


UPLOAD = b"number;name;operator\n1001;INSIDE school written;INSIDE operator\n"


def attempt_write(client: Client, route: Route, url: str, method: str, payload: dict, with_upload: bool = False):
    """One write. ``with_upload`` adds a small CSV file to form posts (upload and import pages):
    only for the auditor, since for others an upload of their own may rightly be kept."""
    if method == "delete":
        return client.delete(url)
    if route.is_api:
        return getattr(client, method)(url, json.dumps(payload), content_type="application/json")
    if method == "post":
        data = form_encoded(payload)
        if with_upload:
            data["file"] = SimpleUploadedFile("registry.csv", UPLOAD, content_type="text/csv")
        return client.post(url, data)
    from urllib.parse import urlencode

    return getattr(client, method)(
        url, urlencode(form_encoded(payload)), content_type="application/x-www-form-urlencoded"
    )


# Fixtures.


@pytest.fixture
def registry(world, role_users):
    """An INSIDE and an OUTSIDE object of every model a route may point at (the registry's here,
    other apps' from their ``tests/walk.py``)."""
    scale_group = EligibilityGroup.objects.create(code="lv-low-income", name="Low income")
    outside_owner = user_with_role(Role.PROGRAMME_OWNER, world.other_authority, username="OUTSIDE-owner")
    objects = {
        "schools.authority": (world.authority, world.other_authority),
        "schools.schooloperator": (world.operator, world.other_operator),
        "schools.school": (world.school, world.other_school),
        "schools.site": (
            SiteFactory(school=world.school, name="INSIDE site"),
            SiteFactory(school=world.other_school, name="OUTSIDE site"),
        ),
        "schools.enrolment": (EnrolmentFactory(school=world.school), EnrolmentFactory(school=world.other_school)),
        "schools.staffcount": tuple(
            StaffCount.objects.create(school=school, school_year="2024/25", teachers=12)
            for school in (world.school, world.other_school)
        ),
        "schools.eligiblecount": tuple(
            EligibleCount.objects.create(school=school, school_year="2024/25", group=scale_group, pupils=7)
            for school in (world.school, world.other_school)
        ),
        "schools.socioeconomicindex": (
            SocioEconomicIndexFactory(school=world.school),
            SocioEconomicIndexFactory(school=world.other_school),
        ),
        "devices.supplier": (world.supplier, world.other_supplier),
        "core.importjob": tuple(
            ImportJob.objects.create(
                target="schools",
                profile="generic",
                file=ContentFile(b"number;name\n", name=f"{side}.csv"),
                original_filename=f"{side}.csv",
                sha256="0" * 64,
                size_bytes=12,
                created_by=creator,
            )
            for side, creator in (("INSIDE", role_users[Role.PROGRAMME_OWNER]), ("OUTSIDE", outside_owner))
        ),
        "core.auditevent": tuple(
            audit.record(actor=None, action="update", instance=school, after={"name": school.name})
            for school in (world.school, world.other_school)
        ),
    }
    objects.update(walk_objects_of_apps(world=world, role_users=role_users))
    return {label: {"inside": inside, "outside": outside} for label, (inside, outside) in objects.items()}


def walk_objects_of_apps(**fixtures) -> dict:
    """INSIDE and OUTSIDE objects that other apps give the walk in their ``tests/walk.py``."""
    objects = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("digileap.") or find_spec(f"{config.name}.tests") is None:
            continue
        if find_spec(f"{config.name}.tests.walk") is not None:
            objects.update(import_module(f"{config.name}.tests.walk").walk_objects(**fixtures))
    return objects


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


SCOPED_ROLES = [role for role in Role if role != Role.ADMINISTRATOR]


# The tests.


def test_every_route_can_be_walked(registry):
    problems = []
    for route in walked_routes():
        try:
            kwargs_for(route, registry, "outside")
        except Unfillable as reason:
            problems.append(f"{route.name} ({route.pattern}): {reason}")
    assert problems == [], "routes the permission walk cannot fill:\n" + "\n".join(problems)


def test_the_walk_finds_pages_and_api_routes():
    names = {route.name for route in walked_routes()}
    assert {"home", "school-list", "school-detail", "auditevent-list", "api-root"} <= names
    assert any(route.pattern.startswith("schools/") for route in walked_routes())


def test_exclusions_are_only_public_routes():
    excluded = {route.name for route in all_routes() if exclusion_reason(route)}
    assert {name for name in excluded if not name.startswith(("admin:", "<unnamed admin/"))} == set(EXCLUDED_ROUTES)


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_nothing_outside_the_scope_is_read(role, role_users, registry):
    client = signed_in(role_users[role])
    problems = []
    for route in walked_routes():
        try:
            kwargs_for(route, registry, "outside")
        except Unfillable:
            continue  # reported by test_every_route_can_be_walked
        if not route.kwargs:
            url = reverse(route.name)
            outside_filters = {
                "authority": registry["schools.authority"]["outside"].pk,
                "operator": registry["schools.schooloperator"]["outside"].pk,
                "school": registry["schools.school"]["outside"].pk,
            }
            queries = [({}, "*/*"), (outside_filters, "*/*")]
            if route.is_api:
                # The browsable API renders forms whose choices must be scoped too.
                queries.append(({}, "text/html"))
            for query, accept in queries:
                response = client.get(url, query, HTTP_ACCEPT=accept)
                if response.status_code >= 500:
                    problems.append(f"GET {url} {query or ''} {accept}: status {response.status_code}")
                problems += [f"GET {url} {query or ''} {accept}: {leak}" for leak in leaks(response)]
        else:
            url = url_for(route, registry, "outside")
            response = client.get(url)
            if response.status_code not in DETAIL_GET_STATUSES and not is_redirect_to_sign_in(response):
                problems.append(f"GET {url} ({route.name}) on an OUTSIDE object: status {response.status_code}")
            problems += [f"GET {url} ({route.name}): {leak}" for leak in leaks(response)]
    assert problems == [], f"{role} reads outside its scope:\n" + "\n".join(problems)


def test_the_administrator_reaches_the_outside_objects(role_users, registry):
    """The control for the walk: the objects it aims at exist and the detail routes find them."""
    client = signed_in(role_users[Role.ADMINISTRATOR])
    problems = []
    for route in walked_routes():
        if not route.kwargs:
            continue
        try:
            url = url_for(route, registry, "outside")
        except Unfillable:
            continue
        response = client.get(url)
        if response.status_code in (404, 500):
            problems.append(f"GET {url} ({route.name}): status {response.status_code}")
    assert problems == []


def attempt_writes(
    client: Client, registry: dict, side: str, per_route_fingerprint: bool, with_upload: bool = False
) -> tuple[list, list]:
    """POST, PUT, PATCH and DELETE on every route, aimed at the ``side`` objects.

    Returns (problems, suspects): server errors and, with ``per_route_fingerprint``, the routes
    after which the database differed; suspects are the writes that were not refused.
    """
    problems, suspects = [], []
    before = fingerprint() if per_route_fingerprint else None
    for route in walked_routes():
        try:
            url = url_for(route, registry, side)
        except Unfillable:
            continue  # reported by test_every_route_can_be_walked
        payload = write_payload(registry, route_model(route), side)
        statuses = []
        for method in WRITE_METHODS:
            response = attempt_write(client, route, url, method, payload, with_upload)
            statuses.append(f"{method.upper()} {response.status_code}")
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {url} ({route.name}): status {response.status_code}")
            elif response.status_code < 400 and response.status_code != 302:
                suspects.append(f"{method.upper()} {url} ({route.name}): status {response.status_code}")
        if per_route_fingerprint:
            after = fingerprint()
            if changed := changed_tables(before, after):
                problems.append(f"{url} ({route.name}) changed {changed} [{', '.join(statuses)}]")
            before = after
    return problems, suspects


def assert_writes_change_nothing(
    client: Client, registry: dict, side: str, who: str, with_upload: bool = False
) -> None:
    # One fingerprint around the whole walk keeps it fast; only when something changed is the walk
    # repeated with a fingerprint after every route, to name the route.
    before = fingerprint()
    problems, suspects = attempt_writes(client, registry, side, False, with_upload)
    changed = changed_tables(before, fingerprint())
    if changed:
        located, _ = attempt_writes(client, registry, side, True, with_upload)
        problems += located or [f"the walk changed {changed}; writes not refused: {suspects}"]
    assert problems == [], f"{who}:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_nothing_outside_the_scope_is_written(role, role_users, registry):
    assert_writes_change_nothing(signed_in(role_users[role]), registry, "outside", f"{role} writes outside its scope")


def test_the_auditor_writes_nothing_anywhere(role_users, registry):
    assert_writes_change_nothing(
        signed_in(role_users[Role.AUDITOR]), registry, "inside", "the auditor wrote", with_upload=True
    )


def test_an_auditor_with_scope_all_writes_nothing_either(world, registry):
    auditor = user_with_role(Role.AUDITOR, None, username="auditor-all")
    assert_writes_change_nothing(
        signed_in(auditor), registry, "outside", "an auditor with scope all wrote", with_upload=True
    )


def test_a_write_that_goes_through_is_named(role_users, registry):
    """The control for the write walk: the administrator's writes do change the database, and
    the walk names the route that did it."""
    client = signed_in(role_users[Role.ADMINISTRATOR])
    problems, _ = attempt_writes(client, registry, "outside", per_route_fingerprint=True, with_upload=True)
    # The upload reaches the import pages: an administrator's upload is kept.
    assert any("'core.importjob'" in problem for problem in problems), problems
    assert (
        "/api/authorities/ (authority-list) changed ['core.auditchainhead', 'core.auditevent', 'schools.authority']"
        in [problem.rsplit(" [", 1)[0] for problem in problems]
    )


@pytest.mark.parametrize("role", list(Role))
def test_admin_is_for_staff_only(role, role_users):
    user = role_users[role]
    assert not user.is_staff
    response = signed_in(user).get("/admin/")
    assert response.status_code == 302
    assert re.match(r"^/admin/login/\?next=/admin/$", response["Location"])


def test_the_fingerprint_sees_a_change(registry):
    before = fingerprint()
    StaffCount.objects.filter(pk=registry["schools.staffcount"]["outside"].pk).update(teachers=13)
    assert changed_tables(before, fingerprint()) == ["schools.staffcount"]
    with triggers_bypassed():  # audit events are append-only
        AuditEvent.objects.filter(pk=registry["core.auditevent"]["outside"].pk).update(action="x")
    assert changed_tables(before, fingerprint()) == ["core.auditevent", "schools.staffcount"]


def test_the_leak_check_finds_the_marker_in_an_xlsx(role_users, registry):
    from django.http import HttpResponse

    workbook = openpyxl.Workbook()
    workbook.active.append(["number", "name"])
    workbook.active.append(["2002", "OUTSIDE school"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert leaks(response) == ["shows 'Sheet\\nnumber\\nname\\n2002\\nOUTSIDE school'"]
