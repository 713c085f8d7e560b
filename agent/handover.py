"""What a finished build hands the founder: the evidence report and the download pack.

The pack is a tar.gz of the app's code, the guides, the Idea Brief, the plan and the screenshots,
with a short README on how to run the app; it goes to object storage. Both are made after the last
step; a failure in either is logged and reported in the feed, and never fails the build.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import tarfile
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from agent import brief as brief_rules
from agent import plan as plan_rules
from agent import run_store as rs
from agent import events as ev
from agent import secret_scan
from agent.founder_safe import redact
from agent import journey_store as js
from agent.models import RunEvent

if TYPE_CHECKING:
    from agent.models import Project
    from agent.services.sandbox import Sandbox

log = logging.getLogger(__name__)
MAX_FILE_BYTES = 5 * 1024 * 1024  # larger files (data dumps, binaries) stay out of the pack
SKIP_PARTS = {".git", "node_modules", "__pycache__", ".venv", "venv", ".pytest_cache"}
RUNTIME_DATA = "data/"  # the running app's own database, uploads and session key: not code


@dataclass
class PackContents:
    project_name: str
    brief: dict[str, Any]
    phases: list[dict[str, Any]]
    docs: dict[str, str]
    code: dict[str, bytes] = field(default_factory=dict)  # path -> bytes
    screenshots: dict[str, bytes] = field(default_factory=dict)  # file name -> png
    run_command: str = ""
    hidden: list[str] = field(default_factory=list)  # files where a secret was found and hidden


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "item"


def plan_markdown(name: str, phases: list[dict[str, Any]]) -> str:
    lines = [f"# Build plan: {name}", ""]
    for number, phase in enumerate(phases, start=1):
        lines += [f"## {number}. {phase['title']} ({phase.get('status', 'pending').replace('_', ' ')})", ""]
        if phase.get("goal"):
            lines += [phase["goal"], ""]
        lines += [f"- {item}" for item in phase.get("acceptance") or []] + [""]
    return "\n".join(lines).rstrip() + "\n"


def readme(contents: PackContents) -> str:
    run = contents.run_command or "See docs/getting_started.md."
    return (f"# {contents.project_name}\n\nBuilt with AI Co-Founder. This pack holds everything about the first "
            "version of your product:\n\n"
            "- `code/`: the app itself\n- `docs/`: the guides (overview, features, getting started, FAQ)\n"
            "- `idea-brief.md` and `plan.md`: what was agreed before the build\n"
            "- `screenshots/`: the app's pages as they looked when it was built\n\n"
            "## Run the app\n\nYou need Python 3. In a terminal, from the `code` folder:\n\n"
            + ("```\npython3 -m pip install -r requirements.txt\n```\n\nthen\n\n" if "requirements.txt" in contents.code
               else "") +
            f"```\n{run}\n```\n\nThen open http://localhost:8000 in your browser.\n"
            + ("\n## Hidden secrets\n\nWhat looked like a password or secret key was replaced with `[redacted]` in: "
               + ", ".join(f"`code/{path}`" for path in contents.hidden)
               + ". Keep real keys in your hosting's settings, never in the code.\n" if contents.hidden else ""))


def make_pack(contents: PackContents) -> bytes:
    """The tar.gz handover pack, every entry under one top-level folder named after the product."""
    root = slug(contents.project_name)
    buffer = io.BytesIO()
    now = time.time()

    def add(name: str, data: bytes) -> None:
        info = tarfile.TarInfo(f"{root}/{name}")
        info.size, info.mtime, info.mode = len(data), now, 0o644
        archive.addfile(info, io.BytesIO(data))

    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        add("README.md", readme(contents).encode())
        add("idea-brief.md", brief_rules.to_markdown(contents.brief).encode() if contents.brief else b"")
        add("plan.md", plan_markdown(contents.project_name, contents.phases).encode())
        for kind, text in sorted(contents.docs.items()):
            add(f"docs/{kind}.md", redact(text).encode())
        for path, data in sorted(contents.code.items()):
            add(f"code/{path}", data)
        for name, png in sorted(contents.screenshots.items()):
            add(f"screenshots/{name}", png)
    return buffer.getvalue()


# The generated app's own checks (agent/appstack/template/tests), in the founder's words.
CHECK_WORDS = {
    "test_page_starts_empty": "it opens with a clear empty state",
    "test_adding_needs_sign_in": "adding asks a visitor to sign in first",
    "test_empty_required_fields_are_named": "leaving a required field empty is explained",
    "test_form_keeps_what_was_typed": "the form keeps what was typed after a mistake",
    "test_adding_a_record_shows_it": "something added is listed straight away",
    "test_invalid_values_are_explained": "a wrong value is explained",
    "test_photos_are_checked_and_served": "photos are checked and shown",
    "test_search_finds_records": "search finds what was added, and says when nothing matches",
    "test_browse_links_to_adding": "it links to where things are added",
}


def _page_checks(page_slug: str, field_keys: set[str], checks: dict[str, str]) -> dict[str, list[str]]:
    """The app's checks of one page, by outcome, in plain words (each said once)."""
    found: dict[str, list[str]] = {"passed": [], "failed": []}
    for node, outcome in sorted(checks.items()):
        name, _, param = node.partition("::")[2].partition("[")
        param = param.rstrip("]")
        if param != page_slug and not any(param == f"{page_slug}-{key}" for key in field_keys):
            continue
        words = CHECK_WORDS.get(name, name.removeprefix("test_").replace("_", " "))
        bucket = found["passed" if outcome == "passed" else "failed"]
        if words not in bucket and outcome != "skipped":
            bucket.append(words)
    found["passed"] = [w for w in found["passed"] if w not in found["failed"]]
    return found


