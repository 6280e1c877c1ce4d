"""The live engine end to end with a fake ASR: a real recording played through the
capture path, real voice activity, a scripted decoder and the blank spaCy pipeline."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
import spacy

from tests.audio_files import write_wav
from thinkaloud import __version__
from thinkaloud.audio.decode import load_audio
from thinkaloud.audio.wavfile import read_wav_layout
from thinkaloud.live.agreement import StreamWord
from thinkaloud.live.capture import FileSource
from thinkaloud.live.event_log import validation_errors
from thinkaloud.live.events import (
    FinishedEvent,
    LevelEvent,
    SignalEvent,
    StateEvent,
    WordEvent,
    to_dict,
)
from thinkaloud.live.session import LiveEngine, LiveOptions
from thinkaloud.nlp.pipeline import TextAnalyzer

REPO = Path(__file__).resolve().parents[1]
SPEED = 8.0

# samples/weak_answer.wav from 18.0 s: speech, then its 6 s silence (22.28-28.28), then speech.
CLIP_START, CLIP_END = 18.0, 31.0
SCRIPT = [
    ("Um,", 0.2, 0.5), ("the", 0.6, 0.8), ("data", 0.9, 1.3), ("is", 1.4, 1.5), ("kind", 1.6, 1.8),
    ("of", 1.85, 1.95), ("spread", 2.0, 2.4), ("out,", 2.45, 2.8), ("I", 2.9, 3.0), ("think.", 3.1, 4.1),
    ("Also,", 10.3, 10.7), ("Kafka", 10.8, 11.2), ("partitions", 11.3, 11.8), ("are", 11.9, 12.0),
    ("a", 12.05, 12.1), ("pain.", 12.2, 12.6),
]


class ScriptedDecoder:
    """Returns the script's words that lie inside the buffer; instant and deterministic."""

    model_name = "scripted"

    def __init__(self) -> None:
        self.calls = 0

    def decode(self, samples: np.ndarray, start_s: float, prompt: str | None) -> list[StreamWord]:
        self.calls += 1
        end_s = start_s + len(samples) / 16000
        return [StreamWord(" " + t, s, e, 0.9) for t, s, e in SCRIPT if s >= start_s - 0.05 and e <= end_s]


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    samples = load_audio(REPO / "samples" / "weak_answer.wav").samples
    path = tmp_path_factory.mktemp("clip") / "clip.wav"
    return write_wav(path, samples[int(CLIP_START * 16000) : int(CLIP_END * 16000)])


@pytest.fixture(scope="module")
def blank_analyzer() -> TextAnalyzer:
    return TextAnalyzer(base=spacy.blank("en"), name="blank")


def make_engine(clip: Path, blank_analyzer, tmp_path: Path, speed: float = SPEED, **changes) -> LiveEngine:
    options = LiveOptions(source=clip, speed=speed, sessions_root=tmp_path / "sessions", events_path=tmp_path / "events.jsonl", **changes)
    return LiveEngine(options, FileSource(clip, speed), ScriptedDecoder(), blank_analyzer)


def test_an_event_stamped_before_another_stage_emitted_a_later_one_keeps_the_clock_order(clip, blank_analyzer, tmp_path):
    # The transcription stage stamps a word, the capture stage stamps and emits
    # a level reading, then the word is emitted: the log must still read in order.
    engine = make_engine(clip, blank_analyzer, tmp_path)
    engine._emit(LevelEvent(-20.0, -6.0, emitted_at=2.0))
    engine._emit(WordEvent("churn", 0.4, 0.9, emitted_at=1.96))
    engine._emit(LevelEvent(-21.0, -7.0, emitted_at=2.1))
    logged = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["type"], e["emitted_at"]) for e in logged] == [("level", 2.0), ("word", 2.0), ("level", 2.1)]


def test_a_take_streams_words_signals_and_a_live_silence_then_saves_the_session(clip, blank_analyzer, tmp_path):
    engine = make_engine(clip, blank_analyzer, tmp_path)
    events = list(engine.events())
    types = [e.type for e in events]

    assert types[0] == "header" and events[0].schema == "thinkaloud.events/2"
    assert types[1] == "state" and events[1].state == "recording"
    assert types[-1] == "finished" and types.count("finished") == 1
    finals = [e for e in events if e.type == "final"]
    assert [word.text for f in finals for word in f.words] == [t for t, _, _ in SCRIPT]
    # One final per utterance (pauses split the clip), numbered in order.
    assert [(f.utterance, f.speech_final) for f in finals] == [(n, True) for n in range(len(finals))]
    assert len(finals) >= 2
    stable = [e.text for e in events if e.type == "word"]
    assert stable and stable == [t for t, _, _ in SCRIPT if t in stable]
    assert all(b.emitted_at >= a.emitted_at for a, b in zip(events, events[1:]))

    # The silence is announced while it lasts: before the speech after it was even captured.
    start = next(e for e in events if e.type == "silence_start")
    end = next(e for e in events if e.type == "silence_end")
    assert start.audio_start == pytest.approx(22.28 - CLIP_START, abs=0.15)
    assert start.emitted_at * SPEED < end.audio_end
    assert end.audio_end == pytest.approx(28.28 - CLIP_START, abs=0.15)
    assert types.index("silence_start") < types.index("silence_end")
    silence_signals = [e.signal for e in events if isinstance(e, SignalEvent) and e.signal.kind == "silence"]
    assert len(silence_signals) == 1

    kinds = {e.signal.kind for e in events if isinstance(e, SignalEvent)}
    assert {"filler", "hedge", "silence"} <= kinds
    levels = [e for e in events if isinstance(e, LevelEvent)]
    duration_s = events[-1].emitted_at
    assert levels and len(levels) <= 10 * duration_s + 2

    finished = events[-1]
    assert isinstance(finished, FinishedEvent) and finished.report is not None
    folder = Path(finished.session_dir)
    assert folder.parent == tmp_path / "sessions" and (folder / "audio.wav").is_file()
    layout = read_wav_layout(folder / "audio.wav")
    assert layout.declared_data_bytes == layout.available_data_bytes
    assert layout.declared_duration_s == pytest.approx(CLIP_END - CLIP_START, abs=0.05)
    meta = json.loads((folder / "session.json").read_text())
    assert meta["kind"] == "live" and meta["status"] == "complete" and meta["source"] == str(clip)
    report = json.loads((folder / "report.json").read_text())
    assert report["schema"] == "thinkaloud.report/1"
    assert report["transcript"]["text"].startswith("Um, the data is kind of spread out")
    assert [s["kind"] for s in report["signals"]].count("silence") == 1


