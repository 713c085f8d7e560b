"""The build page's view folded from the run's events as they arrive: re-reading only what is new
must show the founder exactly what reading the whole run shows."""

import random
from dataclasses import fields

from agent import build_fold, build_view, store
from agent import events as ev
from agent.build_fold import Fold, FoldCache
from agent.models import RunEvent

CALLS = 150  # model calls in the build below: more than the chart draws


def _build_events() -> list[ev.Event]:
    """A build's worth of what the page folds: calls, logs past the panel's size, screenshots, a
    failure fixed on the second approach, the preview, the pack and the evidence."""
    out: list[ev.Event] = []
    for n in range(CALLS):
        out.append(ev.UsageRecorded(phase=1, model="claude-sonnet-4-5", input_tokens=10, output_tokens=200,
                                    cache_read_tokens=1_000 * n, cache_write_tokens=700, cost_micros=5_000 + 37 * n,
                                    saved_micros=900))
        out.append(ev.ToolUsed(tool="write_file", label=f"Wrote 40 lines to app/m{n}.py", ok=True))
        out.append(ev.LogOutput(command=f"python3 -m pytest tests/test_m{n}.py", text="x" * 1_500 + f" run {n}",
                                status="exit code 0"))
        if n % 20 == 5:
            out.append(ev.ScreenshotTaken(key=f"projects/1/screenshots/{n}.png", name=f"Page {n}", phase="Foundation"))
    out += [ev.ToolUsed(tool="bash", label="Ran “pip install flask”", ok=False),
            ev.FixAttempt(attempt=1, of=3, tool="bash", signature="ModuleNotFound:ab12", problem="No module"),
            ev.ToolUsed(tool="bash", label="Ran “pip install flask”", ok=False),
            ev.FixAttempt(attempt=2, of=3, tool="bash", signature="ModuleNotFound:ab12", problem="No module"),
            ev.ToolUsed(tool="read_file", label="Read app/server.py", ok=True),
            ev.PreviewReady(url="http://127.0.0.1:8123"),
            ev.ToolUsed(tool="bash", label="Ran “python3 -m pytest”: 12 passed", ok=True),
            ev.DownloadReady(key="projects/1/walkies.tar.gz", size=20_480),
            ev.EvidenceReported(features=[{"feature": "Sign up", "screenshot": "s.png", "test": "t", "verified": True}]),
            ev.RunFailed(reason="The app stopped answering.")]
    return out


def _rows(events: list[ev.Event]) -> list[RunEvent]:
    return [RunEvent(run_id=7, seq=i + 1, type=ev.type_of(e), payload=ev.to_payload(e)) for i, e in enumerate(events)]


def _state(fold: Fold) -> dict:
    return {f.name: getattr(fold, f.name) for f in fields(fold) if f.name != "lock"}


def test_folding_the_events_in_slices_gives_the_view_of_folding_them_at_once():
    rows = _rows(_build_events())
    whole = Fold(7)
    build_fold.apply(whole, rows)
    rng = random.Random(5)
    for _ in range(20):
        sliced, start = Fold(7), 0
        while start < len(rows):
            end = start + rng.randint(1, 9)
            build_fold.apply(sliced, rows[start:end] + rows[max(0, start - 2):start])  # and some seen again
            start = end
        assert _state(sliced) == _state(whole)
    assert whole.cost == sum(5_000 + 37 * n for n in range(CALLS)) and whole.saved == CALLS * 900
    assert len(whole.log) == build_fold.LOG_KEEP_CHARS and whole.log.rstrip().endswith("[exit code 0]")
    assert f"run {CALLS - 1}" in whole.log and "run 0\n" not in whole.log  # the end of the log, not its start
    assert [s["name"] for s in whole.screenshots] == [f"Page {n}" for n in range(145, 0, -20)]  # newest first
    assert whole.fix is None  # bash worked again after the second approach
    assert whole.last_failure == "The app stopped answering."
    points = whole.chart_points()
    assert len(points) == build_fold.CHART_POINTS < len(whole.costs) and points[-1] == whole.cost
    assert points == sorted(points) and points[0] == whole.costs[0]


def test_the_fix_banner_and_the_stage_follow_the_last_events():
    fold = Fold(1)
    build_fold.apply(fold, _rows([ev.ToolUsed(tool="bash", label="Ran “pip install flask”", ok=False),
                                  ev.FixAttempt(attempt=2, of=3, tool="bash", signature="s", problem="p"),
                                  ev.ToolUsed(tool="read_file", label="Read app/server.py", ok=True)]))
    running = store_run("running")
    assert build_view.fixing(running, fold) == "Auto-fixing (attempt 2 of 3)"
    assert build_view.stage_of(running, fold) == "Installing"  # reading a file does not change the stage
    build_fold.apply(fold, [RunEvent(run_id=1, seq=4, type=ev.ToolUsed.type,
                                     payload=ev.to_payload(ev.ToolUsed(tool="bash", label="Ran the tests", ok=True)))])
    assert build_view.fixing(running, fold) == "" and build_view.stage_of(running, fold) == "Testing"
    for seq, (tool, stage) in enumerate((("take_screenshot", "Taking screenshots"), ("document", "Writing the guides"),
                                         ("start_app", "Starting the app")), start=5):  # the last phase's work
        build_fold.apply(fold, [RunEvent(run_id=1, seq=seq, type=ev.ToolUsed.type,
                                         payload=ev.to_payload(ev.ToolUsed(tool=tool, label=tool, ok=True)))])
        assert build_view.stage_of(running, fold) == stage
    assert build_view.stage_of(store_run("succeeded"), fold) == "Ready"


def store_run(status: str):
    from agent.models import Run

    return Run(id=1, project_id=1, kind="build", status=status)


def test_a_cached_read_shows_what_was_recorded_since_exactly_as_a_full_read(db, planned):
    user, project = planned
    folds, events = FoldCache(size=2), _build_events()
    with db.session() as s:
        run = store.create_run(s, project_id=project.id, kind="build")
        for event in events[:50]:
            store.insert_event(s, run_id=run.id, event=event)
        first = build_view.read(s, project_id=project.id, user_id=user.id, folds=folds)
        assert first == build_view.read(s, project_id=project.id, user_id=user.id)
        for event in events[50:]:
            store.insert_event(s, run_id=run.id, event=event)
        store.insert_event(s, run_id=run.id, event=ev.Narration(text="Not part of the view"))
        cached = build_view.read(s, project_id=project.id, user_id=user.id, folds=folds)
        assert folds.get(run.id).last_seq == len(events)  # the narration after it is not a view event
        full = build_view.read(s, project_id=project.id, user_id=user.id)
    assert cached == full and cached != first
    assert cached["preview_url"] == "http://127.0.0.1:8123" and cached["download_size"] == 20_480
    assert [f["feature"] for f in cached["evidence"]] == ["Sign up"] and len(cached["screenshots"]) == 8
    cached["screenshots"].clear()  # what the page holds is a copy: the fold is not changed through it
    assert len(folds.get(run.id).screenshots) == 8


def test_the_cache_keeps_the_most_recently_watched_runs():
    folds = FoldCache(size=2)
    one = folds.get(1)
    folds.get(2)
    assert folds.get(1) is one  # used again: kept
    folds.get(3)
    assert folds.get(1) is one and folds.get(2) is not None
    assert folds.get(2).last_seq == 0  # 2 was dropped for 3, and starts again from the start
