"""Secrets never leave the process: credentials in URLs and key-like tokens are masked.

Every URL the pipeline shows or stores (run records, logs, the terminal, exception
messages) passes :func:`redact_url` or :func:`redact_text`: userinfo becomes ``***``,
key-like query parameters keep their name but not their value, and bare API keys
(``sk-…``, ``Bearer …``) are masked wherever they appear in a text.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pipeline.text.sanitize import strip_invisible

MASK = "***"
# Query parameter names (split into words) that carry a credential.
SECRET_WORDS = frozenset(
    {
        "key",
        "apikey",
        "token",
        "accesstoken",
        "secret",
        "password",
        "passwd",
        "pwd",
        "pass",
        "auth",
        "authorization",
        "sig",
        "signature",
        "credential",
        "credentials",
        "session",
        "sessionid",
        "sid",
        "jwt",
        "bearer",
    }
)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_QUERY_PAIR = re.compile(r"(?P<name>[^&=;#]+)=(?P<value>[^&;#]*)")
_URL_TRAIL = ".,;:!?)]}'\"”’"
_URL_IN_TEXT = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s\"'<>]+")
_BARE_SECRETS = (
    (re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_\-]{8,}"), r"\1-" + MASK),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}"), r"\1 " + MASK),
)
_REDACTING = False  # the record factory is installed once per process
_TRACEBACKS = logging.Formatter()


def secret_name(name: str) -> bool:
    """Whether a query parameter name carries a credential (``api-key``, ``X-Amz-Signature``)."""
    words = {w.lower() for w in _NAME_WORDS.findall(name)}
    joined = re.sub(r"[^a-z0-9]", "", name.lower())
    return bool(words & SECRET_WORDS) or joined in SECRET_WORDS


def redact_url(url: str) -> str:
    """The URL with its userinfo and key-like query values masked; otherwise unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _mask_bare(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
    query = _QUERY_PAIR.sub(_mask_pair, parts.query)
    fragment = _QUERY_PAIR.sub(_mask_pair, parts.fragment)  # OAuth implicit flows put tokens here
    rebuilt = urlunsplit((parts.scheme, netloc, parts.path, query, fragment))
    return _mask_bare(rebuilt if rebuilt else url)


def redact_text(text: str) -> str:
    """A free text (error message, log line) with every URL redacted and bare keys masked."""
    return _mask_bare(_URL_IN_TEXT.sub(_redact_match, text))


def _redact_match(match: re.Match[str]) -> str:
    """A URL found in a text, redacted; punctuation closing the sentence is kept as it was."""
    url = match.group().rstrip(_URL_TRAIL)
    return redact_url(url) + match.group()[len(url) :]


def _mask_pair(match: re.Match[str]) -> str:
    name = match["name"]
    return f"{name}={MASK}" if secret_name(name) and match["value"] else match.group()


def _mask_bare(text: str) -> str:
    for pattern, replacement in _BARE_SECRETS:
        text = pattern.sub(replacement, text)
    return text


def install_log_redaction() -> None:
    """Redact every log record of the process, whichever handler (ours, Prefect's) prints it.

    Feed titles and LLM answers are logged too: their bidi and control characters
    (terminal escapes) are dropped on the way. Uncaught tracebacks (``--debug``) are
    printed with secrets masked as well.
    """
    global _REDACTING
    if _REDACTING:
        return
    factory = logging.getLogRecordFactory()

    def redacting(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(redacting)
    if sys.excepthook is sys.__excepthook__:  # --debug tracebacks are printed by the hook
        sys.excepthook = _print_redacted
    _REDACTING = True


def _print_redacted(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    """An uncaught exception's traceback on stderr, with secrets masked."""
    sys.stderr.write(redact_text("".join(traceback.format_exception(kind, value, tb))))


def _redact_record(record: logging.LogRecord) -> None:
    """Mask secrets (and drop hidden characters) in a record's message and traceback text."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a bad format string: the handler reports it as usual
        return
    clean = strip_invisible(redact_text(message))
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact_text(_TRACEBACKS.formatException(record.exc_info))
