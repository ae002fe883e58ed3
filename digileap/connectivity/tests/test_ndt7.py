"""The ndt7 ASGI app driven directly (scope, receive, send): download and upload with a ticket,
the message sizes, the byte cap, the signed summary, and the refusal of bad tickets."""

import asyncio
import json
import time

import pytest
from django.core import signing

from digileap.connectivity import ndt7

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def scope(path="/ndt/v7/download", ticket=None, subprotocols=(ndt7.SUBPROTOCOL,)):
    query = f"ticket={ticket}".encode() if ticket is not None else b""
    return {
        "type": "websocket",
        "path": path,
        "query_string": query,
        "subprotocols": list(subprotocols),
        "headers": [],
    }


class Peer:
    """The client side: what the app sent, and what it receives (messages, then a stall)."""

    def __init__(self, incoming=(), delay=0.0):
        self.delay = delay
        self.sent = []
        self.incoming = [{"type": "websocket.connect"}, *incoming]

    async def receive(self):
        if self.incoming:
            return self.incoming.pop(0)
        await asyncio.sleep(3600)

    async def send(self, message):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.sent.append(message)

    @property
    def binary(self):
        return [m["bytes"] for m in self.sent if m["type"] == "websocket.send" and "bytes" in m]

    @property
    def texts(self):
        return [json.loads(m["text"]) for m in self.sent if m["type"] == "websocket.send" and "text" in m]


def run(app, scope_, peer):
    asyncio.run(app(scope_, peer.receive, peer.send))
    return peer


def fast_app(**kwargs):
    return ndt7.NDT7App(**{"download_seconds": 0.3, "upload_seconds": 0.3, "interval": 0.05, **kwargs})


def test_download_sends_growing_random_messages_and_a_signed_summary():
    ticket = ndt7.make_ticket(test_id=41, max_bytes=10**12)
    peer = run(fast_app(download_seconds=0.05), scope(ticket=ticket), Peer(delay=0.0005))
    assert peer.sent[0] == {"type": "websocket.accept", "subprotocol": "net.measurementlab.ndt.v7"}
    assert peer.sent[-1] == {"type": "websocket.close", "code": 1000}
    sizes = [len(data) for data in peer.binary]
    assert sizes[0] == 8192
    # Each size is the previous one or its double, never above 8 MiB; a size doubles only once
    # the message is at most 1/16 of what was sent before it.
    total = 0
    for before, after in zip(sizes, sizes[1:], strict=False):
        total += before
        assert after in (before, before * 2)
        if after == before * 2:
            assert before <= total / 16
    assert max(sizes) <= 8 * 1024 * 1024
    assert peer.binary[0] == ndt7.messages()[8192]
    final = peer.texts[-1]
    assert final["Origin"] == "server" and final["Test"] == "download"
    assert final["AppInfo"]["NumBytes"] == sum(sizes)
    figures = ndt7.read_summary(final["DigileapSummary"], test_id=41, direction="download")
    assert figures["bytes"] == sum(sizes)
    assert figures["elapsed_us"] == final["AppInfo"]["ElapsedTime"]
    assert all("DigileapSummary" not in text for text in peer.texts[:-1])
    assert all(text["AppInfo"]["NumBytes"] <= sum(sizes) for text in peer.texts)


def test_download_stops_at_the_byte_cap():
    ticket = ndt7.make_ticket(test_id=5, max_bytes=100_000)
    peer = run(fast_app(download_seconds=30), scope(ticket=ticket), Peer())
    assert sum(len(data) for data in peer.binary) == 100_000
    figures = ndt7.read_summary(peer.texts[-1]["DigileapSummary"], test_id=5, direction="download")
    assert figures["bytes"] == 100_000


def test_upload_counts_the_clients_bytes_until_the_time_is_up():
    ticket = ndt7.make_ticket(test_id=7, max_bytes=10**12)
    messages = [{"type": "websocket.receive", "bytes": b"x" * 8192} for _ in range(5)]
    messages.append({"type": "websocket.receive", "text": "{}"})
    peer = run(fast_app(), scope("/ndt/v7/upload", ticket), Peer(messages))
    assert peer.sent[0]["type"] == "websocket.accept"
    assert peer.sent[-1] == {"type": "websocket.close", "code": 1000}
    assert peer.binary == []
    final = peer.texts[-1]
    assert final["Test"] == "upload" and final["AppInfo"]["NumBytes"] == 5 * 8192 + 2
    figures = ndt7.read_summary(final["DigileapSummary"], test_id=7, direction="upload")
    assert figures["bytes"] == 5 * 8192 + 2
    with pytest.raises(signing.BadSignature):
        ndt7.read_summary(final["DigileapSummary"], test_id=7, direction="download")
    with pytest.raises(signing.BadSignature):
        ndt7.read_summary(final["DigileapSummary"], test_id=8, direction="upload")


