"""The Build page's state: the controls, and everything the page shows besides the feed, re-read
from the database when the build's events arrive (see `agent/build_view.py`)."""

from __future__ import annotations

import reflex as rx

from agent import build_view, preview_tokens
from agent.build_fold import VIEW_TYPES, FoldCache
from agent import events as ev
from agent.journey import JourneyError
from agent.models import Project
from cofounder_app import audit, deps
from cofounder_app.build_api import files_url
from cofounder_app.preview_proxy import preview_alive, preview_origin
from cofounder_app.project_state import ProjectPageState, Refresher, register_page

PROBE_SECONDS = 5.0
FOLDS = FoldCache()  # the watched builds' events folded so far: a re-read reads only what is new
WANTS = frozenset({*VIEW_TYPES, ev.RunStarted.type, ev.RunCompleted.type, ev.RunPaused.type,
                   ev.NeedsInput.type, ev.PhaseCompleted.type, ev.Narration.type})


async def read_build(project_id: int, *, fresh: bool = False) -> dict:
    """The page's view; the preview's liveness is probed at most every PROBE_SECONDS (always when `fresh`)."""
    def _read(session):
        owner_id = session.get(Project, project_id).owner_id
        return owner_id, build_view.read(session, project_id=project_id, user_id=owner_id, folds=FOLDS)

    owner_id, view = await deps.db().run(_read)
    view["preview_state"] = await preview_alive(project_id, max_age=0 if fresh else PROBE_SECONDS) \
        if view["preview_url"] else ""
    view["preview_token"] = await _preview_token(project_id, owner_id) if view["preview_state"] == "live" else ""
    return view


async def _preview_token(project_id: int, owner_id: int) -> str:
    """The project's live preview token (a new one when there is none): the preview's own origin."""
    token, new = await preview_tokens.issue(deps.redis(), project_id=project_id, user_id=owner_id,
                                            seconds=deps.settings.preview_token_seconds)
    if new:
        await audit.record("preview_token_issued", user_id=owner_id, project_id=project_id)
    return token


class BuildState(ProjectPageState):
    run_status: str = ""
    card_kind: str = "idle"
    card_title: str = ""
    card_detail: str = ""
    card_since: str = ""
    stage: str = ""
    phases: list[dict[str, str]] = []
    screenshots: list[dict[str, str]] = []
    docs: list[dict[str, str]] = []
    logs: str = ""
    preview_src: str = ""
    preview_state: str = ""  # "" (not started) / live / asleep / waking
    download_href: str = ""
    download_size: str = ""
    evidence: list[dict[str, str]] = []
    run_cost: str = "$0.00"
    today_cost: str = "$0.00"
    allowance_cost: str = "$0.00"
    tier_name: str = ""
    allowance_used: int = 0
    chart: str = ""
    verbose: bool = False
    starting: bool = False
    fixing: str = ""  # "Auto-fixing (attempt N of 3)" while the agent retries a failure
    healing_cost: str = ""  # what fixing problems cost of this build ("" when nothing)
    caching_saved: str = ""  # what prompt caching saved on this build ("" when nothing)
    question_attempts: list[str] = []
    question_recommendation: str = ""
    question_options: list[str] = []
    answering: bool = False
    answer_error: str = ""

    def _show(self, view: dict) -> None:
        """Shows the view, assigning only what changed: every assignment goes to every tab of the
        founder's on each batch of events, and the log and guides are large."""
        self._views_shown += 1
        card, pid = view["card"], self.project_id_value
        shown = {
            "run_status": view["run_status"], "stage": view["stage"], "card_kind": card.kind,
            "card_title": card.title, "card_detail": card.detail, "card_since": card.since,
            "phases": view["phases"], "logs": view["logs"], "evidence": view["evidence"], "docs": view["docs"],
            "screenshots": [{**s, "src": self._api(files_url(pid, s["key"]))} for s in view["screenshots"]],
            "preview_src": preview_origin(view["preview_token"], self.router.headers.host) + "/"
            if view["preview_token"] else "",
            "download_href": self._api(files_url(pid, view["download_key"]) + "?download=1")
            if view["download_key"] else "",
            "download_size": f"{view['download_size'] / 1024:,.0f} KB" if view["download_key"] else "",
            **{name: view[name] for name in ("run_cost", "today_cost", "allowance_cost", "allowance_used", "chart",
                                             "tier_name")},
        }
        question = view["question"]
        shown.update(fixing=view["fixing"], healing_cost=view["healing_cost"], caching_saved=view["caching_saved"], question_attempts=question["attempts"],
                     question_recommendation=question["recommendation"], question_options=question["options"])
        if card.kind != "needs_input":
            shown["answering"] = False
        if not (self.preview_state == "waking" and view["preview_state"] == "asleep"):
            shown["preview_state"] = view["preview_state"]
        if card.kind != "building":
            shown["starting"] = False
        for name, value in shown.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _api(self, path: str) -> str:
        return self.api_base + path

    @rx.var
    def log_href(self) -> str:
        return f"{self.api_base}/api/projects/{self.project_id_value}/build-log"

    @rx.var
    def can_start(self) -> bool:
        return self.project_status in ("planned", "built") and self.card_kind not in ("building", "resting")

    @rx.var
    def counts(self) -> dict[str, int]:
        return {status: sum(p["status"] == status for p in self.phases) for status in ("pending", "in_progress", "done")}

    @rx.event
    async def open(self):
        project = await self._open_project("build")
        if project is None:
            return self._away()
        await self._current_user_id()
        self._show(await read_build(project.id, fresh=True))
        return ProjectPageState.listen

    async def _control(self, action: str, ok: str = ""):
        project = await self._owned()
        if project is None:
            return rx.toast.error("That project isn't yours.")
        try:
            await getattr(deps.controls(), action)(project)
        except JourneyError as exc:
            self.starting = False
            return rx.toast.info(str(exc))
        return rx.toast.success(ok) if ok else None

    @rx.event
    async def start(self):
        if self.starting:  # a second click while the first is on its way
            return None
        self.starting = True
        return await self._control("start")

    @rx.event
    async def pause(self):
        return await self._control("pause", "Pausing after the current step.")

    @rx.event
    async def resume(self):
        return await self._control("resume", "Resuming the build.")

    @rx.event
    async def stop(self):
        return await self._control("stop", "Stopping after the current step.")

    @rx.event
    async def wake(self):
        self.preview_state = "waking"
        return await self._control("wake_preview")

    async def _answer(self, text: str):
        project = await self._owned()
        if project is None:
            return rx.toast.error("That project isn't yours.")
        self.answer_error, self.answering = "", True
        try:
            await deps.controls().answer(project, text)
        except JourneyError as exc:
            self.answer_error, self.answering = str(exc), False
            return None
        if text.strip().lower().startswith("stop the build"):
            return rx.toast.info("Stopping the build. Everything built so far is kept.")
        return rx.toast.success("Thanks: your co-founder is back at work with your decision.")

    @rx.event
    async def choose(self, option: str):
        return await self._answer(option)

    @rx.event
    async def answer(self, form: dict):
        return await self._answer(str(form.get("instruction", "")))

    @rx.event
    def toggle_verbose(self, value: bool):
        self.verbose = value


register_page("build", Refresher(state=BuildState, wants=WANTS, read=read_build))
