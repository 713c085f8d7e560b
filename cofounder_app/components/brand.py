"""The product's mark and wordmark."""

import reflex as rx

from cofounder_app import routes, styles


def logo_mark(size: str = "36px") -> rx.Component:
    return rx.center(
        rx.icon("sparkles", size=18, color="white"),
        width=size,
        height=size,
        border_radius="10px",
        background=styles.BRAND_GRADIENT,
        box_shadow="0 4px 14px rgba(110, 86, 207, 0.35)",
        flex_shrink="0",
    )


def brand(href: str = routes.HOME) -> rx.Component:
    return rx.link(
        rx.hstack(
            logo_mark(),
            rx.text("AI Co-Founder", weight="bold", size=rx.breakpoints(initial="3", sm="4"), color="var(--gray-12)",
                    letter_spacing="-0.01em", class_name="brand-name"),
            align="center",
            spacing="2",
        ),
        href=href,
        underline="none",
    )
