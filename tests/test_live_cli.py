"""`thinkaloud live` and `thinkaloud devices` on the command line: one-line errors,
exit codes, and the plain-line output of `--no-tui`."""

from __future__ import annotations

import io
import signal as signals
import threading
from pathlib import Path

import pytest

from tests.cli import thinkaloud
from thinkaloud.cli.live import PlainPrinter, StopOnSignals
from thinkaloud.errors import ExitCode
from thinkaloud.live.events import (
    FinalEvent,
    FinalWord,
    FinishedEvent,
    LagEvent,
    OverflowEvent,
    SignalEvent,
    SilenceEndEvent,
    SilenceStartEvent,
    SilenceUpdateEvent,
    TentativeEvent,
    WordEvent,
)
from thinkaloud.types import Signal

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "weak_answer.wav"


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["live", "--no-tui", "--speed", "2"], ExitCode.USAGE, "--speed only applies to --source"),
        (["live", "--no-tui", "--source", str(SAMPLE), "--mic", "1"], ExitCode.USAGE, "not allowed with argument"),
        (["live", "--no-tui", "--source", str(SAMPLE), "--speed", "0"], ExitCode.USAGE, "--speed must be above 0"),
        (["live", "--no-tui", "--source", str(SAMPLE), "--decode-every", "0"], ExitCode.USAGE, "--decode-every must be between"),
        (["live", "--no-tui", "--source", str(SAMPLE), "--decode-every", "soon"], ExitCode.USAGE, "--decode-every must be a number"),
        (["live", "--no-tui", "--source", str(SAMPLE), "--settle", "-1"], ExitCode.USAGE, "--settle must be between"),
        (["live", "--no-tui", "--source", "missing.wav"], ExitCode.INPUT, "does not exist"),
        (["live", "--no-tui", "--source", str(SAMPLE), "--events", "no/such/dir/e.jsonl"], ExitCode.OUTPUT, "does not exist"),
    ],
)
def test_live_refuses_bad_input_with_one_line(args, code, needle):
    result = thinkaloud(*args, timeout=60)
    assert result.code == code, result.stderr
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # "loading models" at most, then the error
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_live_without_portaudio_or_devices_fails_fast_with_a_device_error():
    # On a machine without a sound card (CI), PortAudio finds no input; without
    # PortAudio it is missing altogether.  Either way: one line, exit 6.
    result = thinkaloud("live", "--no-tui", "--mic", "no-such-microphone-xyz", timeout=60)
    assert result.code == ExitCode.DEVICE, result.stderr
    assert any(s in result.stderr for s in ("PortAudio is not installed", "no audio input device", "no input device matches"))
    assert "Traceback" not in result.stderr


def test_devices_lists_inputs_or_explains_why_there_are_none():
    result = thinkaloud("devices", timeout=60)
    if result.code == ExitCode.OK:
        assert "INDEX" in result.stdout.splitlines()[0]
    else:
        assert result.code == ExitCode.DEVICE
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def final(utterance: int, words: list[tuple[str, float, float]], at: float) -> FinalEvent:
    start = words[0][1] if words else at
    end = words[-1][2] if words else at
    return FinalEvent(utterance, start, end, tuple(FinalWord(t, s, e, 0.9) for t, s, e in words), False, (), True, at)


def signal(kind: str, text: str, cue: str, start: float, **extra) -> Signal:
    return Signal(kind, text, cue, start, start + 1, 0, len(text), **extra)


