"""How the OpenAPI schema describes the API, beyond what drf-spectacular derives on its own.

* Every field carries a description: its ``help_text`` when it has one, else its label (the
  model field's ``verbose_name`` or the serializer field's ``label``), else its name in words.
* Every operation declares the error answers the API gives: 400 (invalid input), 401 (no or a bad
  credential), 403 (outside the caller's roles or scope), 404 (unknown or out-of-scope object),
  413 (body over the request size limit, ``digileap.core.limits``), 415 (a body of another media
  type, or a malformed one), 429 (throttled).
* Integer parameters (path ids and numeric filters) are 64-bit: ``format: int64`` with its
  bounds, which is what the API accepts (``digileap.core.filters`` answers 400 beyond them);
  number filters are at most 1e50 (django-filter's bound).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

ERROR_COMPONENT = "ErrorDetail"
VALIDATION_COMPONENT = "ValidationErrorDetail"

ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    ERROR_COMPONENT: {
        "type": "object",
        "description": "An error answer: one message for the whole request.",
        "properties": {
            "detail": {"type": "string", "description": "What went wrong, in the caller's language."},
        },
        "required": ["detail"],
    },
    VALIDATION_COMPONENT: {
        "description": (
            "Invalid input: the messages per field name (``non_field_errors`` for the request as a "
            "whole, ``detail`` for one message), or a list of messages."
        ),
        "oneOf": [
            {"type": "object", "additionalProperties": {}},
            {"type": "array", "items": {"type": "string"}},
        ],
    },
}

ERROR_RESPONSES: dict[str, tuple[str, str]] = {
    "400": ("Invalid input: a field, a parameter or the request as a whole.", VALIDATION_COMPONENT),
    "401": ("No credential, or one that is not valid.", ERROR_COMPONENT),
    "403": ("The caller's roles or scope do not allow this.", ERROR_COMPONENT),
    "404": ("No such object, or none the caller may see.", ERROR_COMPONENT),
    "413": ("The request body is over the installation's size limit.", ERROR_COMPONENT),
    "415": ("The request body's media type is not one the operation reads.", ERROR_COMPONENT),
    "429": ("Too many requests: try again later (see Retry-After).", ERROR_COMPONENT),
}

_COMMON_DESCRIPTIONS = {
    "id": "Identifier of the record.",
}


def describe_field(field: serializers.Field) -> str:
    """A description for a serializer field that has no ``help_text``."""
    name = field.field_name or ""
    if name in _COMMON_DESCRIPTIONS:
        return _COMMON_DESCRIPTIONS[name]
    label = str(field.label) if field.label else name.replace("_", " ").capitalize()
    return f"{label}."


def _model_field(field: serializers.Field) -> Any:
    """The model field behind a serializer field with a plain ``source``, or None."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except Exception:  # noqa: BLE001 - a property or an annotation: no model field
        return None


class DigileapAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with a description on every field, and read-only fields
    described by what their model field may hold (DRF drops ``allow_blank`` from read-only fields,
    and a read-only related field does not say it may be null)."""

    def _get_serializer_field_meta(self, field: Any, direction: str) -> dict[str, Any]:
        meta: dict[str, Any] = super()._get_serializer_field_meta(field, direction)
        if isinstance(field, serializers.Field) and not meta.get("description"):
            meta["description"] = describe_field(field)
        if isinstance(field, serializers.Field) and field.read_only:
            model_field = _model_field(field)
            if model_field is not None and getattr(model_field, "null", False):
                meta["nullable"] = True
        return meta

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> Any:
        blank = isinstance(field, serializers.CharField | serializers.ChoiceField) and (
            getattr(field, "allow_blank", False) or (field.read_only and getattr(_model_field(field), "blank", False))
        )
        if blank and isinstance(field, serializers.ChoiceField) and not field.allow_blank:
            field.allow_blank = True  # the enumeration then includes "" (ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE)
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if blank and isinstance(schema, dict) and "format" in schema and schema.get("type") == "string":
            # An optional e-mail address or link is "" when empty: either the format or nothing.
            shape = {
                key: schema.pop(key) for key in ("type", "format", "maxLength", "minLength", "pattern") if key in schema
            }
            schema["anyOf"] = [shape, {"type": "string", "maxLength": 0}]
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        result: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        # A read-only field with a default is left out of a partial update's answer (DRF skips
        # defaults when ``partial``): it is not required.
        fields = getattr(serializer, "fields", {})
        optional = {
            name
            for name, field in fields.items()
            if field.read_only and field.default is not serializers.empty and name in result.get("required", [])
        }
        if optional:
            result["required"] = [name for name in result["required"] if name not in optional]
            if not result["required"]:
                del result["required"]
        return result


# django-filter's NumberFilter refuses values above 1e50 (its own validator): the schema says so.
NUMBER_FILTER_MAX = 1e50


def _int64(schema: dict[str, Any]) -> None:
    if schema.get("type") == "integer" and "enum" not in schema:
        schema.setdefault("format", "int64")
        schema.setdefault("minimum", INT64_MIN)
        schema.setdefault("maximum", INT64_MAX)
    elif schema.get("type") == "number" and "enum" not in schema:
        schema.setdefault("maximum", NUMBER_FILTER_MAX)


def postprocess_schema(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Declare the error answers on every operation and the 64-bit range of integer parameters."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_SCHEMAS)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "put", "post", "patch", "delete", "head", "options", "trace"}:
                continue
            for parameter in operation.get("parameters", []):
                _int64(parameter.get("schema", {}))
            responses = operation.setdefault("responses", {})
            for status, (description, component) in ERROR_RESPONSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                    },
                )
    return result
