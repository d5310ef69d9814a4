"""A run started by ``digest serve`` ends with it, promptly, however serve ends.

Called at the start of a deployment run (:func:`pipeline.flows.digest.begin`); it does
nothing in any other run.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, MutableMapping
from types import FrameType
from typing import Any

from pipeline.flows.prefect_env import SERVE_PID_ENV

PARENT_POLL = 1.0  # seconds between checks that `digest serve` is still there
STOP_GRACE = 3.0  # seconds a cancelled served run gets to report before it exits


def exit_with_serve(environ: MutableMapping[str, str] | None = None) -> None:
    """In a run started by `digest serve`: end with it, promptly, however it ends.

    If serve dies (even by kill -9) the run exits at once (the next serve marks it
    Crashed). If serve stops it (SIGTERM, to cancel it), Prefect's own handler still
    reports, but the process exits within STOP_GRACE seconds instead of waiting for the
    tasks in flight (an LLM call can take minutes).
    """
    environ = os.environ if environ is None else environ
    parent = os.getppid()
    if environ.get(SERVE_PID_ENV) != str(parent):
        return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _bounded(signal.getsignal(signal.SIGTERM)))


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    # no goodbye: our output went to serve, and a write or a logging lock could block us
    os._exit(1)


def _bounded(handler: Any) -> Callable[[int, FrameType | None], None]:
    """A SIGTERM handler that lets handler (Prefect's) run, and exits STOP_GRACE s later."""

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        timer = threading.Timer(STOP_GRACE, os._exit, (128 + signum,))
        timer.daemon = True
        timer.start()
        if callable(handler):
            handler(signum, frame)
        else:
            os._exit(128 + signum)

    return on_sigterm
