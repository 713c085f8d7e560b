"""The Build page: the co-founder at work, live. State card and controls, the stage, the Kanban
timeline, the activity feed (verbose toggle), the preview, screenshots, guides, the technical log,
the cost meter, the evidence report and the download pack."""

import reflex as rx

from cofounder_app import routes, styles
from cofounder_app.components.downloads import download_button, file_link
from cofounder_app.components.decision import decision_console, fixing_banner
from cofounder_app.components.journey import live_activity_feed, project_frame
from cofounder_app.components.markdown import safe_markdown
from cofounder_app.components.panels import empty_panel
from cofounder_app.pages.build_state import BuildState as S

CARD_LOOK = {"building": ("hammer", "violet"), "resting": ("moon", "blue"), "paused": ("pause", "amber"),
             "needs_input": ("message-circle-question", "amber"), "error": ("triangle-alert", "red"),
             "stopped": ("square", "gray"), "done": ("circle-check", "green"), "idle": ("rocket", "violet")}


def _card_icon() -> rx.Component:
    return rx.match(
        S.card_kind,
        *[(kind, rx.center(rx.icon(icon, size=22, color=f"var(--{tone}-11)"), width="44px", height="44px",
                           border_radius="12px", background=f"var(--{tone}-3)", flex_shrink="0"))
          for kind, (icon, tone) in CARD_LOOK.items()],
        rx.spinner(),
    )


def controls() -> rx.Component:
    return rx.hstack(
        rx.cond(S.can_start,
                rx.button(rx.icon("play", size=15), rx.cond(S.run_status == "", "Start the build", "Build again"),
                          on_click=S.start, loading=S.starting, disabled=S.starting, size="3", id="start-build")),
        rx.cond(S.card_kind == "building",
                rx.button(rx.icon("pause", size=15), "Pause", on_click=S.pause, variant="soft", id="pause-build")),
        rx.cond(S.card_kind == "paused",  # a question is answered in the decision console instead
                rx.button(rx.icon("play", size=15), "Resume", on_click=S.resume, id="resume-build")),
        rx.cond((S.card_kind == "building") | (S.card_kind == "paused") | (S.card_kind == "needs_input")
                | (S.card_kind == "resting"),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(rx.button(rx.icon("square", size=15), "Stop", variant="soft",
                                                      color_scheme="red", id="stop-build")),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Stop the build?"),
                        rx.alert_dialog.description("Your co-founder stops after the current step. Everything built "
                                                    "so far is kept, and you can build again later."),
                        rx.hstack(rx.alert_dialog.cancel(rx.button("Keep building", variant="soft", color_scheme="gray")),
                                  rx.alert_dialog.action(rx.button("Stop", color_scheme="red", on_click=S.stop,
                                                                   id="confirm-stop")),
                                  justify="end", spacing="3", margin_top="16px"),
                    ),
                )),
        spacing="3", flex_wrap="wrap",
    )


def state_card() -> rx.Component:
    return rx.hstack(
        _card_icon(),
        rx.vstack(
            rx.hstack(
                rx.text(S.card_title, weight="bold", size="5", id="agent-state"),
                rx.cond((S.stage != "") & (S.card_kind == "building"),
                        rx.badge(S.stage, color_scheme="violet", variant="soft", radius="full", id="build-stage")),
                rx.cond(S.card_kind == "done", rx.badge("Ready", color_scheme="green", variant="soft", radius="full",
                                                        id="build-stage")),
                align="center", spacing="2", flex_wrap="wrap",
            ),
            rx.text(S.card_detail, size="2", color="var(--gray-11)", id="agent-state-detail"),
            rx.cond(S.card_kind == "building", rx.text("", data_since=S.card_since, size="1", color="var(--gray-10)",
                                                       id="agent-elapsed")),
            rx.cond(S.card_kind == "resting", rx.text("", data_until=S.card_since, size="1", color="var(--gray-10)",
                                                      id="agent-countdown")),
            spacing="1", align="start", flex="1", min_width="220px",  # on a phone the controls go below
        ),
        controls(),
        spacing="4", align="center", padding="20px 24px", style=styles.card, width="100%", flex_wrap="wrap",
        id="agent-card",
    )


def _timeline_card(card: rx.Var) -> rx.Component:
    return rx.el.div(rx.el.strong(card["number"], ". "), card["title"],
                     rx.el.small(card["cost"], class_name="timeline-cost"),
                     class_name="timeline-card " + card["status"], id="phase-" + card["number"],
                     data_status=card["status"])


def _in_column(status: str):
    def render(card: rx.Var) -> rx.Component:  # one argument: rx.foreach would pass the index as a second
        return rx.cond(card["status"] == status, _timeline_card(card))

    return render


