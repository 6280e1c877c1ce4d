"""`thinkaloud analyze INPUT…`: recordings or transcripts in, reports out.

One input goes to stdout (or `-o FILE`); several inputs or a folder go
through `batch` (`-o DIR`, `--jobs N`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from thinkaloud.analysis.coaching import LONG_SILENCE_S
from thinkaloud.cli.output import keep_take, render, write_output
from thinkaloud.config import cli_default
from thinkaloud.errors import ExitCode, OutputError, UsageError

FORMATS = ("text", "json", "markdown")


def positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--silence must be a number of seconds, not '{value}'") from None
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"--silence must be a positive number of seconds, not '{value}'")
    return seconds


def non_negative_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not '{value}'") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected zero or more, not '{value}'")
    return number


def positive_int(value: str) -> int:
    number = non_negative_int(value)
    if number == 0:
        raise argparse.ArgumentTypeError(f"expected one or more, not '{value}'")
    return number


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        help="faster-whisper model name or CTranslate2 model folder (default: the bundled tiny.en); "
        "folders in ./models are found by name",
    )
    parser.add_argument(
        "--device", choices=("cpu", "cuda", "auto"), default=cli_default("auto"), help="compute device for speech recognition (default: auto)"
    )
    parser.add_argument(
        "--threads", type=non_negative_int, default=cli_default(0), help="CPU threads for speech recognition (default: 0 = one per core)"
    )
    parser.add_argument(
        "--silence",
        type=positive_seconds,
        default=cli_default(3.0),
        metavar="SECONDS",
        help=f"a gap in speech at least this long counts as a long silence (default: {LONG_SILENCE_S})",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs", nargs="+", type=Path, metavar="INPUT",
        help="recording (wav, flac, mp3, m4a, ogg, opus, webm, …), .txt transcript, or a folder of them",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument(
        "-o", "--output", type=Path, metavar="PATH",
        help="write the report to PATH instead of stdout; with several inputs, a folder for one report per input",
    )
    parser.add_argument(
        "--jobs", type=positive_int, default=1, metavar="N",
        help="with several inputs, analyse N files at once in worker processes (default: 1)",
    )
    add_model_arguments(parser)
    parser.add_argument("--question", metavar="TEXT", help="the question this take answers (text, or a question bank id such as ml-churn); kept with the session")
    parser.add_argument("--no-save", action="store_true", help="do not keep this analysis as a session in the history")
    parser.add_argument("--tui", action="store_true", help="open the report in the interactive summary screen instead of printing it")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def check_output_path(path: Path, inputs: tuple[Path, ...] = ()) -> None:
    """Fail before the (slow) analysis, not after it, when the report could not be written."""
    resolved = path.resolve()
    if any(resolved == i.resolve() for i in inputs if i.exists()):
        raise OutputError(f"refusing to overwrite the input {path} with the report; choose another -o path.")
    if path.is_dir():
        raise OutputError(f"{path} is a directory; give a file name for the report.")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: folder {parent} does not exist; create it or choose another path.")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"cannot write {path}: folder {parent} is not writable; choose another path.")


def options_from_args(args: argparse.Namespace, config=None, jobs: int = 1):
    """The options in force: flags typed on the command line, else the config file, else defaults.

    With several jobs, the CPU threads are shared out between them unless set.
    """
    from thinkaloud.analyze import AnalyzeOptions
    from thinkaloud.asr.transcriber import TranscriberOptions, available_cpu_count
    from thinkaloud.config import given, load_config

    config = config or load_config()
    pick = lambda flag, configured: flag if given(flag) else configured  # noqa: E731
    threads = pick(args.threads, config.threads)
    if not threads and jobs > 1:
        threads = max(1, available_cpu_count() // jobs)
    return AnalyzeOptions(
        silence_threshold_s=pick(args.silence, config.silence),
        transcriber=TranscriberOptions(
            model=pick(args.model, config.model),
            device=pick(args.device, config.device),
            cpu_threads=threads,
        ),
        detectors=config.detector_options(),
    )


def run(args: argparse.Namespace) -> int:
    from thinkaloud.cli.batch import expand_inputs, run_batch
    from thinkaloud.config import load_config

    files = expand_inputs(args.inputs)
    batch = len(files) > 1 or any(i.is_dir() for i in args.inputs)
    if batch and args.tui:
        raise UsageError("--tui opens one report; give a single input, or drop --tui.")
    if not batch:
        args.input = files[0]
        if args.output is not None:
            check_output_path(args.output, inputs=(args.input,))
    if args.tui:  # fail before a long analysis, not after it
        from thinkaloud.ui.app import require_terminal

        require_terminal("drop --tui to print the report")
    config = load_config()
    for warning in config.warnings:
        sys.stderr.write(f"thinkaloud: warning: {warning}\n")
    options = options_from_args(args, config, jobs=args.jobs if batch else 1)
    if batch:
        return run_batch(args, files, options, config)
    return run_single(args, options, config)


def run_single(args: argparse.Namespace, options, config) -> int:
    from thinkaloud.analyze import Analyzer
    from thinkaloud.cli.progress import StderrProgress

    analyzer = Analyzer(options)
    progress = StderrProgress(args.input.name, enabled=not args.quiet)
    started = time.monotonic()
    try:
        report = analyzer.analyze_path(args.input, progress=progress)
    finally:
        progress.finish()
    elapsed = time.monotonic() - started
    color = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    content = render(report, args.format, color)
    if args.output is not None:
        write_output(args.output, content)
    elif not args.tui:
        sys.stdout.write(content)
        sys.stdout.flush()
    if not args.quiet:
        audio = report.source.duration_s
        speed = f" ({audio / elapsed:.0f}× real time)" if audio and elapsed > 0 else ""
        where = f"; report written to {args.output}" if args.output is not None else ""
        if not report.summary.speech_found:
            sys.stderr.write(f"thinkaloud: no speech found in {args.input}{where}.\n")
        else:
            sys.stderr.write(f"thinkaloud: analysed {args.input} in {elapsed:.1f} s{speed}{where}.\n")
    code, question, saved = keep_take(args, report, config, args.input)
    if args.tui and code == ExitCode.OK:
        from thinkaloud.ui.app import run_summary_app

        # The saved take's id, so that a follow-up answered from the summary is linked to it.
        return run_summary_app(report, config, saved_at=saved.folder if saved else None, question=question.text,
                               question_id=question.id, session_id=saved.id if saved else None)
    return code
