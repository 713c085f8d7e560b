"""The app's own tests of its pages. They read app/schema.json, so they check whatever product it describes."""

import io
import re

import pytest

from app import fields
from app.main import db, seed_examples
from helpers import (SCHEMA, ADD_PAGES, BROWSE_PAGES, TEXT_KINDS, INVALID, slug, html, esc, tiny_png, sample,
                     valid_form, post, error_for)


def test_health(client):
    assert client.get("/health").get_data(as_text=True) == "ok"


def test_home_lists_every_page(client):
    page = html(client.get("/"))
    assert esc(SCHEMA.name) in page and esc(SCHEMA.promise) in page
    assert 'name="viewport"' in page
    for p in SCHEMA.pages:
        assert esc(p.title) in page and f'href="{p.path}"' in page
    for service in SCHEMA.demo:
        assert f"{esc(service)} " in page and "not connected yet" in page


@pytest.mark.parametrize("page", SCHEMA.pages, ids=slug)
def test_page_starts_empty(client, page):
    response = client.get(page.path)
    assert response.status_code == 200
    assert f"No {esc(page.entity.plural_lower)} yet." in html(response)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/p/no-such-page")
    assert response.status_code == 404
    assert esc("We can't find that page") in html(response) and "/static/app.css" in html(response)


def test_server_errors_show_a_friendly_page(app):
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in html(response) and "ZeroDivisionError" not in html(response)


@pytest.mark.parametrize("page", ADD_PAGES, ids=slug)
def test_empty_required_fields_are_named(member, page):
    required = [field for field in page.entity.fields if field.required]
    if not required:
        pytest.skip("this page has no required fields")
    response = post(member, page.path, {})
    assert response.status_code == 400
    for field in required:
        assert esc(field.label) in error_for(html(response), field.key)


@pytest.mark.parametrize("page", ADD_PAGES, ids=slug)
def test_form_keeps_what_was_typed(member, page):
    required = [field for field in page.entity.fields if field.required]
    typed = [field for field in page.entity.fields if field.kind in TEXT_KINDS and field not in required[-1:]]
    if not required or not typed:
        pytest.skip("needs a required field and another text field")
    response = post(member, page.path, valid_form(page.entity, **{required[-1].key: ""}))
    assert response.status_code == 400
    for field in typed:
        assert esc(sample(field)[0]) in html(response)


@pytest.mark.parametrize("page", ADD_PAGES, ids=slug)
def test_adding_a_record_shows_it(member, page):
    response = post(member, page.path, valid_form(page.entity))
    assert response.status_code == 303 and response.headers["Location"] == page.path
    shown = html(member.get(page.path))
    assert f"{esc(page.entity.name)} added." in shown
    for field in page.entity.fields:
        assert sample(field)[1] in shown, field.key
    if SCHEMA.accounts:
        assert "Added by Sam" in shown
    assert f"No {esc(page.entity.plural_lower)} yet." not in shown


@pytest.mark.parametrize("page,field", [(p, f) for p in ADD_PAGES for f in p.entity.fields if f.kind in INVALID],
                         ids=lambda item: getattr(item, "slug", None) or getattr(item, "key", None))
def test_invalid_values_are_explained(member, page, field):
    response = post(member, page.path, valid_form(page.entity, **{field.key: INVALID[field.kind]}))
    assert response.status_code == 400
    assert esc(field.label) in error_for(html(response), field.key)


@pytest.mark.parametrize("page,field", [(p, f) for p in ADD_PAGES for f in p.entity.fields if f.kind == "photo"],
                         ids=lambda item: getattr(item, "slug", None) or getattr(item, "key", None))
def test_photos_are_checked_and_served(member, page, field):
    fake = post(member, page.path, valid_form(page.entity, **{field.key: (io.BytesIO(b"<html>hi</html>"), "x.png")}))
    assert fake.status_code == 400 and "PNG, JPEG, GIF or WebP" in error_for(html(fake), field.key)
    post(member, page.path, valid_form(page.entity))
    name = re.search(r'/uploads/([0-9a-f]{32}\.png)"', html(member.get(page.path))).group(1)
    image = member.get(f"/uploads/{name}")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == tiny_png()


@pytest.mark.parametrize("path", ["/uploads/../x", "/uploads/..%2Fapp.db", "/uploads/secret_key",
                                  "/uploads/%2e%2e%2fsecret_key", "/uploads/app.db"])
def test_uploads_only_serves_uploads(client, path):
    response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("page", BROWSE_PAGES, ids=slug)
def test_search_finds_records(app, client, page):
    text_field = next((f for f in page.entity.fields if f.kind in TEXT_KINDS), None)
    if text_field is None:
        pytest.skip("nothing to search by")
    data = {f.key: value for f in page.entity.fields if (value := fields.example(f, 0)) is not None}
    data[text_field.key] = "Findable Turnip"
    with app.app_context():
        db().add_record(page.entity.key, data, None)
    assert "Findable Turnip" in html(client.get(page.path, query_string={"q": "fINDABLE tur"}))
    nothing = html(client.get(page.path, query_string={"q": "zz-no-match"}))
    assert "Findable Turnip" not in nothing and "Nothing matches “zz-no-match”." in nothing


@pytest.mark.parametrize("page", BROWSE_PAGES, ids=slug)
def test_browse_links_to_adding(client, page):
    add_page = SCHEMA.add_page_for(page.entity)
    if add_page is None:
        pytest.skip("nowhere to add these")
    assert f'href="{add_page.path}"' in html(client.get(page.path))


def test_values_are_shown_escaped(member):
    target = next(((p, f) for p in ADD_PAGES for f in p.entity.fields if f.kind in TEXT_KINDS), None)
    if target is None:
        pytest.skip("no text field to type into")
    page, field = target
    attack = "<script>alert(1)</script>"
    assert post(member, page.path, valid_form(page.entity, **{field.key: attack})).status_code == 303
    shown = html(member.get(page.path))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and attack not in shown
    for browse in BROWSE_PAGES:
        searched = html(member.get(browse.path, query_string={"q": attack}))
        assert attack not in searched


def test_posts_without_the_csrf_token_are_refused(member):
    path = ADD_PAGES[0].path if ADD_PAGES else "/signin" if SCHEMA.accounts else None
    if path is None:
        pytest.skip("this app has no forms")
    for token in (None, "wrong"):
        data = valid_form(ADD_PAGES[0].entity) if ADD_PAGES else {"email": "a@b.co", "password": "whatever1"}
        if token is not None:
            data["csrf_token"] = token
        response = member.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == 400 and "The form may have expired" in html(response)


def test_seed_adds_examples_once(app, client):
    assert seed_examples(app) == 2 * len(SCHEMA.entities)
    assert seed_examples(app) == 0
    for page in SCHEMA.pages:
        shown = html(client.get(page.path))
        assert 'class="badge example"' in shown and "Added by Example" in shown
        bare = "|".join(fields.QUESTION_LABELS)  # "Example harvest", never "Example what"
        assert not re.search(rf"xample (?:{bare})\b", shown, re.IGNORECASE), page.path


def test_secret_key_is_kept_private(app, tmp_path):
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_bytes() == app.secret_key