def timeline() -> rx.Component:
    columns = (("pending", "To do"), ("in_progress", "In progress"), ("done", "Done"))
    return rx.el.div(
        *[rx.el.div(rx.el.h4(label, " · ", S.counts[status]),
                    rx.foreach(S.phases, _in_column(status)),
                    # after the build an empty column says nothing: it goes, and the rest take the width
                    class_name=rx.cond((S.card_kind == "done") & (S.counts[status] == 0), "timeline-col collapsed",
                                       "timeline-col"),
                    id=f"column-{status}")
          for status, label in columns],
        class_name="timeline", id="build-timeline",
    )


def section(icon: str, title: str, *body: rx.Component, right: rx.Component | None = None, **props) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon(icon, size=18, color="var(--violet-11)"), rx.text(title, weight="bold", size="4"),
                  rx.spacer(), *([right] if right is not None else []), spacing="2", align="center", width="100%"),
        *body,
        spacing="3", padding="20px 24px", style=styles.card, width="100%", **props,
    )


def feed_card() -> rx.Component:
    return section(
        "activity", "What your co-founder is doing",
        rx.el.div(live_activity_feed("Nothing yet: start the build to see your co-founder at work."),
                  class_name=rx.cond(S.verbose, "feed verbose", "feed"), width="100%", max_height="520px",
                  overflow_y="auto"),
        right=rx.hstack(rx.text("Show every step", size="1", color="var(--gray-10)"),
                        rx.switch(checked=S.verbose, on_change=S.toggle_verbose, id="verbose-toggle"),
                        align="center", spacing="2"),
    )


def preview_card() -> rx.Component:
    return section(
        "monitor", "Your app",
        rx.match(
            S.preview_state,
            # its own origin (a per-project token as host name): allow-same-origin lets the app use its own
            # cookies and storage, and gives it nothing of ours
            ("live", rx.el.iframe(src=S.preview_src, class_name="preview-frame", id="preview-frame", title="Your app",
                                  sandbox="allow-scripts allow-forms allow-same-origin allow-popups",
                                  referrer_policy="no-referrer")),
            ("asleep", empty_panel("moon", "Your app is asleep",
                                   "It stopped running to save resources. Wake it up to try it again.",
                                   rx.button(rx.icon("sunrise", size=15), "Wake it up", on_click=S.wake,
                                             id="wake-preview"),
                                   element_id="preview-asleep", dashed=True)),
            ("waking", empty_panel("loader", "Waking your app up…", "This takes a few seconds.",
                                   element_id="preview-waking", dashed=True)),
            empty_panel("monitor", "No preview yet", "Your app appears here as soon as your co-founder starts it.",
                        element_id="preview-empty", dashed=True),
        ),
        right=rx.cond(S.preview_state == "live",
                      rx.button(rx.el.a(rx.icon("external-link", size=14), "Open", href=S.preview_src, target="_blank",
                                        rel="noopener noreferrer", id="preview-open"),
                                as_child=True, variant="soft", size="1")),
    )


def screenshots_card() -> rx.Component:
    return section(
        "images", "Screenshots",
        rx.cond(S.screenshots.length() > 0,
                rx.el.div(rx.foreach(S.screenshots, lambda shot: rx.el.figure(
                    file_link(rx.el.img(src=shot["src"], alt=shot["name"], loading="lazy"), href=shot["src"],
                              target="_blank"),
                    rx.el.figcaption(
                        rx.el.span(shot["name"]),  # the page shown (not the phase it was taken in)
                        file_link(rx.icon("download", size=14), href=shot["src"] + "?download=1", download="",
                                  title="Download this screenshot", aria_label="Download " + shot["name"],
                                  class_name="shot-download")),
                    id=shot["id"], key=shot["id"])),
                    class_name="shot-grid", id="screenshots"),
                rx.text("Screenshots of each page appear here as the app comes together.", size="2",
                        color="var(--gray-10)", id="screenshots-empty")),
    )


def docs_card() -> rx.Component:
    return section(
        "book-open", "Guides",
        rx.cond(S.docs.length() > 0,
                rx.tabs.root(
                    rx.tabs.list(rx.foreach(S.docs, lambda d: rx.tabs.trigger(d["title"], value=d["kind"],
                                                                              id="doc-tab-" + d["kind"]))),
                    rx.foreach(S.docs, lambda d: rx.tabs.content(rx.box(safe_markdown(d["text"]), padding_top="8px"),
                                                                 value=d["kind"], id="doc-" + d["kind"])),
                    default_value="overview", width="100%", id="docs"),
                rx.text("Your co-founder writes an overview, a features guide, getting started and an FAQ.", size="2",
                        color="var(--gray-10)", id="docs-empty")),
    )


