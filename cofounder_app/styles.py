"""Look and feel: the theme, the page background and a few shared style dictionaries."""

import reflex as rx

ACCENT = "violet"
FONT_STACK = (
    "Inter, ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
)

theme = rx.theme(appearance="light", accent_color=ACCENT, gray_color="slate", radius="large", scaling="100%")

base_style = {
    "font_family": FONT_STACK,
    "background": "var(--gray-2)",
}

BRAND_GRADIENT = "linear-gradient(135deg, var(--violet-9) 0%, var(--indigo-9) 55%, var(--cyan-9) 100%)"

card = {
    "background": "white",
    "border": "1px solid var(--gray-4)",
    "border_radius": "16px",
    "box_shadow": "0 1px 2px rgba(16, 24, 40, 0.04), 0 8px 24px rgba(16, 24, 40, 0.04)",
}

auth_card = {
    "background": "white",
    "border": "1px solid var(--gray-4)",
    "border_radius": "20px",
    "box_shadow": "0 12px 40px rgba(16, 24, 40, 0.08)",
}

page_width = "1080px"

# status -> (label the founder reads, badge colour)
PROJECT_STATUS = {
    "setting_up": ("Setting up", "amber"),
    "ready": ("Ready for your idea", "green"),
    "interviewing": ("Interview", "blue"),
    "drafting_brief": ("Writing the brief", "amber"),
    "brief_ready": ("Decision needed", "violet"),
    "planning": ("Planning", "amber"),
    "planned": ("Plan ready", "green"),
    "building": ("Building", "violet"),
    "built": ("Built", "green"),
    "setup_failed": ("Needs attention", "red"),
    "archived": ("Parked", "gray"),
}


def status_label(status: str) -> tuple[str, str]:
    return PROJECT_STATUS.get(status, (status.replace("_", " ").capitalize(), "gray"))
