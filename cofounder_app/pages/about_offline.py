"""A short, plain note on the offline co-founder, where its badge and notes lead."""

import reflex as rx

from cofounder_app import routes, styles
from cofounder_app.components.brand import brand

POINTS = (
    ("list-checks", "It follows fixed rules",
     "It asks questions from a set list, writes your Idea Brief and plan from your answers with templates, "
     "and builds a small working app from them."),
    ("shield-check", "It never makes things up",
     "Everything it writes comes from what you told it. It is free, and it works without a connection to "
     "any outside service."),
    ("sparkles", "Claude understands your idea",
     "With Claude, Anthropic's AI, your co-founder reads what you write freely, asks sharper questions and "
     "builds an app shaped by them. Whoever runs this server can connect it; your projects and answers stay "
     "as they are."),
)


def _point(icon: str, title: str, body: str) -> rx.Component:
    return rx.hstack(
        rx.center(rx.icon(icon, size=18, color="var(--violet-11)"), width="36px", height="36px",
                  border_radius="10px", background="var(--violet-3)", flex_shrink="0"),
        rx.vstack(rx.text(title, weight="bold", size="3"), rx.text(body, size="2", color="var(--gray-11)"),
                  spacing="1"),
        spacing="3", align="start",
    )


def about_offline_page() -> rx.Component:
    return rx.box(
        rx.hstack(brand(), padding="20px 24px", max_width="720px", margin="0 auto"),
        rx.vstack(
            rx.heading("About the offline co-founder", size="7", id="about-offline"),
            rx.text("This server runs your co-founder offline: a rule-based helper that takes you through the "
                    "whole journey, from idea to a working app, without Claude.", size="3", color="var(--gray-11)"),
            *[_point(*point) for point in POINTS],
            rx.link(rx.button(rx.icon("arrow-left", size=15), "Back to your projects", variant="soft"),
                    href=routes.DASHBOARD),
            spacing="5", padding="32px 24px", style=styles.card, max_width="720px", margin="0 auto 48px",
        ),
        min_height="100vh", background="var(--gray-2)",
    )
