"""`thinkaloud analyze INPUT`: one recording or transcript in, one report out."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from thinkaloud.errors import ExitCode, OutputError

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


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        help="faster-whisper model name or CTranslate2 model folder (default: the bundled tiny.en); "
        "folders in ./models are found by name",
    )
    parser.add_argument(
        "--device", choices=("cpu", "cuda", "auto"), default="auto", help="compute device for speech recognition (default: auto)"
    )
    parser.add_argument(
        "--threads", type=non_negative_int, default=0, help="CPU threads for speech recognition (default: 0 = one per core)"
    )
    parser.add_argument(
        "--silence",
        type=positive_seconds,
        default=3.0,
        metavar="SECONDS",
        help="a gap in speech at least this long counts as a long silence (default: 3.0)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", type=Path, help="recording (wav, flac, mp3, m4a, ogg, opus, webm, …) or .txt transcript")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument("-o", "--output", type=Path, metavar="PATH", help="write the report to PATH instead of stdout")
    add_model_arguments(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def render(report, fmt: str, color: bool) -> str:
    if fmt == "json":
        import json

        from thinkaloud.report import report_to_dict

        return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from thinkaloud.report.markdown import render_markdown

        return render_markdown(report)
    from thinkaloud.report.text import render_text

    return render_text(report, color=color)


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


def write_output(path: Path, content: str) -> None:
    """Write atomically: a reader never sees half a report, and a failure leaves no debris."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(content, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        raise OutputError(f"cannot write {path} ({error.strerror or error}); check the folder exists and is writable.") from None


def options_from_args(args: argparse.Namespace):
    from thinkaloud.analyze import AnalyzeOptions
    from thinkaloud.asr.transcriber import TranscriberOptions

    return AnalyzeOptions(
        silence_threshold_s=args.silence,
        transcriber=TranscriberOptions(model=args.model, device=args.device, cpu_threads=args.threads),
    )


def run(args: argparse.Namespace) -> int:
    from thinkaloud.analyze import Analyzer
    from thinkaloud.cli.progress import StderrProgress

    if args.output is not None:
        check_output_path(args.output, inputs=(args.input,))
    analyzer = Analyzer(options_from_args(args))
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
    else:
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
    return ExitCode.OK
