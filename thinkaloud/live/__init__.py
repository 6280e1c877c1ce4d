"""Live rehearsal: capture, streaming transcription and incremental analysis.

Consumers see only `events` (the dataclasses every stage emits) and the
`LiveSession` protocol; the TUI and `live --no-tui` are both just consumers.
`session.open_live_session(LiveOptions)` is the way in.

    capture        the bounded capture queue, resampling, playing a file as a source
    microphone     PortAudio devices and the microphone source
    recording      the crash-safe WAV writer (`audio.wavfile.repair_wav` mends a crashed one)
    vad, silence   voice activity as it streams; long silences while they last
    agreement      the LocalAgreement-2 commit policy
    streaming      the streaming recogniser and the faster-whisper buffer decoder
    analysis       the `analyze` detectors on committed text; the final report
    capture_stage, transcribe_stage   the two threads
    session        options, the engine, finalising and saving the take
"""
