"""The Plan page: the strategy graph, the forecast, and the Kanban board of build phases."""

import reflex as rx

from cofounder_app import routes, styles
from cofounder_app.components.journey import project_frame
from cofounder_app.components.kanban import board, edit_dialog
from cofounder_app.components.panels import empty_panel
from cofounder_app.components.strategy_graph import legend
from cofounder_app.pages.plan_state import PlanState as S


def graph_card() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("waypoints", size=18, color="var(--violet-11)"),
                  rx.text("Strategy", weight="bold", size="4"), spacing="2", align="center"),
        rx.text("How the first version serves the goal, what it assumes, what could go wrong, and what you decided.",
                size="2", color="var(--gray-10)"),
        rx.box(rx.html(S.graph), width="100%", class_name="graph-scroll", id="strategy-graph-frame"),
        legend(),
        spacing="3", padding="24px", style=styles.card, width="100%",
    )


def plan_card() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("kanban", size=18, color="var(--violet-11)"),
                  rx.text("Build plan", weight="bold", size="4"), spacing="2", align="center"),
        rx.text("Forecast for the whole build: ", rx.text.strong(S.total), " with Claude (", S.forecast_model, ")",
                rx.cond(S.offline, " · the offline co-founder builds for free", ""),
                size="2", color="var(--gray-11)", id="plan-forecast"),
        rx.cond(~S.started, rx.text("Before the build starts you can reorder, edit and remove phases.", size="1",
                                    color="var(--gray-10)")),
        board(),
        edit_dialog(),
        rx.hstack(rx.spacer(), rx.link(rx.button(rx.icon("hammer", size=15), "Go to the build", size="3"),
                                       href=routes.project(S.project_id_value, "build"), id="go-build"), width="100%"),
        spacing="3", padding="24px", style=styles.card, width="100%",
    )


def nothing_yet() -> rx.Component:
    return rx.cond(
        S.project_status == "planning",
        empty_panel("kanban", "Your build plan is being written",
                    "Phases, acceptance criteria and cost forecasts appear here in a moment.", element_id="plan-empty"),
        empty_panel("kanban", "No plan yet", "Your build plan appears after you proceed at the Idea Brief gate.",
                    rx.link(rx.button("Go to the Idea Brief", variant="soft"),
                            href=routes.project(S.project_id_value, "brief")),
                    element_id="plan-empty"),
    )


def plan_page() -> rx.Component:
    return project_frame(
        "plan",
        rx.cond(S.graph != "", graph_card()),
        rx.cond(S.phases.length() > 0, plan_card(), nothing_yet()),
        retry=S.retry,
    )
