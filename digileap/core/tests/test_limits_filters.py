"""Integers beyond 64 bits in filters and paths: a 400 naming the parameter, or a 404; never a 500.

SQLite cannot bind an integer beyond 64 bits (``OverflowError``); PostgreSQL compares it as a
numeric. Either way the answer is the same: the API and the pages refuse the filter with a message
that names it, and an id beyond 64 bits in a path is not found.
"""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from digileap.accounts.models import Role
from digileap.core.filters import INTEGER_MAX, INTEGER_MIN, is_out_of_range, out_of_range_parameters

pytestmark = pytest.mark.django_db

HUGE = (2**64, -(2**64) - 1)
MESSAGE = f"Enter a whole number between {INTEGER_MIN} and {INTEGER_MAX}."
# Pagination, not filters: DRF answers a page beyond the last with 404 "Invalid page." and caps
# the page size at its maximum.
PAGINATION = {"page", "page_size"}
# Query parameters validated by a serializer rather than a FilterSet: a 400 in the serializer's words
# (with the required ``programme=1`` that does not exist, about that first).
FILTER_MESSAGE_EXCEPTIONS = {
    "/api/purchase-orders/ordered-versus-allocated/": (
        "contract",
        "funding_source",
        "operator",
        "programme",
        "supplier",
    ),
}


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def api_list_parameters() -> list[tuple[str, str, dict]]:
    """(path, parameter, the operation's required parameters filled in) for every integer or number
    query parameter of every API list operation."""
    found = []
    for path, methods in _schema()["paths"].items():
        operation = methods.get("get")
        if not operation or "{" in path:
            continue
        query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        required = {p["name"]: "1" for p in query if p.get("required")}
        for parameter in query:
            if parameter.get("schema", {}).get("type") in ("integer", "number"):
                found.append((path, parameter["name"], required))
    return found


@pytest.fixture
def admin_client(role_users) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(role_users[Role.ADMINISTRATOR])
    return client


def test_the_range_check():
    assert not is_out_of_range(str(INTEGER_MAX)) and not is_out_of_range(str(INTEGER_MIN))
    assert is_out_of_range(str(INTEGER_MAX + 1)) and is_out_of_range(str(INTEGER_MIN - 1))
    assert is_out_of_range(["1", str(2**64)]) and is_out_of_range(f"1,{2**64}")
    assert not is_out_of_range("89490200001234567890x") and not is_out_of_range("")
    assert out_of_range_parameters({"school": str(2**64), "q": "x", "page": "2"}) == ["school"]


def test_every_integer_filter_of_every_api_list_answers_400_naming_it(admin_client):
    parameters = api_list_parameters()
    filters = [(path, name, required) for path, name, required in parameters if name not in PAGINATION]
    operations = {path for path, _name, _required in filters}
    # The count when this test was written (109 on 59); more is fine, far fewer means the enumeration broke.
    assert len(filters) >= 100 and len(operations) >= 50
    wrong = []
    for path, name, required in filters:
        for value in HUGE:
            response = admin_client.get(path, {**required, name: value})
            # Filters say so in their own words ("Enter a whole number ..."); a choice of integers
            # (a level) or a serializer-validated query names the parameter in theirs.
            if response.status_code != 400:
                wrong.append((path, name, value, response.status_code))
            elif name in FILTER_MESSAGE_EXCEPTIONS.get(path, ()):
                continue
            elif name not in response.json():
                wrong.append((path, name, value, response.json()))
            elif name == "level":
                continue
            elif response.json()[name] != [MESSAGE]:
                wrong.append((path, name, value, response.json()[name]))
    assert wrong == []


# A page beyond the last is "not found"; a page size outside 1..max is a 400 naming it (core/api/pagination.py).
PAGINATION_STATUS = {"page": 404, "page_size": 400}


def test_pagination_parameters_beyond_64_bits_are_no_server_error(admin_client):
    wrong = []
    for path, name, _required in api_list_parameters():
        if name in PAGINATION:
            for value in HUGE:
                status = admin_client.get(path, {name: value}).status_code
                if status != PAGINATION_STATUS[name]:
                    wrong.append((path, name, value, status))
    assert wrong == []


def test_api_detail_paths_with_ids_beyond_64_bits_are_not_found(admin_client):
    wrong = []
    for path, methods in _schema()["paths"].items():
        if "get" not in methods or not re.search(r"\{(id|pk)\}", path) or path.count("{") != 1:
            continue
        url = re.sub(r"\{(id|pk)\}", str(2**70), path)
        status = admin_client.get(url).status_code
        if status != 404:
            wrong.append((url, status))
    assert wrong == []


