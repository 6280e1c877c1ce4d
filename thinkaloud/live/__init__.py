"""Live rehearsal: capture, streaming transcription and incremental analysis.

Consumers see only `events` (the dataclasses every stage emits) and the
`LiveSession` protocol; the TUI and `live --no-tui` are both just consumers.
"""
