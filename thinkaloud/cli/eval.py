"""`thinkaloud eval`: how well the detectors do on the labelled corpus.

Prints precision, recall and F1 per kind next to a keyword baseline, abrupt
topic jumps, the keyword traps that fired, and the speed of text analysis;
with `--audio`, the same end to end through speech recognition on
synthesised recordings of the held-out answers, with their long silences.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from thinkaloud.errors import ExitCode, InputError

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "tests" / "data" / "corpus"
DEFAULT_AUDIO = Path(__file__).resolve().parents[2] / "tests" / "data" / "eval_audio"
DEFAULT_REAL = Path(__file__).resolve().parents[2] / "tests" / "data" / "real_speech"
SPLITS = ("heldout", "dev", "train", "train2", "train3", "train4")
REAL_SPLITS = ("heldout", "dev", "train")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--split", choices=SPLITS, default="heldout", help="corpus split to score (default: heldout, never tuned on)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with the labelled corpus")
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL, help="folder with the labelled real-speech corpus")
    parser.add_argument("--real-split", choices=REAL_SPLITS, default="heldout", help="real-speech split to score (default: heldout, never tuned on)")
    parser.add_argument("--audio", action="store_true", help="also score end to end through speech recognition")
    parser.add_argument("--audio-dir", type=Path, default=DEFAULT_AUDIO, help="folder with the synthesised evaluation audio")
    parser.add_argument("--errors", action="store_true", help="list every false positive and false negative")
    parser.add_argument("--no-classifier", action="store_true", help="cue patterns only, without the trained classifier")


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise InputError(f"{what} not found at {path}; run from a thinkaloud checkout or pass its location.")
    return path


def run(args: argparse.Namespace) -> int:
    from thinkaloud.evaluation.detection import (
        analyzer_detector,
        format_table,
        keyword_baseline,
        load_answers,
        load_traps,
        score_answers,
        trap_detections,
    )
    from thinkaloud.nlp.pipeline import DetectorOptions, TextAnalyzer

    answers = load_answers(_require(args.corpus / f"{args.split}.jsonl", f"the {args.split} split"))
    traps = load_traps(_require(args.corpus / "traps.jsonl", "the keyword traps"))
    analyzer = TextAnalyzer(DetectorOptions(classifier=not args.no_classifier))
    detect = analyzer_detector(analyzer)
    out = sys.stdout

    started = time.perf_counter()
    scores = score_answers(answers, detect)
    elapsed = time.perf_counter() - started
    baseline = score_answers(answers, keyword_baseline)
    sentences = sum(len(a.sentences) for a in answers)
    out.write(f"Text: {args.split} split, {len(answers)} answers, {sentences} sentences ({analyzer.name})\n\n")
    out.write(format_table([("thinkaloud", scores), ("keyword baseline", baseline)]) + "\n\n")

    fired = trap_detections(traps, detect)
    out.write(f"Keyword traps: {len(fired)} of {len(traps)} fired a structure detector\n")
    for line in fired:
        out.write(f"  {line}\n")

    out.write("\nBy style (macro F1 over the five structure kinds):\n")
    for style in sorted({a.style for a in answers}):
        subset = score_answers([a for a in answers if a.style == style], detect)
        out.write(f"  {style:<11} {subset.macro_f1:.2f}  ({sum(1 for a in answers if a.style == style)} answers)\n")

    words = sum(len(s.text.split()) for a in answers for s in a.sentences)
    out.write(f"\nSpeed: {words} words analysed in {elapsed:.2f} s ({words / elapsed:,.0f} words/s; "
              f"a 10-minute answer of ~1,500 words takes ~{1500 / (words / elapsed):.2f} s)\n")
    if args.errors:
        out.write("\nErrors:\n" + "\n".join(f"  {e}" for e in sorted(scores.errors)) + "\n")

    _run_real(args, detect, out)
    if args.audio:
        _run_audio(args, out)
    return ExitCode.OK


def _run_real(args: argparse.Namespace, detect, out) -> None:
    """Real people speaking, labelled by two annotators: as transcribed, and as raw recognition writes it."""
    from thinkaloud.evaluation.detection import format_real_table, keyword_baseline, load_answers, score_answers

    def rows(answers):
        return [("thinkaloud", score_answers(answers, detect)), ("keyword baseline", score_answers(answers, keyword_baseline))]

    split = args.real_split
    answers = load_answers(_require(args.real / f"{split}.jsonl", f"the real-speech {split} split"))
    scored = rows(answers)
    sentences = sum(len(a.sentences) for a in answers)
    out.write(f"\nReal speech: {split} split, {len(answers)} passages of podcast answers and research meetings, "
              f"{sentences} sentences, labelled by two annotators (see {args.real.name}/README.md)\n\n")
    out.write(format_real_table(scored) + "\n")
    unpunctuated = args.real / f"{split}_asr.jsonl"
    if unpunctuated.exists():
        out.write("\nThe same, lowercase and unpunctuated as raw speech recognition writes it:\n\n")
        out.write(format_real_table(rows(load_answers(unpunctuated))) + "\n")
    if args.errors:
        errors = scored[0][1].errors
        out.write("\nErrors (real speech):\n" + "\n".join(f"  {e}" for e in sorted(errors)) + "\n")


def _run_audio(args: argparse.Namespace, out) -> None:
    from thinkaloud.analyze import Analyzer
    from thinkaloud.evaluation.detection import Scores, SilenceScores, format_table, load_timed_answers, score_timed_report
    from thinkaloud.evaluation.wer import word_error_rate
    from thinkaloud.nlp.pipeline import DetectorOptions, TextAnalyzer
    from thinkaloud.analyze import AnalyzeOptions

    manifest = _require(args.audio_dir / "manifest.jsonl", "the evaluation audio manifest")
    timed = load_timed_answers(manifest)
    analyzer = Analyzer(AnalyzeOptions(), text_analyzer=TextAnalyzer(DetectorOptions(classifier=not args.no_classifier)))
    scores, silences = Scores(), SilenceScores()
    wers, audio_s, started = [], 0.0, time.perf_counter()
    for index, answer in enumerate(timed, 1):
        sys.stderr.write(f"\raudio {index}/{len(timed)}: {answer.id}   ")
        report = analyzer.analyze_path(answer.audio)
        audio_s += report.source.duration_s or 0
        wers.append(word_error_rate(" ".join(s.text for s in answer.sentences), report.transcript.text))
        score_timed_report(answer, report, scores, silences)
    sys.stderr.write("\n")
    elapsed = time.perf_counter() - started
    out.write(f"\nAudio, end to end through {analyzer.transcriber.model_name}: {len(timed)} answers, {audio_s:.0f} s of speech, "
              f"analysed in {elapsed:.0f} s; mean WER {sum(wers) / len(wers) * 100:.1f}%\n\n")
    out.write(format_table([("thinkaloud (audio)", scores)]) + "\n\n")
    labelled = silences.found + len(silences.missed)
    out.write(f"Long silences: {silences.found} of {labelled} found with both ends within 0.35 s "
              f"(worst boundary error {silences.worst_boundary_error_s:.2f} s); {len(silences.false)} false\n")
    for line in silences.missed:
        out.write(f"  missed {line}\n")
    for line in silences.false:
        out.write(f"  false  {line}\n")
    if args.errors:
        out.write("\nErrors (audio):\n" + "\n".join(f"  {e}" for e in sorted(scores.errors)) + "\n")