def evidence(features: list[dict[str, Any]], screenshots: list[dict[str, Any]],
             test_runs: list[dict[str, Any]], *, schema: dict[str, Any] | None = None,
             checks: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Each MVP feature with what shows it working: a screenshot of its page and the checks that
    passed after it was built. When the app's own checks say which page they tested (`checks`, from
    the app the offline co-founder builds, with its `schema`), each feature lists what was checked
    and what failed; otherwise the last test run speaks for all. Anything less is "not verified"."""
    shots = {slug(s.get("name", "")): s for s in screenshots}
    last_tests = test_runs[-1] if test_runs else None
    tests_passed = bool(last_tests) and last_tests.get("status") == "exit code 0"
    pages = {p.get("title"): p for p in (schema or {}).get("pages", []) if isinstance(p, dict)}
    entities = {e.get("key"): e for e in (schema or {}).get("entities", []) if isinstance(e, dict)}
    report = []
    for feature in features:
        name = feature.get("name", "")
        shot = shots.get(slug(name))
        page = pages.get(name)
        if page is not None and checks:
            keys = {f.get("key", "") for f in entities.get(page.get("entity"), {}).get("fields", [])}
            found = _page_checks(str(page.get("slug", "")), keys, checks)
            verified = bool(found["passed"]) and not found["failed"] and tests_passed
            test = ("checked by the app's own tests: " + "; ".join(found["passed"]) if found["passed"]
                    else "no check of this page ran")
            if found["failed"]:
                test += ". Not working yet: " + "; ".join(found["failed"])
        else:
            verified = tests_passed
            test = ("the app's automated checks passed after it was built" if tests_passed else
                    "the app's automated checks did not pass" if last_tests else "no automated check was run")
        report.append({"feature": name, "screenshot": shot["key"] if shot else "", "test": test,
                       "verified": bool(shot) and verified})
    return report


async def _app_json(sandbox: Sandbox, path: str) -> dict[str, Any]:
    """A JSON file the app keeps in the workspace, or {} (a missing or broken file is no evidence)."""
    try:
        data = json.loads((await sandbox.read_file(path)).decode("utf-8"))
    except Exception:
        return {}
    return data if isinstance(data, dict) else {}


async def _code(sandbox: Sandbox) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for path in await sandbox.list_files():
        if SKIP_PARTS & set(path.split("/")) or path.startswith(RUNTIME_DATA):
            continue
        data = await sandbox.read_file(path)
        if len(data) <= MAX_FILE_BYTES:
            files[path] = data
    return files


async def finish_build(deps, run_id: int, project: Project, sandbox: Sandbox, emit) -> None:
    """Write the evidence report and the download pack; failures are logged and told, never raised."""

    def _read(s):
        brief = js.latest(s, project_id=project.id, kind="brief")
        docs = js.latest(s, project_id=project.id, kind="docs")
        phases = [{"title": p.title, "goal": p.goal, "acceptance": p.acceptance, "status": p.status}
                  for p in js.plan_phases(s, project_id=project.id)]
        rows = list(s.exec(select(RunEvent).where(RunEvent.run_id == run_id,
                                                  col(RunEvent.type).in_([ev.ScreenshotTaken.type, ev.LogOutput.type,
                                                                          ev.PreviewReady.type]))
                           .order_by(col(RunEvent.seq))))
        return (brief.content if brief else {}), (docs.content if docs else {}), phases, rows

    try:
        brief, docs, phases, rows = await deps.db.run(_read)
        shots = [r.payload for r in rows if r.type == ev.ScreenshotTaken.type]
        tests = [r.payload for r in rows if r.type == ev.LogOutput.type and rs.TEST_COMMAND.search(r.payload["command"])]
        schema, checks = await _app_json(sandbox, "app/schema.json"), await _app_json(sandbox, "data/checks.json")
        await emit(ev.EvidenceReported(features=evidence(plan_rules.planned_features(brief, phases), shots, tests,
                                                         schema=schema, checks=checks)))
    except Exception:
        log.exception("evidence report of run %s failed", run_id)
        return
    try:
        code, found = await asyncio.to_thread(secret_scan.clean, await _code(sandbox))
        contents = PackContents(project_name=project.name, brief=brief, phases=phases, docs=docs, code=code,
                                hidden=sorted({f.path for f in found}))
        if found:
            await emit(ev.Narration(text=secret_scan.told(found)))
        for shot in shots:
            try:
                contents.screenshots[f"{slug(shot['name'])}.png"] = await deps.storage.get(shot["key"])
            except Exception:  # a lost screenshot leaves a gap in the pack, nothing more
                log.warning("screenshot %s is missing from storage", shot["key"])
        previews = [r.payload for r in rows if r.type == ev.PreviewReady.type and r.payload.get("command")]
        if previews:
            contents.run_command = re.sub(r"--port \d+", "--port 8000", previews[-1]["command"])
        data = make_pack(contents)
        key = f"{project.files_prefix()}downloads/run-{run_id}.tar.gz"
        await deps.storage.put(key, data, content_type="application/gzip")
        await emit(ev.DownloadReady(key=key, size=len(data)))
    except Exception:
        log.exception("download pack of run %s failed", run_id)
        await emit(ev.Narration(text="I couldn't prepare the download pack this time; your app and guides are safe."))
