"""What the rehearsal screen shows, folded from the live engine's events.

`RehearsalState.apply(event)` takes the events of `thinkaloud.live.events`
one at a time, in order, and keeps everything a presentation needs: the
transcript (final text, then the current utterance's stable words, with
signals placed in it), the tentative tail, the words a final just revised,
the running numbers (elapsed time, pace, fillers, longest silence), the structure
checklist, the silence timer, the input level and the warnings worth showing.
`timeline_cells` bins an answer, live or finished, into a strip.

Time here is the engine's clock (`emitted_at`, audio times), never the wall
clock, so the same events always give the same screen: that is what makes
the screen testable and the snapshots stable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from thinkaloud.analysis.coaching import (
    FAST_WPM,
    FILLERS_PER_MINUTE_LIMIT,
    HEDGES_PER_MINUTE_LIMIT,
    LONG_SILENCE_S,
    SLOW_WPM,
    checklist,
    summarize,
)
from thinkaloud.annotation import Block, Pause, annotate, char_position_at
from thinkaloud.asr.transcript import TranscriptBuilder
from thinkaloud.kinds import STRUCTURE_KINDS, mark_of
from thinkaloud.live.events import (
    FinalEvent,
    FinishedEvent,
    LagEvent,
    LevelEvent,
    LiveEvent,
    OverflowEvent,
    SignalEvent,
    SilenceEndEvent,
    SilenceStartEvent,
    SilenceUpdateEvent,
    StateEvent,
    TentativeEvent,
    WordEvent,
)
from thinkaloud.types import (
    ModelInfo,
    Report,
    Sentence,
    Signal,
    SourceInfo,
    SpeechSpan,
    Word,
)

#: Words closer than this belong to one stretch of speech on the timeline.
SPEECH_GAP_S = 0.8
#: A warning stays on screen this long after the event that raised it.
WARNING_HOLD_S = 8.0
#: Pace is not shown until the words span at least this long (early numbers swing wildly).
MIN_PACE_SPAN_S = 5.0
#: Below this peak level for this long with no words, the input is probably muted.
MUTED_PEAK_DBFS = -55.0
MUTED_AFTER_S = 6.0
#: The live timeline starts this wide and grows in steps of this size, so it does not rescale every second.
TIMELINE_MIN_SPAN_S = 60.0
TIMELINE_STEP_S = 30.0

#: How long (engine clock) the words a final changed stay marked.
REVISION_MARK_S = 2.0

#: Which parts of the screen an event changed (a presentation redraws only those).
Change = Literal["transcript", "signals", "silence", "level", "alerts", "state", "clock", "finished"]

SessionPhase = Literal["starting", "recording", "paused", "stopping", "finished", "error"]


@dataclass(frozen=True, slots=True)
class Alert:
    kind: Literal["overflow", "lag", "muted"]
    text: str


@dataclass(frozen=True, slots=True)
class TimelineCell:
    """One bin of the timeline strip.

    `activity` is what most of the bin held: "speech", "pause" (a short gap),
    "silence" (part of a long silence) or "future" (not reached yet, live).
    `marks` are the signal kinds that started inside the bin, topic shifts
    written "shift" (signposted) or "jump" (abrupt).
    """

    activity: Literal["speech", "pause", "silence", "future"]
    marks: tuple[str, ...] = ()


def pace_is_off(wpm: float | None) -> bool:
    """Whether a pace is outside the band the coaching tips accept."""
    return wpm is not None and not SLOW_WPM <= wpm <= FAST_WPM


def silence_nudge(seconds: float) -> str:
    """What to tell someone who has gone quiet: gentler at first, more concrete as it lasts."""
    if seconds < 6:
        return "Think aloud: say what you're weighing."
    if seconds < 12:
        return "Narrate the choice: \"I'm deciding between X and Y because…\""
    return "Recap where you are, then pick a direction and say why."


@dataclass(slots=True)
class _LongSilence:
    start: float
    end: float | None = None
    duration_s: float = 0.0


@dataclass
class RehearsalState:
    """Everything the live screen shows; mutate only through `apply`."""

    silence_threshold_s: float = LONG_SILENCE_S
    phase: SessionPhase = "starting"
    message: str = ""
    now: float = 0.0
    tentative: TentativeEvent | None = None
    level: LevelEvent | None = None
    loudest_peak_dbfs: float = float("-inf")
    overflow: OverflowEvent | None = None
    lag: LagEvent | None = None
    finished: FinishedEvent | None = None
    signals: list[Signal] = field(default_factory=list)
    silences: list[_LongSilence] = field(default_factory=list)
    # Final text only grows; what is shown is it plus the stable words not finalised yet.
    _finals: TranscriptBuilder = field(default_factory=TranscriptBuilder)
    _stable: list[WordEvent] = field(default_factory=list)
    _builder: TranscriptBuilder = field(default_factory=TranscriptBuilder)
    _revised: list[tuple[int, int, float]] = field(default_factory=list)  # char range, marked until
    _overflow_at: float | None = None
    _lag_at: float | None = None
    _last_word_at: float = float("-inf")
    _seen_signals: set = field(default_factory=set)

    # ----------------------------------------------------------------- events

    def apply(self, event: LiveEvent) -> frozenset[Change]:
        """Fold one event in; return what it changed."""
        changes: set[Change] = set()
        if event.emitted_at > self.now:
            self.now = event.emitted_at
            changes.add("clock")
        if self._revised and self._revised[0][2] <= self.now:
            self._revised = [mark for mark in self._revised if mark[2] > self.now]
            changes.add("transcript")
        if isinstance(event, WordEvent):
            self._add_word(event)
            changes.add("transcript")
        elif isinstance(event, FinalEvent):
            self._add_final(event)
            changes.add("transcript")
        elif isinstance(event, TentativeEvent):
            if event.emitted_at >= self._last_word_at:
                self.tentative = event
                changes.add("transcript")
        elif isinstance(event, SignalEvent):
            if self._add_signal(event.signal):
                changes |= {"signals", "transcript"}
        elif isinstance(event, SilenceStartEvent):
            self._silence_from(event.audio_start)
            changes.add("silence")
        elif isinstance(event, SilenceUpdateEvent):
            silence = self._silence_from(event.audio_start)
            silence.duration_s = max(silence.duration_s, event.duration_s)
            changes.add("silence")
        elif isinstance(event, SilenceEndEvent):
            silence = self._silence_from(event.audio_start)
            silence.end = event.audio_end
            silence.duration_s = event.audio_end - event.audio_start
            changes |= {"silence", "transcript"}
        elif isinstance(event, LevelEvent):
            self.level = event
            self.loudest_peak_dbfs = max(self.loudest_peak_dbfs, event.peak_dbfs)
            changes.add("level")
        elif isinstance(event, OverflowEvent):
            if self.overflow is None or (event.overflows, event.dropped_blocks) != (self.overflow.overflows, self.overflow.dropped_blocks):
                self._overflow_at = event.emitted_at
            self.overflow = event
            changes.add("alerts")
        elif isinstance(event, LagEvent):
            self.lag = event
            self._lag_at = event.emitted_at
            changes.add("alerts")
        elif isinstance(event, StateEvent):
            self.phase = event.state if event.state in ("recording", "paused", "stopping", "finished", "error") else self.phase  # type: ignore[assignment]
            self.message = event.message
            if self.phase != "recording":
                self._end_open_silence()
            changes |= {"state", "silence"}
        elif isinstance(event, FinishedEvent):
            self.finished = event
            self.phase = "finished"
            self.tentative = None
            self._end_open_silence()
            changes |= {"finished", "state", "silence", "transcript"}
        if changes & {"clock"} and self.active_silence is not None:
            changes.add("silence")
        return frozenset(changes)

    def apply_all(self, events: Iterable[LiveEvent]) -> frozenset[Change]:
        changes: set[Change] = set()
        for event in events:
            changes |= self.apply(event)
        return frozenset(changes)

    def _add_word(self, event: WordEvent) -> None:
        word = _append(self._builder, event.text, event.audio_start, event.audio_end, event.probability)
        if word is not None:
            self._stable.append(event)
        self._last_word_at = event.emitted_at
        if word is not None and self.tentative is not None:
            self.tentative = _without_leading_word(self.tentative, word.text)
        self._end_silence_by(word)

    def _add_final(self, event: FinalEvent) -> None:
        """The utterance's final text replaces its stable words; the words it changed are marked for a moment."""
        first = len(self._finals.words)
        for final_word in event.words:
            _append(self._finals, final_word.text, final_word.audio_start, final_word.audio_end, final_word.probability)
        placed = self._finals.words[first:]
        for edit in event.edits:
            changed = placed[edit.index : edit.index + len(edit.inserted)]
            if changed:
                self._revised.append((changed[0].char_start, changed[-1].char_end, event.emitted_at + REVISION_MARK_S))
        # Stable words after a segment's end belong to the rest of the utterance.
        self._stable = [w for w in self._stable if w.audio_start >= event.audio_end] if not event.speech_final else []
        self._builder = self._finals.copy()
        for stable in self._stable:
            _append(self._builder, stable.text, stable.audio_start, stable.audio_end, stable.probability)
        self._last_word_at = max(self._last_word_at, event.emitted_at)
        if placed:
            self._end_silence_by(placed[0])

    def _end_silence_by(self, word: Word | None) -> None:
        # Speech ends a long silence even if its end event is late or lost.
        open_silence = self.active_silence
        if open_silence is not None and word is not None and word.start is not None and word.start >= open_silence.start:
            open_silence.end = word.start
            open_silence.duration_s = word.start - open_silence.start

    def _add_signal(self, signal: Signal) -> bool:
        key = (signal.kind, signal.start, signal.char_start, signal.text)
        if key in self._seen_signals:
            return False
        self._seen_signals.add(key)
        # A silence has no words; it is placed in the text by its time when drawn.
        start, end = (None, None) if signal.kind == "silence" else self._locate(signal)
        self.signals.append(
            Signal(signal.kind, signal.text, signal.cue, signal.start, signal.end, start, end, signal.signposted)
        )
        return True

    def _locate(self, signal: Signal) -> tuple[int | None, int | None]:
        """Place a signal in our transcript text: by its offsets if they fit, else by its times."""
        text = self.text
        start, end = signal.char_start, signal.char_end
        fits = start is not None and end is not None and 0 <= start < end <= len(text)
        if fits and _same_words(text[start:end], signal.text):
            return start, end
        if signal.start is None:
            return None, None
        stop = signal.end if signal.end is not None else signal.start
        covered = [
            w for w in self._builder.words
            if w.start is not None and w.end is not None and w.end > signal.start - 0.02 and w.start < stop + 0.02
        ]
        if not covered:
            return None, None
        return covered[0].char_start, covered[-1].char_end

    def _silence_from(self, audio_start: float) -> _LongSilence:
        for silence in reversed(self.silences):
            if abs(silence.start - audio_start) < 1e-6:
                return silence
        silence = _LongSilence(audio_start)
        self.silences.append(silence)
        return silence

    def _end_open_silence(self) -> None:
        open_silence = self.active_silence
        if open_silence is not None:
            open_silence.end = open_silence.start + self._silence_length(open_silence)
            open_silence.duration_s = open_silence.end - open_silence.start

    # ---------------------------------------------------------------- derived

    @property
    def words(self) -> list[Word]:
        return self._builder.words

    @property
    def text(self) -> str:
        return self._builder.build().text

    @property
    def word_count(self) -> int:
        return sum(1 for w in self.words if re.search(r"[^\W_]", w.text))

    @property
    def elapsed_s(self) -> float:
        return max(0.0, self.now)

    @property
    def wpm(self) -> float | None:
        """Pace from the first word to the last, pauses included, as the report measures it."""
        timed = [w for w in self.words if w.start is not None and w.end is not None]
        if len(timed) < 2:
            return None
        span = timed[-1].end - timed[0].start
        if span < MIN_PACE_SPAN_S:
            return None
        return self.word_count / (span / 60.0)

    def count(self, kind: str) -> int:
        return sum(1 for s in self.signals if s.kind == kind)

    @property
    def filler_count(self) -> int:
        return self.count("filler")

    @property
    def hedge_count(self) -> int:
        return self.count("hedge")

    def too_frequent(self, kind: str) -> bool:
        """More fillers (or hedges) a minute of speech than the coaching tips accept."""
        limit = FILLERS_PER_MINUTE_LIMIT if kind == "filler" else HEDGES_PER_MINUTE_LIMIT
        minutes = sum(s.end - s.start for s in self.speech_spans()) / 60.0
        return minutes > 0.25 and self.count(kind) / minutes > limit

    @property
    def active_silence(self) -> _LongSilence | None:
        last = self.silences[-1] if self.silences else None
        return last if last is not None and last.end is None else None

    def _silence_length(self, silence: _LongSilence) -> float:
        if silence.end is not None:
            return silence.end - silence.start
        return max(silence.duration_s, self.now - silence.start)

    @property
    def silence_now_s(self) -> float | None:
        """How long the current long silence has lasted, or None while speaking."""
        silence = self.active_silence
        if silence is None or self.phase not in ("recording", "starting"):
            return None
        return self._silence_length(silence)

    @property
    def longest_silence_s(self) -> float:
        return max((self._silence_length(s) for s in self.silences), default=0.0)

    @property
    def checklist(self) -> dict[str, float | None]:
        """Checklist kind -> when it first appeared (None: not yet; 0.0 when untimed), in the checklist's order."""
        return {
            kind: (item.first_at if item.first_at is not None else 0.0) if item.present else None
            for kind, item in checklist(self.signals).items()
        }

    def structure_done(self) -> int:
        return sum(1 for kind, first in self.checklist.items() if first is not None and kind in STRUCTURE_KINDS)

    def alerts(self) -> list[Alert]:
        """The warnings worth showing right now (each holds a few seconds after its last event)."""
        shown = []
        o = self.overflow
        if o is not None and (o.overflows or o.dropped_blocks) and self._recent(self._overflow_at):
            shown.append(Alert("overflow", f"The microphone input could not keep up ({o.overflows}× so far, {o.dropped_blocks} "
                                           "blocks of audio dropped); close other busy programs."))
        if self.lag is not None and self._recent(self._lag_at):
            lag = self.lag
            skipped = (f" and skipped {lag.skipped_s:.1f} s of audio to catch up (it is transcribed when the take is saved)"
                       if lag.skipped_s > 0 else "")
            shown.append(Alert("lag", f"Transcription fell {lag.lag_s:.1f} s behind{skipped}."))
        if (
            self.phase == "recording"
            and not self.words
            and self.level is not None
            and self.now >= MUTED_AFTER_S
            and self.loudest_peak_dbfs < MUTED_PEAK_DBFS
        ):
            shown.append(Alert("muted", "No sound is reaching the microphone; check it is plugged in and not muted."))
        return shown

    def _recent(self, at: float | None) -> bool:
        return at is not None and self.now - at <= WARNING_HOLD_S

    @property
    def tentative_text(self) -> str:
        return self.tentative.text.strip() if self.tentative is not None else ""

    def speech_spans(self) -> list[SpeechSpan]:
        """Stretches of speech as the committed words show them."""
        spans: list[SpeechSpan] = []
        for word in self.words:
            if word.start is None or word.end is None:
                continue
            if spans and word.start - spans[-1].end < SPEECH_GAP_S:
                spans[-1] = SpeechSpan(spans[-1].start, max(spans[-1].end, word.end))
            else:
                spans.append(SpeechSpan(word.start, word.end))
        return spans

    def finished_silences(self) -> list[tuple[float, float]]:
        return [(s.start, s.start + self._silence_length(s)) for s in self.silences]

    def pauses(self) -> list[Pause]:
        """Long silences that have ended, placed in the text (an open one is shown by the timer instead)."""
        return [
            Pause(char_position_at(self.words, s.start), self._silence_length(s))
            for s in self.silences
            if s.end is not None
        ]

    @property
    def final_text(self) -> str:
        return self._finals.build().text

    def revised_ranges(self) -> list[tuple[int, int]]:
        """Character ranges of words a final changed a moment ago (to mark briefly)."""
        return [(start, end) for start, end, until in self._revised if until > self.now]

    def blocks(self, finals_only: bool = False) -> list[Block]:
        """The annotated transcript, a block per sentence: final text, then the
        stable words and the tentative tail (unless `finals_only`)."""
        text = self.final_text if finals_only else self.text
        breaks = [start for start, _ in sentence_spans(text)]
        return annotate(
            text, self.signals, self.pauses(), breaks=breaks,
            tentative="" if finals_only else self.tentative_text, revised=self.revised_ranges(),
        )

    def to_report(self, source: str = "microphone") -> Report:
        """A report from what was seen live, for when the engine could not produce its own.

        It lacks what only the final pass finds (sentences, voice-activity
        speech spans), but its metrics, checklist and tips are computed by
        the same code as every other report's.
        """
        from thinkaloud.analysis.metrics import measure

        transcript = self._builder.build()
        silences = [] if any(s.kind == "silence" for s in self.signals) else [
            Signal("silence", "", f"no speech for {end - start:.1f} s", round(start, 3), round(end, 3), None, None)
            for start, end in self.finished_silences()
        ]
        signals = sorted(self.signals + silences, key=lambda s: (s.start if s.start is not None else float("inf"), s.kind))
        speech = self.speech_spans()
        duration = round(self.elapsed_s, 3)
        metrics = measure(transcript, speech, signals, duration)
        return Report(
            source=SourceInfo(path=source, kind="audio", duration_s=duration),
            model=ModelInfo(asr=None, nlp="live"),
            transcript=transcript,
            sentences=tuple(self._sentences(transcript.text)),
            signals=tuple(signals),
            metrics=metrics,
            summary=summarize(signals, metrics, speech_found=bool(transcript.text.strip())),
            speech=tuple(speech),
        )

    def _sentences(self, text: str) -> list[Sentence]:
        """The final pass's sentences are not available here: split at end punctuation, timed by the words."""
        sentences = []
        for first, last in sentence_spans(text):
            inside = [w for w in self.words if w.char_start >= first and w.char_end <= last]
            start = next((w.start for w in inside if w.start is not None), None)
            end = next((w.end for w in reversed(inside) if w.end is not None), None)
            sentences.append(Sentence(text[first:last], first, last, start, end))
        return sentences

    def timeline_span_s(self) -> float:
        """The live timeline's width in seconds: at least a minute, growing in half-minute steps."""
        return max(TIMELINE_MIN_SPAN_S, math.ceil(self.elapsed_s / TIMELINE_STEP_S) * TIMELINE_STEP_S)

    def timeline(self, width: int) -> list[TimelineCell]:
        return timeline_cells(
            self.timeline_span_s(),
            self.speech_spans(),
            self.finished_silences(),
            self.signals,
            width,
            reached_s=self.elapsed_s,
        )


