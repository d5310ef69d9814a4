"""The LLM provider layer: one OpenAI-compatible client, structured output that degrades.

Structured output is asked for in the strongest form the endpoint supports — strict
``json_schema``, else ``json_object`` with the schema in the prompt, else plain text
that is repaired — and what works is remembered per (base URL, model). Answers are
streamed and watched for loops (:mod:`pipeline.llm.streaming`), each call asks for no more
output than it needs, and one deadline covers the whole call, retries included. Every
answer is validated with pydantic, soft limits repaired (:mod:`pipeline.llm.structured`);
only a structurally unusable one gets one corrective retry. Quota and authentication
errors, and an endpoint that leaves several calls in a row unanswered, stop all further
calls of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import openai
from pydantic import BaseModel, ValidationError

from pipeline.config import LLMSettings
from pipeline.errors import DroppedError, LLMError
from pipeline.llm.prompts import Prompts
from pipeline.llm.provider import (
    PROVIDER_QUIRKS,
    Cache,
    Capabilities,
    Capability,
    api_key_required,
    classify,
    no_retry_on_quota,
    require_api_key,
    sends_temperature,
)
from pipeline.llm.streaming import Reply, read_response, read_stream, settle_usage
from pipeline.llm.structured import Unusable, parse_answer, strict_schema
from pipeline.models import LLMStats
from pipeline.store.files import sha256_text
from pipeline.text.redact import redact_text, redact_url

__all__ = ["Cache", "LLMClient", "StructuredRequest", "api_key_required", "require_api_key"]
logger = logging.getLogger(__name__)
# calls in a row that got no answer at all within their deadline: the endpoint is down
HUNG_CALLS = 3
DROP_BACKOFF = 0.25  # seconds, doubled per answer broken off in the middle

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class StructuredRequest(Generic[T]):
    """One structured call: which prompt kind, its user message, the answer's schema."""

    kind: str  # prompt family: prompts/<kind>.system.j2
    user: str
    schema: type[T]
    cache_key: str
    system_vars: Mapping[str, Any] = field(default_factory=dict)
    max_tokens: int | None = None  # what this call needs; capped by [llm] max_output_tokens


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A validated answer, the soft-limit repairs it needed, and the user message it answers."""

    value: T
    repairs: list[str] = field(default_factory=list)
    user: str = field(default="", repr=False)


@dataclass(frozen=True)
class CallLog:
    """One completion as it went: for the log, the run's stats and the benchmarks."""

    kind: str
    key: str
    mode: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    finish: str | None
    estimated: bool = False
    content: str = field(default="", repr=False)  # the raw answer, for benchmarks


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
        self.calls: list[CallLog] = []
        self.capabilities = Capabilities(llm, self.quirks, cache)
        self._sdk: openai.AsyncOpenAI | None = None
        # the first call finds out what the endpoint supports; the others wait for it
        self._probe_done: asyncio.Event | None = None
        self._probing = False
        self._hung = 0  # calls in a row with no answer at all by their deadline

    @property
    def model(self) -> str:
        return self.llm.resolved_model

    @property
    def base_url(self) -> str:
        return self.llm.resolved_base_url

    @property
    def shown_url(self) -> str:
        """The endpoint as it may be shown or stored: credentials masked."""
        return redact_url(self.base_url)

    def key_for(self, kind: str, schema: type[BaseModel], payload: Any) -> str:
        """Cache key: model, endpoint, prompt and schema versions, and the exact input."""
        schema_version = sha256_text(json.dumps(schema.model_json_schema(), sort_keys=True))[:16]
        material = [self.model, self.base_url, kind, self.prompts.version(kind), schema_version]
        return sha256_text(json.dumps([*material, payload], ensure_ascii=False, sort_keys=True))

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[LLMClient]:
        """Keep one SDK client (and its connection pool) open for a batch of calls."""
        if self._probe_done is not None:
            yield self
            return
        self._probe_done, self._probing = asyncio.Event(), False
        try:
            yield self
        finally:
            sdk, self._sdk, self._probe_done = self._sdk, None, None
            if sdk is not None:
                await sdk.close()

    def _client(self) -> openai.AsyncOpenAI:
        """The SDK client of the session, built (and the API key required) on first use."""
        assert self._probe_done is not None, "complete() opens a session"
        if self._sdk is None:
            self._api_key = self._api_key or require_api_key(self.llm)
            self._sdk = self._build_sdk()
        return self._sdk

    def _build_sdk(self) -> openai.AsyncOpenAI:
        http = openai.DefaultAsyncHttpxClient(event_hooks={"response": [no_retry_on_quota]})
        return openai.AsyncOpenAI(
            base_url=self.base_url,
            api_key=self._api_key,
            max_retries=self.llm.max_retries,
            timeout=self.llm.timeout,
            http_client=http,
        )

    async def ask(
        self,
        kind: str,
        schema: type[T],
        payload: dict[str, Any],
        *,
        tag: str,
        max_tokens: int | None = None,
        system: Mapping[str, Any] | None = None,
    ) -> Answer[T]:
        """The seam: prompt ``kind`` with ``payload``, a validated ``schema`` back, or LLMError.

        The user message is ``prompts/<kind>.user.j2`` rendered with the payload (article
        text travels inside delimiters named ``tag`` and a per-call random token); the
        answer is cached by model, prompt version, schema and the exact payload.
        """
        user = self.prompts.render(f"{kind}.user.j2", token=secrets.token_hex(5), **payload)
        request = StructuredRequest(
            kind=kind,
            user=user,
            schema=schema,
            system_vars={"tag": tag, **(system or {})},
            cache_key=self.key_for(kind, schema, payload),
            max_tokens=max_tokens,
        )
        answer = await self.answer(request)
        return Answer(answer.value, answer.repairs, user)

    async def complete(self, request: StructuredRequest[T]) -> T:
        """Ask for a structured answer: cache, call, validate, repair, one corrective retry."""
        return (await self.answer(request)).value

    async def answer(self, request: StructuredRequest[T]) -> Answer[T]:
        """The validated answer with its repairs (from the cache when it was asked before)."""
        answer = self._from_cache(request)
        if answer is None:
            async with self.session():
                answer = await self._ask_within_deadline(request)
            if self.cache is not None:
                value = {"answer": answer.value.model_dump(mode="json"), "repairs": answer.repairs}
                self.cache.cache_put(request.cache_key, json.dumps(value, ensure_ascii=False))
        self.stats.repairs += len(answer.repairs)
        for repair in answer.repairs:
            logger.info("llm answer repaired kind=%s: %s", request.kind, repair)
        return answer

    def _from_cache(self, request: StructuredRequest[T]) -> Answer[T] | None:
        raw = self.cache.cache_get(request.cache_key) if self.cache is not None else None
        if raw is None:
            return None
        try:
            stored = json.loads(raw)
            value = request.schema.model_validate(stored["answer"])
            repairs = [str(r) for r in stored.get("repairs", [])]
        except (ValidationError, ValueError, TypeError, KeyError):
            return None
        self.stats.cache_hits += 1
        logger.info("llm cache hit kind=%s key=%s", request.kind, request.cache_key[:12])
        return Answer(value, repairs)

    async def _ask_within_deadline(self, request: StructuredRequest[T]) -> Answer[T]:
        """The whole call, corrective retry included, within one deadline."""
        probe = await self._take_turn()
        reply = Reply()
        try:
            async with asyncio.timeout(self.llm.timeout):
                return await self._ask_validated(request, reply, probe)
        except TimeoutError as exc:
            salvaged = self._salvage(request, reply)
            if salvaged is not None:
                return salvaged
            self._note_hang(reply)
            raise LLMError(
                f"no answer within the {self.llm.timeout:g}s deadline", retryable=True
            ) from exc
        finally:
            if probe:
                self._end_probe()

    async def _take_turn(self) -> bool:
        """Wait while another call finds out what the endpoint supports; True: this one does."""
        if self.capabilities.known or self._probe_done is None or self._probe_done.is_set():
            return False
        if not self._probing:
            self._probing = True
            return True
        await self._probe_done.wait()
        return False

    def _end_probe(self) -> None:
        if self._probe_done is not None:
            self._probe_done.set()

    def _salvage(self, request: StructuredRequest[T], reply: Reply) -> Answer[T] | None:
        """What a deadline interrupted, if it is already a usable answer."""
        if not reply.content:
            return None
        repairs: list[str] = []
        try:
            value = parse_answer(reply.content, "deadline", request.schema, repairs)
        except Unusable:
            return None
        logger.warning("llm %s answer cut at the deadline and completed", request.kind)
        settle_usage(reply, [{"content": request.user}])
        self._account(request, reply, self.llm.timeout, self.capabilities.current)
        return Answer(value, repairs)

    def _note_hang(self, reply: Reply) -> None:
        """Count a call that got nothing; after several in a row, stop calling this run."""
        if reply.started:
            return
        self._hung += 1
        if self._hung >= HUNG_CALLS and self.fatal is None:
            self.fatal = LLMError(
                f"{self.shown_url} answered none of the last {self._hung} calls within the "
                f"{self.llm.timeout:g}s deadline; no further calls this run",
                retryable=True,
            )

    def _budget(self, request: StructuredRequest[Any]) -> int:
        wanted = request.max_tokens or self.llm.max_output_tokens
        return min(wanted, self.llm.max_output_tokens)

    async def _ask_validated(
        self, request: StructuredRequest[T], reply: Reply, probe: bool
    ) -> Answer[T]:
        """Ask; if the answer is structurally unusable, ask once more with the reason."""
        turns: list[dict[str, str]] = [{"role": "user", "content": request.user}]
        budget = self._budget(request)
        await self._chat(request, turns, budget, reply)
        if probe:
            self._end_probe()
        try:
            return _validated(request, reply)
        except Unusable as exc:
            logger.warning("llm answer unusable (%s), asking once more: %s", request.kind, exc)
            self.stats.retries += 1
            budget = self._retry_turns(turns, reply, exc, budget)
        reply.reset()
        await self._chat(request, turns, budget, reply)
        try:
            return _validated(request, reply)
        except Unusable as exc:
            raise LLMError(
                f"unusable {request.kind} answer after a corrective retry: {exc}"
            ) from exc

    def _retry_turns(
        self, turns: list[dict[str, str]], reply: Reply, exc: Unusable, budget: int
    ) -> int:
        """Add the corrective turns to ``turns``; the output room of the second attempt."""
        if reply.finish in ("length", "loop"):
            # a cut-off answer fed back would be cut off again: ask afresh, with room
            budget = min(2 * budget, self.llm.max_output_tokens)
        elif reply.content.strip():
            turns.append({"role": "assistant", "content": reply.content[:6000]})
        error = self.prompts.render("repair.user.j2", error=str(exc))
        turns.append({"role": "user", "content": error})
        return budget

    async def _chat(
        self,
        request: StructuredRequest[Any],
        turns: list[dict[str, str]],
        max_tokens: int,
        reply: Reply,
    ) -> None:
        """One chat completion: step down the capability ladder on a 400 that asks for it,
        ask again when the connection drops in the middle of an answer."""
        drops = 0
        while True:
            if self.fatal is not None:
                raise type(self.fatal)(f"not called: {self.fatal}")
            try:
                await self._create(request, turns, self.capabilities.current, max_tokens, reply)
                return
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if not self.capabilities.step_down(exc):
                    raise self._classify(exc) from exc
            except DroppedError:
                drops += 1
                if drops > self.llm.max_retries:
                    raise
                reply.reset()
                await asyncio.sleep(min(DROP_BACKOFF * 2**drops, 8.0))

    async def _create(
        self,
        request: StructuredRequest[Any],
        turns: list[dict[str, str]],
        capability: Capability,
        max_tokens: int,
        reply: Reply,
    ) -> None:
        sdk = self._client()
        params = self._params(request, turns, capability)
        params[self.quirks.max_tokens_param] = max_tokens
        started = time.monotonic()
        try:
            response = await sdk.chat.completions.create(**params)
        except (openai.BadRequestError, openai.UnprocessableEntityError):
            raise
        except openai.APIStatusError as exc:
            raise self._classify(exc) from exc
        except openai.APIConnectionError as exc:
            message = redact_text(f"cannot reach {self.shown_url}: {exc}")
            raise LLMError(message, retryable=True) from exc
        self._hung = 0
        if capability.stream:
            try:
                await read_stream(response, reply)
            except openai.APIError as exc:  # the connection dropped, or an error event
                message = redact_text(f"{self.shown_url} broke off its answer: {exc}")
                raise DroppedError(message) from exc
        else:
            read_response(response, reply)
        self.capabilities.confirm()
        settle_usage(reply, params["messages"])
        self._account(request, reply, time.monotonic() - started, capability)

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
        if sends_temperature(self.llm, capability):
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
        if capability.stream:
            params["stream"] = True
            if capability.stream_usage:
                params["stream_options"] = {"include_usage": True}
        if self.quirks.extra_body:
            params["extra_body"] = dict(self.quirks.extra_body)
        return params

    def _account(
        self, request: StructuredRequest[Any], reply: Reply, latency: float, capability: Capability
    ) -> None:
        """Count one completion's tokens and cost, and log it."""
        self.stats.llm_calls += 1
        self.stats.prompt_tokens += reply.prompt_tokens
        self.stats.completion_tokens += reply.completion_tokens
        self.stats.loops += reply.finish == "loop"
        self.stats.cost += (
            reply.prompt_tokens * self.llm.price_input_per_m
            + reply.completion_tokens * self.llm.price_output_per_m
        ) / 1e6
        self.calls.append(
            CallLog(
                request.kind,
                request.cache_key[:12],
                capability.mode,
                reply.prompt_tokens,
                reply.completion_tokens,
                round(latency, 2),
                reply.finish,
                reply.estimated,
                reply.content,
            )
        )
        logger.info(
            "llm call kind=%s model=%s mode=%s prompt_tokens=%d completion_tokens=%d%s "
            "finish=%s latency=%.2fs key=%s",
            request.kind,
            self.model,
            capability.mode,
            reply.prompt_tokens,
            reply.completion_tokens,
            " (estimated)" if reply.estimated else "",
            reply.finish,
            latency,
            request.cache_key[:12],
        )

    def _classify(self, exc: openai.APIStatusError) -> LLMError:
        """The error to raise for an HTTP error; one that ends the run stops further calls."""
        error, fatal = classify(exc, self.base_url, self.model)  # masks credentials
        if fatal:
            self.fatal = self.fatal or error
        return error


def _validated(request: StructuredRequest[T], reply: Reply) -> Answer[T]:
    """The reply validated against the request's schema, with its repairs; or Unusable."""
    repairs: list[str] = []
    return Answer(parse_answer(reply.content, reply.finish, request.schema, repairs), repairs)
