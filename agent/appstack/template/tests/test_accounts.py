"""The app's own tests of its accounts: sign-up, sign-in, and where a person goes next."""

import pytest

from helpers import (SCHEMA, ADD_PAGES, needs_accounts, no_accounts, slug, html, esc, valid_form, post,
                     sign_up)


@needs_accounts
@pytest.mark.parametrize("page", ADD_PAGES, ids=slug)
def test_adding_needs_sign_in(client, page):
    assert "Sign in to add" in html(client.get(page.path))
    response = post(client, page.path, valid_form(page.entity), token_from="/signin")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/signin?next=/p/{page.slug}"
    assert f"No {esc(page.entity.plural_lower)} yet." in html(client.get(page.path))


@needs_accounts
def test_sign_up_then_sign_in(client):
    assert sign_up(client).status_code == 303
    assert "Sign out" in html(client.get("/"))
    assert post(client, "/signout", {}, token_from="/").status_code == 303
    assert "Sign out" not in html(client.get("/"))
    response = post(client, "/signin", {"email": "SAM@example.com", "password": "green beans 42"})
    assert response.status_code == 303
    assert "Sam" in html(client.get("/")) and "Sign out" in html(client.get("/"))


@needs_accounts
def test_wrong_password_is_refused(client):
    sign_up(client)
    post(client, "/signout", {}, token_from="/")
    response = post(client, "/signin", {"email": "sam@example.com", "password": "wrong password"})
    assert response.status_code == 400
    assert esc("That email and password don't match.") in html(response)
    assert 'value="sam@example.com"' in html(response)


@needs_accounts
def test_sign_up_checks_what_was_typed(client):
    short = sign_up(client, password="short")
    assert short.status_code == 400 and "at least 8 characters" in html(short)
    assert 'value="Sam"' in html(short)
    sign_up(client)
    post(client, "/signout", {}, token_from="/")
    again = sign_up(client, email="Sam@Example.com")
    assert again.status_code == 400 and "already an account" in html(again)


@needs_accounts
@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_next_must_be_a_local_path(client, target):
    assert sign_up(client, next_path=target).headers["Location"] == "/"


@needs_accounts
def test_next_returns_to_the_page(client):
    target = SCHEMA.pages[0].path if SCHEMA.pages else "/"
    assert sign_up(client, next_path=target).headers["Location"] == target


@no_accounts
def test_no_sign_in_anywhere(client):
    assert client.get("/signin").status_code == 404 and client.get("/signup").status_code == 404
    assert "Sign in" not in html(client.get("/"))
    for page in ADD_PAGES:
        assert "Sign in to add" not in html(client.get(page.path))