def test_no_tui_output_prints_each_utterance_once_when_final_in_plain_lines():
    out, err = io.StringIO(), io.StringIO()
    printer = PlainPrinter(out, err)
    events = [
        WordEvent("So", 0.2, 0.4, 1.0),
        WordEvent("the", 0.5, 0.6, 1.0),
        TentativeEvent("plan", 0.7, 1.0, 1.0),
        final(0, [("So", 0.2, 0.4), ("the", 0.5, 0.6), ("plan.", 0.7, 1.0)], 1.5),
        SignalEvent(signal("framing", "So the plan.", "the plan", 0.2), 1.6),
        WordEvent("Um,", 2.0, 2.2, 2.6),
        final(1, [("Um,", 2.0, 2.2)], 2.6),
        final(2, [], 2.7),  # an utterance with no words prints nothing
        SignalEvent(signal("filler", "Um", "Um", 2.0), 2.7),
        SilenceStartEvent(22.3, 25.4),
        SilenceUpdateEvent(22.3, 4.2, 26.5),
        SilenceEndEvent(22.3, 28.3, 28.5),
        SignalEvent(signal("silence", "", "no speech for 6.0 s", 22.3), 28.5),
        SignalEvent(signal("topic_shift", "Also, Kafka.", "new subject", 28.3, signposted=False), 30.0),
        LagEvent(7.1, 5.0, 31.0),
        OverflowEvent(2, 1, 32.0),
        FinishedEvent("20261128-1", "/s/20261128-1", "/s/20261128-1/audio.wav", "/s/20261128-1/report.json", 40.0),
    ]
    for event in events:
        printer.handle(event)
    assert out.getvalue().splitlines() == [
        "0:00  So the plan.",
        '[0:00 framing] "So the plan." (cue: the plan)',
        "0:02  Um,",
        '[0:02 filler] "Um"',
        "[0:22 silence…]",
        "[0:22 silence 6.0 s]",
        '[0:28 topic shift, abrupt] "Also, Kafka." (cue: new subject)',
        "saved session 20261128-1",
        "  audio:  /s/20261128-1/audio.wav",
        "  report: /s/20261128-1/report.json",
    ]
    warnings = err.getvalue()
    assert "5.0 s of audio was skipped" in warnings and "2 overflows, 1 dropped blocks" in warnings


def test_settle_and_decode_every_tune_the_live_recogniser_and_the_help_quotes_its_defaults():
    import argparse

    from thinkaloud.cli.live import add_arguments, options_from_args
    from thinkaloud.live.streaming import StreamingOptions

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    defaults = StreamingOptions()
    streaming = options_from_args(parser.parse_args(["--source", str(SAMPLE)])).streaming
    assert (streaming.min_chunk_s, streaming.settle_s) == (defaults.min_chunk_s, defaults.settle_s)
    tuned = options_from_args(parser.parse_args(["--source", str(SAMPLE), "--decode-every", "1", "--settle", "0.5"])).streaming
    assert (tuned.min_chunk_s, tuned.settle_s) == (1.0, 0.5)
    help_text = " ".join(parser.format_help().split())
    assert f"stable (default {defaults.settle_s:g})" in help_text
    assert f"again (default {defaults.min_chunk_s:g})" in help_text


def test_ctrl_c_never_waits_on_a_lock_the_interrupted_thread_holds():
    # The handler interrupts the main thread wherever it is, say inside the
    # event queue's `get` with its mutex held; stopping needs that mutex to
    # post the "stopping" event, so it must not run in the handler itself.
    held = threading.Lock()
    outcome: dict[str, object] = {}
    stopped = threading.Event()

    class Engine:
        finished = False

        def stop(self) -> None:
            outcome["acquired"] = held.acquire(timeout=30)
            outcome["thread"] = threading.current_thread()
            if outcome["acquired"]:
                held.release()
            stopped.set()

    err = io.StringIO()
    handler = StopOnSignals(Engine(), err)
    with held:  # what the interrupted main thread was holding
        handler._handle(signals.SIGINT, None)
    assert stopped.wait(30)
    assert outcome["acquired"] and outcome["thread"] is not threading.main_thread()
    assert "stopping and saving" in err.getvalue()
    with pytest.raises(KeyboardInterrupt):  # a second Ctrl+C quits at once
        handler._handle(signals.SIGINT, None)
