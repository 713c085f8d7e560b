"""Forgot the password: ask for a link by email, then choose a new password with it.

The answer to a request is the same whether an account exists or not (nobody learns who has one);
the worker sends the link (agent/password_reset.py). The link works once, for a while.
"""

from __future__ import annotations

import reflex as rx

from agent import password_reset, store
from agent.accounts import AccountError, normalise_email
from agent.journey import JourneyError
from cofounder_app import deps, routes
from cofounder_app.components.forms import account_card, error_callout, field, notice_callout, submit_button
from cofounder_app.layout import auth_shell
from cofounder_app.state import SessionState


class ResetState(SessionState):
    token: str = ""
    error: str = ""
    notice: str = ""
    submitting: bool = False

    @rx.event
    def open(self):
        self.token = self.router.url.query_parameters.get("token", "")[:200]
        self.error, self.notice, self.submitting = "", "", False

    @rx.event
    async def ask(self, form: dict):
        self.error, self.notice = "", ""
        try:
            email = normalise_email(str(form.get("email", "")))
            await deps.limit("password_reset", self.router.session.client_ip or "unknown")
        except (AccountError, JourneyError) as exc:
            self.error = str(exc)
            return
        await password_reset.request(await deps.queue(), email)
        await deps.db().run(lambda s: store.audit(s, action="password_reset_requested", email=email))
        minutes = deps.settings.password_reset_seconds // 60
        self.notice = (f"If an account uses {email}, a link to choose a new password is on its way. It works "
                       f"once, for {minutes} minutes.")

    @rx.event
    async def choose(self, form: dict):
        self.error = ""
        password = str(form.get("password", ""))
        if password != str(form.get("again", "")):
            self.error = "The two passwords are not the same."
            return
        self.submitting = True
        yield
        token = self.token
        try:
            user = await deps.db().run(lambda s: password_reset.redeem(s, token=token, new_password=password))
        except AccountError as exc:
            self.error, self.submitting = str(exc), False
            return
        await deps.db().run(lambda s: store.audit(s, action="password_reset", user_id=user.id))
        yield rx.redirect(routes.SIGN_IN + "?reset=1", replace=True)


def _ask_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field("Email", "email", type="email", placeholder="you@company.com", autocomplete="email", autofocus=True),
            error_callout(ResetState.error),
            submit_button("Send me a link", "mail", busy=ResetState.submitting, element_id="reset-ask"),
            spacing="4", width="100%"),
        on_submit=ResetState.ask, reset_on_submit=False, no_validate=True, width="100%", id="reset-ask-form")


def _choose_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field("New password", "password", type="password", placeholder="At least 10 characters",
                  autocomplete="new-password", autofocus=True),
            field("The same again", "again", type="password", autocomplete="new-password"),
            error_callout(ResetState.error),
            submit_button("Save the new password", "key-round", busy=ResetState.submitting, element_id="reset-choose"),
            spacing="4", width="100%"),
        on_submit=ResetState.choose, reset_on_submit=False, no_validate=True, width="100%", id="reset-choose-form")


def reset_password_page() -> rx.Component:
    return auth_shell(rx.cond(
        ResetState.token != "",
        account_card(title="Choose a new password", subtitle="Then sign in with it; you'll be signed out elsewhere.",
                     form=_choose_form(), footer=("Remembered it?", "Sign in", routes.SIGN_IN)),
        account_card(title="Forgot your password?", subtitle="We'll email you a link to choose a new one.",
                     notice=notice_callout(ResetState.notice), form=_ask_form(),
                     footer=("Remembered it?", "Sign in", routes.SIGN_IN)),
    ))
