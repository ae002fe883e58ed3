"""The speed test's ndt7 endpoint on loopback: the Mbit/s one gunicorn worker serves.

Starts ``gunicorn -w 1 -k digileap.connectivity.ndt7.UvicornWorker config.asgi:application`` on a
free loopback port, then a client downloads for ``--seconds`` (default 5) and uploads for as long,
with a valid ticket. The download figure is the bytes the client received; the upload figure is
the server's own count (its last measurement message). The raw baseline, in the same run and with
the same client: a plain ``websockets`` server (no compression) in its own process that sends the
same 8 MiB buffer in a loop and counts what it receives.

The client speaks the websocket framing by hand on a plain socket (``recv_into`` a preallocated
buffer; pre-built client frames with the mask key 0 and ``sendall``): with the ``websockets``
library as the client, the client's own copying and masking capped both servers below 1 Gbit/s on
a 2-core machine, and the figure would have measured the client. Needs no database.

    .venv/bin/python bench/connectivity_ndt7.py [--seconds 5]

Prints one JSON line: {"part": "ndt7", "figures": [...]}.
"""

import argparse
import base64
import json
import os
import secrets
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-" + secrets.token_urlsafe(48)
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "127.0.0.1",
    "PYTHONPATH": str(ROOT),
}
os.environ.update({key: ENV[key] for key in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS")})

BASELINE_SERVER = textwrap.dedent(
    """
    import asyncio, os, sys
    from websockets.asyncio.server import serve
    BUFFER = os.urandom(1 << 23)

    async def handler(ws):
        if ws.request.path.startswith("/ndt/v7/download"):
            try:
                while True:
                    await ws.send(BUFFER)
            except Exception:
                return
        received = 0
        async for message in ws:
            received += len(message)

    async def main():
        async with serve(handler, "127.0.0.1", int(sys.argv[1]), compression=None, max_size=1 << 24,
                         subprotocols=["net.measurementlab.ndt.v7"]):
            await asyncio.Future()

    asyncio.run(main())
    """
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def open_websocket(port: int, path: str) -> socket.socket:
    """A websocket opened by hand on a plain socket (the upgrade request and its 101 answer), so the
    client reads and writes frames with ``recv_into`` and ``sendall`` and is never the bottleneck."""
    sock = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: net.measurementlab.ndt.v7\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("the server closed the connection during the upgrade")
        answer += chunk
    if not answer.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(answer.split(b"\r\n", 1)[0].decode())
    return sock


def download(port: int, path: str, seconds: float) -> float:
    """Mbit/s received (frame headers included: 14 bytes in 8 MiB)."""
    sock = open_websocket(port, path)
    buffer = bytearray(1 << 22)
    view = memoryview(buffer)
    received = 0
    start = time.monotonic()
    end = start + seconds
    while time.monotonic() < end:
        count = sock.recv_into(view)
        if not count:
            break
        received += count
    elapsed = time.monotonic() - start
    sock.close()
    return received * 8 / elapsed / 1e6


def masked_frame(payload: bytes) -> bytes:
    """A final binary client frame with the mask key 0 (a valid mask that leaves the bytes as they are)."""
    return bytes([0x82, 0x80 | 127]) + struct.pack("!Q", len(payload)) + b"\0\0\0\0" + payload


def upload(port: int, path: str, seconds: float, server_counts: bool) -> float:
    """Mbit/s of an upload: the server's own count (its last measurement message) if it sends them,
    else the bytes handed to the socket."""
    sock = open_websocket(port, path)
    frame = masked_frame(os.urandom(1 << 23))
    last = {}
    stop = threading.Event()

    def read():
        data = b""
        while not stop.is_set():
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            data += chunk
            while len(data) >= 2:
                length = data[1] & 0x7F
                offset = 2
                if length == 126:
                    length, offset = struct.unpack("!H", data[2:4])[0], 4
                elif length == 127:
                    length, offset = struct.unpack("!Q", data[2:10])[0], 10
                if len(data) < offset + length:
                    break
                opcode, payload, data = data[0] & 0x0F, data[offset : offset + length], data[offset + length :]
                if opcode == 1:
                    last.update(json.loads(payload).get("AppInfo", {}))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    sent = 0
    start = time.monotonic()
    end = start + seconds
    while time.monotonic() < end:
        sock.sendall(frame)
        sent += len(frame)
    elapsed = time.monotonic() - start
    time.sleep(0.3)  # the server's next measurement
    stop.set()
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    reader.join(timeout=2)
    if server_counts and last.get("ElapsedTime"):
        return last["NumBytes"] * 8 / last["ElapsedTime"]
    return sent * 8 / elapsed / 1e6


def serve(command: list[str], port: int):
    process = subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_port(port, process)
    return process


def stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--scale", type=float, default=1.0, help="ignored (no data to scale)")
    args = parser.parse_args()

    import django

    django.setup()
    from digileap.connectivity import ndt7

    port = free_port()
    gunicorn = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-w",
        "1",
        "-k",
        "digileap.connectivity.ndt7.UvicornWorker",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "config.asgi:application",
    ]
    server = serve(gunicorn, port)
    try:
        ticket = ndt7.make_ticket(test_id=1, max_bytes=10**13)
        down = download(port, f"/ndt/v7/download?ticket={ticket}", args.seconds)
        # The server ends an upload at 9.5 s.
        up = upload(port, f"/ndt/v7/upload?ticket={ticket}", min(args.seconds, 9.0), True)
    finally:
        stop(server)

    port = free_port()
    baseline = serve([sys.executable, "-c", BASELINE_SERVER, str(port)], port)
    try:
        down_base = download(port, "/ndt/v7/download", args.seconds)
        up_base = upload(port, "/ndt/v7/upload", min(args.seconds, 9.0), False)
    finally:
        stop(baseline)

    def figure(name, value, base):
        return {
            "name": name,
            "value": round(value, 1),
            "unit": "Mbit/s",
            "baseline": round(base, 1),
            "baseline_name": "plain websockets server, same buffer and client",
            "ratio": round(value / base, 3) if base else None,
            "aim": ">= 1000 Mbit/s",
            "met": value >= 1000,
        }

    print(
        json.dumps(
            {
                "part": "ndt7",
                "figures": [
                    figure("ndt7 download, one gunicorn worker (loopback)", down, down_base),
                    figure("ndt7 upload, one gunicorn worker (loopback)", up, up_base),
                ],
            }
        )
    )


if __name__ == "__main__":
    main()
