"""Prefect defaults for this pipeline: local, quiet, no telemetry. Set before importing Prefect."""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping

# What the operator sets where deployment runs execute (`digest serve` sets the first three
# for its runs); a run's parameters cannot override them (see pipeline/flows/digest.py).
CONFIG_ENV = "DIGEST_CONFIG"
OUTPUT_ENV = "DIGEST_OUTPUT_DIR"
SERVE_PID_ENV = "DIGEST_SERVE_PID"
ALLOW_FORCE_ENV = "DIGEST_ALLOW_FORCE"

# Only defaults: a user's own PREFECT_* settings win.
DEFAULTS = {
    # no anonymous usage data, from the client or the temporary server
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    # the temporary server's first start migrates SQLite: 20-36 s on a busy 2-core machine
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    # Prefect's own INFO lines would drown the run's progress; --debug brings them back
    "PREFECT_LOGGING_LEVEL": "WARNING",
}

# The temporary server prints "Error flushing … CancelledError" tracebacks when it is
# stopped at the end of a run: harmless, but alarming on a user's terminal.
EPHEMERAL_DEFAULTS = {"PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL"}


def configure(environ: MutableMapping[str, str], *, debug: bool = False) -> None:
    """Fill in the pipeline's Prefect defaults without overriding the user's settings."""
    for key, value in DEFAULTS.items():
        if debug and key == "PREFECT_LOGGING_LEVEL":
            continue
        environ.setdefault(key, value)
    if not environ.get("PREFECT_API_URL"):
        for key, value in EPHEMERAL_DEFAULTS.items():
            environ.setdefault(key, value)


def silence_telemetry(environ: Mapping[str, str] | None = None) -> None:
    """Make Prefect write nothing for telemetry when it is off (call before defining flows).

    Prefect 3.8 records "milestones" under ``$PREFECT_HOME/.sdk_telemetry/`` on a terminal
    even with ``DO_NOT_TRACK=1``: defining a flow or running one creates the files.
    """
    environ = os.environ if environ is None else environ
    if environ.get("DO_NOT_TRACK", "").lower() not in {"1", "true", "yes"}:
        return
    import prefect._internal.analytics as analytics

    analytics.try_mark_milestone = _no_milestone


def _no_milestone(milestone: str) -> bool:
    """Stand-in for Prefect's milestone recorder: nothing is written, no event is sent."""
    return False
