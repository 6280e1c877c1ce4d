"""`thinkaloud live`: rehearse an answer out loud and get coached as you speak.

Without `--no-tui` this opens the full-screen interface (`thinkaloud.ui`).
With `--no-tui` (or when stdout is not a terminal) it prints plain lines as
the session goes: each utterance once, when its final text is known, signals as
`[0:12 framing] "..." (cue: ...)`, a notice while a long silence lasts, and
at the end where the take was saved.  Progress, warnings and errors go to
stderr; Ctrl+C (or SIGTERM) stops and saves, a second Ctrl+C quits at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TextIO

from thinkaloud.cli.analyze import add_model_arguments
from thinkaloud.errors import ExitCode, UsageError
from thinkaloud.kinds import LABELS, PHRASE_KINDS
from thinkaloud.timefmt import clock, length

QUOTE_LIMIT = 72


def speed_value(value: str) -> float:
    try:
        speed = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--speed must be a number such as 1 or 2, not '{value}'") from None
    if not 0 < speed <= 20:
        raise argparse.ArgumentTypeError(f"--speed must be above 0 and at most 20, not '{value}'")
    return speed


def seconds_between(flag: str, low: float, high: float, examples: str):
    """An argparse type: a number of seconds from `low` to `high`, refused in one line otherwise."""

    def parse(value: str) -> float:
        try:
            seconds = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be a number of seconds such as {examples}, not '{value}'") from None
        if not low <= seconds <= high:
            raise argparse.ArgumentTypeError(f"{flag} must be between {low:g} and {high:g} seconds, not '{value}'")
        return seconds

    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--source", type=Path, metavar="FILE", help="play a recording through the live engine instead of the microphone")
    source.add_argument("--mic", metavar="NAME|INDEX", help="input device: an index or (part of) a name from 'thinkaloud devices' (default: the system default)")
    parser.add_argument("--speed", type=speed_value, default=1.0, metavar="X", help="with --source: play X times faster than real time (default: 1)")
    parser.add_argument("--no-tui", action="store_true", help="print plain lines instead of opening the full-screen interface")
    parser.add_argument("--events", type=Path, metavar="PATH", help="also write every event as one JSON object per line to PATH")
    parser.add_argument("--question", metavar="TEXT", help="the question you are answering (text, or a question bank id such as ml-churn; kept with the session)")
    parser.add_argument("--random-question", nargs="?", const="", metavar="TOPIC", help="answer a random question from the bank ('thinkaloud questions' lists them), optionally from one TOPIC")
    parser.add_argument(
        "--settle", type=seconds_between("--settle", 0, 3, "1 or 0.5"), metavar="SECONDS",
        help="audio a word must be followed by before it is shown as stable (default 0.3); "
        "lower shows words sooner, and the final text of each utterance corrects more of them",
    )
    parser.add_argument(
        "--decode-every", type=seconds_between("--decode-every", 0.2, 3, "0.3 or 1"), metavar="SECONDS",
        help="new speech needed before the live transcript is decoded again (default 0.3); higher uses less CPU",
    )
    add_model_arguments(parser)
    parser.add_argument("--no-save", action="store_true", help="keep nothing on disk: no audio, no report, no session")


def streaming_options(args: argparse.Namespace):
    """`StreamingOptions` with the flags given; the dataclass holds the defaults the help quotes."""
    from dataclasses import replace

    from thinkaloud.live.streaming import StreamingOptions

    given_flags = {"min_chunk_s": args.decode_every, "settle_s": args.settle}
    return replace(StreamingOptions(), **{name: value for name, value in given_flags.items() if value is not None})


def options_from_args(args: argparse.Namespace, config=None):
    """The options in force: flags typed on the command line, else the config file, else defaults."""
    from thinkaloud.asr.transcriber import TranscriberOptions
    from thinkaloud.config import given, load_config
    from thinkaloud.live.session import LiveOptions
    from thinkaloud.questions import choose_question

    if args.speed != 1.0 and args.source is None:
        raise UsageError("--speed only applies to --source FILE; the microphone always runs in real time.")
    config = config or load_config()
    pick = lambda flag, configured: flag if given(flag) else configured  # noqa: E731
    question, question_id = choose_question(args.question, getattr(args, "random_question", None), bank=config.question_bank())
    return LiveOptions(
        source=args.source,
        mic=args.mic,
        speed=args.speed,
        question=question,
        question_id=question_id,
        silence_threshold_s=float(pick(args.silence, config.silence)),
        transcriber=TranscriberOptions(
            model=pick(args.model, config.model),
            device=str(pick(args.device, config.device)),
            cpu_threads=int(pick(args.threads, config.threads)),
        ),
        streaming=streaming_options(args),
        save=not args.no_save,
        events_path=args.events,
        detectors=config.detector_options(),
    )


def run(args: argparse.Namespace) -> int:
    from thinkaloud.config import load_config

    config = load_config()  # read once; everything below is handed what it needs
    options = options_from_args(args, config)
    if options.save:
        announce_interrupted_takes(sys.stderr)
    interactive = sys.stdout.isatty() and sys.stdin.isatty()
    if not args.no_tui and interactive:
        return run_full_screen(options, config)
    if not args.no_tui:
        sys.stderr.write("thinkaloud: output is not a terminal, so printing plain lines (as with --no-tui).\n")
    return run_plain(options)


def announce_interrupted_takes(err: TextIO) -> None:
    """Before a new take: make earlier takes a crash cut short playable, and say so.

    A take killed mid-recording is only noticed when thinkaloud next runs, and
    for most people that is the next `live`.  A broken index must not stop a
    rehearsal (the take is registered again when it is saved), so problems
    here are warnings.
    """
    from thinkaloud.cli.session_args import warn
    from thinkaloud.errors import ThinkaloudError
    from thinkaloud.sessions.recovery import interrupted_takes, repair_interrupted_audio
    from thinkaloud.sessions.store import open_store

    try:
        store = open_store()
    except ThinkaloudError as error:
        warn(f"could not check for interrupted takes ({error})")
        return
    try:
        for warning in store.sync():
            warn(warning)
        repair_interrupted_audio(store)  # the line below says so; no second notice
        waiting = [take.meta.id for take in interrupted_takes(store.root)]
    except ThinkaloudError as error:
        warn(f"could not check for interrupted takes ({error})")
        return
    finally:
        store.close()
    if waiting:
        takes = f"{len(waiting)} earlier takes were" if len(waiting) > 1 else "an earlier take was"
        target = waiting[0] if len(waiting) == 1 else "--all"
        err.write(f"thinkaloud: {takes} interrupted before analysis ({', '.join(waiting)}); "
                  f"the audio is safe: run 'thinkaloud recover {target}' to analyse {'them' if len(waiting) > 1 else 'it'}.\n")
        err.flush()


def run_full_screen(options, config) -> int:
    if options.source is None:
        # Fail before the screen is taken over: a missing device is one line here.
        from thinkaloud.live.microphone import find_input_device

        find_input_device(options.mic)
    try:
        from thinkaloud.ui.app import run_live_app
    except ImportError:
        raise UsageError("the full-screen interface is not available in this installation; add --no-tui for plain output.") from None
    return run_live_app(options, config)


def run_plain(options, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from thinkaloud.live.session import open_live_session

    out = out or sys.stdout
    err = err or sys.stderr
    err.write("thinkaloud: loading models…\n")
    err.flush()
    engine = open_live_session(options)
    verb = "playing" if options.source is not None else "listening on"
    err.write(f"thinkaloud: {verb} {engine.description}; press Ctrl+C to stop and save.\n")
    if options.question:
        err.write(f"thinkaloud: question: {options.question}\n")
    err.flush()
    color = out.isatty() and "NO_COLOR" not in os.environ
    printer = PlainPrinter(out, err, interactive=out.isatty(), color=color)
    with StopOnSignals(engine, err):
        for event in engine.events():
            printer.handle(event)
    if engine.error is not None:
        raise engine.error
    return ExitCode.OK


class StopOnSignals:
    """Ctrl+C and SIGTERM finish the take (commit, analyse, save); a second Ctrl+C quits."""

    def __init__(self, engine, err: TextIO):
        self.engine = engine
        self.err = err
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopOnSignals:
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                self._previous[signum] = signal.signal(signum, self._handle)
            except ValueError:  # not the main thread: leave signals alone
                pass
        return self

    def _handle(self, signum, frame) -> None:
        if self.engine.finished or (signum == signal.SIGINT and getattr(self, "_asked", False)):
            raise KeyboardInterrupt
        self._asked = True
        # A handler runs in the main thread between two of its bytecodes, maybe
        # while that thread holds a lock (the event queue's, inside `get`) that
        # stopping needs: stopping here could wait on itself forever.  So the
        # handler only hands the work to a thread of its own.
        threading.Thread(target=self._stop, name="thinkaloud-stop", daemon=True).start()

    def _stop(self) -> None:
        self.err.write("\nthinkaloud: stopping and saving… (Ctrl+C again to quit at once)\n")
        self.err.flush()
        self.engine.stop()

    def __exit__(self, *exc_info) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


class PlainPrinter:
    """Turns events into the plain lines of `live --no-tui`; flushes after every write."""

    def __init__(self, out: TextIO, err: TextIO, interactive: bool = False, color: bool = False):
        self.out = out
        self.err = err
        self.interactive = interactive
        self.color = color
        self._silence_open = False  # an in-place silence notice is on screen
        self._warned_losses = (0, 0)

    def handle(self, event) -> None:
        handler = getattr(self, f"_on_{event.type}", None)
        if handler is not None:
            handler(event)

    # --- events ---------------------------------------------------------------

    def _on_final(self, event) -> None:
        # Printed once, never revised: a plain log has no way to take a line back.
        if not event.words:
            return
        self._print_line(self._dim(f"{clock(event.words[0].audio_start)}  ") + event.text)

    def _on_signal(self, event) -> None:
        found = event.signal
        if found.kind == "silence":
            return  # already shown live by the silence notices
        label = LABELS[found.kind]
        if found.kind == "topic_shift":
            label += ", signposted" if found.signposted else ", abrupt"
        line = f"[{clock(found.start)} {label}] \"{_shorten(found.text)}\""
        if found.kind not in PHRASE_KINDS:
            line += f" (cue: {found.cue})"
        self._print_line(self._accent(line))

    def _on_silence_start(self, event) -> None:
        self._end_silence_line()
        text = f"[{clock(event.audio_start)} silence…]"
        if self.interactive:
            self._write("\r\033[2K" + self._accent(text))
            self._silence_open = True
        else:
            self._write(text + "\n")

    def _on_silence_update(self, event) -> None:
        if self.interactive and self._silence_open:
            self._write("\r\033[2K" + self._accent(f"[{clock(event.audio_start)} silence… {event.duration_s:.0f} s]"))

    def _on_silence_end(self, event) -> None:
        text = f"[{clock(event.audio_start)} silence {length(event.audio_end - event.audio_start)}]"
        if self.interactive and self._silence_open:
            self._write("\r\033[2K" + self._accent(text) + "\n")
            self._silence_open = False
        else:
            self._print_line(text)

    def _on_lag(self, event) -> None:
        self._warn(
            f"decoding fell {event.lag_s:.1f} s behind, so {event.skipped_s:.1f} s of audio was skipped to catch up; "
            "it is transcribed when the take is saved."
        )

    def _on_overflow(self, event) -> None:
        losses = (event.overflows, event.dropped_blocks)
        if losses == self._warned_losses:
            return
        self._warned_losses = losses
        self._warn(
            f"audio input could not keep up ({event.overflows} overflows, {event.dropped_blocks} dropped blocks so far); "
            "some audio is missing, close other busy programs."
        )

    def _on_state(self, event) -> None:
        if event.state == "paused":
            self._warn(event.message)

    def _on_finished(self, event) -> None:
        self._end_silence_line()
        report = event.report
        if report is not None:
            m = report.metrics
            silences = f"{m.silence_count} long silence{'s' if m.silence_count != 1 else ''}"
            pace = f", {m.wpm:.0f} words/min" if m.wpm else ""
            self._write(
                f"\n{length(m.duration_s)} recorded, {m.words} words{pace}, {silences}, "
                f"{m.filler_count} fillers, {m.hedge_count} hedges.\n"
            )
        if event.session_dir:
            self._write(f"saved session {event.session_id}\n  audio:  {event.audio_path}\n  report: {event.report_path}\n")
        elif report is not None:
            self._write("nothing was saved (--no-save).\n")

    # --- output -----------------------------------------------------------------

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def _print_line(self, text: str) -> None:
        self._end_silence_line()
        self._write(text + "\n")

    def _end_silence_line(self) -> None:
        if self._silence_open:
            self._write("\n")
            self._silence_open = False

    def _warn(self, message: str) -> None:
        self.err.write(f"thinkaloud: {message}\n")
        self.err.flush()

    def _dim(self, text: str) -> str:
        return f"\033[2m{text}\033[0m" if self.color else text

    def _accent(self, text: str) -> str:
        return f"\033[36m{text}\033[0m" if self.color else text


def _shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
