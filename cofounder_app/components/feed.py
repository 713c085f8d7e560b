"""The activity feed: turning run events into rows a founder reads, and drawing them cheaply
(styles in assets/app.css; times written in the founder's time zone by assets/feed.js)."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from agent import events as ev
from agent.streams import TYPING, StreamEvent

# event type -> (icon, colour): CSS classes in assets/app.css
_LOOK = {
    ev.RunStarted.type: ("play", "violet"),
    ev.StepProgress.type: ("check", "green"),
    ev.RunCompleted.type: ("flag", "green"),
    ev.RunFailed.type: ("alert", "red"),
    ev.Narration.type: ("message", "violet"),
    ev.QuestionAsked.type: ("message", "violet"),
    ev.InterviewDone.type: ("flag", "green"),
    ev.ArtifactSaved.type: ("check", "violet"),
    ev.PhaseStarted.type: ("play", "violet"),
    ev.PhaseCompleted.type: ("check", "green"),
    ev.PreviewReady.type: ("flag", "green"),
    ev.ScreenshotTaken.type: ("check", "gray"),
    ev.DocWritten.type: ("check", "gray"),
    ev.DownloadReady.type: ("flag", "green"),
    ev.NeedsInput.type: ("alert", "amber"),
    ev.RunPaused.type: ("dot", "amber"),
    ev.RunStopped.type: ("dot", "gray"),
    ev.FixAttempt.type: ("alert", "amber"),
    ev.Sleeping.type: ("dot", "amber"),
    ev.BudgetExceeded.type: ("alert", "red"),
}


NOT_IN_FEED = {ev.LogOutput.type, ev.StepProgress.type, ev.RunStarted.type}  # shown elsewhere on the page
VERBOSE_ONLY = {ev.UsageRecorded.type}  # quiet events (tool calls, thinking) are verbose-only too


def feed_row(item: StreamEvent) -> dict[str, str] | None:
    """The row for an event, or None for events the founder does not need to see (unknown types).
    Quiet rows (each tool call, the model's thinking) show only with the verbose toggle on."""
    event = ev.decode(item.type, item.payload)
    if isinstance(event, ev.UnknownEvent) or not event.summary:
        return None
    quiet = getattr(event, "quiet", False) or item.type in VERBOSE_ONLY
    if item.type in NOT_IN_FEED and quiet:
        return None
    icon, tone = _LOOK.get(item.type, ("dot", "gray"))
    detail = getattr(event, "detail", "") if isinstance(event, ev.ToolUsed) else ""
    return {
        "key": f"{item.run_id}-{item.seq}",
        "id": f"event-{item.run_id}-{item.seq}",
        "summary": event.summary,
        "type": item.type,
        "look": f"feed-icon icon-{icon} tone-{tone}",
        "row": "feed-row quiet" if quiet else "feed-row",
        "detail": detail,
        "at": datetime.fromtimestamp(item.at, UTC).isoformat(),
    }


def typing_of(batch: list[StreamEvent]) -> str | None:
    """What the typing row shows after this batch: the latest text Claude is writing; "" when the
    batch holds a recorded event (a turn's words become events as it ends; if the next turn has
    begun, its next typing update, a fraction of a second later, shows it); None for an empty batch."""
    if not batch:
        return None
    if any(item.type != TYPING for item in batch):
        return ""
    return str(batch[-1].payload.get("text", ""))


def typing_row(text: rx.Var) -> rx.Component:
    """Claude's words while it writes them, above the feed; gone when its turn is over."""
    return rx.cond(text != "", rx.el.div(
        rx.el.span(class_name="feed-icon icon-message tone-violet", aria_hidden="true"),
        rx.el.span(text, class_name="feed-summary typing-text"), class_name="feed-row typing", id="feed-typing",
        aria_live="polite"))


NEWEST = 40  # rows in the short list every event changes; past it, all but NEWEST_KEPT move down
NEWEST_KEPT = 10


def add_rows(newest: list, older: list, rows: list, window: int) -> tuple[list, list | None, bool]:
    """A feed kept in two lists shown one after the other, newest first: `rows` (oldest first) go on
    top of the short `newest` list, and only when it outgrows NEWEST do all but its first NEWEST_KEPT
    rows move to the top of `older`, which keeps the rest of the `window`. Every change of a list
    sends the whole list to the tab, so the long one goes every NEWEST - NEWEST_KEPT rows instead of
    with every event (a 200-row feed made every event's frame 35 KB and the row 5x later to show).
    Returns the short list, the long one (None when unchanged) and whether rows fell out of the window."""
    newest = rows[::-1] + newest
    if len(newest) <= NEWEST:
        return newest, None, False
    moved, room = newest[NEWEST_KEPT:] + older, window - NEWEST_KEPT
    return newest[:NEWEST_KEPT], moved[:room], len(moved) > room


def _row(item: rx.Var) -> rx.Component:
    # Plain elements and CSS classes on purpose: this row re-renders on every event of every tab,
    # and Radix layout components, icon components and live relative times made that 10x slower.
    return rx.el.div(
        rx.el.span(class_name=item["look"], aria_hidden="true"),
        rx.el.span(item["summary"], rx.el.small(item["detail"], class_name="feed-detail"), class_name="feed-summary"),
        rx.el.time(date_time=item["at"], data_at=item["at"], class_name="feed-time"),
        id=item["id"],
        class_name=item["row"],
        data_type=item["type"],
        key=item["key"],
    )


def activity_feed(newest: rx.Var, items: rx.Var, empty_text: str = "Nothing has happened yet.",
                  older: rx.Component | None = None) -> rx.Component:
    """The rows, newest first: the short `newest` list above the rest (`add_rows`); `older` (a "show
    earlier" control) goes below the oldest row."""
    return rx.cond(
        newest.length() + items.length() > 0,
        rx.vstack(rx.foreach(newest, _row), rx.foreach(items, _row), *([older] if older is not None else []),
                  spacing="0", width="100%", id="activity-feed"),
        rx.text(empty_text, size="2", color="var(--gray-10)", id="activity-empty"),
    )
