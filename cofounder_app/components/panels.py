"""Small shared pieces: an icon on a tinted tile, and the panel for empty and not-found states."""

import reflex as rx


def icon_tile(name: str, *, tone: str = "violet", box: str = "40px", icon_size: int = 20,
              radius: str = "12px") -> rx.Component:
    return rx.center(
        rx.icon(name, size=icon_size, color=f"var(--{tone}-11)"),
        width=box,
        height=box,
        border_radius=radius,
        background=f"var(--{tone}-3)",
        flex_shrink="0",
    )


def empty_panel(icon: str, title: str, body: str, *actions: rx.Component, element_id: str,
                dashed: bool = False) -> rx.Component:
    return rx.center(
        rx.vstack(
            icon_tile(icon, tone="gray", box="56px", icon_size=28, radius="16px"),
            rx.text(title, weight="bold", size="4"),
            rx.text(body, color="var(--gray-10)", size="2", text_align="center", max_width="380px"),
            *actions,
            align="center",
            spacing="2",
        ),
        padding="48px 24px",
        border="1px dashed var(--gray-6)" if dashed else "none",
        border_radius="16px",
        id=element_id,
    )