_SENTENCE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|$)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, split after . ? or ! followed by a space."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def timeline_cells(
    span_s: float,
    speech: Sequence[SpeechSpan],
    silences: Sequence[tuple[float, float]],
    signals: Iterable[Signal],
    width: int,
    reached_s: float | None = None,
) -> list[TimelineCell]:
    """Bin an answer of `span_s` seconds into `width` cells.

    `reached_s` is how far a live answer has got; later bins are "future".
    """
    if width <= 0:
        return []
    bin_s = max(span_s, 1e-6) / width
    marks: list[list[str]] = [[] for _ in range(width)]
    for signal in signals:
        if signal.start is None or signal.kind == "silence":
            continue
        index = min(width - 1, max(0, int(signal.start / bin_s)))
        mark = mark_of(signal.kind, signal.signposted)
        if mark not in marks[index]:
            marks[index].append(mark)
    cells = []
    for index in range(width):
        start, end = index * bin_s, (index + 1) * bin_s
        talking = sum(_overlap(start, end, s.start, s.end) for s in speech)
        quiet = sum(_overlap(start, end, a, b) for a, b in silences)
        if reached_s is not None and start >= reached_s:
            activity = "future"
        elif talking >= 0.3 * bin_s or (talking > 0 and talking >= quiet):
            activity = "speech"
        elif quiet > 0:
            activity = "silence"
        else:
            activity = "pause"
        cells.append(TimelineCell(activity, tuple(marks[index])))  # type: ignore[arg-type]
    return cells


