"""Every secret the settings know is redacted wherever text is shown or stored, and secrets in the
generated code are found before the pack is made and before the preview is announced."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from agent import events as ev
from agent import founder_safe, handover, store, streams, tools
from agent import journey_store as js
from agent.config import Settings
from agent.services.local_sandbox import LocalSandbox

SECRETS = {"ANTHROPIC_API_KEY": "sk-ant-api03-canary-anthropic-0001", "E2B_API_KEY": "e2b_canary_0002_key",
           "S3_SECRET_ACCESS_KEY": "s3-canary-secret-0003", "S3_ACCESS_KEY_ID": "AKIACANARY0004EXAMPL",
           "STRIPE_SECRET_KEY": "sk_test_canary0005abcdef", "STRIPE_WEBHOOK_SECRET": "whsec_canary0006abcdef",
           "SMTP_PASSWORD": "smtp-canary-password-0008"}
REDIS_PASSWORD = "redis-canary-password-0007"


@pytest.fixture
def known():
    settings = Settings.from_env({**SECRETS, "SANDBOX": "local",
                                  "REDIS_URL": f"redis://:{REDIS_PASSWORD}@127.0.0.1:6379/0"})
    founder_safe.register_secrets(settings.secret_values())
    yield [*SECRETS.values(), REDIS_PASSWORD]
    founder_safe.register_secrets(())


def test_the_settings_list_every_secret_they_hold(known):
    assert set(known) <= set(Settings.from_env({**SECRETS, "SANDBOX": "local", "REDIS_URL":
                                                f"redis://:{REDIS_PASSWORD}@127.0.0.1:6379/0"}).secret_values())


def leaks(text: str, known: list[str]) -> list[str]:
    return [value for value in known if value in text]


async def test_events_and_artifacts_never_store_a_secret(known, db, redis, founder):
    _, project, run = founder
    text = "connecting with " + " and ".join(known)
    for event in (ev.Narration(text=text), ev.LogOutput(command=f"echo {known[0]}", text=text, status="exit code 0"),
                  ev.ToolUsed(tool="bash", label=text, ok=True)):
        await store.record(db=db, redis=redis, run_id=run.id, event=event)
    with db.session() as s:
        rows = store.events_between(s, run_id=run.id, after_seq=0)
        saved = js.save_version(s, project_id=project.id, kind="docs", content={"faq": text}, author="x", note=text)
    assert rows and not leaks(json.dumps([r.payload for r in rows]), known)
    assert not leaks(json.dumps(saved.content) + saved.note, known)
    entries = await redis.xrange(streams.run_stream(run.id))
    assert entries and not leaks(json.dumps(entries), known)
    assert "[redacted]" in json.dumps([r.payload for r in rows])


async def test_the_pack_hides_secrets_in_the_code_and_says_so(known, tmp_path):
    box = LocalSandbox(tmp_path / "ws")
    await box.write_file("app/server.py", f'KEY = "{known[0]}"\nSTRIPE = "sk_live_51Hxxxxxxxxxxxxxxxxxxxxxxxx"\n'.encode())
    await box.write_file("tests/test_app.py", b'PASSWORD = "correct horse battery"  # a test\'s own\n')
    code, found = handover.secret_scan.clean(await handover._code(box))
    contents = handover.PackContents(project_name="Walkies", brief={}, phases=[], docs={"faq": known[1]},
                                     code=code, hidden=sorted({f.path for f in found}))
    with tarfile.open(fileobj=io.BytesIO(handover.make_pack(contents)), mode="r:gz") as archive:
        files = {m.name.split("/", 1)[1]: archive.extractfile(m).read().decode() for m in archive if m.isfile()}
    assert not leaks("".join(files.values()), known) and "sk_live_51H" not in files["code/app/server.py"]
    assert files["code/tests/test_app.py"].startswith('PASSWORD = "correct horse battery"')  # tests keep working
    assert "code/app/server.py" in files["README.md"] and "Hidden secrets" in files["README.md"]


async def test_the_agent_and_the_founder_hear_of_a_secret_before_the_preview(tmp_path):
    box = LocalSandbox(tmp_path / "ws")
    await box.write_file("app/config.py", b'GITHUB = "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB"\n')
    await box.write_file("index.html", b"<h1>Hi</h1>")
    events = []

    async def emit(event):
        events.append(event)

    async def nothing(*_):
        return None

    context = tools.ToolContext(sandbox=box, emit=emit, save_doc=nothing, save_screenshot=nothing, capture=nothing,
                                move_phase=nothing)
    try:
        result = await tools.dispatch(context, "start_app", {"command": "python3 -m http.server 8000", "port": 8000})
    finally:
        await box.close()
    assert not result.is_error and "app/config.py:1" in result.content
    told = [e for e in events if isinstance(e, ev.Narration)]
    assert told and "secret key" in told[0].text and "config.py" not in told[0].text  # plain words, no paths
    assert events.index(told[0]) < next(i for i, e in enumerate(events) if isinstance(e, ev.PreviewReady))
