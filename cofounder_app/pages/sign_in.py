"""Sign in: email and password, one generic message for wrong credentials, throttled."""

from __future__ import annotations

import asyncio

import reflex as rx

from agent import store
from agent.accounts import WRONG_CREDENTIALS, AccountError, normalise_email, verify_or_waste_time
from agent.journey import JourneyError
from agent.throttle import wait_message
from cofounder_app import deps, routes
from cofounder_app.components.forms import account_card, error_callout, field, notice_callout, submit_button
from cofounder_app.layout import auth_shell
from cofounder_app.pages.auth_flow import start_session
from cofounder_app.state import SessionState

NOTICES = {
    "expired": "That sign-in link expired. Please sign in again.",
    "signed_out": "You're signed out. See you soon.",
    "reset": "Your password is changed. Sign in with the new one.",
}


class SignInState(SessionState):
    error: str = ""
    notice: str = ""
    submitting: bool = False

    @rx.event
    async def open(self):
        self.error, self.submitting = "", False
        query = self.router.url.query_parameters
        self.notice = NOTICES["expired"] if query.get("error") == "expired" else (
            NOTICES["signed_out"] if query.get("signed_out") else NOTICES["reset"] if query.get("reset") else "")
        return SessionState.redirect_signed_in

    @rx.event
    async def submit(self, form: dict):
        self.error, self.notice = "", ""
        try:
            email = normalise_email(str(form.get("email", "")))
        except AccountError as exc:
            self.error = str(exc)
            return
        password = str(form.get("password", ""))
        if not password:
            self.error = "Enter your password."
            return
        throttle, client = deps.throttle(), self.router.session.client_ip or "unknown"
        try:
            await deps.limit("sign_in", client)  # many emails from one address
        except JourneyError as exc:
            self.error = str(exc)
            return
        self.submitting = True
        yield
        wait = await throttle.retry_after(email, client)
        if wait:
            await deps.db().run(lambda s: store.audit(s, action="sign_in_refused", email=email, client=client))
            self.error, self.submitting = wait_message(wait), False
            return
        user = await deps.db().run(lambda s: store.find_user_by_email(s, email=email))
        ok = await asyncio.to_thread(verify_or_waste_time, user.password_hash if user else None, password)
        if not ok or user is None:
            await throttle.failed(email, client)
            await deps.db().run(lambda s: store.audit(s, action="sign_in_failed", email=email, client=client))
            self.error, self.submitting = WRONG_CREDENTIALS, False
            return
        await throttle.succeeded(email, client)
        await deps.db().run(lambda s: store.audit(s, action="sign_in", user_id=user.id))
        yield await start_session(self, user.id)


def sign_in_card() -> rx.Component:
    form = rx.form(
        rx.vstack(
            field("Email", "email", type="email", placeholder="you@company.com", autocomplete="email", autofocus=True),
            field("Password", "password", type="password", placeholder="Your password", autocomplete="current-password"),
            error_callout(SignInState.error),
            submit_button("Sign in", "log-in", busy=SignInState.submitting, element_id="sign-in-submit"),
            rx.link("Forgot your password?", href=routes.RESET_PASSWORD, size="2", id="forgot-password",
                    align="center", width="100%"),
            spacing="4",
            width="100%",
        ),
        on_submit=SignInState.submit,
        reset_on_submit=False,
        no_validate=True,  # our own messages, in plain English, for every problem
        id="sign-in-form",
        width="100%",
    )
    return account_card(
        title="Welcome back",
        subtitle="Sign in to pick up where your co-founder left off.",
        notice=notice_callout(SignInState.notice),
        form=form,
        footer=("New here?", "Create an account", routes.SIGN_UP),
    )


def sign_in_page() -> rx.Component:
    return auth_shell(sign_in_card())
