"""The frame of every project page: the header with the journey's steps, the co-founder's label,
the banners for work in progress and for a step that failed, and the project's live feed."""

import reflex as rx

from cofounder_app import routes
from cofounder_app.components.feed import activity_feed, typing_row
from cofounder_app.components.panels import empty_panel
from cofounder_app.layout import app_shell, loading_block
from cofounder_app.project_state import LiveFeedState
from cofounder_app.project_state import ProjectPageState as P

STEPS = (("", "Overview", "layout-dashboard"), ("idea", "Idea", "lightbulb"), ("interview", "Interview", "messages-square"),
         ("brief", "Idea Brief", "file-text"), ("plan", "Plan", "kanban"), ("build", "Build", "hammer"))


def _tab(page: str, label: str, icon: str, active: str) -> rx.Component:
    is_active = page == active
    return rx.link(
        rx.hstack(rx.icon(icon, size=15), rx.text(label, size="2", weight="medium"), spacing="2", align="center"),
        href=f"/projects/{P.project_id_value}" + (f"/{page}" if page else ""),
        underline="none",
        color="var(--violet-11)" if is_active else "var(--gray-11)",
        padding="10px 4px",
        border_bottom="2px solid var(--violet-9)" if is_active else "2px solid transparent",
        id=f"tab-{page or 'overview'}",
    )


def cofounder_badge() -> rx.Component:
    return rx.cond(
        P.offline,
        rx.link(rx.badge(rx.icon("cpu", size=12), "offline co-founder", color_scheme="gray", variant="surface",
                         radius="full", id="cofounder-label"),
                href=routes.ABOUT_OFFLINE, underline="none", title="What is the offline co-founder?"),
        rx.badge(rx.icon("sparkles", size=12), P.cofounder_label, color_scheme="violet", variant="surface",
                 radius="full", id="cofounder-label"),
    )


def project_header(active: str) -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Projects", size="2"), align="center", spacing="1"),
                href=routes.DASHBOARD, color="var(--gray-10)", underline="none"),
        rx.hstack(
            rx.heading(P.project_name, size="8", letter_spacing="-0.02em", id="project-title"),
            rx.badge(P.status_label, color_scheme=P.status_color, variant="soft", radius="full", size="2",
                     id="project-status"),
            rx.spacer(),
            cofounder_badge(),
            align="center",
            spacing="3",
            flex_wrap="wrap",
            width="100%",
        ),
        rx.el.nav(*[_tab(page, label, icon, active) for page, label, icon in STEPS], class_name="project-tabs",
                  style={"border_bottom": "1px solid var(--gray-4)", "width": "100%"}),
        spacing="3",
        width="100%",
    )


def working_banner() -> rx.Component:
    return rx.cond(
        P.working != "",
        rx.callout(
            rx.vstack(
                rx.hstack(rx.spinner(size="2"), rx.text(P.working, weight="medium", id="working-label"),
                          align="center", spacing="2"),
                rx.cond(P.steps_total > 0, rx.progress(value=P.steps_done, max=P.steps_total, size="1", width="100%")),
                width="100%",
                spacing="2",
            ),
            color_scheme="violet",
            variant="surface",
            width="100%",
            id="working-banner",
        ),
    )


def failure_banner(retry) -> rx.Component:
    return rx.cond(
        P.failure != "",
        rx.callout(
            rx.hstack(
                rx.text(P.failure, id="failure-text"),
                rx.spacer(),
                rx.button(rx.icon("rotate-ccw", size=14), "Try again", size="1", on_click=retry, id="retry-button"),
                align="center",
                width="100%",
                flex_wrap="wrap",
            ),
            icon="triangle-alert",
            color_scheme="red",
            variant="surface",
            width="100%",
            id="failure-banner",
        ),
    )


def not_found_view() -> rx.Component:
    return empty_panel(
        "search-x",
        "We couldn't find that project",
        "It may have been removed, or it belongs to another account.",
        rx.link(rx.button(rx.icon("arrow-left", size=16), "Back to your projects", variant="soft"), href=routes.DASHBOARD),
        element_id="project-not-found",
    )


def project_frame(active: str, *body: rx.Component, retry=None, working: bool = True) -> rx.Component:
    """A project page: header, banners, then the page's own content (or the not-found view). A page
    with its own live status (the build page's state card) goes without the "working" banner."""
    return app_shell(
        rx.cond(
            P.loaded,
            rx.cond(
                P.not_found,
                not_found_view(),
                rx.vstack(project_header(active), *([working_banner()] if working else []),
                          *([failure_banner(retry)] if retry is not None else []), *body,
                          spacing="5", width="100%", align="stretch"),
            ),
            loading_block("Opening your project…"),
        )
    )


def live_activity_feed(empty_text: str) -> rx.Component:
    """The project's live feed with "Show earlier activity" below it when there is more in the database."""
    older = rx.cond(LiveFeedState.has_older,
                    rx.button(rx.icon("history", size=14), "Show earlier activity", on_click=LiveFeedState.show_older,
                              loading=LiveFeedState.loading_older, variant="ghost", size="1", id="feed-older",
                              margin_top="10px"))
    return rx.fragment(typing_row(LiveFeedState.typing),
                       activity_feed(LiveFeedState.feed_new, LiveFeedState.feed, empty_text, older=older))
