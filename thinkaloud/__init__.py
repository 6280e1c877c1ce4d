"""thinkaloud: a local, private coach for answers spoken aloud.

Data flows one way: audio source -> transcriber -> analysis -> report ->
presentation.  Importing this package is cheap on purpose: heavy libraries
(faster-whisper, spaCy, Textual) are imported by the stages that need them.
"""

__version__ = "0.1.0"
