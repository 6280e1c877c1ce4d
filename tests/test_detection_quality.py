"""Floors under the measured detection quality, so that a change that loses
accuracy fails here rather than in a user's rehearsal.

The held-out split is scored, never tuned on (see tests/data/corpus/README.md);
the floors sit a little under the figures `thinkaloud eval` printed when they
were set (macro F1 0.86, abrupt jumps 1.00 on 6 labels), to leave room for
harmless changes, not for regressions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from thinkaloud.evaluation.detection import analyzer_detector, load_answers, load_traps, score_answers, trap_detections
from thinkaloud.kinds import STRUCTURE_KINDS

CORPUS = Path(__file__).parent / "data" / "corpus"


@pytest.fixture(scope="module")
def heldout_scores(text_analyzer):
    return score_answers(load_answers(CORPUS / "heldout.jsonl"), analyzer_detector(text_analyzer))


def test_structure_detection_on_the_heldout_split_keeps_its_floor(heldout_scores):
    # 0.83, not the 0.85 target: the classifier also learns from real speech and its thresholds
    # cap its false highlights there (models/train_signal_classifier.py, REAL_FALSE_BUDGET), which
    # costs written-style limitations recall (0.835 at this build, 0.86 before real speech came in).
    assert heldout_scores.macro_f1 >= 0.83, {k: round(heldout_scores.per_kind[k].f1, 2) for k in STRUCTURE_KINDS}
    assert min(heldout_scores.per_kind[k].f1 for k in STRUCTURE_KINDS) >= 0.55


def test_abrupt_jumps_on_the_heldout_split_keep_their_floor(heldout_scores):
    assert heldout_scores.abrupt.f1 >= 0.70


def test_no_keyword_trap_fires_a_structure_detector(text_analyzer):
    assert trap_detections(load_traps(CORPUS / "traps.jsonl"), analyzer_detector(text_analyzer)) == []


def test_eval_prints_the_real_speech_figures_beside_the_written_ones():
    from tests.cli import thinkaloud

    result = thinkaloud("eval")
    assert result.code == 0, result.stderr
    out = result.stdout
    assert out.index("Text: heldout split") < out.index("Real speech: heldout split, 76 passages")
    assert "lowercase and unpunctuated" in out
    real = out[out.index("Real speech:"):]
    for row in ("framing", "assumption", "tradeoff", "limitation", "recap", "micro (5)", "false / 100", "jumps / 100"):
        assert f"\n{row}" in real, row
