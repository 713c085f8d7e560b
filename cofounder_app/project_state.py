"""What every page of a project shares: the ownership check, the project's header, the live feed,
and the one background listener per tab that keeps them current.

Pages are substates of `ProjectPageState`. A page's `open` calls `_open_project(page)` and then
returns `ProjectPageState.listen`; because there is only this one listener handler, moving between
the pages of a project supersedes the previous listener instead of starting a second one. When a
batch of events arrives, the listener asks the page's registered refresher whether to re-read its
view from the database (outside the state lock), then shows it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from agent import events as ev
from agent import store
from agent.follow import Cursor, follow
from agent.journey import JourneyError
from agent.models import Project
from agent.streams import StreamEvent
from cofounder_app import deps, routes, styles
from cofounder_app.components.feed import add_rows, feed_row, typing_of
from cofounder_app.live import tab_connected
from cofounder_app.settle import Settling, busy_runs, refresh_when_wanted
from cofounder_app.state import SessionState

KEEP = 200  # feed rows a tab holds while it follows the build live (up to 30 more between moves)
PAGE = 200  # events read per "Show earlier activity"
REFRESH_SPACING = 0.5  # seconds between two re-reads of a page's view while events keep coming
JOURNEY_STATUSES = ("interviewing", "drafting_brief", "brief_ready", "planning", "planned")


@dataclass(frozen=True)
class Refresher:
    state: type  # the page's substate class
    wants: frozenset[str]  # event types that change what the page shows
    read: Callable[[int], Awaitable[Any]]  # project id -> view (database reads, no lock held)


PAGES: dict[str, Refresher] = {}


def register_page(name: str, refresher: Refresher) -> None:
    PAGES[name] = refresher


def parse_project_id(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 12 else 0


class ProjectPageState(SessionState):
    project_id_value: int = 0
    project_name: str = ""
    project_status: str = ""
    status_label: str = ""
    status_color: str = "gray"
    loaded: bool = False
    not_found: bool = False
    cofounder_label: str = ""
    offline: bool = True
    steps_done: int = 0
    steps_total: int = 0
    working: str = ""  # what the co-founder is doing right now ("" when idle)
    failure: str = ""  # the last failed step, in plain English ("" when none)
    _project: int = 0
    _page: str = ""
    _views_shown: int = 0  # views shown so far (a re-read started before the latest is stale)

    def _show_project(self, project: Project) -> None:
        self.project_id_value, self.project_name, self.project_status = project.id, project.name, project.status
        self.status_label, self.status_color = styles.status_label(project.status)

    def _apply(self, batch: list[StreamEvent]) -> list[dict[str, str]]:
        """Update the header and progress from a batch; returns the batch's feed rows (oldest first)."""
        rows = []
        for item in batch:
            if item.type == ev.StepProgress.type:
                self.steps_done = int(item.payload.get("done", 0))
                self.steps_total = int(item.payload.get("total", 0))
                self.working = item.payload.get("step", self.working) if self.working else ""
            elif item.type == ev.RunStarted.type:
                self.working, self.failure, self.steps_done, self.steps_total = item.payload.get("title", ""), "", 0, 0
            elif item.type == ev.RunCompleted.type and item.payload.get("kind") == "setup":
                self.steps_done = self.steps_total = max(self.steps_total, 1)
                self._show_status("ready" if self.project_status == "setting_up" else self.project_status)
                self.working = ""
            elif item.type == ev.RunCompleted.type:
                self.working = ""
            elif item.type in (ev.ArtifactSaved.type, ev.QuestionAsked.type, ev.InterviewDone.type, ev.RunPaused.type,
                               ev.RunStopped.type, ev.NeedsInput.type):
                self.working = ""
            elif item.type == ev.RunFailed.type:
                self.failure, self.working = item.payload.get("reason", ""), ""
            row = feed_row(item)
            if row is not None:
                rows.append(row)
        return rows

    async def _add_to_feed(self, rows: list[dict[str, str]], *, cursor: Cursor | None = None,
                           reset: bool = False, typing: str | None = None) -> None:
        """The feed (and what Claude is typing) and the cursor live in their own substate, so a new
        event changes nothing else: every other component of the page stays as it is."""
        feed = await self.get_state(LiveFeedState)
        if typing is not None and typing != feed.typing:
            feed.typing = typing
        if reset:
            feed.feed_new, feed.feed, feed._runs, feed._announced, feed.typing = [], [], {}, "0-0", ""
            feed._window, feed.has_older = KEEP, False
        if rows:
            feed.feed_new, older, dropped = add_rows(feed.feed_new, feed.feed, rows, feed._window)
            if older is not None:  # assigned only when it changed: a changed list goes to the tab whole
                feed.feed, feed.has_older = older, feed.has_older or dropped
        if cursor is not None:
            feed._runs, feed._announced = dict(cursor.runs), cursor.announcements

    async def _cursor(self) -> Cursor:
        feed = await self.get_state(LiveFeedState)
        return Cursor(runs=dict(feed._runs), announcements=feed._announced)

    def _show_status(self, status: str) -> None:
        self.project_status = status
        self.status_label, self.status_color = styles.status_label(status)

    async def _open_project(self, page: str) -> Project | None:
        """Sign-in and ownership check, then the durable view. None when the page can't be shown
        (the caller returns `self._away()`)."""
        user_id = await self._current_user_id()
        if not user_id:
            return None
        project_id = parse_project_id(self.project_id)
        project = None
        if project_id:
            project = await deps.db().run(lambda s: store.owned_project(s, owner_id=user_id, project_id=project_id))
        self._page = page
        if project is None:  # missing, or someone else's: the same answer, so nothing leaks
            self.not_found, self.loaded, self._project = True, True, 0
            return None
        if project.id != self._project:
            self._project = project.id
            self.steps_done = self.steps_total = 0
            self.working = self.failure = ""
            await self._add_to_feed([], reset=True)
            await self._load_recent(project.id)
        self.cofounder_label = "Claude" if deps.settings.llm_backend == "anthropic" else "offline co-founder"
        self.offline = deps.settings.llm_backend != "anthropic"
        self._show_project(project)
        self.not_found, self.loaded = False, True
        return project

    async def _owned(self) -> Project | None:
        """The open project, if the signed-in founder owns it (checked again on every change)."""
        user_id, project_id = await self._current_user_id(), self._project
        return await deps.db().run(lambda s: store.owned_project(s, owner_id=user_id, project_id=project_id))

    async def _retry_failed_step(self):
        project = await self._owned()
        if project is None:
            return None
        try:
            await deps.intents().retry(project)
        except JourneyError as exc:
            return rx.toast.info(str(exc))
        return None

    def _away(self):
        """Where a page goes when `_open_project` says no: sign-in, or stay on the not-found view."""
        if not self._user_id:
            return rx.redirect(routes.sign_in(self._here()), replace=True)
        return None

    async def _load_recent(self, project_id: int) -> None:
        def _read(session):
            runs = store.project_runs(session, project_id=project_id)  # before the events: see follow.py
            return runs, store.latest_events(session, run_ids=[r.id for r in runs], limit=KEEP)

        runs, rows = await deps.db().run(_read)
        cursor = Cursor(runs={r.id: r.last_seq for r in runs})
        recent = stream_events(rows)
        for item in recent:
            cursor.runs[item.run_id] = max(cursor.runs.get(item.run_id, 0), item.seq)
        await self._add_to_feed(self._apply(recent), cursor=cursor)
        if len(rows) == KEEP:  # there may be more before these
            (await self.get_state(LiveFeedState)).has_older = True
        busy = [r for r in runs if r.status in ("queued", "running") and r.kind != "setup"]
        if busy and not self.working:
            self.working = "Your co-founder is working on it"

    @rx.event(background=True, supersedes=True)
    async def listen(self):
        async with self:
            project_id, user_id = self._project, self._user_id
            cursor = await self._cursor()
            token = self.router.session.client_token
            page = PAGES.get(self._page)
        if not project_id or not user_id:
            return
        # A listener this one superseded may have taken events off the stream and been cancelled
        # before showing them, so the page is read once now; from here on, events drive it. A run still
        # going may write more after the last event the tab has of it: it is watched (see settle.py).
        settling = Settling()
        if page is not None:
            for run_id in await busy_runs(deps.db(), project_id):
                if cursor.runs.get(run_id, 0):
                    settling.watch(run_id, cursor.runs[run_id])
            if not await self._refresh(page, project_id):
                return
        # The page's view is re-read beside the feed, not in its way: while a re-read runs, new events
        # keep arriving and showing, and the batches that wanted one meanwhile share the next re-read,
        # which comes at most every REFRESH_SPACING seconds (a busy build emits dozens of events a second).
        wanted, pages = asyncio.Event(), [page]

        async def refresh() -> bool:
            return pages[0] is None or await self._refresh(pages[0], project_id)

        refresher = asyncio.create_task(refresh_when_wanted(wanted, settling, deps.db(), refresh, REFRESH_SPACING))
        try:
            async for batch in follow(redis=deps.redis(), db=deps.db(), project_id=project_id, cursor=cursor,
                                      still_wanted=lambda: tab_connected(token), keep=KEEP):
                if refresher.done():  # the tab moved on to another project
                    return
                async with self:
                    if self._project != project_id:  # the tab moved on to another project
                        return
                    rows = self._apply(batch)  # touches the header only for events that change it
                    await self._add_to_feed(rows, cursor=cursor, typing=typing_of(batch))
                    pages[0] = PAGES.get(self._page)
                if pages[0] is not None and settling.saw(batch, pages[0].wants):
                    wanted.set()
        finally:
            refresher.cancel()

    async def _refresh(self, page: Refresher, project_id: int) -> bool:
        """Re-read the page's view and the project header and show them; False once the tab has
        moved on to another project. A view the founder's own action showed while this one was being
        read is newer (it was read after their change), so this read is dropped and done again."""
        for _ in range(3):
            async with self:
                if self._project != project_id:
                    return False
                shown = self._views_shown
            view = await page.read(project_id)
            project = await deps.db().run(lambda s: s.get(Project, project_id))
            async with self:
                if self._project != project_id:
                    return False
                if self._views_shown != shown:
                    continue
                self._show_project(project)
                substate = await self.get_state(page.state)
                substate._show(view)
                return True
        return True


