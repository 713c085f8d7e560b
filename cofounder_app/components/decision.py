"""The decision console: when the co-founder stops to ask, the founder sees what went wrong, what was
tried and what it recommends, and picks an option or writes their own instruction. Also the
"Auto-fixing (attempt N of 3)" banner shown while it retries a failure."""

import reflex as rx

from cofounder_app import styles


def fixing_banner(text: rx.Var) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, icon="wrench", color_scheme="amber", variant="surface", width="100%",
                                          id="fixing-banner"))


def decision_console(state) -> rx.Component:
    """`state` is the build page's state: question_* fields, `choose(option)` and `answer(form)`."""
    option = lambda text, index: rx.button(  # noqa: E731
        text, on_click=state.choose(text), variant=rx.cond(text == state.question_recommendation, "solid", "soft"),
        size="2", id=f"option-{index}", loading=state.answering, white_space="normal", height="auto",
        padding="8px 14px", text_align="left")
    return rx.vstack(
        rx.hstack(rx.icon("message-circle-question", size=18, color="var(--amber-11)"),
                  rx.text("Your co-founder needs a decision", weight="bold", size="4"), align="center", spacing="2"),
        rx.cond(state.question_attempts.length() > 0, rx.vstack(
            rx.text("What I tried", size="2", weight="medium", color="var(--gray-11)"),
            rx.el.ol(rx.foreach(state.question_attempts, lambda a: rx.el.li(a)), id="question-attempts",
                     style={"margin": "0 0 0 20px", "padding": "0", "list-style": "decimal", "font-size": "14px",
                            "color": "var(--gray-11)"}),
            spacing="1", width="100%")),
        rx.cond(state.question_recommendation != "",
                rx.text("I recommend: ", rx.text.strong(state.question_recommendation), size="2",
                        id="question-recommendation")),
        rx.flex(rx.foreach(state.question_options, option), gap="8px", flex_wrap="wrap", id="question-options"),
        rx.form(
            rx.vstack(
                rx.text_area(name="instruction", placeholder="Or tell your co-founder what to do instead…",
                             max_length=2000, width="100%", rows="3", id="instruction"),
                rx.hstack(rx.cond(state.answer_error != "", rx.text(state.answer_error, color="var(--red-11)", size="2",
                                                                   id="answer-error")),
                          rx.spacer(),
                          rx.button("Send my instruction", type="submit", variant="soft", loading=state.answering,
                                    id="send-instruction"), width="100%", align="center"),
                spacing="2", width="100%"),
            on_submit=state.answer, reset_on_submit=False, width="100%"),
        spacing="3", padding="20px 24px", style=styles.card, width="100%", border="1px solid var(--amber-6)",
        id="decision-console",
    )
