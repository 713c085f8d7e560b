"""The dashboard: the founder's projects, and starting a new one."""

from __future__ import annotations

import reflex as rx

from agent import store, streams
from agent.jobs import enqueue_setup
from agent.models import Project
from cofounder_app import deps, routes, styles
from cofounder_app.components.forms import error_callout
from cofounder_app.components.panels import empty_panel, icon_tile
from cofounder_app.layout import app_shell, loading_block
from cofounder_app.state import SessionState

MAX_NAME = 80


def clean_project_name(raw: str) -> str:
    """The name as it will be saved (inner whitespace collapsed); raises ValueError for the founder."""
    name = " ".join((raw or "").split())
    if not name:
        raise ValueError("Give your project a name, for example “Dog-walking marketplace”.")
    if len(name) < 2:
        raise ValueError("Use at least 2 characters for the project name.")
    if len(name) > MAX_NAME:
        raise ValueError(f"Keep the project name under {MAX_NAME} characters.")
    return name


def project_row(project: Project) -> dict[str, str]:
    label, color = styles.status_label(project.status)
    return {
        "id": str(project.id),
        "name": project.name,
        "href": routes.project(project.id),
        "status": label,
        "color": color,
        "created": project.created_at.isoformat(),
    }


class DashboardState(SessionState):
    projects: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""
    creating: bool = False

    @rx.event
    async def open(self):
        self.error, self.creating = "", False
        user_id = await self._current_user_id()
        if not user_id:
            return rx.redirect(routes.sign_in(self._here()), replace=True)
        rows = await deps.db().run(lambda s: store.list_projects(s, owner_id=user_id))
        self.projects = [project_row(p) for p in rows[:200]]
        self.loaded = True

    @rx.event
    async def create(self, form: dict):
        self.error = ""
        user_id = await self._current_user_id()
        if not user_id:
            yield rx.redirect(routes.sign_in(routes.DASHBOARD), replace=True)
            return
        try:
            name = clean_project_name(str(form.get("name", "")))
            await deps.limit("project", user_id)
        except ValueError as exc:  # JourneyError (a rate limit) is one
            self.error = str(exc)
            return
        self.creating = True
        yield
        project, run = await deps.db().run(lambda s: store.create_project(s, owner_id=user_id, name=name))
        try:
            await streams.announce_run(deps.redis(), project_id=project.id, run_id=run.id, new_project=True)
            await enqueue_setup(await deps.queue(), run_id=run.id)
        except Exception:  # the project is saved; the setup run is picked up when the queue is back
            self.creating = False
            yield rx.toast.warning("Your project is saved, but setup is delayed: the job queue is unreachable.")
        yield rx.redirect(routes.project(project.id))


def new_project_card() -> rx.Component:
    return rx.box(
        rx.form(
            rx.vstack(
                rx.hstack(
                    icon_tile("lightbulb"),
                    rx.vstack(
                        rx.text("Start a new project", weight="bold", size="4"),
                        rx.text("Give it a working name. You can describe the idea in the next step.",
                                size="2", color="var(--gray-11)"),
                        spacing="0",
                    ),
                    spacing="3",
                    align="center",
                ),
                rx.hstack(
                    rx.input(name="name", id="project-name", placeholder="e.g. Dog-walking marketplace",
                             size="3", flex="1", max_length=MAX_NAME + 20),
                    rx.button(
                        rx.cond(DashboardState.creating, rx.spinner(size="2"), rx.icon("plus", size=16)),
                        "Create project", type="submit", size="3", disabled=DashboardState.creating,
                        id="create-project",
                    ),
                    width="100%",
                    spacing="3",
                    flex_wrap="wrap",
                ),
                error_callout(DashboardState.error, "project-error"),
                spacing="4",
                width="100%",
            ),
            on_submit=DashboardState.create,
            reset_on_submit=True,
            no_validate=True,
            id="new-project-form",
        ),
        padding="24px",
        style=styles.card,
    )


def project_card(project: rx.Var) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.hstack(
                icon_tile("rocket", box="36px", icon_size=18, radius="10px"),
                rx.badge(project["status"], color_scheme=project["color"], variant="soft", radius="full"),
                justify="between",
                width="100%",
            ),
            rx.text(project["name"], weight="bold", size="4", color="var(--gray-12)", class_name="project-name"),
            rx.hstack(
                rx.icon("clock", size=13, color="var(--gray-9)"),
                rx.text("Created ", rx.moment(project["created"], from_now=True), size="1", color="var(--gray-10)"),
                spacing="1",
                align="center",
            ),
            spacing="3",
            padding="20px",
            height="100%",
            style=styles.card,
            _hover={"border_color": "var(--violet-7)", "box_shadow": "0 8px 28px rgba(110,86,207,0.12)"},
            transition="all 120ms ease",
        ),
        href=project["href"],
        underline="none",
        class_name="project-card",
        key=project["id"],
    )


def empty_state() -> rx.Component:
    return empty_panel(
        "folder-open",
        "No projects yet",
        "Name your first project above. Your co-founder sets up a private workspace for it in seconds.",
        element_id="projects-empty",
        dashed=True,
    )


def dashboard_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            rx.vstack(
                rx.heading("Your projects", size="8", letter_spacing="-0.02em"),
                rx.text("Every idea you're working on with your co-founder.", color="var(--gray-11)", size="3"),
                spacing="1",
            ),
            new_project_card(),
            rx.cond(
                DashboardState.loaded,
                rx.cond(
                    DashboardState.projects.length() > 0,
                    rx.grid(
                        rx.foreach(DashboardState.projects, project_card),
                        columns=rx.breakpoints(initial="1", sm="2", md="3"),
                        spacing="4",
                        width="100%",
                        id="project-list",
                    ),
                    empty_state(),
                ),
                loading_block("Loading your projects…"),
            ),
            spacing="6",
            width="100%",
            align="stretch",
        )
    )
