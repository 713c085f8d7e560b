"""Shared fixtures: a fresh app (its own empty data folder) and a test client for every test."""

import sys
from pathlib import Path

import pytest

WORKSPACE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(WORKSPACE))

from app.main import create_app  # noqa: E402  (needs the workspace on sys.path)
from helpers import SCHEMA, sign_up  # noqa: E402


@pytest.fixture
def app(tmp_path):
    """The app with app/schema.json and an empty data folder."""
    return create_app(data_dir=tmp_path)


@pytest.fixture
def member(client):
    """A client that may add records: signed up when the app has accounts."""
    if SCHEMA.accounts:
        assert sign_up(client).status_code == 303
    return client


@pytest.fixture
def client(app):
    """A browser-like client that keeps cookies between requests."""
    return app.test_client()


# What each check found, for the co-founder's evidence report: data/checks.json (not part of the code).
_OUTCOMES: dict[str, str] = {}


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _OUTCOMES[report.nodeid] = report.outcome


def pytest_sessionfinish(session):
    import json

    data = WORKSPACE / "data"
    data.mkdir(exist_ok=True)
    (data / "checks.json").write_text(json.dumps(_OUTCOMES, indent=1, sort_keys=True), encoding="utf-8")