# Pages.


def _int_routes(resolver=None, prefix: str = "", namespace: str = "") -> list[tuple[str, str, list[str]]]:
    """(name, regex, names of the int kwargs) of every page route whose kwargs are all <int:...>."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            routes += _int_routes(entry, prefix + str(entry.pattern), child)
        elif isinstance(entry, URLPattern):
            converters = getattr(entry.pattern, "converters", {})
            pattern = prefix + str(entry.pattern)
            if converters and all(type(c).__name__ == "IntConverter" for c in converters.values()):
                # The API is enumerated from its schema; the Django admin is not the application's.
                if not pattern.startswith(("api/", "admin/")):
                    name = f"{namespace}:{entry.name}" if namespace else (entry.name or pattern)
                    routes.append((name, pattern, list(converters)))
    return routes


def test_page_paths_with_ids_beyond_64_bits_are_not_found(admin_client):
    routes = _int_routes()
    assert len(routes) > 100
    wrong = []
    for name, pattern, _kwargs in routes:
        url = "/" + re.sub(r"<int:\w+>", str(2**70), pattern).lstrip("^").rstrip("$")
        status = admin_client.get(url).status_code
        if status not in (404, 405):
            wrong.append((name, url, status))
    assert wrong == []


def test_the_device_register_refuses_a_school_beyond_64_bits(admin_client):
    response = admin_client.get("/devices/register/", {"school": 2**64})
    if connection.vendor != "sqlite":
        # PostgreSQL compares the number as a numeric and finds no device: no error to catch.
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "<code>school</code>: " + MESSAGE in response.content.decode()


class _FilterForms(HTMLParser):
    """The numeric fields of a page's GET forms: number inputs, numeric hidden inputs, and selects
    whose options are ids."""

    def __init__(self):
        super().__init__()
        self.in_get_form = False
        self.select: str | None = None
        self.options: list[str] = []
        self.numeric: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.in_get_form = (attributes.get("method") or "get").lower() == "get"
        elif not self.in_get_form or not attributes.get("name"):
            if tag == "option" and self.select is not None:
                self.options.append(attributes.get("value") or "")
        elif tag == "input":
            kind = (attributes.get("type") or "text").lower()
            if kind == "number" or (kind == "hidden" and (attributes.get("value") or "").isdigit()):
                self.numeric.add(attributes["name"])
        elif tag == "select":
            self.select, self.options = attributes["name"], []

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_get_form = False
        elif tag == "select" and self.select is not None:
            values = [value for value in self.options if value]
            if values and all(value.isdigit() for value in values):
                self.numeric.add(self.select)
            self.select = None


def _plain_routes(resolver=None, prefix: str = "") -> list[str]:
    """Every page path without arguments."""
    resolver = resolver or get_resolver()
    paths = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            paths += _plain_routes(entry, pattern)
        elif "<" not in pattern and "(" not in pattern and not pattern.startswith(("api/", "admin/")):
            paths.append("/" + pattern.lstrip("^").rstrip("$"))
    return paths


def test_every_numeric_field_of_every_page_filter_form_refuses_a_number_beyond_64_bits(admin_client, world):
    checked, refused = [], []
    wrong = []
    for path in sorted(set(_plain_routes())):
        response = admin_client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _FilterForms()
        parser.feed(response.content.decode())
        for name in sorted(parser.numeric):
            for value in HUGE:
                answer = admin_client.get(path, {name: value})
                checked.append((path, name))
                if answer.status_code == 400:
                    refused.append((path, name))
                    page = answer.content.decode()
                    # The net's page names the parameter; a page may also refuse it with its own form.
                    if "A number is out of range" in page and f"<code>{name}</code>" not in page:
                        wrong.append((path, name, value, "400 without the parameter's name"))
                elif answer.status_code != 200:
                    # 200: the page's form refused the value itself ("Select a valid choice") or
                    # ignored it; never a server error.
                    wrong.append((path, name, value, answer.status_code))
    assert wrong == []
    # The page's plain form takes any whole number; SQLite's OverflowError is caught by the net.
    assert ("/devices/register/", "school") in refused or connection.vendor != "sqlite"
    # 13 pages when this test was written.
    assert len({path for path, _name in checked}) >= 10
