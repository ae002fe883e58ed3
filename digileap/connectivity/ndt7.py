"""The installation's own ndt7 endpoint: a pure ASGI app for the websocket paths
``/ndt/v7/download`` and ``/ndt/v7/upload`` (subprotocol ``net.measurementlab.ndt.v7``), see
https://github.com/m-lab/ndt-server/blob/main/spec/ndt7-protocol.md and docs/connectivity-speedtest.md.

- A connection must carry a *ticket* (query parameter ``ticket``) that the start of a speed test
  signed (``make_ticket``): the test's id, a nonce and the byte cap, valid for ``TICKET_MAX_AGE``
  seconds, usable once per direction in this process. A missing, forged, expired or reused ticket
  is accepted at the websocket level and closed at once with code 1008 (policy violation) and a
  reason, so the page can say what went wrong.
- Download: binary messages of random bytes (slices of one buffer made at import), 8 KiB at first,
  doubled whenever the message is at most 1/16 of what was sent so far, up to 8 MiB; for at most
  ``DOWNLOAD_SECONDS`` or the byte cap. Upload: the client's messages are read and counted for at
  most ``UPLOAD_SECONDS`` (a little under the client's 10 s, so that the final message reaches it
  before it closes) or the byte cap.
- Every ``MEASUREMENT_INTERVAL`` the server sends a Measurement text message
  (``{"AppInfo": {"ElapsedTime": µs, "NumBytes": n}, "Origin": "server", "Test": ...}``); the last one
  also carries ``DigileapSummary``: the bytes, the elapsed µs, the direction and the test id, signed
  (``read_summary``). The page posts the summaries back, so the recorded speeds are the server's
  own count.

The app never touches the database (it can run as a process of its own); it needs only the
Django settings (``SECRET_KEY``) for the signatures.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import secrets
import time
from urllib.parse import parse_qs

from django.core import signing

try:  # the gunicorn worker class; uvicorn-worker is installed with the app
    from uvicorn_worker import UvicornWorker as _UvicornWorker
except ImportError:  # pragma: no cover
    _UvicornWorker = object

SUBPROTOCOL = "net.measurementlab.ndt.v7"
DOWNLOAD_PATH = "/ndt/v7/download"
UPLOAD_PATH = "/ndt/v7/upload"
PATHS = {DOWNLOAD_PATH: "download", UPLOAD_PATH: "upload"}

TICKET_SALT = "digileap.connectivity.ndt7.ticket"
SUMMARY_SALT = "digileap.connectivity.ndt7.summary"
TICKET_MAX_AGE = 60  # seconds from the start of the test to the opening of a connection
SUMMARY_MAX_AGE = 300  # seconds from the end of a direction to the posting of the result

DOWNLOAD_SECONDS = 10.0
UPLOAD_SECONDS = 9.5
MEASUREMENT_INTERVAL = 0.25
MIN_MESSAGE = 1 << 13
MAX_MESSAGE = 1 << 23
SCALING_FRACTION = 16

NORMAL_CLOSURE = 1000
POLICY_VIOLATION = 1008


@functools.cache
def messages() -> dict[int, bytes]:
    """A bytes object per message size (8 KiB ... 8 MiB, 16 MiB in all), slices of one buffer of
    random bytes: random so that no compression on the way flatters the figures, made once per
    process (at the first download, not at import: the web and task processes import this module
    for the tickets) so that sending costs no generation."""
    buffer = os.urandom(MAX_MESSAGE)
    sizes = {}
    size = MIN_MESSAGE
    while size <= MAX_MESSAGE:
        sizes[size] = buffer[:size]
        size *= 2
    return sizes


class TicketError(Exception):
    """A connection's ticket is missing, forged, expired or used already."""


def make_ticket(*, test_id: int, max_bytes: int) -> str:
    """The signed ticket a speed test's start hands the page (see ``read_ticket``)."""
    return signing.dumps({"t": test_id, "b": max_bytes, "n": secrets.token_urlsafe(12)}, salt=TICKET_SALT)


def read_ticket(ticket: str, *, max_age: int = TICKET_MAX_AGE) -> dict:
    """``{"t": test id, "b": byte cap, "n": nonce}``; raises ``TicketError``."""
    if not ticket:
        raise TicketError("no ticket")
    try:
        data = signing.loads(ticket, salt=TICKET_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise TicketError("ticket expired") from None
    except signing.BadSignature:
        raise TicketError("ticket not valid") from None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int) or not isinstance(data.get("b"), int):
        raise TicketError("ticket not valid")
    return data


def make_summary(*, test_id: int, direction: str, num_bytes: int, elapsed_us: int) -> str:
    return signing.dumps({"t": test_id, "d": direction, "b": num_bytes, "us": elapsed_us}, salt=SUMMARY_SALT)


def read_summary(summary: str, *, test_id: int, direction: str, max_age: int = SUMMARY_MAX_AGE) -> dict:
    """The server's own count of one direction, ``{"bytes": n, "elapsed_us": µs}``, from a summary this
    installation signed for this test and direction; raises ``signing.BadSignature`` otherwise."""
    data = signing.loads(summary, salt=SUMMARY_SALT, max_age=max_age)
    if not isinstance(data, dict) or data.get("t") != test_id or data.get("d") != direction:
        raise signing.BadSignature("the summary is for another test or direction")
    num_bytes, elapsed = data.get("b"), data.get("us")
    if not isinstance(num_bytes, int) or not isinstance(elapsed, int) or num_bytes < 0 or elapsed <= 0:
        raise signing.BadSignature("the summary has no figures")
    return {"bytes": num_bytes, "elapsed_us": elapsed}


