"""Onboarding: the idea in the founder's own words, who it is for, and the stage they're at."""

from __future__ import annotations

import reflex as rx

from agent import journey_store as js
from agent import store
from agent.journey import MAX_IDEA, STAGES, JourneyError
from cofounder_app import deps, routes, styles
from cofounder_app.components.forms import error_callout, submit_button
from cofounder_app.components.journey import project_frame
from cofounder_app.project_state import ProjectPageState


def _answered(session, project_id: int) -> int:
    interview = js.current_interview(session, project_id=project_id)
    return sum(1 for a in js.answers(session, interview_id=interview.id) if a.answer or a.skipped) if interview else 0


class IdeaState(ProjectPageState):
    name: str = ""
    idea: str = ""
    audience: str = ""
    stage: str = STAGES[0]
    locked: bool = False  # the interview has moved on: changes now go through a pivot
    answered: int = 0  # answers the interview has so far: changing the idea then is a choice, said out loud
    changing: bool = False
    error: str = ""
    saving: bool = False

    @rx.event
    async def open(self):
        project = await self._open_project("idea")
        if project is None:
            return self._away()
        self.name, self.idea, self.audience = project.name, project.idea, project.audience
        self.stage = project.stage or STAGES[0]
        self.locked = project.status not in ("setting_up", "ready", "interviewing")
        self.answered = await deps.db().run(lambda s: _answered(s, project.id)) if project.status == "interviewing" else 0
        self.error, self.saving, self.changing = "", False, False
        return ProjectPageState.listen

    @rx.var
    def change_note(self) -> str:
        kept = "Your answer so far is kept" if self.answered == 1 else f"Your {self.answered} answers so far are kept"
        return (f"{kept}. The interview goes on from where it is, with the new idea; an answer that no longer fits "
                "can be edited on the Interview tab.")

    @rx.event
    def change_idea(self):
        self.changing = True

    @rx.var
    def locked_hint(self) -> str:
        """Where a change of direction goes from here: the gate while it is open, else a new project."""
        if self.project_status in ("drafting_brief", "brief_ready"):
            return "The interview has moved on from here. To change direction, choose Pivot when you decide on the Idea Brief."
        if self.project_status == "archived":
            return "This project is parked. Reopen it from the overview to go on with it."
        return ("The brief and the plan were made from this idea. To try another direction, start a new project: "
                "the overview can copy this Idea Brief into it.")

    @rx.event
    def set_stage(self, value: str):
        self.stage = value

    @rx.event
    async def submit(self, form: dict):
        self.error = ""
        user_id = await self._current_user_id()
        project_id = self._project
        project = await deps.db().run(lambda s: store.owned_project(s, owner_id=user_id, project_id=project_id))
        if project is None:
            yield rx.redirect(routes.DASHBOARD)
            return
        self.name, self.idea, self.audience = (str(form.get(k, "")) for k in ("name", "idea", "audience"))
        self.saving = True
        yield
        try:
            await deps.intents().describe_idea(project, name=self.name, idea=self.idea, audience=self.audience,
                                               stage=self.stage)
        except JourneyError as exc:
            self.error, self.saving = str(exc), False
            return
        yield rx.redirect(routes.project(project.id, "interview"))


def _label(text: str, html_for: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(text, as_="label", html_for=html_for, size="2", weight="medium"),
        rx.cond(hint != "", rx.text(hint, size="1", color="var(--gray-10)")),
        spacing="0",
    )


def idea_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Tell your co-founder about the idea", size="6"),
            rx.text("A few sentences are enough. The interview that follows asks about the rest.",
                    color="var(--gray-11)", size="2", padding_bottom="8px"),
            _label("Project name", "name"),
            rx.input(name="name", id="name", default_value=IdeaState.name, size="3", width="100%", max_length=100),
            _label("Your idea", "idea", "What is it, what problem does it solve, and for whom? Plain words are best."),
            rx.text_area(name="idea", id="idea", default_value=IdeaState.idea, rows="7", width="100%",
                         max_length=MAX_IDEA + 500, placeholder="A marketplace where busy dog owners find trusted "
                         "walkers nearby and book a walk in two taps…"),
            _label("Who it is for", "audience", "The people who would use it first."),
            rx.input(name="audience", id="audience", default_value=IdeaState.audience, size="3", width="100%",
                     placeholder="e.g. Dog owners who work in the city"),
            _label("Where you are", "stage"),
            rx.radio_cards.root(
                *[rx.radio_cards.item(rx.text(stage, size="2"), value=stage) for stage in STAGES],
                value=IdeaState.stage,
                on_value_change=IdeaState.set_stage,
                columns=rx.breakpoints(initial="2", md="4"),
                width="100%",
                name="stage",
                id="stage",
            ),
            rx.cond(IdeaState.answered > 0, rx.callout(
                rx.text(IdeaState.change_note),
                icon="info", variant="surface", size="1", id="change-idea-note")),
            error_callout(IdeaState.error, "idea-error"),
            rx.box(submit_button(rx.cond(IdeaState.answered > 0, "Save the new idea", "Start the interview"),
                                 "arrow-right", busy=IdeaState.saving, element_id="idea-submit"),
                   width=["100%", "260px"]),
            spacing="3",
            width="100%",
        ),
        on_submit=IdeaState.submit,
        reset_on_submit=False,
        no_validate=True,
        id="idea-form",
    )


def idea_shown(*below: rx.Component) -> rx.Component:
    """The idea as the founder wrote it (not a form), and what can be done about it."""
    return rx.vstack(
        rx.text("The idea", weight="bold", size="4"),
        rx.text(IdeaState.idea, white_space="pre-wrap", id="idea-text"),
        rx.text("For: ", IdeaState.audience, size="2", color="var(--gray-11)"),
        rx.text("Stage: ", IdeaState.stage, size="2", color="var(--gray-11)"),
        *below,
        spacing="3",
    )


def locked_view() -> rx.Component:
    return idea_shown(rx.callout(IdeaState.locked_hint, icon="info", variant="surface", size="1",
                                 id="idea-locked-hint"))


def interviewing_view() -> rx.Component:
    """The idea while the interview runs: shown, and changed only on purpose."""
    return idea_shown(
        rx.hstack(
            rx.link(rx.button("Continue the interview", rx.icon("arrow-right", size=15)),
                    href=routes.project(IdeaState.project_id_value, "interview")),
            rx.button(rx.icon("pencil", size=15), "Change the idea", variant="soft", on_click=IdeaState.change_idea,
                      id="change-idea"),
            spacing="3", flex_wrap="wrap",
        ),
    )


def idea_page() -> rx.Component:
    return project_frame(
        "idea",
        rx.box(
            rx.cond(IdeaState.locked, locked_view(),
                    rx.cond((IdeaState.answered > 0) & ~IdeaState.changing, interviewing_view(), idea_form())),
            padding="28px",
            style=styles.card,
            width="100%",
            max_width="760px",
        ),
    )
