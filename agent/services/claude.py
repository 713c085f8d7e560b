"""The real LLM adapter: Claude through the Anthropic SDK, always streaming.

The stable prefix (system prompt and tool definitions) carries cache breakpoints so repeated
calls read it from the prompt cache. `ANTHROPIC_BASE_URL` points the SDK at any Anthropic-compatible
endpoint (the tests use a local fake that streams like the API). The SDK retries 408/409/429/5xx
on its own; an overload in the middle of a stream is not retried by the SDK, so this adapter
retries the whole turn a few times before giving up with a message the founder can read.
"""

from __future__ import annotations

import asyncio
import copy
import re
from datetime import UTC, datetime
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anthropic
import httpx2  # the SDK's HTTP client: a stream that stalls or breaks mid-reply raises its errors

from agent.config import Settings
from agent.services.llm import LLMError, OnDelta, TextBlock, ToolUse, Turn, Usage

EPHEMERAL = {"type": "ephemeral"}
# a stream silent for longer than `read` has stalled: the turn is given up and the run rests
STREAM_TIMEOUT = anthropic.Timeout(connect=10.0, read=90.0, write=30.0, pool=10.0)
_ACCOUNT_LIMIT = re.compile(r"usage limit|spend(?:ing)? limit|credit balance", re.IGNORECASE)


