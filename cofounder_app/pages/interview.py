"""The understanding interview: one question at a time, a progress bar, skip, edit any earlier
answer, and leave and come back exactly where you were (everything is in the database)."""

from __future__ import annotations

import reflex as rx

from agent import events as ev
from agent import interview as iv
from agent import journey_store as js
from agent.journey import MAX_ANSWER, JourneyError
from cofounder_app import deps, routes, styles
from cofounder_app.components.forms import error_callout
from cofounder_app.components.journey import project_frame
from cofounder_app.project_state import ProjectPageState, Refresher, register_page


async def read_interview(project_id: int) -> dict:
    def _read(s):
        interview = js.current_interview(s, project_id=project_id)
        return interview, (js.answers(s, interview_id=interview.id) if interview else [])

    interview, rows = await deps.db().run(_read)
    answered = [r for r in rows if r.answer or r.skipped]
    pending = next((r for r in rows if not r.answer and not r.skipped), None)
    done = interview is not None and interview.status == "done"
    count, total = iv.progress(len(answered), done)
    return {
        "started": interview is not None,
        "done": done,
        "answered": [{"id": str(r.id), "number": str(i + 1), "question": r.question, "answer": r.answer,
                      "skipped": "yes" if r.skipped else "", "topic": iv.TOPIC_LABELS.get(r.topic, r.topic)}
                     for i, r in enumerate(answered)],
        "pending": {"id": str(pending.id), "question": pending.question, "why": pending.why,
                    "topic": iv.TOPIC_LABELS.get(pending.topic, pending.topic), "number": str(len(answered) + 1)}
        if pending else {},
        "count": count,
        "total": total,
    }


class InterviewState(ProjectPageState):
    started: bool = False
    done: bool = False
    answered: list[dict[str, str]] = []
    pending: dict[str, str] = {}
    count: int = 0
    total: int = 0
    error: str = ""
    sending: bool = False
    editing: str = ""  # id of the earlier answer being edited
    edit_error: str = ""

    @rx.var
    def has_question(self) -> bool:
        return bool(self.pending.get("id"))

    def _show(self, view: dict) -> None:
        self._views_shown += 1
        self.started, self.done, self.answered = view["started"], view["done"], view["answered"]
        self.count, self.total = view["count"], view["total"]
        if view["pending"].get("id") != self.pending.get("id"):
            self.sending, self.error = False, ""
        self.pending = view["pending"]

    def forget(self) -> None:
        """A new interview is starting elsewhere (a pivot): show it as starting until it is read,
        not the finished one this tab last showed."""
        self.started, self.done = True, False
        self.answered, self.pending = [], {}

    @rx.event
    async def open(self):
        project = await self._open_project("interview")
        if project is None:
            return self._away()
        self.editing = self.edit_error = ""
        self._show(await read_interview(project.id))
        return ProjectPageState.listen

    async def _send(self, text: str, skip: bool):
        project = await self._owned()
        if project is None or not self.pending:
            return
        self.error = ""
        try:
            await deps.intents().answer(project, answer_id=int(self.pending["id"]), text=text, skip=skip)
        except JourneyError as exc:
            self.error = str(exc)
            return
        self.sending = True
        self._show(await read_interview(project.id))
        self.sending = bool(not self.pending and not self.done)

    @rx.event
    async def submit(self, form: dict):
        await self._send(str(form.get("answer", "")), skip=False)

    @rx.event
    async def skip(self):
        await self._send("", skip=True)

    @rx.event
    def start_edit(self, answer_id: str):
        self.editing, self.edit_error = answer_id, ""

    @rx.event
    def cancel_edit(self):
        self.editing, self.edit_error = "", ""

    @rx.event
    async def save_edit(self, form: dict):
        project = await self._owned()
        if project is None or not self.editing:
            return
        try:
            await deps.intents().edit_answer(project, answer_id=int(self.editing), text=str(form.get("answer", "")))
        except (JourneyError, LookupError) as exc:
            self.edit_error = str(exc)
            return
        self.editing = ""
        self._show(await read_interview(project.id))

    @rx.event
    async def retry(self):
        return await self._retry_failed_step()

register_page("interview", Refresher(
    state=InterviewState,
    wants=frozenset({ev.QuestionAsked.type, ev.InterviewDone.type, ev.RunFailed.type, ev.ArtifactSaved.type}),
    read=read_interview,
))


