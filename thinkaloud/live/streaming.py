"""Streaming transcription: a growing buffer of speech, re-decoded as it grows.

The capture stage hands over only speech (whole utterances, from a little
before the voice activity detector heard speech until it has been quiet for
`utterance_gap_s`), so silence never reaches Whisper and never turns into
invented text.  `StreamingRecognizer` keeps the current utterance's audio in a
buffer and decodes it whenever `min_chunk_s` of new audio has arrived:

- the LocalAgreement-2 policy (`live.agreement`) decides which words are
  stable and which stay tentative, and a word is only stable once the
  decode confirming it heard `settle_s` of audio after it;
- text from before the buffer is the decoder's prompt;
- once the buffer is longer than `trim_after_s` it is cut at the end of the
  last stable sentence (or, past `max_buffer_s`, of the last stable word),
  so decoding cost stays flat however long the session runs;
- when the utterance ends, all of it is decoded once more, with the quiet
  after it, as much of the speech before it as fits the decode's encoder
  window (its words are final already and not kept) and the final text
  before that as the prompt: that decode is the utterance's final text
  (`live.finals`), which replaces its stable words and never changes.  An
  utterance longer than `final_segment_s` is finalised in segments, each cut
  after a stable sentence;
- when decoding has fallen more than `max_lag_s` behind, the recogniser skips
  ahead (settles what it has as final, drops the backlog) and says how much
  it skipped, rather than falling further behind.

`BufferDecoder` is the seam to the model: `WhisperBufferDecoder` decodes the
buffer as one clip of faster-whisper's batched pipeline, with word timestamps
and our hallucination and repetition guards; tests use a fake.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Protocol

import numpy as np

from thinkaloud.asr.guards import (
    GuardOptions,
    collapse_repetitions,
    is_invented_segment,
)
from thinkaloud.asr.transcriber import LOST_SPEECH_RETRY_S
from thinkaloud.audio import SAMPLE_RATE
from thinkaloud.live.agreement import LocalAgreement, StreamWord
from thinkaloud.live.finals import Final

_SENTENCE_END = (".", "?", "!")

@dataclass(frozen=True, slots=True)
class StreamingOptions:
    """How the live recogniser trades latency against CPU.

    Attributes:
      min_chunk_s: new audio needed before the buffer is decoded again
        (`live --decode-every`).  A decode of a few seconds of tiny.en costs
        ~0.27 s on two cores (with the encoder's short window, see
        `min_window_s`), so at 0.3 the recogniser decodes almost back to back
        and a word waits at most ~0.3 s past `settle_s` for its confirmation.
      settle_s: a word becomes stable when two successive decodes agree on
        it and the later one heard at least this much audio after it.  tiny.en
        agrees with itself on guesses made from too little of what follows;
        since each utterance's final decode corrects those, this only trades
        how soon words settle against how often a final revises one (see
        README, Performance).
      min_window_s: the shortest window Whisper's encoder sees; a buffer is
        encoded with this much, or itself plus a second rounded up to 5 s,
        instead of Whisper's 30 s (`asr.short_window`).  That halves the cost
        of a decode with the same words; 30 turns it off.
      utterance_gap_s: quiet that ends an utterance (its tail is committed).
      preroll_s: audio kept from before the detector heard speech start.
      trim_after_s: a buffer longer than this is cut at a committed sentence end.
      max_buffer_s: a buffer longer than this is cut at the last committed word.
      max_lag_s: undecoded audio beyond this makes the recogniser skip ahead.
      keep_after_skip_s: the most recent audio kept when skipping ahead.
      prompt_chars: the longest prompt: the initial prompt (question, filler
        prompt), then committed text from before the buffer.
      beam_size: beam width for live decoding; None uses the transcriber's.
      lost_tail_s: at the end of an utterance, speech left after the last word
        of its final hypothesis that is decoded once more on its own; by
        default the same as `analyze`'s retry of speech a window stopped
        short of (`asr.transcriber.lost_speech`).
      end_tolerance_s: at the end of an utterance, a decode of the whole
        utterance that stopped this close to its end (speech and the quiet
        that ended it) is taken as final, with no extra decode.  0 by
        default: Whisper drops the last words of speech it heard without the
        quiet after it, so only a decode that heard all of it is final.
      final_segment_s: the longest audio finalised by one decode.  Past it, an
        utterance's audio up to its last stable sentence end (else its last
        stable word) is decoded as a segment and finalised, so the decode at
        the end of a long utterance stays short and within Whisper's 30 s.
      final_context_s: audio after a segment's cut that its decode also hears
        (its words are not kept), so the segment's last words are not
        decoded at the clip's very end, where Whisper drops words.
      final_window_s: the shortest encoder window of a final decode (as
        `min_window_s` is for the others).  The same 10 s by default, so one
        decoder serves both and a regular decode that heard the whole
        utterance can be its final (when no lead-in fits beside it).
        Whisper's full 30 s window decoded the finals of whole utterances
        replayed one by one a little more accurately, but live it made final
        latency miss its target on long utterances and the finals were no
        more accurate (README, Performance).
      final_lead_in_s: audio from before the open audio (the speech before
        the utterance) that a final decode also hears, its words not kept: at
        most this much, starting at a word of the final text before it, which
        is then the prompt's last word.  An utterance decoded on its own
        starts Whisper cold, and tiny.en then drops or mishears its first
        fillers and contractions ("uh we'd" comes out "ah we") that a clip
        with speech before them keeps, as `analyze`'s windows (joined across
        pauses) do.  The lead-in is cut to fit the encoder window the final
        decode has anyway (`final_window_s`), so it costs the decode only its
        few words, and an utterance that fills the window hears none.  The
        recogniser keeps this much previous audio; 0 turns it off.
      final_lead_in_gap_s: previous audio separated from what follows by a
        longer gap of audio the recogniser was not given (a pause of the
        speaker, less the quiet kept around each utterance) is not heard with
        it, as `analyze` does not join windows across long pauses.
    """

    min_chunk_s: float = 0.3
    settle_s: float = 0.3
    min_window_s: float = 10.0
    utterance_gap_s: float = 0.5
    preroll_s: float = 0.25
    trim_after_s: float = 8.0
    max_buffer_s: float = 20.0
    max_lag_s: float = 6.0
    keep_after_skip_s: float = 1.0
    prompt_chars: int = 200
    beam_size: int | None = None
    lost_tail_s: float = LOST_SPEECH_RETRY_S
    end_tolerance_s: float = 0.0
    final_segment_s: float = 20.0
    final_context_s: float = 1.0
    final_window_s: float = 10.0
    final_lead_in_s: float = 10.0
    final_lead_in_gap_s: float = 3.0


def lead_prompt(question: str | None, transcriber_prompt: str | None) -> str | None:
    """What leads the decoder's prompt for a take: the question, which primes
    Whisper with the answer's vocabulary ("churn", not "turn"), then the
    transcriber's prompt, which keeps fillers written down."""
    return " ".join(p.strip() for p in (question, transcriber_prompt) if p and p.strip()) or None


