"""The Kanban board of build phases: pending, in progress, done; cards with goal, acceptance
criteria, effort and cost forecast, and (before the build) reorder, edit and remove."""

import reflex as rx

from agent.plan import EFFORTS
from cofounder_app import styles
from cofounder_app.components.forms import error_callout
from cofounder_app.pages.plan_state import PlanState as S

COLUMNS = (("pending", "Pending", "gray"), ("in_progress", "In progress", "amber"), ("done", "Done", "green"))


def _criteria(card: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.foreach(card["acceptance"].split("\n"), lambda line: rx.hstack(
            rx.icon("square-check", size=13, color="var(--gray-9)", flex_shrink="0", margin_top="3px"),
            rx.text(line, size="1", color="var(--gray-11)"), spacing="2", align="start")),
        spacing="1",
    )


def _controls(card: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon_button(rx.icon("arrow-up", size=14), size="1", variant="ghost", disabled=card["first"] == "yes",
                       on_click=S.move(card["id"], -1), aria_label="Move up", class_name="move-up"),
        rx.icon_button(rx.icon("arrow-down", size=14), size="1", variant="ghost", disabled=card["last"] == "yes",
                       on_click=S.move(card["id"], 1), aria_label="Move down", class_name="move-down"),
        rx.spacer(),
        rx.button(rx.icon("pencil", size=13), "Edit", size="1", variant="ghost", on_click=S.start_edit(card),
                  class_name="edit-card"),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(rx.button(rx.icon("trash-2", size=13), "Remove", size="1", variant="ghost",
                                              color_scheme="red", class_name="remove-card")),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Remove this phase?"),
                rx.alert_dialog.description("“", card["title"], "” will no longer be part of the build plan."),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                    rx.alert_dialog.action(rx.button("Remove", color_scheme="red", on_click=S.remove(card["id"]),
                                                     class_name="confirm-remove")),
                    spacing="3", justify="end", padding_top="12px",
                ),
            ),
        ),
        width="100%", spacing="1", align="center",
    )


def _card(card: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(card["number"], ". ", card["title"], weight="bold", size="2", flex="1", class_name="card-title"),
            rx.tooltip(rx.badge(card["effort"], variant="soft", radius="full"), content=card["effort_label"]),
            align="start", width="100%",
        ),
        rx.cond(card["goal"] != "", rx.text(card["goal"], size="2", color="var(--gray-11)")),
        _criteria(card),
        rx.hstack(rx.icon("coins", size=13, color="var(--gray-9)"),
                  rx.text("Forecast ", card["cost"], size="1", color="var(--gray-10)", class_name="card-cost"),
                  spacing="1", align="center"),
        rx.cond(~S.started & (card["status"] == "pending"), _controls(card)),
        spacing="2", padding="14px", width="100%", class_name="plan-card", key=card["id"],
        style={**styles.card, "border_radius": "12px"},
    )


def _in_column(status: str):
    def render(card: rx.Var) -> rx.Component:
        return rx.cond(card["status"] == status, _card(card))

    return render


def board() -> rx.Component:
    built = (S.phases.length() > 0) & (S.counts["done"] == S.phases.length())  # every phase done
    columns = []
    for status, label, colour in COLUMNS:
        columns.append(rx.vstack(
            rx.hstack(rx.badge(label, color_scheme=colour, variant="soft", radius="full", size="2"),
                      rx.text(S.counts[status], size="1", color="var(--gray-10)"), width="100%", align="center",
                      class_name="plan-col-head"),
            rx.foreach(S.phases, _in_column(status)),
            spacing="3", padding="12px", width="100%", min_height="120px", background="var(--gray-3)",
            border_radius="14px", id=f"column-{status}",
            # once every phase is done the empty columns say nothing: they go, and Done takes the width
            class_name=rx.cond(built & (S.counts[status] == 0), "plan-col collapsed", "plan-col"),
        ))
    return rx.el.div(*columns, class_name="plan-board", id="plan-board")


def edit_dialog() -> rx.Component:
    card = S.editing
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit phase"),
            rx.form(
                rx.vstack(
                    rx.text("Title", size="2", weight="medium"),
                    rx.input(name="title", default_value=card["title"], width="100%", id="edit-title"),
                    rx.text("Goal", size="2", weight="medium"),
                    rx.text_area(name="goal", default_value=card["goal"], rows="3", width="100%", id="edit-goal"),
                    rx.text("Acceptance criteria, one per line", size="2", weight="medium"),
                    rx.text_area(name="acceptance", default_value=card["acceptance"], rows="4", width="100%",
                                 id="edit-acceptance"),
                    rx.text("Effort", size="2", weight="medium"),
                    rx.select(list(EFFORTS), name="effort", default_value=card["effort"], id="edit-effort"),
                    error_callout(S.edit_error, "edit-card-error"),
                    rx.hstack(
                        rx.button("Cancel", type="button", variant="soft", color_scheme="gray", on_click=S.close_edit),
                        rx.button("Save", type="submit", id="save-card"),
                        spacing="3", justify="end", width="100%",
                    ),
                    spacing="2", width="100%",
                ),
                on_submit=S.save_edit, reset_on_submit=False, no_validate=True,
            ),
        ),
        open=S.dialog_open,
        on_open_change=S.dialog_changed,
    )
