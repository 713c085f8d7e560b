"""The Idea Brief page: the document (or its edit form) beside the decision gate and the versions."""

import reflex as rx

from cofounder_app.components.brief_view import brief_document, decision_panel, edit_form, versions_panel
from cofounder_app.components.journey import project_frame
from cofounder_app.pages.brief_state import BriefState


def brief_page() -> rx.Component:
    return project_frame(
        "brief",
        rx.grid(
            rx.cond(BriefState.editing, edit_form(), brief_document()),
            rx.vstack(decision_panel(), versions_panel(), spacing="5", width="100%"),
            columns=rx.breakpoints(initial="1", md="2fr 1fr"),
            spacing="5",
            width="100%",
            align_items="start",
        ),
        retry=BriefState.retry,
    )
