"""A request body over the limit is refused on its Content-Length, before anything reads it:
413 with the application's page (JSON under /api/), under WSGI and ASGI alike."""

import asyncio

import pytest
from django.core.asgi import get_asgi_application

from digileap.core.limits import TOO_LARGE_SCOPE_KEY, limit_request_body, request_max_bytes

LIMIT = 5000


class UnreadableBody:
    """A WSGI input that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.DIGILEAP_REQUEST_MAX_BYTES = LIMIT


def post_declaring(client, path: str, length: int):
    return client.generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadableBody()},
    )


def test_the_default_limit_is_the_largest_file_a_form_takes_plus_one_megabyte(settings):
    settings.DIGILEAP_REQUEST_MAX_BYTES = None
    settings.IMPORT_MAX_FILE_BYTES = 500 * 1024 * 1024
    settings.DIGILEAP_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    assert request_max_bytes() == 501 * 1024 * 1024


@pytest.mark.django_db
def test_a_page_upload_over_the_limit_is_refused_before_its_body_is_read(client):
    response = post_declaring(client, "/imports/new/", 1_200_000_000)
    assert response.status_code == 413
    page = response.content.decode()
    assert "<h1>Too large</h1>" in page
    assert "The request is 1.1\xa0GB; the largest this installation accepts is 4.9\xa0KB." in page
    assert response["Connection"] == "close"


@pytest.mark.django_db
def test_an_api_upload_over_the_limit_is_refused_with_json(client):
    response = post_declaring(client, "/api/evidence-documents/", LIMIT + 1)
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request is 4.9\xa0KB; the largest this installation accepts is 4.9\xa0KB."
    }


@pytest.mark.django_db
def test_a_request_at_the_limit_goes_on_to_the_view(client):
    response = client.post("/api/evidence-documents/", data=b"x" * 100, content_type="application/octet-stream")
    assert response.status_code != 413


# ASGI: Django reads the whole body before the first middleware, so the wrapper must not let it.


def scope_for(path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


def run_asgi(app, scope, chunks: list[bytes]) -> tuple[int, bytes, int]:
    """(status, body, how many body chunks the application took from the client)."""
    taken = 0
    sent: list[dict] = []

    async def receive():
        nonlocal taken
        if taken < len(chunks):
            taken += 1
            return {"type": "http.request", "body": chunks[taken - 1], "more_body": taken < len(chunks)}
        await asyncio.Event().wait()

    async def send(message):
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=60))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, taken


@pytest.mark.django_db(transaction=True)
def test_asgi_over_the_declared_limit_is_refused_without_reading_a_byte_of_the_body():
    app = limit_request_body(get_asgi_application())
    scope = scope_for(
        "/api/evidence-documents/",
        [(b"content-length", b"1200000000"), (b"content-type", b"multipart/form-data; boundary=xyz")],
    )
    status, body, taken = run_asgi(app, scope, [b"x" * 1000] * 10)
    assert status == 413
    assert b"the largest this installation accepts is 4.9" in body
    assert taken == 0


@pytest.mark.django_db(transaction=True)
def test_asgi_chunked_body_is_read_only_up_to_the_limit():
    app = limit_request_body(get_asgi_application())
    scope = scope_for("/imports/new/", [(b"content-type", b"multipart/form-data; boundary=xyz")])
    status, body, taken = run_asgi(app, scope, [b"x" * 1000] * 100)
    assert status == 413
    assert b"<h1>Too large</h1>" in body
    assert b"The request is larger than 4.9" in body
    assert taken == 6  # 6,000 bytes: the first chunk over the limit, and not one more
    assert scope[TOO_LARGE_SCOPE_KEY] is True


def test_asgi_other_scopes_pass_untouched():
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope["type"])

    asyncio.run(limit_request_body(inner)({"type": "lifespan"}, None, None))
    assert seen == ["lifespan"]
