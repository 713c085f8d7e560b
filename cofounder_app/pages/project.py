"""A project's overview: the next step of the journey, the live activity feed, the project's
artifacts with their versions (and copying one into a new project), and the decision history."""

from __future__ import annotations

import reflex as rx

from agent import events as ev
from agent import jobs, streams
from agent import journey_store as js
from cofounder_app import deps, routes, styles
from cofounder_app.components.journey import live_activity_feed, project_frame
from cofounder_app.components.panels import icon_tile
from cofounder_app.project_state import ProjectPageState, Refresher, register_page

# status -> (icon, title, explanation, button label, page)
NEXT_STEP = {
    "setting_up": ("loader", "Setting up your workspace", "This takes a few seconds.", "", ""),
    "ready": ("lightbulb", "Describe your idea", "In your own words: what it is, who it's for, where you are.",
              "Describe the idea", "idea"),
    "interviewing": ("messages-square", "Answer the interview", "One question at a time; you can leave and come back.",
                     "Continue the interview", "interview"),
    "drafting_brief": ("file-text", "Your Idea Brief is being written", "It appears section by section.",
                       "Watch the brief", "brief"),
    "brief_ready": ("file-check", "Read the Idea Brief and decide", "Proceed, narrow, pivot or park.",
                    "Open the brief", "brief"),
    "planning": ("kanban", "Your build plan is being written", "Phases, acceptance criteria and costs.",
                 "Watch the plan", "plan"),
    "planned": ("kanban", "Review the plan, then build", "Reorder, edit or remove phases, then start the build "
                "and watch your co-founder at work.", "Open the plan", "plan"),
    "building": ("hammer", "Your co-founder is building", "Watch it live: every step, the app as it comes "
                 "together, and what it costs.", "Watch the build", "build"),
    "built": ("circle-check", "Your MVP is built", "Try it in the preview, read the guides and download "
              "everything.", "See what was built", "build"),
    "archived": ("archive", "This project is parked", "Reopen it whenever you're ready to continue.", "", ""),
    "setup_failed": ("triangle-alert", "Setup didn't finish", "Please create the project again.", "", ""),
}


async def read_overview(project_id: int) -> dict:
    def _read(s):
        artifacts = [(a, js.versions(s, artifact_id=a.id)) for a in js.project_artifacts(s, project_id=project_id)]
        return artifacts, js.decisions(s, project_id=project_id)

    artifacts, decisions = await deps.db().run(_read)
    return {
        "artifacts": [{"kind": a.kind, "title": a.title, "version": str(a.current_version),
                       "updated": a.updated_at.isoformat(), "href": routes.project(project_id, a.kind),
                       "authors": ", ".join(dict.fromkeys(v.author for v in vs))} for a, vs in artifacts],
        "decisions": [{"key": str(d.id), "choice": d.choice.capitalize(), "reason": d.reason or "No reason given",
                       "when": d.created_at.isoformat()} for d in reversed(decisions)][:50],
    }


class OverviewState(ProjectPageState):
    artifacts: list[dict[str, str]] = []
    decisions: list[dict[str, str]] = []
    copy_error: str = ""

    def _show(self, view: dict) -> None:
        self._views_shown += 1
        self.artifacts, self.decisions = view["artifacts"], view["decisions"]

    @rx.var
    def next_icon(self) -> str:
        return NEXT_STEP.get(self.project_status, NEXT_STEP["ready"])[0]

    @rx.var
    def next_title(self) -> str:
        return NEXT_STEP.get(self.project_status, NEXT_STEP["ready"])[1]

    @rx.var
    def next_body(self) -> str:
        return NEXT_STEP.get(self.project_status, NEXT_STEP["ready"])[2]

    @rx.var
    def next_button(self) -> str:
        return NEXT_STEP.get(self.project_status, NEXT_STEP["ready"])[3]

    @rx.var
    def next_href(self) -> str:
        page = NEXT_STEP.get(self.project_status, NEXT_STEP["ready"])[4]
        return routes.project(self.project_id_value, page) if page else ""

    @rx.event
    async def open(self):
        project = await self._open_project("overview")
        if project is None:
            return self._away()
        self._show(await read_overview(project.id))
        return ProjectPageState.listen

    @rx.event
    async def reopen(self):
        project = await self._owned()
        if project is not None:
            await deps.intents().reopen(project)
            return OverviewState.open

    @rx.event
    async def retry(self):
        return await self._retry_failed_step()

    @rx.event
    async def duplicate(self, kind: str):
        """Start a new project from this artifact (a copy; the original stays as it is)."""
        project = await self._owned()
        if project is None or kind not in js.ARTIFACT_TITLES:
            return
        name = f"{project.name} (copy)"[:80]
        copy, run = await deps.db().run(lambda s: js.duplicate(s, project=project, kind=kind, name=name))
        await streams.announce_run(deps.redis(), project_id=copy.id, run_id=run.id, new_project=True)
        await jobs.enqueue_setup(await deps.queue(), run_id=run.id)
        return rx.redirect(routes.project(copy.id))


