"""Architecture rules that code review alone would let slip."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import thinkaloud

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(thinkaloud.__path__, prefix="thinkaloud.")
    if not m.name.startswith("thinkaloud.ui") and m.name != "thinkaloud.__main__"
)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module):
    """Only thinkaloud.ui may import Textual; checked in a fresh interpreter per module."""
    code = f"import sys, {module}; sys.exit(1 if 'textual' in sys.modules else 0)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, f"{module} imports textual (or failed: {done.stderr[-500:]})"


def test_help_starts_without_heavy_imports():
    code = (
        "import sys\n"
        "from thinkaloud.cli import build_parser\n"
        "build_parser()\n"
        "heavy = [m for m in ('faster_whisper', 'spacy', 'textual', 'ctranslate2', 'sounddevice', 'av') if m in sys.modules]\n"
        "print(', '.join(heavy), file=sys.stderr)\n"
        "sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_module_has_a_docstring():
    import importlib

    missing = [m for m in CORE_MODULES if not (importlib.import_module(m).__doc__ or "").strip()]
    assert missing == []
