"""The calm cues around the transcript: the question, the silence timer and the alerts."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from thinkaloud.rehearsal_state import Alert, silence_nudge
from thinkaloud.ui.widgets.panels import SteadyStatic


class QuestionBar(Static):
    """The question being answered, with where it came from."""

    COMPONENT_CLASSES = {"question--mark", "question--text", "question--context", "question--none"}

    def show(self, question: str | None, context: str = "", missing: str = "") -> None:
        """`missing` is what to say when there is no question."""
        style = self.get_component_rich_style
        if not question:
            self.update(Text.assemble(("Q ", style("question--mark")), (missing or "No question set.", style("question--none"))))
            return
        text = Text.assemble(("Q ", style("question--mark")), (question, style("question--text")))
        if context:
            text.append(f"  {context}", style("question--context"))
        self.update(text)


class SilenceTimer(SteadyStatic):
    """Appears once the speaker has been quiet past the threshold; counts up; a nudge to think aloud."""

    def show(self, seconds: float | None) -> None:
        self.set_class(seconds is None, "-hidden")
        if seconds is None:
            return
        # The nudge changes length as the silence goes on, so it may wrap differently: lay out again.
        self.show_text(Text.assemble((f"Quiet for {int(seconds)} s", "bold"), " · ", silence_nudge(seconds)), layout=True)


class AlertBar(SteadyStatic):
    """Problems with the capture or the engine that the speaker should know about now."""

    def show(self, alerts: Sequence[Alert]) -> None:
        self.set_class(not alerts, "-hidden")
        self.show_text(Text("\n").join(Text(f"⚠ {alert.text}") for alert in alerts), layout=True)
