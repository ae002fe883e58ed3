"""Typed access to a model's fields (``_meta.get_field`` also answers with reverse relations)."""

from django.db import models


def model_field(model: type[models.Model] | models.Model, name: str) -> models.Field:
    """The field ``name`` of ``model`` declared on the model (not the reverse side of a relation):
    to read its ``verbose_name`` or convert a value with ``to_python``."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model._meta.label}.{name} is the reverse side of a relation"
    return field


def max_length(model: type[models.Model], name: str) -> int:
    """The ``max_length`` of the text field ``name`` of ``model``."""
    length = model_field(model, name).max_length
    assert length is not None, f"{model._meta.label}.{name} has no max_length"
    return length
