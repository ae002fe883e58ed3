"""Public programme pages, without login: an index and a page per public programme, each also as
JSON and CSV. Everything shown comes from ``public.py``; programmes that are not public are a 404.

The language is the visitor's (cookie, browser) or ``?lang=xx`` for a shareable link in one of the
five languages; programme content falls back to English where a text is not translated.
"""

import functools
import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from digileap.core.exports import csv_response

from . import public, selectors


def _language_of(request) -> str:
    requested = (request.GET.get("lang") or "").lower()
    if requested in dict(settings.LANGUAGES):
        return requested
    return translation.get_language() or settings.LANGUAGE_CODE


def public_view(view):
    """GET only; the language of ``?lang=`` when given; Content-Language set."""

    @functools.wraps(view)
    @require_GET
    def wrapper(request, *args, **kwargs):
        language = _language_of(request)
        with translation.override(language):
            response = view(request, *args, language=language, **kwargs)
        response["Content-Language"] = language
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        return response

    return wrapper


def _json(data) -> HttpResponse:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True)
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # public open data
    return response


def _languages(request) -> list[dict]:
    """This page in each language, named in that language: ``Nederlands`` → ``/p/x/?lang=nl``.

    A plain link (no form, no script) that a visitor can share. The context key is
    ``language_links``: ``base.html`` sets ``languages`` for its own switcher.
    """
    return [
        {
            "code": code,
            "name": translation.get_language_info(code)["name_local"],
            "url": f"{request.path}?{urlencode({'lang': code})}",
        }
        for code, _label in settings.LANGUAGES
    ]


def _summaries() -> list[dict]:
    programmes = selectors.public_programmes().prefetch_related("funding_sources", "targets").order_by("code")
    return [public.programme_summary(programme) for programme in programmes]


@public_view
def index(request, *, language: str):
    context = {"programmes": _summaries(), "language_links": _languages(request), "language": language}
    return render(request, "programmes/public/index.html", context)


@public_view
def index_json(request, *, language: str):
    return _json({"language": language, "programmes": _summaries()})


@public_view
def index_csv(request, *, language: str):
    return csv_response("programmes", public.INDEX_CSV_COLUMNS, public.index_csv_rows(_summaries()))


def _data(code: str, language: str) -> dict:
    programme = selectors.public_programme_get(code)
    return public.programme_data(programme, timezone.localdate(), language)


@public_view
def programme(request, code: str, *, language: str):
    data = _data(code, language)
    context = {"data": data, "language_links": _languages(request), "language": language}
    return render(request, "programmes/public/programme.html", context)


@public_view
def programme_json(request, code: str, *, language: str):
    return _json(_data(code, language))


@public_view
def programme_csv(request, code: str, *, language: str):
    data = _data(code, language)
    return csv_response(f"{code}-milestones", public.TARGET_CSV_COLUMNS, public.target_csv_rows(data))


@public_view
def programme_budget_csv(request, code: str, *, language: str):
    data = _data(code, language)
    return csv_response(f"{code}-budget", public.BUDGET_CSV_COLUMNS, public.budget_csv_rows(data))
