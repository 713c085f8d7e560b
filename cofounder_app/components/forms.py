"""Form pieces shared by the pages: a labelled field and an error message."""

import reflex as rx

from cofounder_app import styles


def field(label: str, name: str, *, type: str = "text", placeholder: str = "", hint: str = "",
          autocomplete: str = "", max_length: int | None = None, autofocus: bool = False) -> rx.Component:
    extra = {"max_length": max_length} if max_length else {}
    return rx.vstack(
        rx.text(label, as_="label", html_for=name, size="2", weight="medium", color="var(--gray-12)"),
        rx.input(
            name=name,
            id=name,
            type=type,
            placeholder=placeholder,
            auto_complete=autocomplete or None,
            auto_focus=autofocus,
            size="3",
            width="100%",
            **extra,
        ),
        rx.cond(hint != "", rx.text(hint, size="1", color="var(--gray-10)")),
        spacing="1",
        width="100%",
        align="stretch",
    )


def error_callout(message: rx.Var, element_id: str = "form-error") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="circle-alert", color_scheme="red", variant="surface", size="1", id=element_id, role="alert"),
    )


def notice_callout(message: rx.Var, element_id: str = "form-notice") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="info", color_scheme="violet", variant="surface", size="1", id=element_id),
    )


def submit_button(label: str, icon: str, *, busy: rx.Var, element_id: str) -> rx.Component:
    return rx.button(
        rx.cond(busy, rx.spinner(size="2"), rx.icon(icon, size=16)),
        label,
        type="submit",
        size="3",
        width="100%",
        disabled=busy,
        id=element_id,
    )


def account_card(*, title: str, subtitle: str, form: rx.Component, footer: tuple[str, str, str],
                 notice: rx.Component | None = None) -> rx.Component:
    """The card of the sign-in and sign-up pages; `footer` is (question, link text, link target)."""
    question, link_text, href = footer
    return rx.vstack(
        rx.vstack(
            rx.heading(title, size="7", letter_spacing="-0.02em"),
            rx.text(subtitle, color="var(--gray-11)"),
            spacing="1",
        ),
        notice if notice is not None else rx.fragment(),
        form,
        rx.hstack(
            rx.text(question, size="2", color="var(--gray-11)"),
            rx.link(link_text, href=href, size="2", weight="medium"),
            spacing="1",
            justify="center",
            width="100%",
        ),
        spacing="5",
        padding="36px",
        width="100%",
        style=styles.auth_card,
    )
