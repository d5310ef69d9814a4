"""The LLM provider layer: one OpenAI-compatible client, structured output that degrades.

Structured output is asked for in the strongest form the endpoint supports — strict
``json_schema``, else ``json_object`` with the schema in the prompt, else plain text
that is repaired — and what works is remembered per (base URL, model). Every answer
is validated with pydantic; an unusable one gets one corrective retry. Quota and
authentication errors stop all further calls of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar
from urllib.parse import urlsplit

import openai
from pydantic import BaseModel, ValidationError

from pipeline.config import LLMSettings
from pipeline.errors import LLMError, MissingAPIKeyError, QuotaError
from pipeline.files import sha256_text
from pipeline.models import LLMStats
from pipeline.prompting import Prompts
from pipeline.redact import redact_text, redact_url
from pipeline.structured import Unusable, parse_answer, strict_schema

logger = logging.getLogger(__name__)
# output room for the retry of an answer cut off at the token limit (providers cap it)
LENGTH_RETRY_CAP = 16_000

OutputMode = Literal["json_schema", "json_object", "text"]
MODES: tuple[OutputMode, ...] = ("json_schema", "json_object", "text")
T = TypeVar("T", bound=BaseModel)

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


@dataclass(frozen=True)
class StructuredRequest(Generic[T]):
    """One structured call: which prompt kind, its user message, the answer's schema."""

    kind: str  # prompt family: prompts/<kind>.system.j2
    user: str
    schema: type[T]
    cache_key: str
    system_vars: Mapping[str, Any] = field(default_factory=dict)


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


