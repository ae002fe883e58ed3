"""Limits under attack: a request body too large is refused before it is read, and a number too
large for the database is a 400 (or a 404 in the path), never a 500.

**Request size.** ``RequestSizeLimitMiddleware`` answers 413 with the application's own page (JSON
under ``/api/``) when a request's ``Content-Length`` exceeds :func:`request_max_bytes`, before
anything reads the body. Under WSGI nothing reads the body before a view asks for it. Under ASGI
Django reads (spools) the whole body before the first middleware runs, so :func:`limit_request_body`
wraps the ASGI application: with a ``Content-Length`` over the limit it hands Django an empty body
without reading the client's, and without a ``Content-Length`` (chunked) it stops reading at the
limit and marks the request, which the middleware then refuses the same way.

**Numbers beyond 64 bits.** SQLite raises ``OverflowError`` for an integer it cannot store, and a
filter such as ``?school=18446744073709551616`` reached it. The API's filter backend and the
FilterSet base (``digileap/core/filters.py``) refuse such values with a 400 naming the parameter;
``IntegerOverflowMiddleware`` is the net under every other page: an ``OverflowError`` from a request
whose query string holds an integer beyond 64 bits becomes a 400 naming that parameter, and one
whose path holds such an id a 404.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .filters import INTEGER_MAX, INTEGER_MIN, out_of_range_message, out_of_range_parameters

MEBIBYTE = 1024 * 1024
# Room for the multipart envelope and the other fields of a form around the largest file.
REQUEST_OVERHEAD_BYTES = 1 * MEBIBYTE
TOO_LARGE_SCOPE_KEY = "digileap.body_too_large"


def request_max_bytes() -> int:
    """The largest request body accepted: ``DIGILEAP_REQUEST_MAX_BYTES``, or else the largest file
    any form accepts (``IMPORT_MAX_FILE_BYTES``, ``DIGILEAP_UPLOAD_MAX_BYTES``) plus 1 MB."""
    explicit = getattr(settings, "DIGILEAP_REQUEST_MAX_BYTES", None)
    if explicit:
        return int(explicit)
    largest = max(
        int(getattr(settings, "IMPORT_MAX_FILE_BYTES", 0)),
        int(getattr(settings, "DIGILEAP_UPLOAD_MAX_BYTES", 0)),
        int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", 0) or 0),
    )
    return largest + REQUEST_OVERHEAD_BYTES


def _declared_length(value: str | bytes | None) -> int | None:
    if value is None:
        return None
    try:
        length = int(value)
    except (TypeError, ValueError):
        return None
    return length if length >= 0 else None


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def too_large_response(request: HttpRequest, size: int | None, limit: int) -> HttpResponse:
    if size is None:
        message = _("The request is larger than %(limit)s, the largest this installation accepts.") % {
            "limit": filesizeformat(limit)
        }
    else:
        message = _("The request is %(size)s; the largest this installation accepts is %(limit)s.") % {
            "size": filesizeformat(size),
            "limit": filesizeformat(limit),
        }
    if _is_api(request):
        response: HttpResponse = JsonResponse({"detail": message}, status=413)
    else:
        response = render(request, "core/limits/too_large.html", {"message": message}, status=413)
    # The body was not read: the connection cannot carry another request.
    response["Connection"] = "close"
    return response


class RequestSizeLimitMiddleware:
    """413 for a body over :func:`request_max_bytes`, decided on ``Content-Length`` before the body
    is read (and on the ASGI wrapper's mark for a chunked body)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = request_max_bytes()
        scope = getattr(request, "scope", None) or {}
        if scope.get(TOO_LARGE_SCOPE_KEY):
            return too_large_response(request, _declared_length(request.META.get("CONTENT_LENGTH")), limit)
        length = _declared_length(request.META.get("CONTENT_LENGTH"))
        if length is not None and length > limit:
            return too_large_response(request, length, limit)
        return self.get_response(request)


Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Send], Awaitable[None]]


def limit_request_body(app: ASGIApp) -> ASGIApp:
    """Wrap an ASGI application so that a body over the limit is never read into the server."""

    async def wrapped(scope: dict, receive: Callable[[], Awaitable[dict]], send: Send):
        if scope.get("type") != "http":
            return await app(scope, receive, send)
        limit = request_max_bytes()
        headers = dict(scope.get("headers") or [])
        length = _declared_length(headers.get(b"content-length"))
        if length is not None and length > limit:
            return await app(scope, _empty_body(), send)
        return await app(scope, _counted_body(scope, receive, limit), send)

    return wrapped


async def _wait_forever() -> dict[str, Any]:
    # Django listens for a disconnect while the view runs and cancels the listener when the
    # response is sent; reading the client's remaining body here would only waste the bandwidth.
    await asyncio.Event().wait()
    raise AssertionError("unreachable")  # pragma: no cover


def _empty_body() -> Callable[[], Awaitable[dict]]:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await _wait_forever()

    return receive


def _counted_body(scope: dict, receive: Callable[[], Awaitable[dict]], limit: int) -> Callable[[], Awaitable[dict]]:
    received = 0
    stopped = False

    async def counted() -> dict[str, Any]:
        nonlocal received, stopped
        if stopped:
            return await _wait_forever()
        message = await receive()
        if message.get("type") == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                stopped = True
                scope[TOO_LARGE_SCOPE_KEY] = True
                return {"type": "http.request", "body": b"", "more_body": False}
        return message

    return counted


# Numbers beyond 64 bits.


class IntegerOverflowMiddleware:
    """An ``OverflowError`` from the database (SQLite cannot bind an integer beyond 64 bits) becomes
    a 400 naming the query parameter, or a 404 when the number is an id in the path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OverflowError):
            return None
        parameters = out_of_range_parameters(request.GET)
        if parameters:
            return bad_number_response(request, parameters)
        match = getattr(request, "resolver_match", None)
        kwargs = match.kwargs if match else {}
        if any(_out_of_range(value) for value in kwargs.values()):
            from django.views.defaults import page_not_found

            if _is_api(request):
                return JsonResponse({"detail": _("No such object.")}, status=404)
            return page_not_found(request, Http404())
        return None


def _out_of_range(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not INTEGER_MIN <= value <= INTEGER_MAX
    if isinstance(value, str):
        return bool(out_of_range_parameters({"_": value}))
    return False


def bad_number_response(request: HttpRequest, parameters: list[str]) -> HttpResponse:
    errors = {name: [out_of_range_message()] for name in parameters}
    if _is_api(request):
        return JsonResponse(errors, status=400)
    return render(request, "core/limits/bad_number.html", {"errors": sorted(errors.items())}, status=400)
