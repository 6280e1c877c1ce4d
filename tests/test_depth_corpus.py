"""The written corpus's depth labels are the adjudicated labels of two annotators, and nothing else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEPTH = Path(__file__).parent / "data" / "corpus" / "depth"


def test_the_splits_hold_exactly_the_adjudicated_depth_labels():
    result = subprocess.run([sys.executable, str(DEPTH / "assemble.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Cohen's kappa: rationale 0.92, mitigation 0.89" in result.stdout