class BufferDecoder(Protocol):
    model_name: str

    def decode(self, samples: np.ndarray, start_s: float, prompt: str | None) -> list[StreamWord]:
        """Words in `samples` (16 kHz) with absolute times (`start_s` is the first sample's)."""
        ...


@dataclass(frozen=True, slots=True)
class Update:
    """What one step of the recogniser changed.

    `committed` are words that became stable; `final`, the final text of an
    utterance (or of a segment of one) when one was settled.
    """

    committed: tuple[StreamWord, ...] = ()
    tentative: tuple[StreamWord, ...] = ()
    decoded: bool = False
    utterance_ended: bool = False
    skipped: tuple[float, float] | None = None  # audio range left undecoded to catch up
    final: Final | None = None


class StreamingRecognizer:
    """Not thread-safe: one thread feeds it and steps it (the engine's ASR thread).

    `final_decoder` decodes the finals (by default `decoder`): the same model,
    with its own encoder window (`StreamingOptions.final_window_s`).
    """

    def __init__(
        self,
        decoder: BufferDecoder,
        options: StreamingOptions = StreamingOptions(),
        initial_prompt: str | None = None,
        final_decoder: BufferDecoder | None = None,
    ):
        self.decoder = decoder
        self.final_decoder = final_decoder or decoder
        self.options = options
        self.agreement = LocalAgreement()
        self._initial_prompt = initial_prompt
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_start_s = 0.0
        self._decoded_samples = 0  # buffer samples the last decode saw
        self._hypothesis_seen = False  # the agreement holds a hypothesis of this utterance
        self.decodes = 0
        # What is not final yet: the audio since the last final (all of the
        # current utterance, or what is left of it after a segment); its
        # stable words follow the final text in `agreement.committed`.
        self._open_audio = np.zeros(0, dtype=np.float32)
        self._open_start_s = 0.0
        self._finals_end = 0  # committed words before this index are final
        # Finalised audio kept as lead-in for the next final decodes
        # (`final_lead_in_s` of it at most), as (start_s, samples) pieces.
        self._past_audio: list[tuple[float, np.ndarray]] = []
        self._utterance = 0
        # The last decode's whole hypothesis and the clip it heard: at the end
        # of an utterance it is the final, when it heard the whole utterance.
        self._last_heard: tuple[float, float] = (-1.0, -1.0)
        self._last_words: list[StreamWord] = []

    # --- feeding ---------------------------------------------------------

    def append(self, samples: np.ndarray, start_s: float) -> None:
        samples = np.asarray(samples, dtype=np.float32)
        if len(self._buffer) == 0:
            self._buffer_start_s = start_s
            self._decoded_samples = 0
        if len(self._open_audio) == 0:
            self._open_start_s = start_s
        self._buffer = np.concatenate([self._buffer, samples])
        self._open_audio = np.concatenate([self._open_audio, samples])

    @property
    def buffer_start_s(self) -> float:
        return self._buffer_start_s

    @property
    def buffer_end_s(self) -> float:
        return self._buffer_start_s + len(self._buffer) / SAMPLE_RATE

    @property
    def decoded_until_s(self) -> float:
        return self._buffer_start_s + self._decoded_samples / SAMPLE_RATE

    @property
    def pending_s(self) -> float:
        """Audio appended since the last decode."""
        return (len(self._buffer) - self._decoded_samples) / SAMPLE_RATE

    @property
    def decode_due(self) -> bool:
        return self.pending_s >= self.options.min_chunk_s

    @property
    def _stable(self) -> list[StreamWord]:
        """The stable words not finalised yet."""
        return self.agreement.committed[self._finals_end :]

    @property
    def open_end_s(self) -> float:
        """The end of the audio not finalised yet (the buffer's end, also once the buffer was trimmed)."""
        return self._open_start_s + len(self._open_audio) / SAMPLE_RATE

    # --- stepping --------------------------------------------------------

    def step(self) -> Update:
        """Decode the buffer, make stable what two decodes agree on, finalise a long utterance's segment, trim."""
        if len(self._buffer) == 0:
            return Update()
        committed = self._decode_and_flush()
        final = self._finalise_segment()
        self._trim()
        return Update(committed=tuple(committed), tentative=tuple(self.agreement.tentative), decoded=True, final=final)

    def end_utterance(self, speech_end_s: float | None = None) -> Update:
        """The speaker paused: decode the whole utterance and settle it as final.

        The decode hears the whole utterance, the quiet that ended it
        included: Whisper often leaves out the last words of speech that the
        clip ends right after (on the strong sample, a decode that heard 0.2 s
        of the quiet dropped "about a million active subscribers"; one that
        heard 0.5 s wrote it).  When the last regular decode already heard
        exactly that, its hypothesis is the final, with no extra decode.

        Even so, Whisper sometimes ends its output early.  When `lost_tail_s`
        or more of the utterance's speech lies after the last word, that rest
        is decoded once more as a clip of its own, with the words before it as
        the prompt, as `analyze` does with speech a window stopped short of.

        `speech_end_s` is where voice activity ended; words "heard" after it
        are Whisper inventing text over the quiet ("Thank you for
        watching."), so they are dropped.
        """
        if not len(self._open_audio) and not self._stable:
            self._reset_buffer()
            return Update(utterance_ended=True)  # nothing was said since the last final: no utterance to settle
        end_s = speech_end_s if speech_end_s is not None else self.open_end_s
        words: list[StreamWord] = []
        decoded = False
        if len(self._open_audio):
            words, decoded = self._final_words(self.open_end_s, end_s)
        final = self._settle(words, end_s, speech_final=True, decoded=decoded)
        self._reset_buffer()
        return Update(decoded=decoded, utterance_ended=True, final=final)

    def abandon_utterance(self, speech_end_s: float) -> Update:
        """An utterance ended long ago and decoding it now would only deepen the
        backlog: settle what was recognised of it as final and mark the rest skipped."""
        words = [w for w in self.agreement.pending() if w.start < speech_end_s]
        self.agreement.commit(words)
        skipped_from = max(self.decoded_until_s, self.agreement.committed_end, self._buffer_start_s)
        skipped_to = min(speech_end_s, self.buffer_end_s)
        final = self._settle(self._stable, speech_end_s, speech_final=True, decoded=False)
        self._reset_buffer()
        skipped = (round(skipped_from, 3), round(skipped_to, 3)) if skipped_to - skipped_from > 0.05 else None
        return Update(committed=tuple(words), tentative=(), utterance_ended=True, skipped=skipped, final=final)

    def skip_ahead(self) -> Update:
        """Fallen behind: settle what was recognised as final, drop the backlog but the last moment."""
        committed = self.agreement.pending()
        self.agreement.commit(committed)
        keep = int(self.options.keep_after_skip_s * SAMPLE_RATE)
        skipped_from = max(self.decoded_until_s, self.agreement.committed_end, self._buffer_start_s)
        if len(self._buffer) > keep:
            cut = len(self._buffer) - keep
            self._buffer_start_s += cut / SAMPLE_RATE
            self._buffer = self._buffer[cut:].copy()
        self._decoded_samples = 0
        self._hypothesis_seen = False
        skipped_to = self._buffer_start_s
        skipped = (round(skipped_from, 3), round(skipped_to, 3)) if skipped_to > skipped_from else None
        # What was heard before the kept moment is all there will ever be of it.
        final = self._settle(self._stable, self._buffer_start_s, speech_final=False, decoded=False)
        return Update(committed=tuple(committed), tentative=(), skipped=skipped, final=final)

    # --- internals -------------------------------------------------------

    def _decode(self) -> None:
        self._decoded_samples = len(self._buffer)
        self._last_words = self._hear(self._buffer, self._buffer_start_s, self._prompt())
        self._last_heard = (self._buffer_start_s, self.buffer_end_s)
        self.agreement.insert(self._last_words)
        self._hypothesis_seen = True

    def _hear(self, clip: np.ndarray, start_s: float, prompt: str | None, final: bool = False) -> list[StreamWord]:
        """The words of `clip` (starting at `start_s`), absolute times; `final` for a final's decode."""
        self.decodes += 1
        return list((self.final_decoder if final else self.decoder).decode(clip, start_s, prompt))

    def _final_words(self, clip_end_s: float, speech_end_s: float) -> tuple[list[StreamWord], bool]:
        """The open audio up to `clip_end_s` decoded as one clip: its words
        starting before `speech_end_s`, and whether it took a decode."""
        start_s = self._open_start_s
        last_start, last_end = self._last_heard
        # The last regular decode is a final only when a final's decoder would have heard it alike.
        same_decoder = self.final_decoder is self.decoder
        lead_in = self._lead_in(clip_end_s)
        if same_decoder and lead_in is None and abs(last_start - start_s) < 1e-6 and last_end >= clip_end_s - self.options.end_tolerance_s and self._hypothesis_seen:
            words, decoded = self._last_words, False
        else:
            clip = self._open_audio[: int(round((clip_end_s - start_s) * SAMPLE_RATE))]
            words = []
            if lead_in is not None:
                lead_audio, lead_from_s, lead_words = lead_in
                heard = self._hear(np.concatenate([lead_audio, clip]), start_s - len(lead_audio) / SAMPLE_RATE, self._prompt(until_s=lead_from_s), final=True)
                words = _after_lead_in(heard, lead_words, start_s)
            if not words:
                # No lead-in, or Whisper lost its way in it (skipped part of
                # it, so its times past it are wrong too) or ended its decode
                # at the pause after it: decode the utterance on its own.
                words = self._hear(clip, start_s, self._prompt(until_s=start_s), final=True)
            decoded = True
        words = [w for w in words if w.start < speech_end_s and w.key]
        if words and speech_end_s - words[-1].end >= self.options.lost_tail_s:
            # Speech Whisper left out; the same clip again would say the same,
            # so only its rest, with the words before it as the prompt.
            tail_from = words[-1].end
            tail = self._open_audio[int(round((tail_from - start_s) * SAMPLE_RATE)) : int(round((clip_end_s - start_s) * SAMPLE_RATE))]
            heard = self._hear(tail, tail_from, self._prompt(until_s=start_s, then=words), final=True)
            words += [w for w in heard if tail_from - 0.05 <= w.start < speech_end_s and w.key]
            decoded = True
        return words, decoded

    def _lead_in(self, clip_end_s: float) -> tuple[np.ndarray, float, list[StreamWord]] | None:
        """What a final decode of the open audio up to `clip_end_s` hears
        first: finalised audio (at most `final_lead_in_s`, starting just
        before a final word), where it starts, and its final words; None when
        there is none."""
        clip_s = clip_end_s - self._open_start_s
        # Only as much as fits the encoder window the clip gets anyway: a longer
        # window would cost every long utterance's final more than the lead-in gives.
        limit_s = min(self.options.final_lead_in_s, self.options.final_window_s - clip_s)
        pieces = self._past_audio  # in order, none overlapping, no long gap between (see `_keep_past_audio`)
        if limit_s <= 0 or not pieces or self._open_start_s - _end_s(pieces[-1]) >= self.options.final_lead_in_gap_s:
            return None
        # Each piece: its start and end, and the lead-in from its start on.
        spans = []
        lead_s = 0.0
        for piece in reversed(pieces):
            lead_s += len(piece[1]) / SAMPLE_RATE
            spans.append((piece[0], _end_s(piece), lead_s))
        spans.reverse()
        finals = self.agreement.committed[: self._finals_end]
        first = len(finals)
        while first > 0 and finals[first - 1].start >= pieces[0][0]:
            first -= 1
        for index in range(first, len(finals)):
            word = finals[index]
            span = next((i for i, (start, end, _) in enumerate(spans) if start <= word.start < end), None)
            if span is None:
                continue
            start, _, lead_s = spans[span]
            # From between this word and the one before, at most 0.2 s before it.
            cut_s = max(start, word.start - 0.2, (finals[index - 1].end + word.start) / 2 if index else start)
            if lead_s - (cut_s - start) <= limit_s + 1e-6:
                head = pieces[span][1][int(round((cut_s - start) * SAMPLE_RATE)) :]
                audio = np.concatenate([head, *(samples for _, samples in pieces[span + 1 :])])
                return audio, cut_s, finals[index:]
        return None

    def _keep_past_audio(self, start_s: float, samples: np.ndarray) -> None:
        """Finalised audio from `start_s`: keep its last `final_lead_in_s` as lead-in for the next finals."""
        limit = int(round(self.options.final_lead_in_s * SAMPLE_RATE))
        if limit <= 0 or not len(samples):
            return
        end_s = start_s + len(samples) / SAMPLE_RATE
        pieces = self._past_audio
        if pieces and start_s - _end_s(pieces[-1]) >= self.options.final_lead_in_gap_s:
            pieces.clear()  # too long a gap before this audio to hear them together
        if pieces and _end_s(pieces[-1]) > start_s:
            last_start, last = pieces.pop()  # overlapping audio: the later copy wins
            last = last[: max(0, int(round((start_s - last_start) * SAMPLE_RATE)))]
            if len(last):
                pieces.append((last_start, last))
        kept = samples[-limit:].copy()  # not a view that holds on to all of `samples`
        pieces.append((end_s - len(kept) / SAMPLE_RATE, kept))
        total = sum(len(p) for _, p in pieces)
        while total > limit:
            first_start, first = pieces[0]
            excess = total - limit
            if excess >= len(first):
                pieces.pop(0)
                total -= len(first)
            else:
                pieces[0] = (first_start + excess / SAMPLE_RATE, first[excess:])
                total -= excess

    def _finalise_segment(self) -> Final | None:
        """When the open audio outgrew `final_segment_s`: finalise it up to the
        last stable sentence end (else the last stable word)."""
        if self.open_end_s - self._open_start_s <= self.options.final_segment_s:
            return None
        stable = self._stable
        if not stable:
            # Nothing recognised to cut after: keep only what the buffer still holds.
            self._drop_open_audio_until(self._buffer_start_s)
            return None
        last = next((w for w in reversed(stable) if w.text.endswith(_SENTENCE_END)), stable[-1])
        after = [w.start for w in (*stable, *self.agreement.tentative) if w.start >= last.end]
        cut_s = min(last.end + 0.2, (last.end + after[0]) / 2) if after else last.end + 0.2
        cut_s = min(cut_s, self.open_end_s)
        clip_end_s = min(self.open_end_s, cut_s + self.options.final_context_s)
        words, _ = self._final_words(clip_end_s, cut_s)
        return self._settle(words, cut_s, speech_final=False, decoded=True)

    def _settle(self, words: list[StreamWord], end_s: float, speech_final: bool, decoded: bool) -> Final:
        """`words` are the final text of the open audio up to `end_s`: they
        replace the stable words there, the utterance (or segment) is closed."""
        stable = self._stable
        settled = stable if speech_final else [w for w in stable if w.start < end_s]
        final = Final(
            utterance=self._utterance,
            audio_start=round(self._open_start_s, 3),
            audio_end=round(max(end_s, self._open_start_s), 3),
            words=tuple(words),
            stable=tuple(settled),
            speech_final=speech_final,
            decoded=decoded,
        )
        self.agreement.replace(self._finals_end, len(settled), words)
        self._finals_end += len(words)
        if speech_final:
            self.agreement.commit([])  # the hypothesis ended with the utterance
            self._utterance += 1
            self._keep_past_audio(self._open_start_s, self._open_audio)
            self._open_audio = np.zeros(0, dtype=np.float32)
            self._open_start_s = end_s
        else:
            self._drop_open_audio_until(end_s)
        return final

    def _drop_open_audio_until(self, until_s: float) -> None:
        drop = max(0, int(round((until_s - self._open_start_s) * SAMPLE_RATE)))
        self._keep_past_audio(self._open_start_s, self._open_audio[:drop])
        self._open_audio = self._open_audio[drop:].copy()
        self._open_start_s += drop / SAMPLE_RATE

    def _decode_and_flush(self) -> list[StreamWord]:
        self._decode()
        return self.agreement.flush(settled_until=self.decoded_until_s - self.options.settle_s)

    def _prompt(self, until_s: float | None = None, then: Sequence[StreamWord] = ()) -> str | None:
        # The initial prompt (by default one that makes Whisper write fillers
        # down) always leads; then as much text from before the clip (by
        # default, the buffer) as fits: final text, then stable, then `then`.
        # Never the clip's own words: prompting with them makes Whisper skip them.
        until_s = self._buffer_start_s if until_s is None else until_s
        before = [w for w in self.agreement.committed if w.end <= until_s + 0.05] + list(then)
        context = "".join(w.raw_text for w in before[-60:]).strip()
        lead = (self._initial_prompt or "").strip()
        room = max(0, self.options.prompt_chars - len(lead) - 1)
        if len(context) > room:
            cut = context.find(" ", len(context) - room)
            context = context[cut + 1 :] if cut >= 0 else ""
        text = f"{lead} {context}".strip()
        return text or None

    def _trim(self) -> None:
        duration = len(self._buffer) / SAMPLE_RATE
        if duration <= self.options.trim_after_s:
            return
        inside = [w for w in self.agreement.committed if w.end > self._buffer_start_s]
        cut_at = None
        for word in reversed(inside):
            if word.text.endswith(_SENTENCE_END):
                cut_at = word.end
                break
        if cut_at is None and duration > self.options.max_buffer_s and inside:
            cut_at = inside[-1].end
        if cut_at is None:
            return
        cut = int(round((cut_at - self._buffer_start_s) * SAMPLE_RATE))
        cut = max(0, min(cut, self._decoded_samples))
        if cut == 0:
            return
        self._buffer = self._buffer[cut:].copy()
        self._buffer_start_s += cut / SAMPLE_RATE
        self._decoded_samples -= cut

    def _reset_buffer(self) -> None:
        self._buffer_start_s = self.buffer_end_s
        self._buffer = np.zeros(0, dtype=np.float32)
        self._decoded_samples = 0
        self._hypothesis_seen = False


