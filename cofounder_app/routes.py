"""Every page route of the app, and tiny builders for links to them."""

from urllib.parse import quote

HOME = "/"
SIGN_IN = "/sign-in"
SIGN_UP = "/sign-up"
DASHBOARD = "/dashboard"
PROJECT = "/projects/[project_id]"
PROJECT_IDEA = "/projects/[project_id]/idea"
PROJECT_INTERVIEW = "/projects/[project_id]/interview"
PROJECT_BRIEF = "/projects/[project_id]/brief"
PROJECT_PLAN = "/projects/[project_id]/plan"
PROJECT_BUILD = "/projects/[project_id]/build"
ABOUT_OFFLINE = "/offline-co-founder"
RESET_PASSWORD = "/reset-password"

API_COMPLETE_SIGN_IN = "/api/auth/complete"
API_SIGN_OUT = "/api/auth/sign-out"
API_HEALTH = "/api/health"


def project(project_id: int | str, page: str = "") -> str:
    """A project's page: "" (overview), "idea", "interview", "brief", "plan" or "build"."""
    return f"/projects/{project_id}/{page}" if page else f"/projects/{project_id}"


def safe_next(path: str | None) -> str:
    """A local path to return to after sign-in; anything else falls back to the dashboard."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return DASHBOARD
    if path.startswith((SIGN_IN, SIGN_UP, RESET_PASSWORD, "/api/")):
        return DASHBOARD
    return path


def sign_in(next_path: str = "") -> str:
    target = safe_next(next_path)
    return SIGN_IN if target == DASHBOARD else f"{SIGN_IN}?next={quote(target, safe='/')}"
