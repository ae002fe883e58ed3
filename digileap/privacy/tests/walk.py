"""INSIDE and OUTSIDE objects of the privacy app for the permission walk
(digileap/core/tests/test_permission_walk.py). Each part adds ``walk_<part>.py`` with
``extend(*, world, role_users) -> dict[label, (inside, outside)]``: ``access`` (the pupil-data access
log) and ``rights`` (exports and erasures of one pupil)."""

from importlib import import_module
from importlib.util import find_spec

PARTS = ["access", "rights"]


def walk_objects(*, world, role_users) -> dict:
    objects: dict = {}
    for part in PARTS:
        name = f"{__package__}.walk_{part}"
        if find_spec(name) is not None:
            objects.update(import_module(name).extend(world=world, role_users=role_users))
    return objects
