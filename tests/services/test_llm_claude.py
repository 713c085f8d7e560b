"""The Claude adapter with the real Anthropic SDK against a local server that streams like the API."""

import copy
import json

import pytest

from agent import brief, interview
from agent.config import Settings
from agent.services.claude import AnthropicLLM
from agent.services.llm import LLMError, force_tool
from tests.services.contracts import llm_contract
from tests.support.fake_messages_api import USAGE, FakeMessagesAPI

FAST_RETRY = {"retry-after-ms": "5"}  # the SDK waits what the server asks, so retries stay quick


@pytest.fixture
def api():
    with FakeMessagesAPI() as server:
        yield server


def claude(api, **kwargs) -> AnthropicLLM:
    settings = Settings.from_env({"ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_BASE_URL": api.url,
                                  "ANTHROPIC_MODEL": "claude-sonnet-4-5"})
    llm = AnthropicLLM.from_settings(settings)
    for name, value in kwargs.items():
        setattr(llm, name, value)
    return llm


async def no_wait(_seconds):
    return None


async def test_the_claude_adapter_passes_the_llm_contract(api):
    api.turn(("tool_use", "next_question", {"done": False, "key": "problem", "topic": "problem",
                                           "question": "What problem are you solving?"}))
    api.turn(("text", "I'm Claude, your co-founder."))
    llm = claude(api)
    assert llm.label == "Claude (claude-sonnet-4-5)" and not llm.offline
    await llm_contract(llm)


async def test_a_text_turn_streams_and_reports_every_usage_field(api):
    api.turn(("text", "Hello, founder! Let's build."))
    deltas = []

    async def on_delta(kind, chunk):
        deltas.append((kind, chunk))

    turn = await claude(api).turn(system="Be kind.", messages=[{"role": "user", "content": "Hi"}], on_delta=on_delta)
    assert turn.text == "Hello, founder! Let's build." and turn.stop_reason == "end_turn"
    assert len(deltas) > 1 and "".join(c for _, c in deltas) == turn.text
    assert (turn.usage.input_tokens, turn.usage.output_tokens) == (USAGE["input_tokens"], USAGE["output_tokens"])
    assert turn.usage.cache_write_tokens == USAGE["cache_creation_input_tokens"]
    assert turn.usage.cache_read_tokens == USAGE["cache_read_input_tokens"]
    sent = api.requests[0]
    assert sent["body"]["model"] == "claude-sonnet-4-5" and sent["body"]["stream"] is True
    headers = sent["headers"]  # this SDK version sends the key as a bearer token
    assert headers.get("x-api-key") == "sk-ant-test" or headers.get("authorization") == "Bearer sk-ant-test"


async def test_a_forced_tool_call_returns_its_input_and_caches_the_stable_prefix(api):
    draft = {"problem": "P", "target_users": "U", "value_proposition": "V", "differentiation": "D",
             "monetisation": "M", "mvp_features": [{"name": "Search", "priority": "must"}], "risks": [],
             "success_metrics": ["10 users"]}
    api.turn(("tool_use", "write_brief", draft))
    tools = [interview.NEXT_QUESTION_TOOL, brief.WRITE_BRIEF_TOOL]
    original = copy.deepcopy(tools)
    pieces = []

    async def on_delta(kind, chunk):
        pieces.append((kind, chunk))

    turn = await claude(api).turn(system="Write briefs.", messages=[{"role": "user", "content": "Go"}], tools=tools,
                                  tool_choice=force_tool("write_brief"), on_delta=on_delta)
    assert turn.stop_reason == "tool_use" and turn.tool_input("write_brief") == draft
    assert json.loads("".join(c for k, c in pieces if k == "tool_input")) == draft
    assert pieces[0] == ("tool", "write_brief")  # the call is named as it begins, before its arguments
    body = api.requests[0]["body"]
    assert body["system"] == [{"type": "text", "text": "Write briefs.", "cache_control": {"type": "ephemeral"}}]
    assert "cache_control" not in body["tools"][0] and body["tools"][1]["cache_control"] == {"type": "ephemeral"}
    assert body["tool_choice"] == {"type": "tool", "name": "write_brief"}
    assert tools == original  # the caller's tool definitions are untouched


async def test_a_rate_limit_with_retry_after_is_retried_by_the_sdk(api):
    api.error(429, "rate_limit_error", headers=FAST_RETRY)
    api.turn(("text", "Done."))
    turn = await claude(api).turn(system="s", messages=[{"role": "user", "content": "x"}])
    assert turn.text == "Done." and len(api.requests) == 2


async def test_a_lasting_overload_ends_in_a_plain_english_error(api):
    for _ in range(12):
        api.error(529, "overloaded_error", headers=FAST_RETRY)
    llm = claude(api, sleep=no_wait, overloaded_retries=2)
    with pytest.raises(LLMError) as raised:
        await llm.turn(system="s", messages=[{"role": "user", "content": "x"}])
    assert raised.value.retryable and "overloaded" in str(raised.value) and "{" not in str(raised.value)
    assert len(api.requests) == 9  # (1 try + 2 SDK retries) for each of 1 + 2 adapter attempts


async def test_an_overload_in_the_middle_of_a_stream_is_retried_by_the_adapter(api):
    api.broken_stream("overloaded_error")
    api.turn(("text", "Second time lucky."))
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    turn = await claude(api, sleep=sleep, backoff_seconds=0.5).turn(system="s", messages=[{"role": "user", "content": "x"}])
    assert turn.text == "Second time lucky." and len(api.requests) == 2 and waits == [0.5]


async def test_a_refused_key_is_not_retried(api):
    api.error(401, "authentication_error", "invalid x-api-key")
    with pytest.raises(LLMError) as raised:
        await claude(api, sleep=no_wait).turn(system="s", messages=[{"role": "user", "content": "x"}])
    assert not raised.value.retryable and "ANTHROPIC_API_KEY" in str(raised.value)
    assert len(api.requests) == 1


async def test_the_conversation_tail_is_a_cache_breakpoint_and_the_callers_messages_stay_untouched(api):
    api.turn(("text", "ok"))
    messages = [{"role": "user", "content": "Build it"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "bash", "input": {}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "done"}]}]
    original = copy.deepcopy(messages)
    await claude(api).turn(system="s", messages=messages)
    sent = api.requests[0]["body"]["messages"]
    assert sent[-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in json.dumps(sent[:-1])
    assert messages == original


async def test_a_run_can_speak_to_its_tiers_model_through_the_same_client(api):
    api.turn(("text", "Opus here."))
    sonnet = claude(api)
    opus = sonnet.for_model("claude-opus-4-1")
    assert sonnet.for_model("claude-sonnet-4-5") is sonnet and opus.client is sonnet.client
    assert opus.label == "Claude (claude-opus-4-1)"
    await opus.turn(system="Be kind.", messages=[{"role": "user", "content": "Hi"}])
    assert api.requests[0]["body"]["model"] == "claude-opus-4-1"