def test_every_event_is_written_as_a_json_line_that_the_shipped_schema_accepts(clip, blank_analyzer, tmp_path):
    engine = make_engine(clip, blank_analyzer, tmp_path)
    events = list(engine.events())
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(events)
    records = [json.loads(line) for line in lines]
    assert records == [json.loads(json.dumps(to_dict(e))) for e in events]
    assert validation_errors(records) == []
    assert records[0] == {"type": "header", "schema": "thinkaloud.events/2", "version": __version__,
                          "source": engine.description, "model": "scripted", "emitted_at": 0.0}
    final = next(r for r in records if r["type"] == "final")
    assert set(final) == {"type", "utterance", "audio_start", "audio_end", "words", "revised", "edits", "speech_final", "emitted_at"}
    assert set(final["words"][0]) == {"text", "audio_start", "audio_end", "probability"}
    assert all("emitted_at" in r and "type" in r for r in records)
    word = next(r for r in records if r["type"] == "word")
    assert set(word) >= {"text", "audio_start", "audio_end", "emitted_at"}
    signal = next(r for r in records if r["type"] == "signal")
    assert set(signal) >= {"kind", "text", "cue", "start", "end", "char_start", "char_end", "emitted_at"}
    assert {"silence_start", "silence_end", "tentative", "level", "stats"} <= {r["type"] for r in records}


def test_stop_from_another_thread_finalises_what_was_captured(clip, blank_analyzer, tmp_path):
    engine = make_engine(clip, blank_analyzer, tmp_path, speed=1.0)
    seen = []
    for event in engine.events():
        seen.append(event)
        if event.type == "final" and event.text.endswith("think."):
            threading.Thread(target=engine.stop).start()
    states = [e.state for e in seen if isinstance(e, StateEvent)]
    assert states[:1] == ["recording"] and "stopping" in states and states[-1] == "finished"
    finished = seen[-1]
    assert finished.type == "finished" and finished.report is not None
    duration = finished.report.source.duration_s
    assert 4.0 < duration < CLIP_END - CLIP_START - 1.0  # stopped early, kept what was heard
    assert finished.report.transcript.text.endswith("I think.")


def test_pause_and_resume_are_reported_and_nothing_said_is_lost(clip, blank_analyzer, tmp_path):
    engine = make_engine(clip, blank_analyzer, tmp_path, speed=2.0)
    seen = []
    paused = False
    for event in engine.events():
        seen.append(event)
        if event.type in ("word", "tentative") and "data" in event.text and not paused:
            paused = True
            engine.pause()
        elif event.type == "state" and event.state == "paused":
            threading.Thread(target=engine.resume).start()
    states = [e.state for e in seen if isinstance(e, StateEvent)]
    assert states[:3] == ["recording", "paused", "recording"]
    assert [w.text for e in seen if e.type == "final" for w in e.words] == [t for t, _, _ in SCRIPT]
    assert seen[-1].report is not None


def test_no_save_keeps_nothing_on_disk(clip, blank_analyzer, tmp_path):
    engine = make_engine(clip, blank_analyzer, tmp_path, save=False)
    events = list(engine.events())
    finished = events[-1]
    assert finished.session_dir is None and finished.audio_path is None and finished.report is not None
    assert not (tmp_path / "sessions").exists()


def test_stopping_before_anything_was_captured_leaves_no_empty_take(clip, blank_analyzer, tmp_path):
    engine = make_engine(clip, blank_analyzer, tmp_path)
    engine.stop()
    events = list(engine.events())
    assert events[-1].type == "finished" and events[-1].session_dir is None
    assert not any((tmp_path / "sessions").glob("*/audio.wav"))


def test_options_are_validated_with_one_line_errors(clip):
    from thinkaloud.errors import UsageError

    with pytest.raises(UsageError, match="--speed"):
        LiveOptions(source=clip, speed=0)
    with pytest.raises(UsageError, match="--silence"):
        LiveOptions(silence_threshold_s=-1)
    with pytest.raises(UsageError, match="--mic"):
        LiveOptions(source=clip, mic="1")
