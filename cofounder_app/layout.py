"""Page frames: the signed-in app shell (top bar + content) and the split sign-in/sign-up frame."""

import reflex as rx

from cofounder_app import routes, styles
from cofounder_app.components.brand import brand, logo_mark
from cofounder_app.state import SessionState


def sign_out_form() -> rx.Component:
    # A real POST to the app's route: it deletes the session row and clears the HttpOnly cookie.
    # Reflex forms cancel native submission, so the submit handler submits the form natively
    # (form.submit() fires no submit event, so this does not loop).
    return rx.el.form(
        rx.button(rx.icon("log-out", size=15), "Sign out", type="submit", variant="soft", color_scheme="gray", size="2"),
        action=SessionState.api_base + routes.API_SIGN_OUT,
        method="post",
        id="sign-out-form",
        on_submit=rx.call_script("document.getElementById('sign-out-form').submit()"),
    )


def top_bar() -> rx.Component:
    return rx.box(
        rx.hstack(
            brand(routes.DASHBOARD),
            rx.hstack(
                rx.link("Projects", href=routes.DASHBOARD, color="var(--gray-11)", weight="medium", size="2"),
                rx.separator(orientation="vertical", size="1"),
                rx.hstack(
                    rx.avatar(fallback=SessionState.user_email[0].upper(), size="2", radius="full", variant="soft"),
                    rx.text(SessionState.user_email, size="2", color="var(--gray-11)", id="signed-in-email"),
                    align="center",
                    spacing="2",
                    display=["none", "none", "flex"],
                ),
                sign_out_form(),
                align="center",
                spacing=rx.breakpoints(initial="3", sm="4"),
            ),
            justify="between",
            align="center",
            max_width=styles.page_width,
            margin="0 auto",
            padding_x="24px",
            height="64px",
            class_name="top-bar-inner",
        ),
        background="rgba(255,255,255,0.85)",
        backdrop_filter="blur(8px)",
        border_bottom="1px solid var(--gray-4)",
        position="sticky",
        top="0",
        z_index="10",
    )


def loading_block(label: str = "Loading…") -> rx.Component:
    return rx.center(rx.hstack(rx.spinner(size="3"), rx.text(label, color="var(--gray-10)")), padding_y="96px")


def app_shell(*children: rx.Component) -> rx.Component:
    """A private page: the top bar, then the content once the founder is known to be signed in."""
    return rx.box(
        rx.cond(
            SessionState.signed_in,
            rx.fragment(
                top_bar(),
                rx.box(*children, max_width=styles.page_width, margin="0 auto", padding="32px 24px 64px",
                       class_name="page-body"),
            ),
            loading_block(),
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )


def _pitch_point(icon: str, title: str, body: str) -> rx.Component:
    return rx.hstack(
        rx.center(rx.icon(icon, size=18, color="white"), width="36px", height="36px", border_radius="10px",
                  background="rgba(255,255,255,0.16)", flex_shrink="0"),
        rx.vstack(
            rx.text(title, weight="bold", color="white", size="3"),
            rx.text(body, color="rgba(255,255,255,0.78)", size="2"),
            spacing="1",
        ),
        spacing="3",
        align="start",
    )


def pitch_panel() -> rx.Component:
    return rx.vstack(
        rx.hstack(logo_mark("40px"), rx.text("AI Co-Founder", weight="bold", size="5", color="white"), spacing="3", align="center"),
        rx.spacer(),
        rx.heading("From idea to a working MVP, with a co-founder who never sleeps.",
                   size="8", color="white", line_height="1.15", letter_spacing="-0.02em"),
        rx.text("Describe your idea in your own words. Your co-founder interviews you, writes the brief "
                "and the plan, and then builds the app while you watch.",
                color="rgba(255,255,255,0.82)", size="3"),
        rx.vstack(
            _pitch_point("messages-square", "An interview, not a form", "Sharp questions about your users, value and scope."),
            _pitch_point("file-text", "A brief you own", "Versioned, editable, exportable. You decide at every gate."),
            _pitch_point("hammer", "Built live, in the open", "Watch every step, preview the app, download the code."),
            spacing="4",
            padding_top="8px",
        ),
        rx.spacer(),
        rx.text("No credit card needed to start.", color="rgba(255,255,255,0.6)", size="1"),
        spacing="5",
        height="100%",
        padding="48px",
        background=styles.BRAND_GRADIENT,
        display=["none", "none", "flex"],
        width="46%",
        min_height="100vh",
    )


def auth_shell(form_card: rx.Component) -> rx.Component:
    return rx.hstack(
        pitch_panel(),
        rx.center(
            rx.vstack(
                rx.box(brand(), display=["block", "block", "none"], padding_bottom="16px"),
                form_card,
                width="100%",
                max_width="420px",
                align="stretch",
            ),
            flex="1",
            padding="32px 24px",
            min_height="100vh",
        ),
        spacing="0",
        width="100%",
        background="var(--gray-2)",
        align="stretch",
    )