class LLMClient:
    """Structured calls to one OpenAI-compatible endpoint, with cache, stats and fallbacks."""

    def __init__(
        self, llm: LLMSettings, *, prompts: Prompts | None = None, cache: Cache | None = None
    ) -> None:
        self.llm = llm
        self.prompts = prompts or Prompts()
        self.cache = cache
        self.stats = LLMStats()
        self.quirks = PROVIDER_QUIRKS.get(llm.provider, PROVIDER_QUIRKS["custom"])
        self.fatal: LLMError | None = None  # quota or auth: no further calls this run
        # resolved at the first real call: a run answered from the cache needs no key
        self._api_key: str | None = None
        self._capability: Capability | None = None
        self._settled = False  # first call done: concurrent callers need not queue
        self._remembered: tuple[str, bool] | None = None  # the capability stored in the cache
        self._sdk: openai.AsyncOpenAI | None = None
        self._in_session = False
        self._probe_lock: asyncio.Lock | None = None

    @property
    def model(self) -> str:
        return self.llm.resolved_model

    @property
    def base_url(self) -> str:
        return self.llm.resolved_base_url

    @property
    def shown_url(self) -> str:
        """The endpoint as messages show it: credentials in it masked."""
        return redact_url(self.base_url)

    def key_for(self, kind: str, schema: type[BaseModel], payload: Any) -> str:
        """Cache key: model, endpoint, prompt and schema versions, and the exact input."""
        schema_version = sha256_text(json.dumps(schema.model_json_schema(), sort_keys=True))[:16]
        material = [self.model, self.base_url, kind, self.prompts.version(kind), schema_version]
        return sha256_text(json.dumps([*material, payload], ensure_ascii=False, sort_keys=True))

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[LLMClient]:
        """Keep one SDK client (and its connection pool) open for a batch of calls."""
        if self._in_session:
            yield self
            return
        self._in_session, self._probe_lock = True, asyncio.Lock()
        self.settle_from_cache()
        try:
            yield self
        finally:
            sdk, self._sdk, self._in_session = self._sdk, None, False
            if sdk is not None:
                await sdk.close()

    def _client(self) -> openai.AsyncOpenAI:
        """The SDK client of the session, built (and the API key required) on first use."""
        assert self._in_session, "complete() opens a session"
        if self._sdk is None:
            self._api_key = self._api_key or require_api_key(self.llm)
            self._sdk = self._build_sdk()
        return self._sdk

    def _build_sdk(self) -> openai.AsyncOpenAI:
        http = openai.DefaultAsyncHttpxClient(event_hooks={"response": [_no_retry_on_quota]})
        return openai.AsyncOpenAI(
            base_url=self.base_url,
            api_key=self._api_key,
            max_retries=self.llm.max_retries,
            timeout=self.llm.timeout,
            http_client=http,
        )

    async def complete(self, request: StructuredRequest[T]) -> T:
        """Ask for a structured answer: cache, call, validate, one corrective retry."""
        cached = self._from_cache(request)
        if cached is not None:
            return cached
        async with self.session():
            answer = await self._ask_validated(request)
        if self.cache is not None:
            self.cache.cache_put(request.cache_key, answer.model_dump_json())
        return answer

    def _from_cache(self, request: StructuredRequest[T]) -> T | None:
        raw = self.cache.cache_get(request.cache_key) if self.cache is not None else None
        if raw is None:
            return None
        try:
            answer = request.schema.model_validate_json(raw)
        except ValidationError:
            return None
        self.stats.cache_hits += 1
        logger.info("llm cache hit kind=%s key=%s", request.kind, request.cache_key[:12])
        return answer

    async def _ask_validated(self, request: StructuredRequest[T]) -> T:
        turns: list[dict[str, str]] = [{"role": "user", "content": request.user}]
        content, finish = await self._chat(request, turns)
        max_tokens = None
        try:
            return parse_answer(content, finish, request.schema)
        except Unusable as exc:
            logger.warning("llm answer unusable (%s), asking once more: %s", request.kind, exc)
            if finish == "length":
                # a cut-off answer fed back would be cut off again: ask afresh, with room
                max_tokens = min(2 * self.llm.max_output_tokens, LENGTH_RETRY_CAP)
            elif content.strip():
                turns.append({"role": "assistant", "content": content[:6000]})
            turns.append(
                {"role": "user", "content": self.prompts.render("repair.user.j2", error=str(exc))}
            )
        content, finish = await self._chat(request, turns, max_tokens=max_tokens)
        try:
            return parse_answer(content, finish, request.schema)
        except Unusable as exc:
            raise LLMError(
                f"unusable {request.kind} answer after a corrective retry: {exc}"
            ) from exc

    async def _chat(
        self,
        request: StructuredRequest[Any],
        turns: list[dict[str, str]],
        *,
        max_tokens: int | None = None,
    ) -> tuple[str, str | None]:
        """One chat completion, stepping down the capability ladder on a 400 that asks for it."""
        if self.fatal is not None:
            raise type(self.fatal)(f"not called: {self.fatal}")
        if not self._settled and self._probe_lock is not None:
            async with self._probe_lock:
                if not self._settled:  # the first call learns what the endpoint accepts
                    return await self._ask_stepping_down(request, turns, max_tokens)
        # settled: callers that queued behind the first call go on together, not one by one
        return await self._ask_stepping_down(request, turns, max_tokens)

    async def _ask_stepping_down(
        self, request: StructuredRequest[Any], turns: list[dict[str, str]], max_tokens: int | None
    ) -> tuple[str, str | None]:
        """One chat completion, adapting the capability to a 400 that asks for it."""
        while True:
            capability = self._load_capability()
            try:
                answer = await self._create(request, turns, capability, max_tokens)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if not self._step_down(capability, exc):
                    raise self._classify(exc) from exc
            else:
                self._remember(capability)
                return answer
            finally:
                self._settled = True

    async def _create(
        self,
        request: StructuredRequest[Any],
        turns: list[dict[str, str]],
        capability: Capability,
        max_tokens: int | None = None,
    ) -> tuple[str, str | None]:
        sdk = self._client()
        params = self._params(request, turns, capability)
        if max_tokens is not None:
            params[self.quirks.max_tokens_param] = max_tokens
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.llm.timeout):
                response = await sdk.chat.completions.create(**params)
        except TimeoutError as exc:
            raise LLMError(
                f"no answer within the {self.llm.timeout:g}s deadline", retryable=True
            ) from exc
        except (openai.BadRequestError, openai.UnprocessableEntityError):
            raise
        except openai.APIStatusError as exc:
            raise self._classify(exc) from exc
        except openai.APIConnectionError as exc:
            message = redact_text(f"cannot reach {self.shown_url}: {exc}")
            raise LLMError(message, retryable=True) from exc
        return self._record(request, response, time.monotonic() - started, capability)

    def _params(
        self, request: StructuredRequest[Any], turns: list[dict[str, str]], capability: Capability
    ) -> dict[str, Any]:
        schema = request.schema
        system = self.prompts.render(
            f"{request.kind}.system.j2",
            mode=capability.mode,
            example=self.prompts.example(request.kind),
            schema=json.dumps(strict_schema(schema), ensure_ascii=False),
            **request.system_vars,
        )
        params: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, *turns],
            self.quirks.max_tokens_param: self.llm.max_output_tokens,
        }
        if self._send_temperature(capability):
            params["temperature"] = self.llm.temperature
        if capability.mode == "json_schema":
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.kind,
                    "schema": strict_schema(schema),
                    "strict": True,
                },
            }
        elif capability.mode == "json_object":
            params["response_format"] = {"type": "json_object"}
        if self.quirks.extra_body:
            params["extra_body"] = dict(self.quirks.extra_body)
        return params

    def _send_temperature(self, capability: Capability) -> bool:
        reasoning = REASONING_MODEL_RE.search(self.model) is not None
        return capability.temperature and self.llm.temperature is not None and not reasoning

    def _record(
        self, request: StructuredRequest[Any], response: Any, latency: float, capability: Capability
    ) -> tuple[str, str | None]:
        choice = response.choices[0] if response.choices else None
        content = (choice.message.content if choice else None) or ""
        usage = response.usage
        prompt_tokens = usage.prompt_tokens if usage else 0
        completion_tokens = usage.completion_tokens if usage else 0
        self.stats.llm_calls += 1
        self.stats.prompt_tokens += prompt_tokens
        self.stats.completion_tokens += completion_tokens
        self.stats.cost += (
            prompt_tokens * self.llm.price_input_per_m
            + completion_tokens * self.llm.price_output_per_m
        ) / 1e6
        logger.info(
            "llm call kind=%s model=%s mode=%s prompt_tokens=%d completion_tokens=%d "
            "latency=%.2fs key=%s",
            request.kind,
            self.model,
            capability.mode,
            prompt_tokens,
            completion_tokens,
            latency,
            request.cache_key[:12],
        )
        return content, choice.finish_reason if choice else None

    def _capability_key(self) -> str:
        return f"capability:{self.shown_url}|{self.model}"  # no secret in the cache file

    def _load_capability(self) -> Capability:
        if self._capability is None:
            self._capability = Capability(self.quirks.first_mode)
            raw = self.cache.cache_get(self._capability_key()) if self.cache else None
            with contextlib.suppress(ValueError, TypeError, KeyError):
                data = json.loads(raw or "")
                if data["mode"] in MODES:
                    self._capability = Capability(data["mode"], bool(data["temperature"]))
                    self._remembered = (self._capability.mode, self._capability.temperature)
        return self._capability

    def settle_from_cache(self) -> None:
        """Skip the first-call probe when an earlier run stored what the endpoint accepts."""
        self._load_capability()
        if self._remembered is not None:
            self._settled = True

    def _remember(self, capability: Capability) -> None:
        """Store a capability that has just worked, so later runs need not probe again."""
        state = (capability.mode, capability.temperature)
        if self.cache is None or self._remembered == state:
            return
        self._remembered = state
        self.cache.cache_put(
            self._capability_key(),
            json.dumps({"mode": capability.mode, "temperature": capability.temperature}),
        )

    def _step_down(self, capability: Capability, exc: openai.APIStatusError) -> bool:
        """Adapt to a 400 about temperature or response_format; False if it is about neither."""
        text = _error_text(exc)
        if "temperature" in text.lower() and capability.temperature:
            capability.temperature = False
        elif capability.mode != "text" and FORMAT_ERROR_RE.search(text):
            capability.mode = MODES[MODES.index(capability.mode) + 1]
        else:
            return False
        logger.warning(
            "endpoint %s model %s: now using %s (temperature %s) after: %s",
            self.shown_url,
            self.model,
            capability.mode,
            "on" if capability.temperature else "off",
            text[:200],
        )
        self._remember(capability)
        return True

    def _classify(self, exc: openai.APIStatusError) -> LLMError:
        """Turn an HTTP error into LLMError or QuotaError; remember the ones that end the run."""
        status, text = exc.status_code, _error_text(exc)
        detail = redact_text(f"HTTP {status} from {self.shown_url}: {text[:300]}")
        error: LLMError
        if status == 402 or (status in (400, 403, 429) and QUOTA_RE.search(text)):
            error = QuotaError(f"quota or billing problem, top up the account: {detail}")
        elif status in (401, 404):
            error = LLMError(f"check the API key, base URL and model {self.model!r}: {detail}")
        else:
            return LLMError(detail, retryable=status == 429 or status >= 500)
        self.fatal = self.fatal or error
        return error


def _error_text(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        parts = [str(body.get(k) or "") for k in ("code", "type", "message")]
        return " ".join(p for p in parts if p) or exc.message
    return f"{exc.message} {body or ''}".strip()


async def _no_retry_on_quota(response: Any) -> None:
    """Tell the SDK not to retry a 429 that is about quota: retrying cannot help."""
    if response.status_code in (402, 403, 429):
        await response.aread()
        if QUOTA_RE.search(response.text):
            response.headers["x-should-retry"] = "false"
