from pathlib import Path

import pytest

from agent.config import Settings, SettingsError


def test_defaults_need_no_configuration(tmp_path):
    s = Settings.from_env({"DATA_DIR": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'cofounder.db'}"
    assert s.redis_url == "redis://127.0.0.1:6379/0"
    assert (s.llm_backend, s.sandbox_backend, s.storage_backend, s.billing_backend) == (
        "offline", "local", "local", "local")
    assert s.workspaces_dir == tmp_path / "workspaces"
    assert not s.secure_cookies
    assert (s.max_tool_calls, s.slice_steps, s.slice_seconds) == (400, 25, 240.0)


def test_keys_switch_on_the_real_services():
    s = Settings.from_env({
        "ANTHROPIC_API_KEY": "sk-ant-x", "E2B_API_KEY": "e2b_x", "S3_BUCKET": "b", "STRIPE_SECRET_KEY": "sk_test",
        "DATABASE_URL": "postgresql+psycopg://u@db/app", "REDIS_URL": "redis://cache:6379/0",
    })
    assert (s.llm_backend, s.sandbox_backend, s.storage_backend, s.billing_backend) == (
        "anthropic", "e2b", "s3", "stripe")
    assert s.database_url.startswith("postgresql")


def test_secrets_are_not_in_the_repr():
    s = Settings.from_env({"ANTHROPIC_API_KEY": "sk-ant-secret", "STRIPE_SECRET_KEY": "sk_live_secret"})
    assert "secret" not in repr(s)


def test_allowed_origins_cover_both_loopback_names_and_extras():
    s = Settings.from_env({"APP_URL": "http://localhost:3000/", "EXTRA_ORIGINS": "https://app.example.com"})
    assert s.allowed_origins == ["http://localhost:3000", "http://127.0.0.1:3000", "https://app.example.com"]
    public = Settings.from_env({"APP_URL": "https://cofounder.example",
                                "PREVIEW_ORIGIN": "https://{token}.preview.example.com/"})
    assert public.secure_cookies and public.preview_origin == "https://{token}.preview.example.com"


def test_a_public_app_needs_a_preview_origin_of_its_own():
    with pytest.raises(SettingsError, match="PREVIEW_ORIGIN must be set"):
        Settings.from_env({"APP_URL": "https://cofounder.example"})
    assert Settings.from_env({"APP_URL": "http://127.0.0.1:3000"}).preview_origin == ""  # {token}.localhost


def test_the_sandbox_is_chosen_by_setting():
    assert Settings.from_env({}).sandbox_backend == "local"
    assert Settings.from_env({"E2B_API_KEY": "e2b_x"}).sandbox_backend == "e2b"
    assert Settings.from_env({"SANDBOX": "unconfined"}).sandbox_backend == "unconfined"


@pytest.mark.parametrize("env, message", [
    ({"SESSION_DAYS": "soon"}, "SESSION_DAYS must be a whole number"),
    ({"SIGNIN_MAX_FAILURES": "0"}, "SIGNIN_MAX_FAILURES must be at least 1"),
    ({"WORKER_POLL_DELAY": "-1"}, "WORKER_POLL_DELAY must be greater than 0"),
    ({"APP_URL": "localhost:3000"}, "APP_URL must look like"),
    ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be"),
    ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL must start with"),
    ({"MAX_TOOL_CALLS": "0"}, "MAX_TOOL_CALLS must be at least 1"),
    ({"AGENT_SLICE_SECONDS": "a while"}, "AGENT_SLICE_SECONDS must be a number"),
    ({"WORKER_NICE": "20"}, "WORKER_NICE must be at most 19"),
    ({"WORKER_NICE": "-5"}, "WORKER_NICE must be at least 0"),
    ({"CLOCK_OFFSET_SECONDS": "-60"}, "CLOCK_OFFSET_SECONDS must be greater than 0"),
    ({"SANDBOX": "docker"}, "SANDBOX must be one of local, e2b, unconfined"),
    ({"SANDBOX": "e2b"}, "SANDBOX=e2b needs E2B_API_KEY"),
    ({"PREVIEW_ORIGIN": "https://preview.example.com"}, "PREVIEW_ORIGIN must look like"),
    ({"PREVIEW_ORIGIN": "https://{token}.x.com/path"}, "PREVIEW_ORIGIN must look like"),
    ({"APP_URL": "https://a.example.com", "PREVIEW_ORIGIN": "https://a.example.com/{token}"}, "PREVIEW_ORIGIN must"),
    ({"SANDBOX_DISK_MB": "10"}, "SANDBOX_DISK_MB must be at least 64"),
])
def test_bad_values_get_a_clear_error(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_only_config_reads_the_environment():
    root = Path(__file__).resolve().parents[1]
    offenders = [
        str(p.relative_to(root))
        for folder in ("agent", "cofounder_app")
        for p in (root / folder).rglob("*.py")
        if p.name != "config.py" and ("os.environ" in p.read_text() or "os.getenv" in p.read_text())
    ]
    assert offenders == []
