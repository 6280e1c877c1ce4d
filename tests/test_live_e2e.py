"""`thinkaloud live --source` end to end with the real tiny.en model on a sample:
words arrive while the audio plays, and the saved report agrees with `analyze`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli import thinkaloud
from thinkaloud.evaluation.wer import word_error_rate
from thinkaloud.live.event_log import validation_errors
from thinkaloud.report import report_to_dict
from thinkaloud.timefmt import clock

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "weak_answer.wav"
SPEED = 2.0
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def live_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    events_path = folder / "events.jsonl"
    result = thinkaloud(
        "live", "--no-tui", "--source", str(SAMPLE), "--speed", f"{SPEED:g}", "--events", str(events_path),
        env={"THINKALOUD_HOME": str(folder / "home")}, timeout=180,
    )
    assert result.code == 0, result.stderr
    events = [json.loads(line) for line in events_path.read_text(encoding="utf-8").splitlines()]
    finished = events[-1]
    assert finished["type"] == "finished"
    report = json.loads(Path(finished["report_path"]).read_text(encoding="utf-8"))
    return result, events, report


@pytest.fixture(scope="module")
def offline_report(analyzer):
    return report_to_dict(analyzer.analyze_path(SAMPLE))


def test_words_and_signals_arrive_while_the_audio_plays(live_run):
    result, events, report = live_run
    duration = report["source"]["duration_s"]
    words = [e for e in events if e["type"] == "word"]
    # The clock runs at real time while the file plays SPEED times faster.
    heard_during_playback = [w for w in words if w["emitted_at"] * SPEED <= duration]
    assert len(heard_during_playback) >= 0.25 * len(words)  # a busy CI machine decodes slower
    assert words[0]["emitted_at"] * SPEED < 10.0
    silence_start = next(e for e in events if e["type"] == "silence_start")
    silence_end = next(e for e in events if e["type"] == "silence_end")
    assert silence_start["emitted_at"] * SPEED < silence_end["audio_end"]  # announced while still quiet
    assert any(e["type"] == "signal" and e["emitted_at"] * SPEED <= duration for e in events)
    # Plain output: transcript lines, signal lines, the silence notice and the saved paths.
    assert "[0:22 silence…]" in result.stdout
    assert "[0:22 silence 5.9 s]" in result.stdout or "[0:22 silence 6.0 s]" in result.stdout
    assert "saved session" in result.stdout and "report:" in result.stdout


def test_each_utterance_has_one_final_printed_once_and_the_event_log_follows_the_shipped_schema(live_run):
    result, events, report = live_run
    assert events[0]["type"] == "header" and events[0]["schema"] == "thinkaloud.events/2"
    assert validation_errors(events) == []
    finals = [e for e in events if e["type"] == "final"]
    closing = [f["utterance"] for f in finals if f["speech_final"]]
    assert closing == list(range(len(closing))) and len(closing) >= 3  # one closing final per utterance, in order
    assert {f["utterance"] for f in finals} == set(closing)
    # --no-tui prints each utterance once, when final: its start and its final text.
    printed = [line for line in result.stdout.splitlines() if re.match(r"\d+:\d\d  ", line)]
    expected = [f"{clock(f['words'][0]['audio_start'])}  " + " ".join(w["text"] for w in f["words"]) for f in finals if f["words"]]
    assert printed == expected
    # The saved take is built from the finals.
    said = " ".join(w["text"] for f in finals for w in f["words"])
    assert word_error_rate(said, report["transcript"]["text"]) == 0.0


def test_the_live_report_agrees_with_analyze(live_run, offline_report):
    _, _, live = live_run
    offline = offline_report
    assert live["schema"] == offline["schema"]
    assert live["source"]["duration_s"] == pytest.approx(offline["source"]["duration_s"], abs=0.05)
    # Voice activity runs over the same audio: identical speech and silences.
    assert [s["start"] for s in live["speech"]] == pytest.approx([s["start"] for s in offline["speech"]], abs=0.05)
    live_silences = [(s["start"], s["end"]) for s in live["signals"] if s["kind"] == "silence"]
    offline_silences = [(s["start"], s["end"]) for s in offline["signals"] if s["kind"] == "silence"]
    assert len(live_silences) == len(offline_silences) == 1
    assert live_silences[0] == pytest.approx(offline_silences[0], abs=0.05)
    # The same kinds of signals at the same places, give or take a word (a
    # word heard differently can add or lose a cue, so this is counted over all).
    kinds = ("hedge", "topic_shift", "framing", "assumption", "tradeoff", "limitation", "recap")
    offline_signals = [s for s in offline["signals"] if s["kind"] in kinds]
    live_signals = [s for s in live["signals"] if s["kind"] in kinds]
    matched = [
        s for s in offline_signals if any(t["kind"] == s["kind"] and abs(t["start"] - s["start"]) <= 1.0 for t in live_signals)
    ]
    assert len(matched) >= 0.75 * len(offline_signals), (offline_signals, live_signals)
    assert len(live_signals) <= 1.25 * len(offline_signals)
    assert {s["kind"] for s in live_signals} <= {s["kind"] for s in offline_signals} | {"framing"}
    assert abs(live["metrics"]["words"] - offline["metrics"]["words"]) <= 0.1 * offline["metrics"]["words"]
