"""The sign-in check of the permission walk: every walked route (pages and API alike) sends an
anonymous visitor away, to the sign-in page, or answers 401, 403 or 405. Routes that are public by
design are the walk's EXCLUDED_ROUTES (each with its reason) and the few listed here."""

from django.test import Client
from django.urls import reverse

from digileap.core.tests.test_permission_walk import Unfillable, kwargs_for, registry, walked_routes

__all__ = ["registry"]  # the walk's fixture, used here

# Walked for roles, but public by design for anonymous visitors.
PUBLIC_FOR_ANONYMOUS = {
    "home": "the home page: a welcome and the sign-in link for visitors, the role's start page for staff",
    "importprofile-schema": "the JSON Schema of import profile files (docs/imports.md), no data",
}
AWAY = {401, 403, 405}


def _sent_away(response) -> bool:
    if response.status_code in AWAY:
        return True
    return response.status_code == 302 and response["Location"].startswith(
        (reverse("login"), "/admin/login/", "/accounts/login/")
    )


def test_every_walked_route_needs_a_sign_in(registry):
    client = Client(raise_request_exception=False)
    problems = []
    for route in walked_routes():
        if route.short_name in PUBLIC_FOR_ANONYMOUS or route.name in PUBLIC_FOR_ANONYMOUS:
            continue
        try:
            kwargs = kwargs_for(route, registry, "inside")
        except Unfillable:
            continue  # test_every_route_can_be_walked names it
        url = reverse(route.name, kwargs=kwargs)
        response = client.get(url)
        if not _sent_away(response):
            problems.append(f"{route.name} {url}: {response.status_code}")
    assert problems == []


def test_the_api_description_needs_a_sign_in():
    """api-schema and api-docs are excluded from the role walk (they show no data), not from the sign-in."""
    client = Client()
    assert client.get(reverse("api-schema")).status_code == 401
    assert client.get(reverse("api-docs")).status_code == 302