def stream_events(rows) -> list[StreamEvent]:
    return [StreamEvent(run_id=r.run_id, seq=r.seq, type=r.type, payload=r.payload, at=r.created_at.timestamp())
            for r in rows]


class LiveFeedState(ProjectPageState):
    """The project's activity feed, newest first, and how far the tab has read. The state holds a
    window of KEEP rows (live events push the oldest out); older ones page in from the database
    when the founder asks, PAGE events at a time, and then the window is that much longer. The
    rows are kept in two lists, the newest few and the rest (see `components.feed.add_rows`)."""

    feed_new: list[dict[str, str]] = []
    feed: list[dict[str, str]] = []
    typing: str = ""  # what Claude is writing right now ("" between turns)
    has_older: bool = False
    loading_older: bool = False
    _window: int = KEEP
    _runs: dict[int, int] = {}  # run id -> last seq shown
    _announced: str = "0-0"

    @rx.event
    async def show_older(self):
        shown = self.feed or self.feed_new
        if not shown or self.loading_older or await self._owned() is None:
            return
        self.loading_older = True
        yield
        project_id, oldest = self._project, shown[-1]["key"].split("-")
        anchor = (int(oldest[0]), int(oldest[1]))

        def _read(session):
            run_ids = [r.id for r in store.project_runs(session, project_id=project_id)]
            return store.latest_events(session, run_ids=run_ids, limit=PAGE, before=anchor)

        rows = await deps.db().run(_read)
        older = [row for row in (feed_row(item) for item in stream_events(rows)) if row is not None]
        self.feed = self.feed + older[::-1]
        self._window = max(self._window, len(self.feed_new) + len(self.feed))
        self.has_older, self.loading_older = len(rows) == PAGE, False

