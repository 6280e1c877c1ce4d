"""Benchmark: the session store at a size a committed user reaches (hundreds to thousands of takes).

Saves N takes (a real report of the weak sample, analysed once from its
transcript), then times what a user waits for: saving one take, `history`
(sync + list + trends), resolving an id prefix, `compare`, rendering the
history page, rebuilding the index from the folders, and N saves from four
processes at once.  Prints one line per figure; runs in a throwaway
THINKALOUD_HOME.

    .venv/bin/python benchmarks/bench_sessions.py [--takes 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(label: str, action, repeat: int = 5) -> None:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    print(f"{label:<44} median {statistics.median(times) * 1000:8.1f} ms   (best {min(times) * 1000:.1f} ms, {repeat} runs)")


def _save_batch(args: tuple[str, str, int]) -> int:
    home, report_json, count = args
    os.environ["THINKALOUD_HOME"] = home
    from thinkaloud.report import report_from_dict
    from thinkaloud.sessions.record import save_report

    report = report_from_dict(json.loads(report_json))
    for i in range(count):
        save_report(report, kind="file", source=f"parallel-{os.getpid()}-{i}.wav")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--takes", type=int, default=1000)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="thinkaloud-bench-")
    os.environ["THINKALOUD_HOME"] = home
    sys.path.insert(0, str(REPO))

    from thinkaloud.analyze import Analyzer
    from thinkaloud.report import report_to_dict
    from thinkaloud.report.html import render_history_html
    from thinkaloud.sessions.compare import compare_sessions
    from thinkaloud.sessions.record import QuestionRef, save_report
    from thinkaloud.sessions.store import SessionStore, trend_rows
    from thinkaloud.sessions.trends import trends

    text = (REPO / "samples" / "weak_answer.txt").read_text()
    report = Analyzer().analyze_text(text, source="weak_answer.txt")
    question = QuestionRef("How would you design a model to predict customer churn for a subscription service?", "ml-churn")

    started = time.perf_counter()
    ids = [save_report(report, kind="file", source=f"take-{i}.wav", question=question).id for i in range(args.takes)]
    elapsed = time.perf_counter() - started
    print(f"saving {args.takes} takes one by one{'':<17} {elapsed:8.2f} s    ({elapsed / args.takes * 1000:.1f} ms a take)")

    def history() -> None:
        with SessionStore() as store:
            store.sync()
            rows = store.list()
        trends(trend_rows(rows))

    timed(f"history of {args.takes} takes (sync, list, trends)", history)
    def newest() -> None:
        with SessionStore() as store:
            store.list(limit=25)

    def resolve() -> None:
        with SessionStore() as store:
            store.resolve(ids[len(ids) // 2][:-1])

    timed("history --limit 25", newest)
    timed("resolve a unique id prefix", resolve)

    def compare() -> None:
        with SessionStore() as store:
            compare_sessions(store.load(ids[0]), store.load(ids[-1]))

    timed("compare two takes (load both reports)", compare)

    def history_page() -> None:
        with SessionStore() as store:
            rows = store.list()
        render_history_html(rows, trend_rows(rows))

    timed(f"history --format html ({args.takes} takes)", history_page, repeat=3)

    def rebuild() -> None:
        with SessionStore() as store:
            store.rebuild()

    timed(f"history --rebuild ({args.takes} folders)", rebuild, repeat=3)

    report_json = json.dumps(report_to_dict(report))
    per_worker = max(1, args.takes // 4)
    started = time.perf_counter()
    with ProcessPoolExecutor(4) as pool:
        saved = sum(pool.map(_save_batch, [(home, report_json, per_worker)] * 4))
    elapsed = time.perf_counter() - started
    with SessionStore() as store:
        total = len(store.list())
    print(f"4 processes saving {saved} takes at once{'':<10} {elapsed:8.2f} s    (index now holds {total} of "
          f"{args.takes + saved} takes; none lost: {total == args.takes + saved})")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