def test_upload_stops_at_the_byte_cap():
    ticket = ndt7.make_ticket(test_id=9, max_bytes=20_000)
    messages = [{"type": "websocket.receive", "bytes": b"x" * 8192} for _ in range(10)]
    peer = run(fast_app(upload_seconds=30), scope("/ndt/v7/upload", ticket), Peer(messages))
    figures = ndt7.read_summary(peer.texts[-1]["DigileapSummary"], test_id=9, direction="upload")
    assert figures["bytes"] == 3 * 8192
    assert len(peer.incoming) == 7  # the app stopped reading


def test_upload_ends_quietly_when_the_client_leaves():
    ticket = ndt7.make_ticket(test_id=9, max_bytes=10**9)
    messages = [{"type": "websocket.receive", "bytes": b"x" * 10}, {"type": "websocket.disconnect", "code": 1000}]
    peer = run(fast_app(), scope("/ndt/v7/upload", ticket), Peer(messages))
    assert [m["type"] for m in peer.sent] == ["websocket.accept"]


def closed_with(peer):
    assert peer.sent[0] == {"type": "websocket.accept", "subprotocol": ndt7.SUBPROTOCOL}
    assert peer.binary == [] and peer.texts == []
    assert peer.sent[-1]["type"] == "websocket.close" and peer.sent[-1]["code"] == 1008
    return peer.sent[-1]["reason"]


def test_a_forged_ticket_is_refused_with_a_policy_close():
    ticket = ndt7.make_ticket(test_id=1, max_bytes=10**9)
    forged = ticket[:-3] + ("aaa" if not ticket.endswith("aaa") else "bbb")
    assert closed_with(run(fast_app(), scope(ticket=forged), Peer())) == "ticket not valid"
    other_salt = signing.dumps({"t": 1, "b": 10**9, "n": "x"}, salt="another purpose")
    assert closed_with(run(fast_app(), scope(ticket=other_salt), Peer())) == "ticket not valid"


def test_a_missing_ticket_is_refused():
    assert closed_with(run(fast_app(), scope(), Peer())) == "no ticket"


def test_an_expired_ticket_is_refused(monkeypatch):
    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() - 61)
    ticket = ndt7.make_ticket(test_id=1, max_bytes=10**9)
    monkeypatch.setattr(signing.time, "time", real)
    assert closed_with(run(fast_app(), scope(ticket=ticket), Peer())) == "ticket expired"


def test_a_ticket_serves_each_direction_once_in_a_process():
    app = fast_app(download_seconds=0.05, upload_seconds=0.05)
    ticket = ndt7.make_ticket(test_id=3, max_bytes=10**6)
    assert run(app, scope(ticket=ticket), Peer()).texts[-1]["DigileapSummary"]
    assert closed_with(run(app, scope(ticket=ticket), Peer())) == "ticket used already"
    upload = run(app, scope("/ndt/v7/upload", ticket), Peer())
    assert upload.texts[-1]["Test"] == "upload"


def test_without_the_subprotocol_or_on_another_path_the_upgrade_is_refused():
    ticket = ndt7.make_ticket(test_id=1, max_bytes=10**9)
    for scope_ in (scope(ticket=ticket, subprotocols=()), scope("/ndt/v7/other", ticket)):
        peer = run(fast_app(), scope_, Peer())
        assert peer.sent == [{"type": "websocket.close", "code": 1008}]


def test_lifespan_and_plain_http():
    peer = Peer()
    peer.incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    run(fast_app(), {"type": "lifespan"}, peer)
    assert peer.sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
    peer = run(fast_app(), {"type": "http", "path": "/ndt/v7/download"}, Peer())
    assert peer.sent[0]["status"] == 404


def test_config_asgi_sends_the_ndt7_paths_to_the_ndt7_app(monkeypatch):
    from config import asgi

    calls = []

    async def fake(scope_, receive, send):
        calls.append(scope_["path"])

    monkeypatch.setattr(asgi.ndt7, "application", fake)
    asyncio.run(asgi.application(scope("/ndt/v7/upload"), None, None))
    assert calls == ["/ndt/v7/upload"]
