"""Live voice activity and long-silence tracking: deterministic probabilities in,
the same segments and silences as the offline pass out, announced while they last."""

from __future__ import annotations

import numpy as np
import pytest

from tests.fakes import tone_with_gaps
from thinkaloud.audio.speech import SpeechDetectionOptions, detect_speech
from thinkaloud.live.silence import SilenceEnded, SilenceGoesOn, SilenceStarted, SilenceTracker
from thinkaloud.live.vad import FRAME, SileroStream, SpeechEnded, SpeechStarted, VoiceActivity

FRAME_S = FRAME / 16000


def probabilities(pattern: list[tuple[float, float]], total_s: float) -> np.ndarray:
    """1.0 inside each (start, end) stretch, 0.0 elsewhere, one value per 32 ms frame."""
    frames = int(round(total_s / FRAME_S))
    values = np.zeros(frames, dtype=np.float32)
    for start, end in pattern:
        values[int(round(start / FRAME_S)) : int(round(end / FRAME_S))] = 1.0
    return values


def run_tracker(values: np.ndarray, threshold_s: float = 3.0, chunk: int = 3):
    vad = VoiceActivity(SpeechDetectionOptions())
    tracker = SilenceTracker(threshold_s, vad.pad_s)
    timeline: list[tuple[float, object]] = []  # (audio time when it was known, change)
    transitions_seen = []
    for first in range(0, len(values), chunk):
        transitions = vad.push(values[first : first + chunk])
        transitions_seen += transitions
        for change in tracker.update(transitions, vad):
            timeline.append((vad.now_s, change))
    final = vad.finish()
    transitions_seen += final
    for change in tracker.update(final, vad) + tracker.finish(vad.now_s):
        timeline.append((vad.now_s, change))
    return timeline, transitions_seen


def test_a_long_silence_is_announced_before_speech_resumes():
    values = probabilities([(0.5, 2.0), (8.0, 9.5)], 11.0)
    timeline, _ = run_tracker(values)
    kinds = [type(change) for _, change in timeline]
    assert kinds[0] is SilenceStarted and kinds[-1] is SilenceEnded
    started_at, started = timeline[0]
    assert started.start == pytest.approx(2.0 + 0.06, abs=FRAME_S)
    # Known once three seconds of quiet have passed, long before speech resumes at 8 s.
    assert started_at == pytest.approx(started.start + 3.0 + 0.06, abs=3 * FRAME_S)  # pushed 3 frames at a time
    updates = [(at, c) for at, c in timeline if isinstance(c, SilenceGoesOn)]
    assert len(updates) == 2  # about once a second between 5.2 s (announced) and 7.9 s (over)
    assert all(b.duration_s > a.duration_s for (_, a), (_, b) in zip(updates, updates[1:]))
    ended_at, ended = timeline[-1]
    assert ended.end == pytest.approx(8.0 - 0.06, abs=FRAME_S)
    assert ended_at < 8.0 + 0.3  # speech confirmed within its first few frames
    assert ended.signal is not None and ended.signal.kind == "silence"
    assert ended.signal.cue == f"no speech for {ended.end - ended.start:.1f} s"


def test_short_pauses_and_quiet_before_the_first_word_are_not_silences():
    values = probabilities([(4.5, 6.0), (8.0, 9.0)], 10.0)  # 4.5 s lead-in, 2 s pause
    timeline, _ = run_tracker(values)
    assert timeline == []


def test_quiet_at_the_end_is_closed_without_a_silence_signal():
    values = probabilities([(0.5, 2.0)], 7.0)
    timeline, _ = run_tracker(values)
    assert isinstance(timeline[0][1], SilenceStarted)
    last = timeline[-1][1]
    assert isinstance(last, SilenceEnded) and last.signal is None


def test_a_click_in_the_middle_of_a_silence_does_not_end_it():
    values = probabilities([(0.5, 2.0), (4.0, 4.064), (8.0, 9.0)], 10.0)  # a 64 ms click
    timeline, _ = run_tracker(values)
    ended = [c for _, c in timeline if isinstance(c, SilenceEnded)]
    assert len(ended) == 1 and ended[0].end == pytest.approx(8.0 - 0.06, abs=FRAME_S)


def test_a_gap_just_under_the_threshold_is_never_announced():
    values = probabilities([(0.5, 2.0), (2.0 + 0.12 + 2.8, 7.0)], 8.0)
    timeline, _ = run_tracker(values)
    assert not any(isinstance(c, SilenceStarted) for _, c in timeline)


@pytest.mark.parametrize("seed", range(6))
def test_live_segments_match_the_offline_pass_on_the_same_probabilities(seed, monkeypatch):
    """Same frame probabilities in: the streamed segments (padded) equal get_speech_timestamps'."""
    import faster_whisper.vad as fw_vad

    rng = np.random.default_rng(seed)
    levels = np.repeat(rng.random(200), rng.integers(1, 25, 200))[:1500]
    values = np.clip(levels + rng.normal(0, 0.1, len(levels)).clip(-0.2, 0.2), 0, 1)
    values = values.astype(np.float32)
    monkeypatch.setattr(fw_vad, "get_vad_model", lambda: (lambda audio: values[: len(audio) // FRAME]))
    samples = np.zeros(len(values) * FRAME, dtype=np.float32)
    offline = detect_speech(samples, SpeechDetectionOptions(max_span_s=1e6))

    _, transitions = run_tracker(values, chunk=int(rng.integers(1, 9)))
    pad = SpeechDetectionOptions().speech_pad_ms / 1000
    starts = [t.at for t in transitions if isinstance(t, SpeechStarted)]
    ends = [t.at for t in transitions if isinstance(t, SpeechEnded)]
    assert len(starts) == len(ends) == len(offline)
    # Offline pads each edge, or meets its neighbour halfway across a gap
    # shorter than two pads; long gaps (the only ones that can be silences) match exactly.
    for (start, end), span in zip(zip(starts, ends), offline):
        assert span.start <= start + 1e-6 and end - 1e-6 <= span.end
    live_gaps = [(e + pad, s - pad) for e, s in zip(ends, starts[1:]) if s - e >= 2 * pad]
    offline_gaps = [(a.end, b.start) for a, b in zip(offline, offline[1:]) if b.start - a.end > 1e-6]
    assert len(live_gaps) == len(offline_gaps)
    flat = lambda gaps: [edge for gap in gaps for edge in gap]  # noqa: E731
    assert flat(live_gaps) == pytest.approx(flat(offline_gaps), abs=1e-6)


def test_streamed_silero_probabilities_equal_the_offline_pass():
    from faster_whisper.vad import get_vad_model

    audio = tone_with_gaps([(0.3, 1.2), (2.0, 3.1)], 3.5)
    whole = audio[: len(audio) // FRAME * FRAME]
    offline = np.asarray(get_vad_model()(whole)).reshape(-1)
    stream = SileroStream()
    rng = np.random.default_rng(7)
    pieces, position = [], 0
    while position < len(whole):
        size = int(rng.integers(100, 3000))
        pieces.append(stream.push(whole[position : position + size]))
        position += size
    streamed = np.concatenate(pieces)
    assert streamed.shape == offline.shape
    assert np.allclose(streamed, offline, atol=1e-6)