def _end_s(piece: tuple[float, np.ndarray]) -> float:
    return piece[0] + len(piece[1]) / SAMPLE_RATE


def _after_lead_in(heard: Sequence[StreamWord], lead: Sequence[StreamWord], open_start_s: float) -> list[StreamWord]:
    """The words a decode `heard` after its lead-in, whose final text is
    `lead` (the lead-in's words are final already), none starting before
    `open_start_s`; empty when the decode lost its way in the lead-in."""
    lead_end = _lead_in_end(heard, lead, open_start_s)
    if lead_end is None:
        return []
    return [w if w.start >= open_start_s else dataclasses.replace(w, start=open_start_s) for w in heard[lead_end:] if w.end > open_start_s]


def _lead_in_end(heard: Sequence[StreamWord], lead: Sequence[StreamWord], open_start_s: float) -> int | None:
    """How many of the words a decode `heard` are its lead-in, whose final
    text is `lead`: up to the word matching its last word.  Word times near
    where two clips meet are loose (a lead-in's last word can be timed after
    it), the words themselves are not.  None when the decode lost its way in
    the lead-in: it left out the last word or half of the others, or heard
    the last one more than a second after the lead-in ended."""
    matcher = SequenceMatcher(None, [w.key for w in heard], [w.key for w in lead], autojunk=False)
    matched = 0
    for a, b, size in matcher.get_matching_blocks():
        matched += size
        if size and b + size == len(lead):
            last = a + size - 1
            if 2 * matched >= len(lead) and heard[last].start < open_start_s + 1.0:
                return last + 1
            return None
    return None


