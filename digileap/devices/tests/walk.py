"""INSIDE and OUTSIDE objects of the devices app's models for the permission walk
(digileap/core/tests/test_permission_walk.py). Each area gives its own in ``walk_<area>.py``
with ``walk_objects(*, world, role_users) -> {label: (inside, outside)}``; this module merges them."""

from importlib import import_module
from importlib.util import find_spec

AREAS = ["catalogue", "deliveries", "devices", "recipients", "agreements", "aftercare", "exchange"]


def walk_objects(*, world, role_users) -> dict:
    objects: dict = {}
    for area in AREAS:
        name = f"{__package__}.walk_{area}"
        if find_spec(name) is not None:
            objects.update(import_module(name).walk_objects(world=world, role_users=role_users))
    return objects
