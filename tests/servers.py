"""A small real HTTP server on 127.0.0.1 for tests: routes, faults and a request log.

Tests mock at the HTTP boundary: the real httpx (and the real openai client) talk to
this server over loopback. Each route answers with a fixed :class:`Reply` or with a
handler function; every request is logged so tests can assert what was asked.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """A canned response. ``fault`` injects misbehaviour: 'reset', 'hang', 'trickle'."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds before the status line
    fault: str | None = None
    stream_bytes: int = 0  # send this many filler bytes (for size caps), chunked
    chunks: list[bytes] = field(default_factory=list)  # streamed one by one (e.g. SSE events)
    chunk_delay: float = 0.0  # seconds between two chunks

    def payload(self) -> bytes:
        """The body as bytes (str is encoded as UTF-8)."""
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    time: float


Handler = Callable[[Request], Reply]


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up early are part of the fault tests: no tracebacks on stderr."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class TestServer:
    """A threaded HTTP server on 127.0.0.1 with a route table and a request log."""

    __test__ = False  # not a pytest test class

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host  # any loopback address (127.0.0.0/8): one "host" per address
        self.routes: dict[str, Reply | Handler] = {}
        self.log: list[Request] = []
        self._lock = threading.Lock()
        self._server = _QuietServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base(self) -> str:
        """Base URL, e.g. http://127.0.0.1:43123"""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, reply: Reply | Handler) -> str:
        """Register a route (path includes any query string) and return its URL."""
        self.routes[path] = reply
        return self.url(path)

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.path == path]

    def start(self) -> TestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record(self, request: Request) -> None:
        with self._lock:
            self.log.append(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    self.command, self.path, dict(self.headers.items()), body, time.time()
                )
                server._record(request)
                target = server.routes.get(self.path) or server.routes.get(
                    self.path.split("?", 1)[0]
                )
                if target is None:
                    reply = Reply(status=404, body=b"not found", content_type="text/plain")
                else:
                    reply = target if isinstance(target, Reply) else target(request)
                _send(self, reply)

            do_GET = _serve
            do_POST = _serve
            do_HEAD = _serve

        return _Handler


def _send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    if reply.delay:
        time.sleep(reply.delay)
    if reply.fault == "hang":
        time.sleep(3600)
        return
    data = reply.payload()
    handler.send_response(reply.status)
    if reply.content_type:
        handler.send_header("Content-Type", reply.content_type)
    for key, value in reply.headers.items():
        handler.send_header(key, value)
    if reply.stream_bytes:
        _send_stream(handler, reply.stream_bytes)
        return
    if reply.chunks:
        _send_chunks(handler, reply.chunks, reply.chunk_delay)
        return
    if reply.fault == "reset":
        handler.send_header("Content-Length", str(len(data) * 4 + 100))
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2])
        handler.wfile.flush()
        handler.connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
        )
        handler.connection.close()
        handler.close_connection = True
        return
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if handler.command == "HEAD":
        return
    if reply.fault == "trickle":
        for i in range(len(data)):
            handler.wfile.write(data[i : i + 1])
            handler.wfile.flush()
            time.sleep(0.5)
        return
    handler.wfile.write(data)


def _send_stream(handler: BaseHTTPRequestHandler, total: int) -> None:
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"<p>" + b"x" * 65_000 + b"</p>\n"
    sent = 0
    try:
        while sent < total:
            handler.wfile.write(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
            sent += len(chunk)
        handler.wfile.write(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True


def _send_chunks(handler: BaseHTTPRequestHandler, chunks: list[bytes], delay: float) -> None:
    """Chunked transfer, one chunk at a time; stop quietly when the client hangs up."""
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    try:
        for n, chunk in enumerate(chunks):
            if n and delay:
                time.sleep(delay)
            handler.wfile.write(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
            handler.wfile.flush()
        handler.wfile.write(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True


def serve() -> Iterator[TestServer]:
    """Generator for a pytest fixture: a started server, stopped afterwards."""
    server = TestServer().start()
    try:
        yield server
    finally:
        server.stop()