def _overlap(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    return max(0.0, min(a_end, b_end) - max(a_start, b_start))


def _same_words(a: str, b: str) -> bool:
    """Whether two renderings of a stretch of transcript say the same thing (case and punctuation aside)."""
    norm_a, norm_b = _letters(a), _letters(b)
    return bool(norm_a) and (norm_a == norm_b or norm_a in norm_b or norm_b in norm_a)


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _append(builder: TranscriptBuilder, text: str, start: float | None, end: float | None, probability: float | None) -> Word | None:
    """Add an event's word (spelled without Whisper's leading space) to a transcript."""
    raw = text if text[:1].isspace() or not builder.words else " " + text
    if builder.words and _glues_to_previous(text):
        raw = text.strip()
    return builder.add(raw, start, end, probability)


def _glues_to_previous(text: str) -> bool:
    # Whisper sometimes emits punctuation or a clitic ("'s") as its own word.
    stripped = text.strip()
    return bool(stripped) and (re.fullmatch(r"[^\w\s]+", stripped) is not None or stripped.lower() in {"'s", "'t", "'re", "'ll", "'ve", "'d", "'m", "n't"}) and not text[:1].isspace()


def _without_leading_word(tentative: TentativeEvent, committed: str) -> TentativeEvent:
    """Drop a just-committed word from the front of the tentative tail, so it is never shown twice."""
    parts = tentative.text.split(None, 1)
    if parts and _letters(parts[0]) == _letters(committed):
        rest = parts[1] if len(parts) > 1 else ""
        return TentativeEvent(rest, tentative.audio_start, tentative.audio_end, tentative.emitted_at)
    return tentative
