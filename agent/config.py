"""Settings: the one place that reads the environment.

Every other module receives a `Settings` (or values taken from it). Defaults are embedded so the
whole product runs with no configuration: SQLite and files under `./data`, a local Redis, the local
sandbox and the offline co-founder. Setting a service's variables switches the real adapter on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting has a value the product cannot use; the message names it and says why."""


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name} must be at most {maximum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be greater than 0, got {value}")
    return value


def _origin(url: str, name: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name} must look like http://host:port or https://host, got {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _loopback_twins(origin: str) -> list[str]:
    """The same origin under both loopback names, so localhost and 127.0.0.1 both work locally."""
    parts = urlsplit(origin)
    host, _, port = parts.netloc.partition(":")
    twins = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}
    if host not in twins:
        return [origin]
    other = f"{parts.scheme}://{twins[host]}{':' + port if port else ''}"
    return [origin, other]


@dataclass(frozen=True, kw_only=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str
    app_url: str
    extra_origins: tuple[str, ...] = ()
    session_days: int = 14
    signin_max_failures: int = 5
    signin_window_seconds: int = 60
    signin_lockout_seconds: int = 300
    worker_poll_delay: float = 0.1
    worker_max_jobs: int = 10
    event_stream_maxlen: int = 1000
    max_tool_calls: int = 400
    slice_steps: int = 25
    slice_seconds: float = 240.0
    worker_nice: int = 19
    clock_offset_seconds: float = 0.0
    anthropic_api_key: str = field(default="", repr=False)
    anthropic_base_url: str = ""
    anthropic_model: str = "claude-sonnet-4-5"
    e2b_api_key: str = field(default="", repr=False)
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = field(default="", repr=False)
    s3_secret_access_key: str = field(default="", repr=False)
    s3_prefix: str = ""
    stripe_secret_key: str = field(default="", repr=False)
    stripe_webhook_secret: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("DATA_DIR", "").strip() or PROJECT_ROOT / "data").resolve()
        database_url = env.get("DATABASE_URL", "").strip() or f"sqlite:///{data_dir / 'cofounder.db'}"
        if not database_url.startswith(("sqlite", "postgresql")):
            raise SettingsError(
                f"DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, got {database_url.split(':')[0]}:..."
            )
        redis_url = env.get("REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
        if not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError("REDIS_URL must start with redis://, rediss:// or unix://")
        extra = tuple(
            _origin(o, "EXTRA_ORIGINS") for o in env.get("EXTRA_ORIGINS", "").split(",") if o.strip()
        )
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=redis_url,
            app_url=_origin(env.get("APP_URL", "") or "http://localhost:3000", "APP_URL"),
            extra_origins=extra,
            session_days=_int(env, "SESSION_DAYS", 14, minimum=1),
            signin_max_failures=_int(env, "SIGNIN_MAX_FAILURES", 5, minimum=1),
            signin_window_seconds=_int(env, "SIGNIN_WINDOW_SECONDS", 60, minimum=1),
            signin_lockout_seconds=_int(env, "SIGNIN_LOCKOUT_SECONDS", 300, minimum=1),
            worker_poll_delay=_float(env, "WORKER_POLL_DELAY", 0.1),
            worker_max_jobs=_int(env, "WORKER_MAX_JOBS", 10, minimum=1),
            event_stream_maxlen=_int(env, "EVENT_STREAM_MAXLEN", 1000, minimum=10),
            max_tool_calls=_int(env, "MAX_TOOL_CALLS", 400, minimum=1),
            slice_steps=_int(env, "AGENT_SLICE_STEPS", 25, minimum=1),
            slice_seconds=_float(env, "AGENT_SLICE_SECONDS", 240.0),
            worker_nice=_int(env, "WORKER_NICE", 19, maximum=19),
            clock_offset_seconds=_float(env, "CLOCK_OFFSET_SECONDS", 0.0),
            anthropic_api_key=env.get("ANTHROPIC_API_KEY", "").strip(),
            anthropic_base_url=env.get("ANTHROPIC_BASE_URL", "").strip(),
            anthropic_model=env.get("ANTHROPIC_MODEL", "").strip() or "claude-sonnet-4-5",
            e2b_api_key=env.get("E2B_API_KEY", "").strip(),
            s3_bucket=env.get("S3_BUCKET", "").strip(),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL", "").strip(),
            s3_region=env.get("S3_REGION", "").strip() or "us-east-1",
            s3_access_key_id=env.get("S3_ACCESS_KEY_ID", "").strip(),
            s3_secret_access_key=env.get("S3_SECRET_ACCESS_KEY", "").strip(),
            s3_prefix=env.get("S3_PREFIX", "").strip().strip("/"),
            stripe_secret_key=env.get("STRIPE_SECRET_KEY", "").strip(),
            stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET", "").strip(),
        )

    @property
    def workspaces_dir(self) -> Path:
        return self.data_dir / "workspaces"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"

    @property
    def allowed_origins(self) -> list[str]:
        """Origins allowed to open the app's websocket and call its API."""
        origins: list[str] = []
        for origin in (self.app_url, *self.extra_origins):
            origins.extend(o for o in _loopback_twins(origin) if o not in origins)
        return origins

    @property
    def redis_has_password(self) -> bool:
        """Whether REDIS_URL carries a password (anything that can write the job queue runs jobs)."""
        return bool(urlsplit(self.redis_url).password)

    @property
    def secure_cookies(self) -> bool:
        return self.app_url.startswith("https://")

    @property
    def llm_backend(self) -> str:
        """"anthropic" when a key is set, otherwise the offline co-founder."""
        return "anthropic" if self.anthropic_api_key else "offline"

    @property
    def sandbox_backend(self) -> str:
        return "e2b" if self.e2b_api_key else "local"

    @property
    def storage_backend(self) -> str:
        return "s3" if self.s3_bucket else "local"

    @property
    def billing_backend(self) -> str:
        return "stripe" if self.stripe_secret_key else "local"
