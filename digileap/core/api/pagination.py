from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request

_PAGE_FIELD_DESCRIPTIONS = {
    "count": "Number of rows over all pages.",
    "next": "Address of the next page; null on the last page.",
    "previous": "Address of the previous page; null on the first page.",
    "results": "The rows of this page.",
}


class StrictPageMixin(BasePagination):
    """A page size outside 1..``max_page_size`` is a 400 (not silently the default or the maximum),
    and the OpenAPI schema says so and describes every field of a page."""

    page_size_query_param: str | None
    max_page_size: int | None

    def get_page_size(self, request: Request) -> int | None:
        param = self.page_size_query_param
        if param and param in request.query_params:
            raw = request.query_params[param]
            largest = self.max_page_size or 1
            try:
                size = int(raw)
            except ValueError:
                size = 0
            if not 1 <= size <= largest:
                raise ValidationError({param: [_("A whole number from 1 to %(largest)d.") % {"largest": largest}]})
        size_or_none: int | None = super().get_page_size(request)  # type: ignore[misc]
        return size_or_none

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter["name"] == self.page_size_query_param:
                schema.update({"minimum": 1, "maximum": self.max_page_size})
            elif parameter["name"] == getattr(self, "page_query_param", None):
                schema.update({"minimum": 1})
        return parameters

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        page: dict[str, Any] = super().get_paginated_response_schema(schema)
        for name, field in page.get("properties", {}).items():
            if name in _PAGE_FIELD_DESCRIPTIONS:
                field["description"] = _PAGE_FIELD_DESCRIPTIONS[name]
        return page


class StandardPagination(StrictPageMixin, PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