def _error_type(exc: anthropic.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else body
    return str(error.get("type", "")) if isinstance(error, dict) else ""


def _is_overloaded(exc: Exception) -> bool:
    return isinstance(exc, anthropic.APIStatusError) and (
        exc.status_code == 529 or _error_type(exc) == "overloaded_error")


class AnthropicLLM:
    offline = False

    def __init__(self, client: anthropic.AsyncAnthropic, model: str, *, overloaded_retries: int = 3,
                 backoff_seconds: float = 2.0, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.client = client
        self.model = model
        self.label = f"Claude ({model})"
        self.overloaded_retries = overloaded_retries
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep

    def for_model(self, model: str) -> AnthropicLLM:
        """The same client speaking to another model (a run's model is fixed by the founder's tier)."""
        if not model or model == self.model:
            return self
        return AnthropicLLM(self.client, model, overloaded_retries=self.overloaded_retries,
                            backoff_seconds=self.backoff_seconds, sleep=self.sleep)

    @classmethod
    def from_settings(cls, settings: Settings) -> AnthropicLLM:
        client = anthropic.AsyncAnthropic(api_key=settings.anthropic_api_key,
                                          base_url=settings.anthropic_base_url or None, max_retries=2,
                                          timeout=STREAM_TIMEOUT)
        return cls(client, settings.anthropic_model)

    async def turn(
        self,
        *,
        system: str,
        messages: list[dict[str, Any]],
        tools: Sequence[dict[str, Any]] = (),
        tool_choice: dict[str, Any] | None = None,
        max_tokens: int = 4096,
        on_delta: OnDelta | None = None,
    ) -> Turn:
        request: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max_tokens,
            "system": [{"type": "text", "text": system, "cache_control": EPHEMERAL}],
            "messages": _cache_tail(messages),
        }
        if tools:
            cached = [copy.deepcopy(dict(t)) for t in tools]
            cached[-1]["cache_control"] = EPHEMERAL
            request["tools"] = cached
        if tool_choice:
            request["tool_choice"] = tool_choice
        attempt = 0
        while True:
            try:
                return await self._stream(request, on_delta)
            except anthropic.APIStatusError as exc:
                if _is_overloaded(exc) and attempt < self.overloaded_retries:
                    attempt += 1
                    await self.sleep(self.backoff_seconds * attempt)
                    continue
                raise _explain(exc) from exc
            except anthropic.APIConnectionError as exc:  # refused, dropped mid-stream, or stalled (timeout)
                raise LLMError("We couldn't reach Claude just now. Please try again in a minute.",
                               retryable=True) from exc
            except httpx2.TimeoutException as exc:  # the stream went silent past the idle timeout
                raise LLMError("Claude went quiet in the middle of a reply.", retryable=True) from exc
            except (httpx2.HTTPError, anthropic.APIResponseValidationError) as exc:  # a stream cut midway
                raise LLMError("The connection to Claude broke off mid-reply.", retryable=True) from exc

    async def _stream(self, request: dict[str, Any], on_delta: OnDelta | None) -> Turn:
        async with self.client.messages.stream(**request) as stream:
            async for event in stream:
                if on_delta is None:
                    continue
                if event.type == "text":
                    await on_delta("text", event.text)
                elif event.type == "input_json":
                    await on_delta("tool_input", event.partial_json)
                elif event.type == "content_block_start" and event.content_block.type == "tool_use":
                    await on_delta("tool", event.content_block.name)
            final = await stream.get_final_message()
        blocks: list[TextBlock | ToolUse] = []
        for block in final.content:
            if block.type == "text":
                blocks.append(TextBlock(block.text))
            elif block.type == "tool_use":
                blocks.append(ToolUse(id=block.id, name=block.name, input=dict(block.input or {})))
        usage = final.usage
        return Turn(
            content=tuple(blocks),
            stop_reason=final.stop_reason or "end_turn",
            model=final.model or self.model,
            usage=Usage(input_tokens=usage.input_tokens or 0, output_tokens=usage.output_tokens or 0,
                        cache_write_tokens=usage.cache_creation_input_tokens or 0,
                        cache_read_tokens=usage.cache_read_input_tokens or 0),
        )


def _cache_tail(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation with a cache breakpoint on its last block, so the next request (which repeats
    all of this and adds to the end) reads it from the cache. The caller's messages are not changed."""
    if not messages:
        return messages
    last = dict(messages[-1])
    content = last["content"]
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else [dict(b) for b in content]
    if not blocks:
        return messages
    blocks[-1]["cache_control"] = EPHEMERAL
    last["content"] = blocks
    return [*messages[:-1], last]


_REGAIN = re.compile(r"regain access on (\d{4}-\d{2}-\d{2})(?:\s+at\s+(\d{1,2}:\d{2}))?", re.IGNORECASE)


def _regained_in(message: str) -> float | None:
    """Seconds until the date an account-limit error names ("You will regain access on 2027-01-01 at
    00:00 UTC"), or None when it names none."""
    found = _REGAIN.search(message)
    if not found:
        return None
    try:
        when = datetime.fromisoformat(f"{found.group(1)}T{found.group(2) or '00:00'}").replace(tzinfo=UTC)
    except ValueError:
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _retry_after(exc: anthropic.APIStatusError) -> float | None:
    try:
        return max(float(exc.response.headers.get("retry-after", "")), 0.0)
    except (TypeError, ValueError, AttributeError):
        return None


def _explain(exc: anthropic.APIStatusError) -> LLMError:
    if _is_overloaded(exc):
        return LLMError("Claude is overloaded right now. Your work is saved; please try again in a few minutes.",
                        retryable=True, retry_after=_retry_after(exc))
    message = str(exc.message if hasattr(exc, "message") else exc)
    if exc.status_code in (400, 429) and _ACCOUNT_LIMIT.search(message):
        return LLMError("The Anthropic account this service uses has reached its spending limit. Your work is "
                        "saved; the build goes on once the limit is raised or resets.", retryable=True,
                        retry_after=_regained_in(message) or _retry_after(exc), account=True)
    if exc.status_code == 400 and "prompt is too long" in message.lower():
        return LLMError("The build's notes grew too long for Claude to read at once.", retryable=True, too_long=True)
    if isinstance(exc, anthropic.RateLimitError):
        return LLMError("Claude is busy right now (too many requests). Please try again in a minute.", retryable=True,
                        retry_after=_retry_after(exc))
    if isinstance(exc, (anthropic.AuthenticationError, anthropic.PermissionDeniedError)):
        return LLMError("The Anthropic API key was refused. Check ANTHROPIC_API_KEY and restart.", retryable=False)
    if exc.status_code >= 500:
        return LLMError("Claude had a problem on its side. Please try again in a minute.", retryable=True)
    return LLMError("Claude couldn't handle this request. Please try again; if it keeps happening, contact support.",
                    retryable=False)
