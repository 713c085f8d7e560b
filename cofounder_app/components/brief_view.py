"""The pieces of the Idea Brief page: the formatted document, its edit form, the decision gate and
the version history."""

import reflex as rx

from agent import gates
from agent.brief import MAX_TEXT, SECTION_TITLES
from cofounder_app import routes, styles
from cofounder_app.components.forms import error_callout
from cofounder_app.components.panels import empty_panel
from cofounder_app.pages.brief_state import BriefState as B

CHOICES = (
    ("proceed", "Proceed", "Plan the build from this brief.", "circle-check"),
    ("narrow", "Narrow", "Cut features; the brief and plan are redrawn smaller.", "scissors"),
    ("pivot", "Pivot", "Change direction; back to the interview.", "shuffle"),
    ("park", "Park", "Put the project aside; reopen it any time.", "archive"),
)


def _section(key: str, body: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(SECTION_TITLES[key], size="4", color="var(--gray-12)"), body,
                     spacing="2", width="100%", id=f"section-{key}")


def _prose(value) -> rx.Component:
    return rx.text(value, size="3", color="var(--gray-12)", line_height="1.6", white_space="pre-wrap")


def _feature(item) -> rx.Component:
    return rx.hstack(
        rx.badge(item["priority"], color_scheme=rx.match(item["priority"], ("Must", "violet"), ("Should", "blue"), "gray"),
                 variant="soft", radius="full", min_width="60px", justify="center"),
        rx.vstack(rx.text(item["name"], weight="bold", size="3"),
                  rx.cond(item["description"] != "", rx.text(item["description"], size="2", color="var(--gray-11)")),
                  spacing="0"),
        spacing="3", align="start", class_name="brief-feature",
    )


def _risk(item) -> rx.Component:
    return rx.hstack(
        rx.badge(item["kind"], color_scheme=rx.cond(item["kind"] == "Risk", "red", "amber"), variant="soft",
                 radius="full", min_width="90px", justify="center"),
        rx.vstack(rx.text(item["text"], size="2"),
                  rx.cond(item["mitigation"] != "", rx.text("What to do: ", item["mitigation"], size="2",
                                                            color="var(--gray-10)")),
                  spacing="0"),
        spacing="3", align="start",
    )


def brief_document() -> rx.Component:
    document = rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.heading("Idea Brief", size="6"),
                rx.text("Version ", B.viewing, " of ", B.latest, " · by ", B.author, size="2", color="var(--gray-10)",
                        id="brief-version"),
                rx.cond(B.author == "offline co-founder",
                        rx.text("Written by the offline co-founder from templates and your answers. ",
                                rx.link("What is that?", href=routes.ABOUT_OFFLINE, size="1"),
                                size="1", color="var(--gray-9)", id="offline-note")),
                spacing="1",
            ),
            rx.spacer(),
            rx.button(rx.icon("download", size=15), "Export Markdown", variant="soft", on_click=B.export,
                      id="export-brief"),
            rx.cond(~B.old_version, rx.button(rx.icon("pencil", size=15), "Edit", on_click=B.start_edit,
                                              id="edit-brief")),
            width="100%", align="center", spacing="2", flex_wrap="wrap",
        ),
        rx.cond(B.old_version, rx.callout(
            rx.hstack(rx.text("You're looking at an older version."), rx.spacer(),
                      rx.button("Restore this version", size="1", on_click=B.restore, id="restore-version"),
                      rx.button("Back to the latest", size="1", variant="soft",
                                on_click=B.view_version(B.latest.to_string())),
                      width="100%", align="center", spacing="2", flex_wrap="wrap"),
            icon="history", color_scheme="amber", variant="surface", width="100%")),
        _section("problem", _prose(B.problem)),
        _section("target_users", _prose(B.target_users)),
        _section("value_proposition", _prose(B.value_proposition)),
        _section("mvp_features", rx.vstack(rx.foreach(B.features, _feature), spacing="3")),
        _section("differentiation", _prose(B.differentiation)),
        _section("monetisation", _prose(B.monetisation)),
        _section("risks", rx.vstack(rx.foreach(B.risks, _risk), spacing="3")),
        _section("success_metrics", rx.vstack(rx.foreach(B.metrics, lambda m: rx.hstack(
            rx.icon("target", size=15, color="var(--green-10)"), rx.text(m, size="2"), spacing="2", align="center")),
            spacing="2")),
        spacing="5", padding="32px", style=styles.card, width="100%", id="brief-document",
    )
    waiting = rx.cond(
        B.project_status == "drafting_brief",
        empty_panel("file-text", "Your Idea Brief is being written",
                    "It appears here as soon as it's ready; the progress is shown above.", element_id="brief-empty"),
        empty_panel("file-text", "No Idea Brief yet", "It is written from your idea and the interview.",
                    rx.link(rx.button("Go to the interview", variant="soft"),
                            href=routes.project(B.project_id_value, "interview")),
                    element_id="brief-empty"),
    )
    return rx.cond(B.has_brief, document, waiting)


def _edit_field(key: str, rows: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(SECTION_TITLES[key], as_="label", html_for=f"edit-{key}", weight="medium", size="2"),
        rx.cond(hint != "", rx.text(hint, size="1", color="var(--gray-10)")),
        rx.text_area(name=key, id=f"edit-{key}", default_value=B.form[key], rows=rows, width="100%",
                     max_length=MAX_TEXT * 3),
        spacing="1", width="100%",
    )


