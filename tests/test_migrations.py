"""The Alembic migrations: upgrade from empty, match the models exactly, downgrade to empty."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import agent.models  # noqa: F401
from agent.db import make_engine
from tests.support import migrate
from tests.support.servers import ScratchPostgres, postgres_admin_url

EXPECTED = {
    "users", "auth_sessions", "projects", "artifacts", "artifact_versions", "interview_sessions",
    "interview_answers", "decisions", "plan_phases", "runs", "run_events", "checkpoints", "usage_ledger",
    "error_signatures", "escalations", "plans", "subscriptions", "processed_webhooks", "audit_log", "password_resets",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL is not reachable")
    scratch = ScratchPostgres(admin)
    yield scratch.url
    scratch.drop()


def _tables(url):
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}, engine
    finally:
        pass


def test_upgrade_from_empty_then_downgrade(empty_database):
    migrate.upgrade(empty_database)
    tables, engine = _tables(empty_database)
    assert tables == EXPECTED
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == [], "models and migrations disagree: add a migration"
    unique = {tuple(u["column_names"]) for u in sa.inspect(engine).get_unique_constraints("run_events")}
    assert ("run_id", "seq") in unique
    engine.dispose()

    migrate.downgrade(empty_database)
    tables, engine = _tables(empty_database)
    assert tables == set()
    engine.dispose()
