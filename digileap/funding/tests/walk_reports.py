"""The report part's objects for the permission walk (see ``walk.py``): its routes act on calls
(``call-overview``, ``call-export-*``) and school operators (``schooloperator-funding``), which the
walk already has, so it adds none."""


def extend(*, side, made, world, role_users) -> dict:
    return {}
