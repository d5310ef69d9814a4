"""What an OpenAI-compatible provider wants and what it accepts: keys, quirks, capabilities.

The capability of an endpoint (output mode, temperature, streaming) is found out by its
first call and remembered per (base URL, model) in the LLM cache: a 400 about one of them
steps down the ladder (:meth:`Capabilities.step_down`); the errors that can never succeed
(quota, authentication, unknown model) are told apart from those worth retrying.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import openai

from pipeline.config import LLMSettings
from pipeline.errors import LLMError, MissingAPIKeyError, QuotaError
from pipeline.text.redact import redact_text, redact_url

logger = logging.getLogger(__name__)

OutputMode = Literal["json_schema", "json_object", "text"]
MODES: tuple[OutputMode, ...] = ("json_schema", "json_object", "text")

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
KEYLESS_PROVIDERS = frozenset({"ollama", "vllm"})
PLACEHOLDER_KEY = "no-key-needed"
MISSING_KEY_HELP = (
    "no API key for {url}: export OPENAI_API_KEY=… (for DeepSeek, Qwen, GLM or Kimi also set "
    '[llm] provider = "deepseek" etc. or OPENAI_BASE_URL; Ollama and vLLM need no key)'
)

QUOTA_RE = re.compile(
    r"insufficient[_ ]quota|insufficient[_ ]balance|exceeded your current quota|billing"
    r"|余额不足|欠费|arrearage|payment required",
    re.IGNORECASE,
)
FORMAT_ERROR_RE = re.compile(
    r"response_format|response format|json_schema|json_object|structured output|guided_json",
    re.IGNORECASE,
)
REASONING_MODEL_RE = re.compile(r"(^|/)(o1|o3|o4|gpt-5)", re.IGNORECASE)
STREAM_OPTIONS_RE = re.compile(r"stream_options|include_usage", re.IGNORECASE)
STREAM_RE = re.compile(r"\bstream(ing)?\b", re.IGNORECASE)


class Cache(Protocol):
    """What the writer needs from a cache (the SQLite archive implements it)."""

    def cache_get(self, key: str) -> str | None: ...

    def cache_put(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class ProviderQuirks:
    """How one provider wants to be asked."""

    first_mode: OutputMode = "json_schema"
    extra_body: Mapping[str, Any] = field(default_factory=dict)  # thinking off for summaries
    max_tokens_param: str = "max_tokens"


PROVIDER_QUIRKS: dict[str, ProviderQuirks] = {
    "openai": ProviderQuirks("json_schema", {}, "max_completion_tokens"),
    "deepseek": ProviderQuirks("json_object"),
    "qwen": ProviderQuirks("json_object", {"enable_thinking": False}),
    "glm": ProviderQuirks("json_object", {"thinking": {"type": "disabled"}}),
    "kimi": ProviderQuirks("json_object"),
    "ollama": ProviderQuirks("json_schema"),
    "vllm": ProviderQuirks("json_schema", {"chat_template_kwargs": {"enable_thinking": False}}),
    "custom": ProviderQuirks("json_schema"),
}


@dataclass
class Capability:
    """What an endpoint accepted so far."""

    mode: OutputMode
    temperature: bool = True
    stream: bool = True
    stream_usage: bool = True  # stream_options.include_usage


def api_key_required(llm: LLMSettings) -> bool:
    """Whether the endpoint needs a real API key (not for Ollama, vLLM or loopback)."""
    host = (urlsplit(llm.resolved_base_url).hostname or "").lower()
    local = host in LOOPBACK_HOSTS or host.endswith(".localhost")
    return not (llm.provider in KEYLESS_PROVIDERS or local)


def require_api_key(llm: LLMSettings) -> str:
    """The key to send; raise MissingAPIKeyError (one line, how to fix) when it is missing."""
    if llm.api_key is not None and llm.api_key.get_secret_value():
        return llm.api_key.get_secret_value()
    if not api_key_required(llm):
        return PLACEHOLDER_KEY
    raise MissingAPIKeyError(MISSING_KEY_HELP.format(url=redact_url(llm.resolved_base_url)))


def sends_temperature(llm: LLMSettings, capability: Capability) -> bool:
    """Whether to send a temperature (reasoning models and some endpoints refuse one)."""
    reasoning = REASONING_MODEL_RE.search(llm.resolved_model) is not None
    return capability.temperature and llm.temperature is not None and not reasoning


class Capabilities:
    """The capability of one endpoint: loaded from the cache, stepped down, remembered."""

    def __init__(self, llm: LLMSettings, quirks: ProviderQuirks, cache: Cache | None) -> None:
        # no secret in the cache file: the endpoint as shown, credentials masked
        self.key = f"capability:{redact_url(llm.resolved_base_url)}|{llm.resolved_model}"
        self.cache = cache
        self.known = False  # from the cache or confirmed by an answer: nobody need probe
        self.current = self._load(quirks.first_mode)

    def _load(self, first_mode: OutputMode) -> Capability:
        raw = self.cache.cache_get(self.key) if self.cache else None
        with contextlib.suppress(ValueError, TypeError, KeyError):
            data = json.loads(raw or "")
            if data["mode"] in MODES:
                self.known = True
                return Capability(
                    data["mode"],
                    bool(data["temperature"]),
                    bool(data.get("stream", True)),
                    bool(data.get("stream_usage", True)),
                )
        return Capability(first_mode)

    def confirm(self) -> None:
        """An answer came back: cache what was accepted, once, for later runs."""
        if not self.known:
            self._save()
            self.known = True

    def _save(self) -> None:
        if self.cache is not None:
            self.cache.cache_put(self.key, json.dumps(vars(self.current)))

    def step_down(self, exc: openai.APIStatusError) -> bool:
        """Adapt to a 400 about temperature, streaming or response_format; False if none."""
        text, now = error_text(exc), self.current
        if "temperature" in text.lower() and now.temperature:
            now.temperature = False
        elif STREAM_OPTIONS_RE.search(text) and now.stream_usage:
            now.stream_usage = False
        elif STREAM_RE.search(text) and now.stream:
            now.stream = False
        elif now.mode != "text" and FORMAT_ERROR_RE.search(text):
            now.mode = MODES[MODES.index(now.mode) + 1]
        else:
            return False
        logger.warning(
            "endpoint %s: now using %s (temperature %s, streaming %s) after: %s",
            self.key.removeprefix("capability:"),
            now.mode,
            "on" if now.temperature else "off",
            "on" if now.stream else "off",
            text[:200],
        )
        self._save()
        return True


def classify(exc: openai.APIStatusError, base_url: str, model: str) -> tuple[LLMError, bool]:
    """An HTTP error as LLMError or QuotaError, and whether it ends all calls of the run."""
    status, text = exc.status_code, error_text(exc)
    detail = redact_text(f"HTTP {status} from {redact_url(base_url)}: {text[:300]}")
    if status == 402 or (status in (400, 403, 429) and QUOTA_RE.search(text)):
        return QuotaError(f"quota or billing problem, top up the account: {detail}"), True
    if status in (401, 404):
        return LLMError(f"check the API key, base URL and model {model!r}: {detail}"), True
    return LLMError(detail, retryable=status == 429 or status >= 500), False


def error_text(exc: openai.APIStatusError) -> str:
    """The readable part of a provider's error (code, type, message)."""
    body = exc.body
    if isinstance(body, dict):
        parts = [str(body.get(k) or "") for k in ("code", "type", "message")]
        return " ".join(p for p in parts if p) or exc.message
    return f"{exc.message} {body or ''}".strip()


async def no_retry_on_quota(response: Any) -> None:
    """Tell the SDK not to retry a 429 that is about quota: retrying cannot help."""
    if response.status_code in (402, 403, 429):
        await response.aread()
        if QUOTA_RE.search(response.text):
            response.headers["x-should-retry"] = "false"
