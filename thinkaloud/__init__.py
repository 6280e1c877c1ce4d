"""thinkaloud: a local, private coach for answers spoken aloud.

Data flows one way: audio source -> transcriber -> analysis -> report ->
presentation.  Importing this package is cheap on purpose: heavy libraries
(faster-whisper, spaCy, Textual) are imported by the stages that need them.
"""

import os

__version__ = "0.1.0"

# ONNX Runtime (behind faster-whisper's Silero VAD) sends usage telemetry to
# Microsoft on Linux and macOS from version 1.29 unless told not to, and keeps a
# device id under ~/.cache.  Nothing may leave the user's machine; the runtime
# reads this once, when its first session starts, so it is set before any stage loads.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
