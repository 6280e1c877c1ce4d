"""Speech recognition: finding a Whisper model and turning speech into timed words."""
