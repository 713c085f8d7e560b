"""The Idea Brief page's state: read it, edit it, see and restore any version, export it as
Markdown, and decide at the gate (proceed, narrow, pivot, park)."""

from __future__ import annotations

import re

import reflex as rx

from agent import brief as brief_rules
from agent import brief_changes, brief_edit
from agent import events as ev
from agent import gates
from agent import journey_store as js
from agent.gates import GateError
from agent.journey import JourneyError
from cofounder_app import deps, routes
from cofounder_app.pages.interview import InterviewState
from cofounder_app.project_state import ProjectPageState, Refresher, register_page


async def read_brief(project_id: int, number: int = 0) -> dict:
    def _read(s):
        item = js.artifact(s, project_id=project_id, kind="brief")
        if item is None:
            return None, [], None, js.decisions(s, project_id=project_id), None
        chosen = js.version(s, artifact_id=item.id, number=number or item.current_version)
        chosen = chosen or js.version(s, artifact_id=item.id, number=item.current_version)
        before = js.version(s, artifact_id=item.id, number=chosen.version - 1) if chosen.version > 1 else None
        return item, js.versions(s, artifact_id=item.id), chosen, js.decisions(s, project_id=project_id), before

    item, history, chosen, decisions, before = await deps.db().run(_read)
    return {
        "latest": item.current_version if item else 0,
        "viewing": chosen.version if chosen else 0,
        "content": chosen.content if chosen else {},
        "author": chosen.author if chosen else "",
        "changes": [{"section": c["section"], "html": brief_changes.as_html(c["runs"])}
                    for c in brief_changes.changes(before.content, chosen.content)] if before and chosen else [],
        "versions": [{"number": str(v.version), "author": v.author, "note": v.note or "Saved",
                      "when": v.created_at.isoformat()} for v in history][:100],
        "decisions": [{"key": str(d.id), "choice": d.choice.capitalize(), "reason": d.reason or "No reason given",
                       "when": d.created_at.isoformat()} for d in reversed(decisions)][:50],
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "project"


class BriefState(ProjectPageState):
    latest: int = 0
    viewing: int = 0
    author: str = ""
    problem: str = ""
    target_users: str = ""
    value_proposition: str = ""
    differentiation: str = ""
    monetisation: str = ""
    features: list[dict[str, str]] = []
    risks: list[dict[str, str]] = []
    metrics: list[str] = []
    versions: list[dict[str, str]] = []
    decisions: list[dict[str, str]] = []
    changes: list[dict[str, str]] = []  # what this version changed from the one before (escaped HTML)
    editing: bool = False
    form: dict[str, str] = {}
    edit_error: str = ""
    choice: str = ""  # nothing chosen until the founder chooses: one stray click never decides
    decide_error: str = ""
    deciding: bool = False

    def _show(self, view: dict) -> None:
        self._views_shown += 1
        content = view["content"]
        self.latest, self.viewing, self.author = view["latest"], view["viewing"], view["author"]
        for key in brief_rules.TEXT_SECTIONS:
            setattr(self, key, content.get(key, ""))
        self.features = [{**f, "priority": f["priority"].capitalize()} for f in content.get("mvp_features", [])]
        self.risks = [{**r, "kind": r["kind"].capitalize()} for r in content.get("risks", [])]
        self.metrics = list(content.get("success_metrics", []))
        self.versions, self.decisions, self.changes = view["versions"], view["decisions"], view["changes"]

    @rx.var
    def at_gate(self) -> bool:
        return self.project_status in gates.AT_GATE

    @rx.var
    def has_brief(self) -> bool:
        return self.latest > 0

    @rx.var
    def old_version(self) -> bool:
        return 0 < self.viewing < self.latest

    @rx.event
    async def open(self):
        project = await self._open_project("brief")
        if project is None:
            return self._away()
        self.editing, self.edit_error, self.decide_error, self.deciding, self.choice = False, "", "", False, ""
        self._show(await read_brief(project.id))
        return ProjectPageState.listen

    @rx.event
    async def view_version(self, number: str):
        project = await self._owned()
        if project is not None:
            self._show(await read_brief(project.id, int(number)))

    @rx.event
    async def restore(self):
        project = await self._owned()
        number = self.viewing
        if project is None or not number:
            return
        await deps.db().run(lambda s: js.restore(s, project_id=project.id, kind="brief", number=number, author="founder"))
        await deps.db().run(lambda s: js.refresh_strategy(s, project_id=project.id))
        self._show(await read_brief(project.id))
        return rx.toast.success(f"Version {number} is the current version again.")

    @rx.event
    async def start_edit(self):
        project = await self._owned()
        if project is None:
            return
        view = await read_brief(project.id)
        self._show(view)
        self.form, self.editing, self.edit_error = brief_edit.to_form(view["content"]), True, ""

    @rx.event
    def cancel_edit(self):
        self.editing, self.edit_error = False, ""

    @rx.event
    async def save_edit(self, form: dict):
        project = await self._owned()
        if project is None:
            return
        try:
            content = brief_edit.from_form(form, title=project.name)
        except brief_edit.BriefEditError as exc:
            self.form, self.edit_error = {k: str(v) for k, v in form.items()}, str(exc)
            return

        def _save(s):
            saved = js.save_version(s, project_id=project.id, kind="brief", content=content, author="founder",
                                    note="Edited by the founder")
            js.refresh_strategy(s, project_id=project.id)
            return saved

        saved = await deps.db().run(_save)
        self.editing = False
        self._show(await read_brief(project.id))
        return rx.toast.success(f"Saved as version {saved.version}.")

    @rx.event
    async def export(self):
        project = await self._owned()
        if project is None:
            return
        view = await read_brief(project.id, self.viewing)
        markdown = brief_rules.to_markdown(view["content"])
        return rx.download(data=markdown, filename=f"idea-brief-{_slug(project.name)}-v{view['viewing']}.md",
                           mime_type="text/markdown")

    @rx.event
    def set_choice(self, value: str):
        self.choice, self.decide_error = value, ""

    @rx.event
    async def decide(self, form: dict):
        project = await self._owned()
        if project is None:
            return
        self.choice = str(form.get("choice") or self.choice)  # what the founder saw selected
        if not self.choice:
            self.decide_error = "Choose how to go on first: proceed, narrow, pivot or park."
            return
        self.decide_error, self.deciding = "", True
        try:
            await deps.intents().decide(project, user_id=self._user_id, choice=self.choice,
                                        reason=str(form.get("reason", "")))
        except (GateError, JourneyError) as exc:
            self.decide_error, self.deciding = str(exc), False
            return
        self.deciding = False
        if self.choice == "pivot":
            # the finished interview this tab last showed must not flash up before the new one is read
            (await self.get_state(InterviewState)).forget()
            return rx.redirect(routes.project(project.id, "interview"))
        if self.choice == "proceed":
            return rx.redirect(routes.project(project.id, "plan"))
        if self.choice == "park":
            return rx.redirect(routes.project(project.id))
        return BriefState.open

    @rx.event
    async def retry(self):
        return await self._retry_failed_step()

register_page("brief", Refresher(
    state=BriefState,
    wants=frozenset({ev.ArtifactSaved.type, ev.InterviewDone.type, ev.RunFailed.type}),
    read=read_brief,
))
