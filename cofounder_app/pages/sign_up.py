"""Sign up: a new founder account with a clear message for every problem with the input."""

from __future__ import annotations

import asyncio

import reflex as rx

from agent import store
from agent.accounts import AccountError, check_password_strength, hash_password, normalise_email
from agent.journey import JourneyError
from cofounder_app import deps, routes
from cofounder_app.components.forms import account_card, error_callout, field, submit_button
from cofounder_app.deps import db
from cofounder_app.layout import auth_shell
from cofounder_app.pages.auth_flow import start_session
from cofounder_app.state import SessionState

DUPLICATE = "An account with this email already exists. Sign in instead, or use another email."


class SignUpState(SessionState):
    error: str = ""
    submitting: bool = False

    @rx.event
    async def open(self):
        self.error, self.submitting = "", False
        return SessionState.redirect_signed_in

    @rx.event
    async def submit(self, form: dict):
        self.error = ""
        try:
            email = normalise_email(str(form.get("email", "")))
            password = str(form.get("password", ""))
            check_password_strength(password, email=email)
            await deps.limit("sign_up", self.router.session.client_ip or "unknown")
        except (AccountError, JourneyError) as exc:
            self.error = str(exc)
            return
        self.submitting = True
        yield
        password_hash = await asyncio.to_thread(hash_password, password)
        try:
            user = await db().run(lambda s: store.create_user(s, email=email, password_hash=password_hash))
        except store.EmailTaken:
            self.error, self.submitting = DUPLICATE, False
            return
        await db().run(lambda s: store.audit(s, action="sign_up", user_id=user.id))
        yield await start_session(self, user.id)


def sign_up_card() -> rx.Component:
    form = rx.form(
        rx.vstack(
            field("Email", "email", type="email", placeholder="you@company.com", autocomplete="email", autofocus=True),
            field("Password", "password", type="password", placeholder="At least 10 characters",
                  autocomplete="new-password",
                  hint="Use 10 or more characters: a few words, or letters with numbers or symbols."),
            error_callout(SignUpState.error),
            submit_button("Create account", "user-plus", busy=SignUpState.submitting, element_id="sign-up-submit"),
            spacing="4",
            width="100%",
        ),
        on_submit=SignUpState.submit,
        reset_on_submit=False,
        no_validate=True,  # our own messages, in plain English, for every problem
        id="sign-up-form",
        width="100%",
    )
    return account_card(
        title="Create your account",
        subtitle="Start with an idea. Your co-founder takes it from there.",
        form=form,
        footer=("Already have an account?", "Sign in", routes.SIGN_IN),
    )


def sign_up_page() -> rx.Component:
    return auth_shell(sign_up_card())