register_page("overview", Refresher(
    state=OverviewState,
    wants=frozenset({ev.ArtifactSaved.type, ev.InterviewDone.type, ev.RunCompleted.type, ev.RunFailed.type}),
    read=read_overview,
))


def next_step_card() -> rx.Component:
    icons = sorted({step[0] for step in NEXT_STEP.values()})
    return rx.hstack(
        rx.center(rx.match(OverviewState.next_icon, *[(name, rx.icon(name, size=22, color="white")) for name in icons],
                           rx.icon("sparkles", size=22, color="white")),
                  width="48px", height="48px", border_radius="14px", background=styles.BRAND_GRADIENT, flex_shrink="0"),
        rx.vstack(
            rx.text("Next step", size="1", color="var(--gray-10)", weight="medium", text_transform="uppercase"),
            rx.text(OverviewState.next_title, weight="bold", size="4", id="next-step-title"),
            rx.text(OverviewState.next_body, size="2", color="var(--gray-11)"),
            spacing="1",
            flex="1",
        ),
        rx.cond(OverviewState.next_button != "",
                rx.link(rx.button(OverviewState.next_button, rx.icon("arrow-right", size=16), size="3",
                                  id="next-step-button"), href=OverviewState.next_href)),
        rx.cond(OverviewState.project_status == "archived",
                rx.button(rx.icon("archive-restore", size=16), "Reopen", size="3", on_click=OverviewState.reopen,
                          id="reopen-button")),
        align="center",
        spacing="4",
        padding="20px",
        style=styles.card,
        width="100%",
        flex_wrap="wrap",
    )


def _artifact_row(item: rx.Var) -> rx.Component:
    return rx.hstack(
        icon_tile("file-text", box="36px", icon_size=18, radius="10px"),
        rx.vstack(
            rx.link(item["title"], href=item["href"], weight="medium", size="2"),
            rx.text("Version ", item["version"], " · by ", item["authors"], size="1", color="var(--gray-10)"),
            spacing="0",
            flex="1",
        ),
        rx.tooltip(rx.icon_button(rx.icon("copy", size=14), variant="ghost", size="1",
                                  on_click=OverviewState.duplicate(item["kind"]),
                                  aria_label="Start a new project from this"),
                   content="Start a new project from this"),
        align="center",
        spacing="3",
        width="100%",
        class_name="artifact-row",
        key=item["kind"],
    )


def _decision_row(item: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.badge(item["choice"], variant="soft", radius="full"),
                  rx.text(rx.moment(item["when"], from_now=True), size="1", color="var(--gray-9)"),
                  spacing="2", align="center"),
        rx.text(item["reason"], size="2", color="var(--gray-11)"),
        spacing="1",
        width="100%",
        class_name="decision-row",
        key=item["key"],
    )


def side_panel(title: str, icon: str, items, render, empty: str, element_id: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon(icon, size=16, color="var(--violet-11)"), rx.text(title, weight="bold", size="3"),
                  spacing="2", align="center"),
        rx.cond(items.length() > 0, rx.vstack(rx.foreach(items, render), spacing="3", width="100%"),
                rx.text(empty, size="2", color="var(--gray-10)")),
        padding="20px",
        style=styles.card,
        spacing="3",
        width="100%",
        id=element_id,
    )


def overview_page() -> rx.Component:
    return project_frame(
        "",
        next_step_card(),
        rx.grid(
            rx.vstack(
                rx.hstack(rx.icon("activity", size=18, color="var(--violet-11)"),
                          rx.text("Activity", weight="bold", size="4"), align="center", spacing="2"),
                rx.box(live_activity_feed("Waiting for the first update from your co-founder…"), width="100%",
                       max_height="560px", overflow_y="auto", id="overview-feed"),  # newest first, the rest a scroll away
                padding="24px",
                style=styles.card,
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                side_panel("Artifacts", "files", OverviewState.artifacts, _artifact_row,
                           "The Idea Brief, the plan and the strategy graph appear here.", "artifact-list"),
                side_panel("Decisions", "git-branch", OverviewState.decisions, _decision_row,
                           "Your decisions at each gate are kept here.", "decision-list"),
                spacing="5",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2fr 1fr"),
            spacing="5",
            width="100%",
            align_items="start",
        ),
        retry=OverviewState.retry,
    )