# --- the hand-off from the capture stage -------------------------------------


@dataclass(frozen=True, slots=True)
class SpeechAudio:
    samples: np.ndarray
    start_s: float


@dataclass(frozen=True, slots=True)
class UtteranceEnd:
    at: float


@dataclass(frozen=True, slots=True)
class Flush:
    """Commit the tentative tail now (the session was paused)."""


@dataclass(frozen=True, slots=True)
class EndOfStream:
    pass


FeedItem = SpeechAudio | UtteranceEnd | Flush | EndOfStream


@dataclass
class SpeechFeed:
    """A thread-safe inbox of speech for the ASR thread.  Unbounded, because the
    recogniser bounds the backlog itself by skipping ahead."""

    _items: deque = field(default_factory=deque)
    _ready: threading.Condition = field(default_factory=threading.Condition)
    received_until_s: float = 0.0

    def put(self, item: FeedItem) -> None:
        with self._ready:
            self._items.append(item)
            if isinstance(item, SpeechAudio):
                self.received_until_s = item.start_s + len(item.samples) / SAMPLE_RATE
            self._ready.notify()

    def take_all(self, timeout: float | None = None) -> list[FeedItem]:
        """Everything waiting; blocks until something is (or `timeout` passes)."""
        with self._ready:
            if not self._items:
                self._ready.wait(timeout)
            items = list(self._items)
            self._items.clear()
            return items


