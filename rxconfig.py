"""Reflex configuration, from the same settings as the rest of the product."""

import reflex as rx

from agent.config import Settings
from cofounder_app.styles import theme

settings = Settings.from_env()

config = rx.Config(
    app_name="cofounder_app",
    db_url=settings.database_url,
    cors_allowed_origins=settings.allowed_origins,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=theme)],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
