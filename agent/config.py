"""Settings: the one place that reads the environment.

Every other module receives a `Settings` (or values taken from it). Defaults are embedded so the
whole product runs with no configuration: SQLite and files under `./data`, a local Redis, the local
sandbox and the offline co-founder. Setting a service's variables switches the real adapter on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SANDBOXES = ("local", "e2b", "unconfined")
LOOPBACK = ("localhost", "127.0.0.1", "::1")


class SettingsError(ValueError):
    """A setting has a value the product cannot use; the message names it and says why."""


def app_stack_dir(env: Mapping[str, str] | None = None) -> Path:
    """APP_STACK_DIR: where the generated apps' web stack is installed (see `agent/appstack`)."""
    configured = (os.environ if env is None else env).get("APP_STACK_DIR", "").strip()
    return Path(configured) if configured else PROJECT_ROOT / ".tools" / "appstack"


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


def _preview_origin(template: str, app_url: str) -> str:
    """PREVIEW_ORIGIN checked: an http(s) origin with {token} in its host name. Unset is fine only
    for a local APP_URL (previews then live at {token}.localhost, which only this machine resolves)."""
    template = template.strip().rstrip("/")
    if not template:
        if urlsplit(app_url).hostname not in LOOPBACK:
            raise SettingsError("PREVIEW_ORIGIN must be set when APP_URL is not a localhost address: previews of "
                                "founders' apps need an origin of their own, e.g. https://{token}.preview.example.com "
                                "(a wildcard DNS name on a registrable domain that is not the app's)")
        return ""
    parts = urlsplit(template.replace("{token}", "token"))
    if parts.scheme not in ("http", "https") or "{token}" not in template.split("//", 1)[-1].split("/")[0] \
            or parts.path or parts.query:
        raise SettingsError(f"PREVIEW_ORIGIN must look like https://{{token}}.preview.example.com, got {template!r}")
    if urlsplit(app_url).hostname == parts.hostname:
        raise SettingsError("PREVIEW_ORIGIN must not be the app's own host")
    return template