def logs_card() -> rx.Component:
    return rx.el.details(
        rx.el.summary(rx.hstack(rx.icon("terminal", size=16), rx.text("Technical details", weight="bold"),
                                rx.text("the raw log of every command", size="1", color="var(--gray-10)"),
                                align="center", spacing="2", display="inline-flex")),
        rx.vstack(
            rx.el.pre(rx.cond(S.logs != "", S.logs, "Nothing has been run yet."), class_name="log-panel",
                      id="build-log"),
            download_button("Download the full log", S.log_href, element_id="download-log", size="1",
                            variant="soft"),
            spacing="2", padding_top="12px", width="100%",
        ),
        style={**styles.card, "padding": "16px 24px", "width": "100%"},
        id="technical-details",
    )


def cost_card() -> rx.Component:
    return section(
        "gauge", "Cost",
        rx.cond(
            S.offline,
            rx.text("Free: the offline co-founder builds at no cost.", size="2", color="var(--gray-11)",
                    id="run-cost"),
            rx.vstack(
                rx.hstack(
                    rx.vstack(rx.text("This build", size="1", color="var(--gray-10)"),
                              rx.text(S.run_cost, weight="bold", size="5", id="run-cost"), spacing="0"),
                    rx.vstack(rx.text("Today", size="1", color="var(--gray-10)"),
                              rx.text(S.today_cost, weight="bold", size="5", id="today-cost"),
                              rx.text(S.allowance_cost, " a day on ", S.tier_name, size="1", color="var(--gray-10)",
                                      id="allowance"), spacing="0"),
                    spacing="6",
                ),
                rx.progress(value=S.allowance_used, max=100, size="1", width="100%", id="allowance-meter"),
                rx.cond(S.chart != "", rx.box(rx.html(S.chart), width="100%")),
                rx.cond(S.healing_cost != "", rx.text(S.healing_cost, size="1", color="var(--gray-10)",
                                                      id="healing-cost")),
                rx.cond(S.caching_saved != "", rx.text(S.caching_saved, size="1", color="var(--gray-10)",
                                                       id="caching-saved")),
                spacing="3", width="100%",
            ),
        ),
    )


def download_card() -> rx.Component:
    return section(
        "package", "Take it with you",
        rx.cond(S.download_href != "",
                rx.vstack(
                    rx.text("The app's code, the guides, the Idea Brief, the plan and the screenshots, with a "
                            "README on how to run it.", size="2", color="var(--gray-11)"),
                    download_button(("Download everything (", S.download_size, ")"), S.download_href,
                                    element_id="download-pack"),
                    spacing="2"),
                rx.text("When the build is done, everything is packed here for you to download.", size="2",
                        color="var(--gray-10)", id="download-empty")),
    )


def evidence_card() -> rx.Component:
    return rx.cond(S.evidence.length() > 0, section(
        "list-checks", "Does it work? The evidence",
        rx.vstack(rx.foreach(S.evidence, lambda item: rx.hstack(
            rx.cond(item["verified"] == "yes", rx.icon("circle-check", size=16, color="var(--green-11)"),
                    rx.icon("circle-help", size=16, color="var(--amber-11)")),
            rx.vstack(rx.text(item["feature"], weight="medium", size="2"),
                      rx.text(rx.cond(item["verified"] == "yes", "Shown working: ", "Not verified: "), item["test"],
                              rx.cond(item["screenshot"] != "", ", with a screenshot", ", no screenshot"),
                              size="1", color="var(--gray-10)"), spacing="0"),
            spacing="2", align="start")), spacing="2", width="100%", id="evidence"),
    ))


def no_plan_yet() -> rx.Component:
    return empty_panel("hammer", "Nothing to build yet",
                       "Once your plan is approved, start the build here and watch your co-founder at work.",
                       rx.link(rx.button("Go to the plan", variant="soft"), href=routes.project(S.project_id_value, "plan")),
                       element_id="build-no-plan")


def build_page() -> rx.Component:
    return project_frame(
        "build",
        rx.cond(
            S.phases.length() > 0,
            rx.vstack(
                state_card(),
                fixing_banner(S.fixing),
                rx.cond(S.card_kind == "needs_input", decision_console(S)),
                section("kanban", "Build timeline", timeline()),
                rx.grid(
                    rx.vstack(preview_card(), feed_card(), spacing="5", width="100%"),
                    rx.vstack(cost_card(), download_card(), evidence_card(), spacing="5", width="100%"),
                    columns=rx.breakpoints(initial="1", md="3fr 2fr"), spacing="5", width="100%",
                ),
                screenshots_card(),
                docs_card(),
                logs_card(),
                spacing="5", width="100%",
            ),
            no_plan_yet(),
        ),
        working=False,  # the state card says what the co-founder is doing
    )  # no failure banner here: the state card says what failed and offers "Build again"