def measurement(test: str, elapsed: float, num_bytes: int, summary: str | None = None) -> str:
    message = {
        "AppInfo": {"ElapsedTime": int(elapsed * 1_000_000), "NumBytes": num_bytes},
        "Origin": "server",
        "Test": test,
    }
    if summary is not None:
        message["DigileapSummary"] = summary
    return json.dumps(message)


class NDT7App:
    """The ASGI app for the two websocket paths (``config/asgi.py`` routes them here)."""

    def __init__(
        self,
        *,
        download_seconds: float = DOWNLOAD_SECONDS,
        upload_seconds: float = UPLOAD_SECONDS,
        interval: float = MEASUREMENT_INTERVAL,
    ) -> None:
        self.download_seconds = download_seconds
        self.upload_seconds = upload_seconds
        self.interval = interval
        # Tickets used in this process: (nonce, direction) -> when it may be forgotten.
        self._used: dict[tuple[str, str], float] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "websocket":
            await _not_found(send)
            return
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        direction = PATHS.get(_path(scope))
        if direction is None or SUBPROTOCOL not in scope.get("subprotocols", []):
            await send({"type": "websocket.close", "code": POLICY_VIOLATION})  # an HTTP 403 before the upgrade
            return
        await send({"type": "websocket.accept", "subprotocol": SUBPROTOCOL})
        try:
            ticket = self.use_ticket(_query(scope).get("ticket", ""), direction)
        except TicketError as error:
            await send({"type": "websocket.close", "code": POLICY_VIOLATION, "reason": str(error)})
            return
        try:
            if direction == "download":
                await self.download(ticket, receive, send)
            else:
                await self.upload(ticket, receive, send)
        except OSError:  # the client went away (uvicorn's ClientDisconnected is an OSError)
            return

    def use_ticket(self, raw: str, direction: str) -> dict:
        ticket = read_ticket(raw)
        now = time.monotonic()
        if len(self._used) > 10_000:
            self._used = {key: until for key, until in self._used.items() if until > now}
        key = (ticket["n"], direction)
        if self._used.get(key, 0) > now:
            raise TicketError("ticket used already")
        self._used[key] = now + TICKET_MAX_AGE + 1
        return ticket

    async def download(self, ticket: dict, receive, send) -> None:
        cap = ticket["b"]
        messages_ = messages()
        start = time.monotonic()
        deadline = start + self.download_seconds
        next_measurement = start + self.interval
        sent = 0
        size = MIN_MESSAGE
        while sent < cap:
            now = time.monotonic()
            if now >= deadline:
                break
            if now >= next_measurement:
                await send({"type": "websocket.send", "text": measurement("download", now - start, sent)})
                next_measurement = now + self.interval
            data = messages_[size] if sent + size <= cap else messages_[MAX_MESSAGE][: cap - sent]
            await send({"type": "websocket.send", "bytes": data})
            sent += len(data)
            if size < MAX_MESSAGE and size <= sent / SCALING_FRACTION:
                size *= 2
        # uvicorn waits for its write buffer to drain before it writes the next message: the clock
        # stops once the last byte is with the kernel, not when it was queued.
        await send({"type": "websocket.send", "text": measurement("download", time.monotonic() - start, sent)})
        await self._finish("download", ticket, start, sent, send)

    async def upload(self, ticket: dict, receive, send) -> None:
        cap = ticket["b"]
        start = time.monotonic()
        deadline = start + self.upload_seconds
        next_measurement = start + self.interval
        received = 0
        last = start
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(loop.time() + self.upload_seconds):
                while received < cap:
                    message = await receive()
                    if message["type"] == "websocket.disconnect":
                        return
                    data = message.get("bytes")
                    if data is None:
                        data = (message.get("text") or "").encode()
                    received += len(data)
                    last = time.monotonic()
                    if last >= deadline:
                        break
                    if last >= next_measurement:
                        await send({"type": "websocket.send", "text": measurement("upload", last - start, received)})
                        next_measurement = last + self.interval
        except TimeoutError:
            pass
        await self._finish("upload", ticket, start, received, send, end=last if received else None)

    async def _finish(self, test: str, ticket: dict, start: float, num_bytes: int, send, end: float | None = None):
        elapsed = (end if end is not None else time.monotonic()) - start
        elapsed = max(elapsed, 1e-6)
        summary = make_summary(
            test_id=ticket["t"], direction=test, num_bytes=num_bytes, elapsed_us=max(1, int(elapsed * 1_000_000))
        )
        await send({"type": "websocket.send", "text": measurement(test, elapsed, num_bytes, summary)})
        await send({"type": "websocket.close", "code": NORMAL_CLOSURE})


class UvicornWorker(_UvicornWorker):
    """The gunicorn worker for ``config.asgi:application``: uvicorn's, with per-message deflate off
    (a browser asks for it, and compressing random bytes would cost the server its speed and make
    the figures differ from other ndt7 servers) and messages up to 16 MiB (the ndt7 maximum).

    ``gunicorn -k digileap.connectivity.ndt7.UvicornWorker config.asgi:application``
    """

    CONFIG_KWARGS = {
        "loop": "auto",
        "http": "auto",
        "ws_per_message_deflate": False,
        "ws_max_size": 1 << 24,
    }


def _path(scope) -> str:
    path = scope.get("path", "")
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path


def _query(scope) -> dict[str, str]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return {key: values[0] for key, values in parse_qs(raw).items()}


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _not_found(send) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Not found"})


application = NDT7App()