def edit_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Edit the Idea Brief", size="6"),
            rx.text("Saving creates a new version; every earlier version stays available.", size="2",
                    color="var(--gray-10)"),
            _edit_field("problem", "3"), _edit_field("target_users", "3"), _edit_field("value_proposition", "3"),
            _edit_field("mvp_features", "6", "One per line, most important first: “Must: Name — what it does”. "
                                             "Use Must, Should or Could."),
            _edit_field("differentiation", "3"), _edit_field("monetisation", "3"),
            _edit_field("risks", "5", "One per line: “Risk: what could go wrong — what to do” or “Assumption: …”."),
            _edit_field("success_metrics", "3", "One per line."),
            error_callout(B.edit_error, "edit-brief-error"),
            rx.hstack(rx.button(rx.icon("save", size=15), "Save as a new version", type="submit", id="save-brief"),
                      rx.button("Cancel", type="button", variant="soft", color_scheme="gray", on_click=B.cancel_edit),
                      spacing="2"),
            spacing="4", width="100%",
        ),
        on_submit=B.save_edit, reset_on_submit=False, no_validate=True, width="100%",
        padding="32px", style=styles.card, id="brief-edit-form",
    )


def _choice_card(value: str, label: str, body: str, icon: str) -> rx.Component:
    return rx.radio_cards.item(
        rx.hstack(rx.icon(icon, size=18), rx.vstack(rx.text(label, weight="bold", size="2"),
                                                    rx.text(body, size="1", color="var(--gray-10)"), spacing="0"),
                  spacing="2", align="start"),
        value=value, id=f"choice-{value}",
    )


def decision_panel() -> rx.Component:
    gate = rx.form(
        rx.vstack(
            rx.heading("Your decision", size="4"),
            rx.text("Read the brief, then choose how to go on. Your reason is kept in the decision history.",
                    size="2", color="var(--gray-10)"),
            rx.radio_cards.root(*[_choice_card(*c) for c in CHOICES], value=B.choice, on_value_change=B.set_choice,
                                columns="1", width="100%", name="choice"),
            rx.text_area(name="reason", id="decision-reason", rows="3", width="100%", max_length=gates.MAX_REASON,
                         placeholder=rx.match(B.choice, ("narrow", "What should be cut?"),
                                              ("pivot", "What's the new direction?"), "Why? (optional)")),
            error_callout(B.decide_error, "decision-error"),
            rx.button("Confirm decision", type="submit", width="100%", disabled=B.deciding, id="decide-button"),
            spacing="3", width="100%",
        ),
        # no reset: resetting the form would also reset the radio cards and change the choice
        on_submit=B.decide, reset_on_submit=False, no_validate=True, width="100%",
    )
    return rx.cond(
        B.at_gate & B.has_brief,
        rx.box(gate, padding="24px", style=styles.card, width="100%", id="decision-gate"),
        rx.cond(B.project_status == "archived",
                rx.callout("This project is parked. Reopen it from the overview to decide again.", icon="archive",
                           variant="surface", width="100%")),
    )


def _version_row(item) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text("Version ", item["number"], " · ", item["author"], weight="medium", size="2"),
                  rx.text(item["note"], " · ", rx.moment(item["when"], from_now=True), size="1", color="var(--gray-10)"),
                  spacing="0", flex="1"),
        rx.cond(B.viewing.to_string() == item["number"], rx.badge("Showing", variant="soft", radius="full"),
                rx.button("View", size="1", variant="ghost", on_click=B.view_version(item["number"]),
                          class_name="view-version")),
        width="100%", align="center", class_name="version-row", key=item["number"],
    )


def _decision_row(item) -> rx.Component:
    return rx.vstack(rx.hstack(rx.badge(item["choice"], variant="soft", radius="full"),
                               rx.text(rx.moment(item["when"], from_now=True), size="1", color="var(--gray-9)"),
                               spacing="2", align="center"),
                     rx.text(item["reason"], size="2", color="var(--gray-11)"),
                     spacing="1", width="100%", class_name="decision-row", key=item["key"])


def _change(item) -> rx.Component:
    return rx.vstack(rx.text(item["section"], weight="medium", size="2"),
                     rx.box(rx.html(item["html"]), class_name="brief-change"),  # escaped by agent.brief_changes
                     spacing="1", width="100%")


def changes_panel() -> rx.Component:
    """What the version shown changed from the one before it."""
    return rx.cond(B.changes.length() > 0, rx.vstack(
        rx.text("What changed in version ", B.viewing, weight="bold", size="3"),
        rx.text("From version ", B.viewing - 1, ": added words are marked, removed ones struck through.", size="1",
                color="var(--gray-10)"),
        rx.foreach(B.changes, _change),
        spacing="3", padding="20px", style=styles.card, width="100%", id="brief-changes"))


def versions_panel() -> rx.Component:
    return rx.vstack(
        changes_panel(),
        rx.cond(B.versions.length() > 0, rx.vstack(
            rx.text("Versions", weight="bold", size="3"), rx.foreach(B.versions, _version_row),
            spacing="2", padding="20px", style=styles.card, width="100%", id="version-list")),
        rx.cond(B.decisions.length() > 0, rx.vstack(
            rx.text("Decision history", weight="bold", size="3"), rx.foreach(B.decisions, _decision_row),
            spacing="3", padding="20px", style=styles.card, width="100%", id="decision-history")),
        spacing="5", width="100%",
    )