# --- the real decoder ----------------------------------------------------------


class WhisperBufferDecoder:
    """One buffer decoded as a single clip by faster-whisper's batched pipeline, with our guards.

    Not the sequential `WhisperModel.transcribe`: with word timestamps it
    seeks back to the last word and encodes the buffer's tail a second time,
    which for a live buffer finds nothing new (the next decode sees it anyway)
    and costs a third of each decode.  As one clip, the buffer is encoded once:
    on the bundled samples this took the mean decode from ~0.85 s to ~0.5 s on
    two cores, and committed-word latency p50 from ~1.9 s to ~1.2 s, with the
    same words.
    """

    def __init__(self, pipeline, model_name: str, beam_size: int = 5, guards: GuardOptions = GuardOptions()):
        self._pipeline = pipeline  # a faster_whisper.BatchedInferencePipeline
        self.model_name = model_name
        self.beam_size = beam_size
        self.guards = guards

    def decode(self, samples: np.ndarray, start_s: float, prompt: str | None) -> list[StreamWord]:
        segments, _info = self._pipeline.transcribe(
            samples,
            # Live decoding is for English answers; detecting the language on
            # every short buffer would be slow and would flip-flop.
            language="en",
            beam_size=self.beam_size,
            batch_size=1,
            word_timestamps=True,
            vad_filter=False,
            clip_timestamps=[{"start": 0.0, "end": len(samples) / SAMPLE_RATE}],
            initial_prompt=prompt,
            # One temperature: a fallback re-decode would double the cost of
            # exactly the decodes that are already slow; the guards below
            # catch what the fallback would have.
            temperature=0.0,
            # Speech is at most ~5 tokens a second; a decoder stuck in a loop
            # would otherwise run on to Whisper's limit and stall the stream.
            max_new_tokens=min(MAX_TOKENS, int(TOKENS_PER_S * len(samples) / SAMPLE_RATE) + 24),
        )
        words: list = []
        for segment in segments:
            if is_invented_segment(segment.avg_logprob, segment.no_speech_prob, self.guards):
                continue
            words.extend(segment.words or ())
        words = words[: len(words) - _crammed_tail(words)]
        kept = collapse_repetitions([w.word for w in words], self.guards)
        return [
            StreamWord(words[i].word, round(start_s + words[i].start, 3), round(start_s + words[i].end, 3), float(words[i].probability))
            for i in kept
        ]


