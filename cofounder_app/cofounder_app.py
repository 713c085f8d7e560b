"""The Reflex app: pages, their titles and on_load handlers, and the extra HTTP routes."""

import reflex as rx

import agent.models  # noqa: F401  (every table, so `reflex db` sees the whole schema)
from agent.rate_limits import RateLimits
from agent.services import app_http
from cofounder_app import deps, routes, styles
from cofounder_app.api import build_api
from cofounder_app.headers import OriginCheck, SecurityHeaders
from cofounder_app.http_limits import RateLimitedDoor
from cofounder_app.pages.brief import brief_page
from cofounder_app.pages.brief_state import BriefState
from cofounder_app.pages.build import build_page
from cofounder_app.pages.build_state import BuildState
from cofounder_app.pages.dashboard import DashboardState, dashboard_page
from cofounder_app.pages.about_offline import about_offline_page
from cofounder_app.pages.home import home_page
from cofounder_app.pages.idea import IdeaState, idea_page
from cofounder_app.pages.interview import InterviewState, interview_page
from cofounder_app.pages.plan import plan_page
from cofounder_app.pages.plan_state import PlanState
from cofounder_app.pages.project import OverviewState, overview_page
from cofounder_app.pages.sign_in import SignInState, sign_in_page
from cofounder_app.pages.reset_password import ResetState, reset_password_page
from cofounder_app.pages.sign_up import SignUpState, sign_up_page
from cofounder_app.state import SessionState
from cofounder_app.preview_proxy import PreviewHosts


def _security_headers(asgi_app):
    return SecurityHeaders(asgi_app, hsts=deps.settings.secure_cookies)


def _origin_check(asgi_app):
    return OriginCheck(asgi_app, allowed=deps.allowed_origins)


def _rate_limits(asgi_app):
    return RateLimitedDoor(asgi_app, shared=deps.rate_limits, per_tab=RateLimits.in_memory(deps.settings.rate_limits))


app = rx.App(
    style=styles.base_style,
    # outermost last: preview hosts never reach the product; the product checks where requests come from
    api_transformer=[build_api(), _security_headers, _origin_check, _rate_limits, PreviewHosts],
    stylesheets=["/app.css"],
    head_components=[rx.script(src="/feed.js")],
)
app.add_page(home_page, route=routes.HOME, title="AI Co-Founder: from idea to MVP", on_load=SessionState.load_user)
app.add_page(reset_password_page, route=routes.RESET_PASSWORD, title="Reset your password · AI Co-Founder",
             on_load=ResetState.open)
app.add_page(about_offline_page, route=routes.ABOUT_OFFLINE, title="The offline co-founder · AI Co-Founder")
app.add_page(sign_in_page, route=routes.SIGN_IN, title="Sign in · AI Co-Founder", on_load=SignInState.open)
app.add_page(sign_up_page, route=routes.SIGN_UP, title="Create your account · AI Co-Founder", on_load=SignUpState.open)
app.add_page(dashboard_page, route=routes.DASHBOARD, title="Your projects · AI Co-Founder", on_load=DashboardState.open)
app.add_page(overview_page, route=routes.PROJECT, title="Project · AI Co-Founder", on_load=OverviewState.open)
app.add_page(idea_page, route=routes.PROJECT_IDEA, title="Your idea · AI Co-Founder", on_load=IdeaState.open)
app.add_page(interview_page, route=routes.PROJECT_INTERVIEW, title="Interview · AI Co-Founder", on_load=InterviewState.open)
app.add_page(brief_page, route=routes.PROJECT_BRIEF, title="Idea Brief · AI Co-Founder", on_load=BriefState.open)
app.add_page(plan_page, route=routes.PROJECT_PLAN, title="Plan · AI Co-Founder", on_load=PlanState.open)
app.add_page(build_page, route=routes.PROJECT_BUILD, title="Build · AI Co-Founder", on_load=BuildState.open)


@app.register_lifespan_task
async def _warm_preview_client():
    """The CA bundle for the preview's clients takes 130 ms of the event loop to load (measured):
    loaded at start, not in the middle of a founder's build."""
    app_http.tls_context()
