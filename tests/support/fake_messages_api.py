"""A local stand-in for the Anthropic Messages API that streams exactly like the real one.

`POST /v1/messages` with `"stream": true` answers with the API's server-sent events: message_start
(with usage and cache fields), ping, content_block_start / content_block_delta (text_delta chunks or
input_json_delta chunks) / content_block_stop per block, message_delta (stop reason, output tokens)
and message_stop. Tests queue what the next requests get: a turn, an HTTP error with the API's error
body (429 with retry-after, 529 overloaded, 401), or a stream that breaks with an `error` event.
Every request body and its headers are kept for assertions. The real SDK talks to it via base_url.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections import deque
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from tests.support.servers import free_port

USAGE = {"input_tokens": 120, "output_tokens": 35, "cache_creation_input_tokens": 900, "cache_read_input_tokens": 2400}


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _chunks(text: str, size: int = 7) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


class FakeMessagesAPI:
    def __init__(self) -> None:
        self.replies: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = Starlette(routes=[Route("/v1/messages", self._messages, methods=["POST"])])
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    # --- scripting -------------------------------------------------------------------------------
    def turn(self, *blocks, stop_reason: str | None = None, usage: dict[str, int] | None = None) -> None:
        """Queue a streamed turn. Blocks: ("text", "Hello") or ("tool_use", name, {input}); or one callable
        of the request body giving the blocks (a turn that reads the build prompt, say)."""
        if len(blocks) == 1 and callable(blocks[0]):
            self.replies.append({"kind": "turn", "blocks": blocks[0], "stop_reason": stop_reason or "tool_use",
                                 "usage": usage or USAGE})
            return
        stop = stop_reason or ("tool_use" if any(b[0] == "tool_use" for b in blocks) else "end_turn")
        self.replies.append({"kind": "turn", "blocks": blocks, "stop_reason": stop, "usage": usage or USAGE})

    def error(self, status: int, error_type: str, message: str = "", headers: dict[str, str] | None = None) -> None:
        self.replies.append({"kind": "status", "status": status, "error_type": error_type,
                             "message": message or error_type.replace("_", " "), "headers": headers or {}})

    def stall(self, seconds: float, text_before: str = "Let me th") -> None:
        """A stream that starts, says a little, then goes silent for `seconds` (a stalled connection)."""
        self.replies.append({"kind": "stall", "seconds": seconds, "text": text_before})

    def broken_stream(self, error_type: str = "overloaded_error", text_before: str = "Let me th") -> None:
        self.replies.append({"kind": "broken", "error_type": error_type, "text": text_before})

    # --- the server --------------------------------------------------------------------------------
    def __enter__(self) -> FakeMessagesAPI:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake Messages API did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)

    async def _messages(self, request: Request):
        body = await request.json()
        self.requests.append({"body": body, "headers": dict(request.headers)})
        if not self.replies:
            return JSONResponse({"type": "error", "error": {"type": "api_error", "message": "nothing scripted"}},
                                status_code=500)
        reply = self.replies.popleft()
        if reply["kind"] == "status":
            error = {"type": "error", "error": {"type": reply["error_type"], "message": reply["message"]}}
            return JSONResponse(error, status_code=reply["status"], headers={"request-id": "req_fake", **reply["headers"]})
        if reply["kind"] == "turn" and callable(reply["blocks"]):  # a turn that reads the request (the port)
            reply = {**reply, "blocks": reply["blocks"](body)}
        stream = self._stalled(body, reply) if reply["kind"] == "stall" else self._stream(body, reply)
        return StreamingResponse(stream, media_type="text/event-stream",
                                 headers={"request-id": "req_fake", "cache-control": "no-cache"})

    async def _stalled(self, body: dict[str, Any], reply: dict[str, Any]):
        for event in self._stream(body, {"kind": "broken", "text": reply["text"], "error_type": "none"}):
            if '"type": "error"' in event:
                break
            yield event
        await asyncio.sleep(reply["seconds"])

    def _stream(self, body: dict[str, Any], reply: dict[str, Any]):
        usage = reply.get("usage", USAGE)
        start_usage = {**usage, "output_tokens": 1}
        yield _sse("message_start", {"type": "message_start", "message": {
            "id": f"msg_{uuid.uuid4().hex[:20]}", "type": "message", "role": "assistant", "model": body["model"],
            "content": [], "stop_reason": None, "stop_sequence": None, "usage": start_usage}})
        yield _sse("ping", {"type": "ping"})
        if reply["kind"] == "broken":
            yield _sse("content_block_start", {"type": "content_block_start", "index": 0,
                                               "content_block": {"type": "text", "text": ""}})
            yield _sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta", "text": reply["text"]}})
            yield _sse("error", {"type": "error", "error": {"type": reply["error_type"], "message": "Overloaded"}})
            return
        for index, block in enumerate(reply["blocks"]):
            if block[0] == "text":
                yield _sse("content_block_start", {"type": "content_block_start", "index": index,
                                                   "content_block": {"type": "text", "text": ""}})
                for chunk in _chunks(block[1]):
                    yield _sse("content_block_delta", {"type": "content_block_delta", "index": index,
                                                       "delta": {"type": "text_delta", "text": chunk}})
            else:
                _, name, tool_input = block
                yield _sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": {
                    "type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}", "name": name, "input": {}}})
                for chunk in _chunks(json.dumps(tool_input), size=11):
                    yield _sse("content_block_delta", {"type": "content_block_delta", "index": index,
                                                       "delta": {"type": "input_json_delta", "partial_json": chunk}})
            yield _sse("content_block_stop", {"type": "content_block_stop", "index": index})
        yield _sse("message_delta", {"type": "message_delta",
                                     "delta": {"stop_reason": reply["stop_reason"], "stop_sequence": None},
                                     "usage": {"output_tokens": usage["output_tokens"]}})
        yield _sse("message_stop", {"type": "message_stop"})