def question_card() -> rx.Component:
    p = InterviewState.pending
    return rx.vstack(
        rx.hstack(rx.badge(p["topic"], variant="soft", radius="full"),
                  rx.text("Question ", p["number"], size="2", color="var(--gray-10)"), spacing="2", align="center"),
        rx.heading(p["question"], size="5", line_height="1.35", id="question-text"),
        rx.cond(p["why"] != "", rx.text(p["why"], size="2", color="var(--gray-10)")),
        rx.cond(InterviewState.offline,
                rx.text("Asked by the offline co-founder, from its question bank. ",
                        rx.link("What is that?", href=routes.ABOUT_OFFLINE, size="1"),
                        size="1", color="var(--gray-9)", id="offline-note")),
        rx.form(
            rx.vstack(
                rx.text_area(name="answer", id="answer", rows="5", width="100%", max_length=MAX_ANSWER + 200,
                             placeholder="Your answer, in your own words…", key=p["id"], auto_focus=True),
                error_callout(InterviewState.error, "answer-error"),
                rx.hstack(
                    rx.button(rx.icon("send", size=15), "Answer", type="submit", size="3", id="answer-submit",
                              disabled=InterviewState.sending),
                    rx.button("Skip this question", type="button", variant="soft", color_scheme="gray", size="3",
                              on_click=InterviewState.skip, id="skip-question", disabled=InterviewState.sending),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=InterviewState.submit,
            reset_on_submit=True,
            no_validate=True,
            width="100%",
            id="answer-form",
        ),
        spacing="3",
        padding="28px",
        style=styles.card,
        width="100%",
    )


def waiting_card() -> rx.Component:
    return rx.cond(
        InterviewState.done,
        rx.vstack(
            rx.heading("Interview complete", size="5"),
            rx.text(rx.cond(InterviewState.project_status == "drafting_brief",
                            "Thank you. Your co-founder is turning your answers into the Idea Brief.",
                            "Thank you. Your Idea Brief is ready."), color="var(--gray-11)"),
            rx.link(rx.button("See the Idea Brief", rx.icon("arrow-right", size=16), size="3", id="to-brief"),
                    href=routes.project(InterviewState.project_id_value, "brief")),
            spacing="3", padding="28px", style=styles.card, width="100%", id="interview-done",
        ),
        rx.cond(
            InterviewState.started,
            rx.hstack(rx.spinner(size="3"), rx.text("Your co-founder is thinking of the next question…"),
                      spacing="3", padding="28px", style=styles.card, width="100%", id="interview-waiting"),
            rx.vstack(
                rx.text("The interview starts once you've described your idea.", color="var(--gray-11)"),
                rx.link(rx.button("Describe the idea", size="3"), href=routes.project(InterviewState.project_id_value, "idea")),
                spacing="3", padding="28px", style=styles.card, width="100%",
            ),
        ),
    )


def _answer_row(item: rx.Var) -> rx.Component:
    editing = InterviewState.editing == item["id"]
    return rx.vstack(
        rx.hstack(rx.text(item["number"], ". ", item["question"], weight="medium", size="2", flex="1"),
                  rx.cond(~editing, rx.button(rx.icon("pencil", size=13), "Edit", size="1", variant="ghost",
                                              on_click=InterviewState.start_edit(item["id"]), class_name="edit-answer")),
                  width="100%", align="start"),
        rx.cond(
            editing,
            rx.form(
                rx.vstack(
                    rx.text_area(name="answer", default_value=item["answer"], rows="3", width="100%", class_name="edit-box"),
                    error_callout(InterviewState.edit_error, "edit-error"),
                    rx.hstack(rx.button("Save", type="submit", size="1", class_name="save-edit"),
                              rx.button("Cancel", type="button", size="1", variant="soft", color_scheme="gray",
                                        on_click=InterviewState.cancel_edit), spacing="2"),
                    spacing="2", width="100%",
                ),
                on_submit=InterviewState.save_edit, reset_on_submit=False, no_validate=True, width="100%",
            ),
            rx.cond(item["skipped"] != "", rx.text("Skipped", size="2", color="var(--gray-9)", font_style="italic"),
                    rx.text(item["answer"], size="2", color="var(--gray-11)", white_space="pre-wrap", class_name="answer-text")),
        ),
        spacing="1",
        width="100%",
        padding_y="10px",
        border_bottom="1px solid var(--gray-3)",
        class_name="answer-row",
        key=item["id"],
    )


def interview_page() -> rx.Component:
    return project_frame(
        "interview",
        rx.vstack(
            rx.hstack(rx.text("Interview progress", size="2", weight="medium"),
                      rx.text(InterviewState.count, " of about ", InterviewState.total, " questions", size="2",
                              color="var(--gray-10)", id="interview-progress"),
                      justify="between", width="100%"),
            rx.progress(value=InterviewState.count, max=rx.cond(InterviewState.total > 0, InterviewState.total, 1),
                        size="2", width="100%"),
            spacing="2",
            width="100%",
        ),
        rx.cond(InterviewState.has_question, question_card(), waiting_card()),
        rx.cond(
            InterviewState.answered.length() > 0,
            rx.vstack(rx.text("Your answers", weight="bold", size="3"),
                      rx.foreach(InterviewState.answered, _answer_row),
                      spacing="1", padding="24px", style=styles.card, width="100%", id="answers-list"),
        ),
        retry=InterviewState.retry,
    )
