"""The Plan page's state: the strategy graph and the Kanban board of build phases, which the
founder can reorder, edit and remove until the build starts."""

from __future__ import annotations

import reflex as rx

from agent import events as ev
from agent import journey_store as js
from agent import plan as plan_rules
from agent import strategy
from agent.pricing import dollars
from cofounder_app import deps
from cofounder_app.components.strategy_graph import svg_markup
from cofounder_app.project_state import ProjectPageState, Refresher, register_page


async def read_plan(project_id: int) -> dict:
    def _read(s):
        graph = js.latest(s, project_id=project_id, kind="strategy")
        return js.plan_phases(s, project_id=project_id), graph.content if graph else None

    phases, graph = await deps.db().run(_read)
    return {
        "graph": svg_markup(strategy.layout(graph)) if graph else "",
        "phases": [{"id": str(p.id), "number": str(i + 1), "title": p.title, "goal": p.goal,
                    "acceptance": "\n".join(p.acceptance), "effort": p.effort,
                    "effort_label": plan_rules.EFFORT_LABELS.get(p.effort, p.effort),
                    "cost": dollars(p.cost_forecast_micros), "status": p.status,
                    "first": "yes" if i == 0 else "", "last": "yes" if i == len(phases) - 1 else ""}
                   for i, p in enumerate(phases)],
        "total": dollars(sum(p.cost_forecast_micros for p in phases)),
        "started": any(p.status != "pending" for p in phases),
    }


class PlanState(ProjectPageState):
    graph: str = ""
    phases: list[dict[str, str]] = []
    total: str = ""
    started: bool = False
    editing: dict[str, str] = {}  # the card in the edit dialog ({} when closed)
    edit_error: str = ""

    def _show(self, view: dict) -> None:
        self._views_shown += 1
        self.graph, self.phases, self.total, self.started = view["graph"], view["phases"], view["total"], view["started"]

    @rx.var
    def forecast_model(self) -> str:
        return deps.settings.anthropic_model

    @rx.var
    def counts(self) -> dict[str, int]:
        return {status: sum(p["status"] == status for p in self.phases) for status in ("pending", "in_progress", "done")}

    @rx.var
    def dialog_open(self) -> bool:
        return bool(self.editing)

    @rx.event
    async def open(self):
        project = await self._open_project("plan")
        if project is None:
            return self._away()
        self.editing, self.edit_error = {}, ""
        self._show(await read_plan(project.id))
        return ProjectPageState.listen

    async def _change(self, work, *, ok: str = ""):
        """Apply a change to this founder's plan (only before the build starts), then re-read it."""
        project = await self._owned()
        if project is None:
            return rx.toast.error("That project isn't yours.")
        project_id = project.id
        view = await read_plan(project_id)
        if view["started"]:
            self._show(view)
            return rx.toast.error("The build has started, so the plan can no longer be changed.")
        def _apply(s) -> None:  # a change moves where phases sit in the build, and so their forecasts
            work(s, project_id)
            js.reprice(s, project_id=project_id, model=deps.settings.anthropic_model)
            js.refresh_strategy(s, project_id=project_id)  # the graph draws the plan as edited

        try:
            await deps.db().run(_apply)
        except LookupError:
            return rx.toast.error("That phase is no longer part of this plan.")
        self._show(await read_plan(project_id))
        return rx.toast.success(ok) if ok else None

    @rx.event
    async def move(self, phase_id: str, offset: int):
        return await self._change(lambda s, p: js.move_phase(s, project_id=p, phase_id=int(phase_id), offset=offset))

    @rx.event
    async def remove(self, phase_id: str):
        return await self._change(lambda s, p: js.remove_phase(s, project_id=p, phase_id=int(phase_id)),
                                  ok="Phase removed from the plan.")

    @rx.event
    def start_edit(self, phase: dict):
        self.editing, self.edit_error = dict(phase), ""

    @rx.event
    def close_edit(self):
        self.editing, self.edit_error = {}, ""

    @rx.event
    def dialog_changed(self, is_open: bool):
        if not is_open:
            self.editing, self.edit_error = {}, ""

    @rx.event
    async def save_edit(self, form: dict):
        try:
            values = plan_rules.check_edit(title=str(form.get("title", "")), goal=str(form.get("goal", "")),
                                           acceptance=str(form.get("acceptance", "")),
                                           effort=str(form.get("effort", "")))
        except plan_rules.PhaseEditError as exc:
            self.edit_error = str(exc)
            return
        phase_id = int(self.editing.get("id", "0"))
        result = await self._change(lambda s, p: js.update_phase(s, project_id=p, phase_id=phase_id, **values),
                                    ok="Phase saved.")
        self.editing = {}
        return result

    @rx.event
    async def retry(self):
        return await self._retry_failed_step()

register_page("plan", Refresher(state=PlanState, wants=frozenset({ev.ArtifactSaved.type, ev.RunFailed.type}),
                                read=read_plan))
