"""The public landing page."""

import reflex as rx

from cofounder_app import routes, styles
from cofounder_app.components.brand import brand
from cofounder_app.state import SessionState


def _step(number: str, title: str, body: str) -> rx.Component:
    return rx.vstack(
        rx.center(rx.text(number, weight="bold", color="var(--violet-11)"), width="36px", height="36px",
                  border_radius="999px", background="var(--violet-3)"),
        rx.text(title, weight="bold", size="4"),
        rx.text(body, color="var(--gray-11)", size="2"),
        spacing="2",
        padding="24px",
        style=styles.card,
    )


def home_page() -> rx.Component:
    return rx.box(
        rx.hstack(
            brand(),
            rx.cond(
                SessionState.signed_in,
                rx.link(rx.button(rx.icon("layout-dashboard", size=16), "Your projects", size="3", id="home-projects"),
                        href=routes.DASHBOARD),
                rx.hstack(
                    rx.link(rx.button("Sign in", variant="soft", color_scheme="gray",
                                      size=rx.breakpoints(initial="2", sm="3")), href=routes.SIGN_IN),
                    rx.link(rx.button("Get started", size=rx.breakpoints(initial="2", sm="3")), href=routes.SIGN_UP),
                    spacing="2",
                ),
            ),
            justify="between",
            align="center",
            max_width=styles.page_width,
            margin="0 auto",
            padding=rx.breakpoints(initial="16px", sm="20px 24px"),
        ),
        rx.vstack(
            rx.badge("Your AI co-founder", variant="soft", radius="full", size="2"),
            rx.heading("Turn your idea into a working MVP.", size="9", text_align="center",
                       letter_spacing="-0.03em", max_width="760px"),
            rx.text("Describe the idea. Answer a short interview. Approve the plan. Then watch your co-founder "
                    "build the app, step by step, and download everything it made.",
                    size="4", color="var(--gray-11)", text_align="center", max_width="640px"),
            rx.cond(
                SessionState.signed_in,
                rx.link(rx.button(rx.icon("arrow-right", size=16), "Go to your projects", size="4"),
                        href=routes.DASHBOARD, padding_top="8px"),
                rx.hstack(
                    rx.link(rx.button(rx.icon("sparkles", size=16), "Start for free", size="4"), href=routes.SIGN_UP),
                    rx.link(rx.button("I have an account", size="4", variant="outline"), href=routes.SIGN_IN),
                    spacing="3",
                    padding_top="8px",
                    flex_wrap="wrap",
                    justify="center",
                ),
            ),
            align="center",
            spacing="5",
            padding="72px 24px 48px",
        ),
        rx.grid(
            _step("1", "Describe your idea", "In your own words. No templates, no jargon."),
            _step("2", "Decide with confidence", "An Idea Brief and a plan you can edit, narrow, pivot or park."),
            _step("3", "Watch it get built", "Live progress, a running preview, the code and docs to keep."),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="4",
            max_width=styles.page_width,
            margin="0 auto",
            padding="0 24px 80px",
        ),
        min_height="100vh",
        background="radial-gradient(1200px 500px at 50% -10%, var(--violet-3), transparent), var(--gray-2)",
    )