def whisper_decoders(model, model_name: str, options: StreamingOptions, beam_size: int, guards: GuardOptions) -> tuple[WhisperBufferDecoder, WhisperBufferDecoder]:
    """The live decoder and the finals' decoder: one loaded faster-whisper
    model, with the encoder windows of `options` (`min_window_s`, `final_window_s`)."""
    from thinkaloud.asr.short_window import EncoderWindow, ShortWindowPipeline

    def decoder(window_s: float) -> WhisperBufferDecoder:
        return WhisperBufferDecoder(ShortWindowPipeline(model, EncoderWindow(min_s=window_s)), model_name, beam_size=beam_size, guards=guards)

    live = decoder(options.min_window_s)
    return live, (live if options.final_window_s == options.min_window_s else decoder(options.final_window_s))


TOKENS_PER_S = 12
MAX_TOKENS = 300  # Whisper allows 448 with the prompt; our prompt is at most ~90 tokens

#: A buffer ends where speech ended, and there Whisper sometimes adds a
#: closing line of its training data ("Please subscribe to our channel...")
#: that the audio does not hold, so alignment crams its words into the last
#: moment.  Four words starting within a quarter of a second is twice as fast
#: as anyone speaks.
LIVE_MIN_CRAMMED_WORDS = 4
LIVE_CRAMMED_WITHIN_S = 0.25


def _crammed_tail(words: Sequence) -> int:
    """How many words at the end start within the buffer's last moment, when too many do (else 0)."""
    if not words:
        return 0
    last_moment = words[-1].end - LIVE_CRAMMED_WITHIN_S
    count = 0
    while count < len(words) and words[-1 - count].start >= last_moment:
        count += 1
    return count if count >= LIVE_MIN_CRAMMED_WORDS else 0


def words_text(words: Sequence[StreamWord]) -> str:
    return "".join(w.raw_text for w in words).strip()
