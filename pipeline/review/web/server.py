"""Serving the review page on 127.0.0.1 only, with a fresh token per start."""

from __future__ import annotations

import logging
import secrets
import socket
import threading

import uvicorn

from pipeline.errors import DigestError
from pipeline.review.web.app import create_app
from pipeline.review.web.pages import Site

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"  # never another interface: the page can rewrite drafts
STOP_WAIT = 3  # seconds the server gets to finish open requests when stopped


def bind(port: int) -> socket.socket:
    """A listening socket on loopback (port 0: any free port), or a clear error."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise DigestError(
            f"cannot listen on {HOST}:{port} ({exc.strerror}); try --port 0"
        ) from None
    sock.listen(64)
    return sock


class ReviewServer:
    """The review app on a loopback socket; ``url`` (with the token) opens it."""

    def __init__(self, site: Site, *, start: str = "/daily/", port: int = 0) -> None:
        self.token = secrets.token_urlsafe(24)
        self.socket = bind(port)
        self.port: int = self.socket.getsockname()[1]
        self.start = start
        app = create_app(site, self.token, start=start, port=self.port)
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=STOP_WAIT,  # Ctrl-C must not wait on idle browser tabs
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        """The server's address, without the token."""
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        """The link that opens the page (it carries the token)."""
        return f"{self.base}{self.start}?token={self.token}"

    def run(self) -> None:
        """Serve until Ctrl-C or SIGTERM."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start_background(self) -> None:
        """Serve from a thread (for tests and tools); ``stop`` ends it."""
        self._thread = threading.Thread(target=self.run, name="review-server", daemon=True)
        self._thread.start()
        while not self.server.started and self._thread.is_alive():
            threading.Event().wait(0.02)

    def stop(self) -> None:
        """Ask the server to stop and wait for it."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_WAIT)