def _rate_limits(raw: str) -> tuple[tuple[str, str], ...]:
    """RATE_LIMITS="build=20/hour,sign_up=10/hour": each a known rule and a `limits` expression."""
    from limits import parse

    from agent.rate_limits import RULES

    found = []
    for item in (part.strip() for part in raw.split(",") if part.strip()):
        name, _, expression = item.partition("=")
        if name.strip() not in RULES:
            raise SettingsError(f"RATE_LIMITS: unknown rule {name.strip()!r}; the rules are {', '.join(RULES)}")
        try:
            parse(expression.strip())
        except ValueError:
            raise SettingsError(f"RATE_LIMITS: {item!r} is not like build=20/hour") from None
        found.append((name.strip(), expression.strip()))
    return tuple(found)


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
    e2b_template: str = ""  # the E2B template builds start from (e2b.Dockerfile: the apps' web stack in it)
    rate_limits: tuple[tuple[str, str], ...] = ()  # overrides of agent/rate_limits.py's rules, e.g. ("build", "20/hour")
    preview_origin: str = ""  # "https://{token}.preview.example.com"; "" = {token}.localhost (local use)
    preview_token_seconds: int = 3600
    preview_idle_seconds: int = 1800  # an app nobody has looked at for this long is stopped
    sandbox: str = "local"  # local (bubblewrap, required) / e2b / unconfined (development only)
    sandbox_memory_mb: int = 2048
    sandbox_processes: int = 256
    sandbox_disk_mb: int = 2048
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = field(default="", repr=False)
    s3_secret_access_key: str = field(default="", repr=False)
    s3_prefix: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True
    email_from: str = "AI Co-Founder <no-reply@localhost>"
    password_reset_seconds: int = 1800
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
        e2b_key = env.get("E2B_API_KEY", "").strip()
        sandbox = env.get("SANDBOX", "").strip().lower() or ("e2b" if e2b_key else "local")
        if sandbox not in SANDBOXES:
            raise SettingsError(f"SANDBOX must be one of {', '.join(SANDBOXES)}, got {sandbox!r}")
        if sandbox == "e2b" and not e2b_key:
            raise SettingsError("SANDBOX=e2b needs E2B_API_KEY")
        app_url = _origin(env.get("APP_URL", "") or "http://localhost:3000", "APP_URL")
        preview_origin = _preview_origin(env.get("PREVIEW_ORIGIN", ""), app_url)
        extra = tuple(
            _origin(o, "EXTRA_ORIGINS") for o in env.get("EXTRA_ORIGINS", "").split(",") if o.strip()
        )
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=redis_url,
            app_url=app_url,
            preview_origin=preview_origin,
            rate_limits=_rate_limits(env.get("RATE_LIMITS", "")),
            preview_token_seconds=_int(env, "PREVIEW_TOKEN_MINUTES", 60, minimum=1, maximum=720) * 60,
            preview_idle_seconds=_int(env, "PREVIEW_IDLE_MINUTES", 30, minimum=1) * 60,
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
            e2b_api_key=e2b_key,
            e2b_template=env.get("E2B_TEMPLATE", "").strip(),
            sandbox=sandbox,
            sandbox_memory_mb=_int(env, "SANDBOX_MEMORY_MB", 2048, minimum=64),
            sandbox_processes=_int(env, "SANDBOX_PROCESSES", 256, minimum=16),
            sandbox_disk_mb=_int(env, "SANDBOX_DISK_MB", 2048, minimum=64),
            s3_bucket=env.get("S3_BUCKET", "").strip(),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL", "").strip(),
            s3_region=env.get("S3_REGION", "").strip() or "us-east-1",
            s3_access_key_id=env.get("S3_ACCESS_KEY_ID", "").strip(),
            s3_secret_access_key=env.get("S3_SECRET_ACCESS_KEY", "").strip(),
            s3_prefix=env.get("S3_PREFIX", "").strip().strip("/"),
            smtp_host=env.get("SMTP_HOST", "").strip(),
            smtp_port=_int(env, "SMTP_PORT", 587, minimum=1, maximum=65535),
            smtp_username=env.get("SMTP_USERNAME", "").strip(),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_starttls=env.get("SMTP_STARTTLS", "true").strip().lower() not in ("false", "0", "no"),
            email_from=env.get("EMAIL_FROM", "").strip() or "AI Co-Founder <no-reply@localhost>",
            password_reset_seconds=_int(env, "PASSWORD_RESET_MINUTES", 30, minimum=5, maximum=1440) * 60,
            stripe_secret_key=env.get("STRIPE_SECRET_KEY", "").strip(),
            stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET", "").strip(),
        )

    @property
    def workspaces_dir(self) -> Path:
        return self.data_dir / "workspaces"

    @property
    def sockets_dir(self) -> Path:
        """Where the local sandboxes' app servers are reached (a folder no sandbox can see)."""
        return self.data_dir / "workspaces" / ".sockets"

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

    def secret_values(self) -> tuple[str, ...]:
        """Every secret these settings hold: each field kept out of repr, and the Redis password."""
        values = [getattr(self, f.name) for f in fields(self) if not f.repr]
        values.append(unquote(urlsplit(self.redis_url).password or ""))
        return tuple(v for v in values if isinstance(v, str) and v)

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
        """ "local" (bubblewrap), "e2b", or "unconfined" (development only: agent code runs unconfined)."""
        return self.sandbox

    @property
    def storage_backend(self) -> str:
        return "s3" if self.s3_bucket else "local"

    @property
    def email_backend(self) -> str:
        """"smtp" when SMTP_HOST is set, otherwise the local outbox under DATA_DIR."""
        return "smtp" if self.smtp_host else "outbox"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def billing_backend(self) -> str:
        return "stripe" if self.stripe_secret_key else "local"
