"""A founder signs up, signs in, is refused clearly when something is wrong, and signs out."""

import re
import time
import uuid

from playwright.sync_api import expect

from cofounder_app.auth import COOKIE_NAME


def error_text(page, selector="#form-error"):
    page.wait_for_selector(selector)
    return page.inner_text(selector)


def test_private_pages_send_a_visitor_to_sign_in(live_app, new_context):
    page = new_context().new_page()
    page.goto(live_app.url + "/dashboard")
    page.wait_for_url(re.compile(r"/sign-in$"))
    page.goto(live_app.url + "/projects/1")
    page.wait_for_url(re.compile(r"/sign-in\?next=/projects/1$"))
    page.wait_for_selector("text=Welcome back")


def test_sign_up_explains_every_problem_then_lands_on_the_dashboard(live_app, new_context, make_founder):
    page = new_context().new_page()
    page.goto(live_app.url + "/sign-up")
    page.wait_for_selector("#sign-up-submit")
    page.fill("#email", "not-an-email")
    page.fill("#password", "correct horse battery 7")
    page.click("#sign-up-submit")
    assert "doesn't look like an email" in error_text(page)

    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    page.fill("#email", email)
    page.fill("#password", "short")
    page.click("#sign-up-submit")
    page.wait_for_selector("text=at least 10 characters")

    page.fill("#password", "correct horse battery 7")
    page.click("#sign-up-submit")
    page.wait_for_url(re.compile(r"/dashboard$"))
    page.wait_for_selector(f"#signed-in-email:has-text('{email}')")
    page.wait_for_selector("#projects-empty")

    taken = make_founder()
    other = new_context().new_page()
    other.goto(live_app.url + "/sign-up")
    other.wait_for_selector("#sign-up-submit")
    other.fill("#email", taken.email.upper())
    other.fill("#password", "another good phrase 8")
    other.click("#sign-up-submit")
    assert "already exists" in error_text(other)


def test_the_session_cookie_is_http_only(live_app, new_context, make_founder):
    founder = make_founder()
    context = new_context()
    page = context.new_page()
    sign_in(page, live_app, founder.email, founder.password)
    page.wait_for_url(re.compile(r"/dashboard$"))
    cookie = next(c for c in context.cookies() if c["name"] == COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert COOKIE_NAME not in page.evaluate("document.cookie")


def sign_in(page, live_app, email, password, next_path=""):
    page.goto(live_app.url + "/sign-in" + (f"?next={next_path}" if next_path else ""))
    page.wait_for_selector("#sign-in-submit")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in-submit")


def test_wrong_credentials_get_one_generic_message_and_the_sixth_try_is_refused(live_app, new_context, make_founder):
    founder = make_founder()
    page = new_context().new_page()
    sign_in(page, live_app, f"nobody-{uuid.uuid4().hex[:6]}@example.com", "whatever 12345")
    unknown = error_text(page)
    sign_in(page, live_app, founder.email, "wrong password 1")
    assert error_text(page) == unknown == "That email and password don't match an account. Check them and try again."

    for attempt in range(2, 6):  # failures 2..5 within the minute
        page.fill("#password", f"wrong password {attempt}")
        page.click("#sign-in-submit")
        page.wait_for_timeout(300)
        page.wait_for_selector("#sign-in-submit:not([disabled])")
    page.fill("#password", founder.password)  # even the right password is refused now
    page.click("#sign-in-submit")
    page.wait_for_selector("#form-error:has-text('Too many attempts')")
    assert "/sign-in" in page.url


def test_sign_in_returns_to_the_page_asked_for_and_sign_out_ends_the_session(live_app, new_context, make_founder):
    founder = make_founder()
    page = new_context().new_page()
    sign_in(page, live_app, founder.email, founder.password, next_path="/dashboard")
    page.wait_for_url(re.compile(r"/dashboard$"))
    page.wait_for_selector(f"#signed-in-email:has-text('{founder.email}')")

    page.click("#sign-out-form button")
    page.wait_for_url(re.compile(r"/sign-in\?signed_out=1$"))
    page.wait_for_selector("#form-notice:has-text('signed out')")
    page.goto(live_app.url + "/dashboard")
    page.wait_for_url(re.compile(r"/sign-in$"))


def test_a_forgotten_password_is_reset_by_email_once(live_app, new_context, make_founder):
    from email import message_from_bytes, policy

    from cofounder_app import deps

    founder = make_founder()
    page = new_context().new_page()
    page.goto(live_app.url + "/sign-in")
    page.click("#forgot-password")
    page.wait_for_selector("#reset-ask")
    page.fill("#email", founder.email.upper())  # as people type it
    page.click("#reset-ask")
    expect(page.locator("#form-notice")).to_contain_text("a link to choose a new password is on its way")
    outbox = deps.settings.outbox_dir
    deadline = time.monotonic() + 30
    while not (mine := [m for m in sorted(outbox.glob("*.eml")) if founder.email.replace("@", "-at-") in m.name]):
        assert time.monotonic() < deadline, "no email arrived in the outbox"
        time.sleep(0.2)
    body = message_from_bytes(mine[-1].read_bytes(), policy=policy.default).get_content()
    link = re.search(r"https?://\S+/reset-password\?token=\S+", body).group(0)
    page.goto(live_app.url + "/reset-password?" + link.split("?", 1)[1])
    page.fill("#password", "a brand new passphrase 9")
    page.fill("#again", "a brand new passphrase 8")
    page.click("#reset-choose")
    assert "not the same" in error_text(page)
    page.fill("#again", "a brand new passphrase 9")
    page.click("#reset-choose")
    page.wait_for_url(re.compile(r"/sign-in\?reset=1$"))
    expect(page.locator("#form-notice")).to_contain_text("Your password is changed")
    sign_in(page, live_app, founder.email, "a brand new passphrase 9")
    page.wait_for_url(re.compile(r"/dashboard$"))
    # the link worked once
    page.goto(live_app.url + "/reset-password?" + link.split("?", 1)[1])
    page.fill("#password", "yet another passphrase 7")
    page.fill("#again", "yet another passphrase 7")
    page.click("#reset-choose")
    assert "expired or was already used" in error_text(page)
