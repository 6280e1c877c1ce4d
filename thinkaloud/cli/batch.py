"""`thinkaloud analyze A.wav B.m4a DIR/ …`: many recordings, one progress bar.

Each worker process loads the models once and analyses file after file; the
parent writes each report as soon as it arrives (so Ctrl+C keeps what is
done), reports a failing file in one line and goes on, and ends with a line
counting successes and failures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from thinkaloud.cli.output import render, save_session, write_output
from thinkaloud.errors import ExitCode, InputError, OutputError, ThinkaloudError

AUDIO_SUFFIXES = frozenset(".wav .flac .mp3 .m4a .mp4 .aac .ogg .oga .opus .webm .mkv .wma .aiff .aif .caf".split())
TEXT_SUFFIXES = frozenset({".txt", ".text"})
REPORT_SUFFIX = {"json": ".json", "markdown": ".md", "text": ".txt"}


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files as given, and the recordings and transcripts inside given folders (sorted, recursive)."""
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found = sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES | TEXT_SUFFIXES)
            if not found:
                raise InputError(f"folder {item} holds no recordings or .txt transcripts; check the path.")
            files += found
        else:
            files.append(item)
    return files


def report_name(path: Path, fmt: str, taken: set[str]) -> str:
    """`answer.json` for `answer.wav`; `answer-2.json` if another input already took that name."""
    name = path.stem + REPORT_SUFFIX[fmt]
    counter = 2
    while name in taken:
        name = f"{path.stem}-{counter}{REPORT_SUFFIX[fmt]}"
        counter += 1
    taken.add(name)
    return name


@dataclass(frozen=True, slots=True)
class Outcome:
    path: Path
    report: object | None  # thinkaloud.types.Report
    error: str | None
    exit_code: int
    seconds: float


# One analyser per worker process, built by the pool's initializer.
_worker_analyzer = None


def _init_worker(options) -> None:
    global _worker_analyzer
    from thinkaloud.analyze import Analyzer

    _worker_analyzer = Analyzer(options)


def _analyse_one(path: Path) -> Outcome:
    started = time.monotonic()
    try:
        report = _worker_analyzer.analyze_path(path)
        return Outcome(path, report, None, ExitCode.OK, time.monotonic() - started)
    except ThinkaloudError as error:
        return Outcome(path, None, error.message, error.exit_code, time.monotonic() - started)
    except Exception as error:  # one bad file must not stop the batch
        return Outcome(path, None, f"internal error ({type(error).__name__}: {error})", ExitCode.INTERNAL, time.monotonic() - started)


def _outcomes(files: list[Path], options, jobs: int) -> Iterator[Outcome]:
    """Outcomes in completion order; in-process when one job is enough."""
    if jobs <= 1 or len(files) == 1:
        _init_worker(options)
        for path in files:
            yield _analyse_one(path)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(options,)) as pool:
        pending: set[Future] = {pool.submit(_analyse_one, path) for path in files}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def run_batch(args: argparse.Namespace, files: list[Path], options, config) -> int:
    from thinkaloud.cli.progress import StderrProgress

    out_dir: Path | None = args.output
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            raise OutputError(f"with several inputs, -o must be a folder, and {out_dir} is a file; choose a folder.")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(f"cannot create folder {out_dir} ({error.strerror}); choose another -o folder.") from None
        if not os.access(out_dir, os.W_OK):
            raise OutputError(f"folder {out_dir} is not writable; choose another -o folder.")
    jobs = max(1, min(args.jobs, len(files)))
    progress = StderrProgress(f"{len(files)} files", enabled=not args.quiet)
    started = time.monotonic()
    taken: set[str] = set()
    names = {path: report_name(path, args.format, taken) for path in files}
    succeeded, failed, worst = 0, 0, ExitCode.OK
    progress("analysing", 0.0)
    try:
        for outcome in _outcomes(files, options, jobs):
            if outcome.report is None:
                failed += 1
                worst = max(worst, outcome.exit_code)
                progress.finish()
                sys.stderr.write(f"thinkaloud: skipped {outcome.path}: {outcome.error}\n")
            else:
                succeeded += 1
                content = render(outcome.report, args.format, color=False)
                if out_dir is not None:
                    write_output(out_dir / names[outcome.path], content)
                elif args.format == "json":
                    sys.stdout.write(json.dumps(json.loads(content), ensure_ascii=False) + "\n")  # JSON Lines
                else:
                    sys.stdout.write(content + "\n")
                sys.stdout.flush()
                if save_session(args, outcome.report, config, outcome.path, announce=False) != ExitCode.OK:
                    worst = max(worst, ExitCode.OUTPUT)
            progress("analysing", (succeeded + failed) / len(files))
    except KeyboardInterrupt:
        progress.finish()
        sys.stderr.write(
            f"thinkaloud: interrupted; {succeeded} of {len(files)} files analysed"
            + (f", reports kept in {out_dir}" if out_dir is not None else "") + ".\n"
        )
        return ExitCode.INTERRUPTED
    progress.finish()
    elapsed = time.monotonic() - started
    where = f"; reports in {out_dir}" if out_dir is not None else ""
    sys.stderr.write(
        f"thinkaloud: {succeeded} of {len(files)} files analysed, {failed} failed, in {elapsed:.1f} s with {jobs} "
        f"job{'s' if jobs > 1 else ''}{where}.\n"
    )
    return worst
