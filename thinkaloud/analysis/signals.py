"""Placing detector findings and silences in the transcript and in time."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from thinkaloud.kinds import PHRASE_KINDS
from thinkaloud.nlp.pipeline import Cue, TextFindings
from thinkaloud.types import Sentence, Signal, SpeechSpan, Word

#: What an abrupt jump's `cue` says, by why it was found (the detector's pattern id).
ABRUPT_CUES = {
    "digression_before_return": "new subject: a digression that the next sentence returns from",
    "unconnected_aside": "new subject: an aside with no words in common with the answer so far",
}
ABRUPT_CUE = "new subject: no link to what was said before"


class WordClock:
    """Finds the time span of a character range from the words that cover it."""

    def __init__(self, words: Sequence[Word]):
        self.words = [w for w in words if w.start is not None]
        self._ends = [w.char_end for w in self.words]

    def span(self, char_start: int, char_end: int) -> tuple[float | None, float | None]:
        first = bisect.bisect_right(self._ends, char_start)
        covered = []
        for word in self.words[first:]:
            if word.char_start >= char_end:
                break
            covered.append(word)
        if not covered:
            return None, None
        return covered[0].start, covered[-1].end


def timed_sentences(findings: TextFindings, clock: WordClock) -> list[Sentence]:
    sentences = []
    for s in findings.sentences:
        start, end = clock.span(s.char_start, s.char_end)
        sentences.append(Sentence(s.text, s.char_start, s.char_end, start, end))
    return sentences


def text_signals(findings: TextFindings, sentences: Sequence[Sentence], clock: WordClock) -> list[Signal]:
    """One signal per cue for fillers and hedges; one per sentence and kind otherwise.

    A sentence with two trade-off cues is still one trade-off; its `cue`
    lists the distinct phrases that fired, so the user sees why.
    """
    signals: list[Signal] = []
    grouped: dict[tuple[str, int], list[Cue]] = {}
    for cue in findings.cues:
        if cue.kind in PHRASE_KINDS:
            start, end = clock.span(cue.cue_start, cue.cue_end)
            signals.append(Signal(cue.kind, cue.cue, cue.cue, start, end, cue.cue_start, cue.cue_end))
        else:
            grouped.setdefault((cue.kind, cue.sentence), []).append(cue)
    for (kind, index), cues in grouped.items():
        sentence = sentences[index]
        phrases = list(dict.fromkeys(_cue_phrase(c) for c in cues))
        signposted = cues[0].signposted
        if kind == "topic_shift" and not signposted:
            cue_text = ABRUPT_CUES.get(cues[0].pattern, ABRUPT_CUE)
        else:
            cue_text = "; ".join(phrases)
        signals.append(
            Signal(
                kind=kind,  # type: ignore[arg-type]
                text=sentence.text,
                cue=cue_text,
                start=sentence.start,
                end=sentence.end,
                char_start=sentence.char_start,
                char_end=sentence.char_end,
                signposted=signposted,
            )
        )
    return signals


def _cue_phrase(cue: Cue) -> str:
    """The cue as shown to people; a classifier's decision says it is one, with its confidence."""
    if cue.pattern.startswith("classifier:"):
        return f"{cue.cue} (classifier, {cue.pattern.split(':', 1)[1]})"
    return cue.cue


def silence_signals(speech: Sequence[SpeechSpan], threshold_s: float) -> list[Signal]:
    """Gaps between speech spans lasting at least `threshold_s`.

    Quiet before the first word and after the last is not counted: a
    recording's lead-in and tail say nothing about how the answer went.
    """
    signals = []
    for before, after in zip(speech, speech[1:]):
        gap = after.start - before.end
        if gap >= threshold_s:
            signals.append(
                Signal(
                    kind="silence",
                    text="",
                    cue=f"no speech for {gap:.1f} s",
                    start=round(before.end, 3),
                    end=round(after.start, 3),
                    char_start=None,
                    char_end=None,
                )
            )
    return signals


def in_reading_order(signals: Sequence[Signal]) -> list[Signal]:
    """By time where there is time, else by position in the text."""
    return sorted(
        signals,
        key=lambda s: (
            s.start if s.start is not None else float("inf"),
            s.char_start if s.char_start is not None else -1,
            s.kind,
        ),
    )
