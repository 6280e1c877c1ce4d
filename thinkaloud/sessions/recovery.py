"""Takes whose recorder died: finding them, making their audio playable, analysing them.

A live take is written with status "recording"; when its process is killed
(SIGKILL, a power cut, a crash) the folder keeps that status and a WAV whose
header declares only what was synced.  Every session command calls
`repair_interrupted_audio` when it opens the index, so such a WAV is made
whole (its header rewritten to cover every sample on disk) the first time
anyone looks; `recover_session` then analyses the audio the way `analyze`
does and finishes the take as a complete one, through the same
`record.TakeWriter` that analyze and live write takes with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from thinkaloud.audio.wavfile import read_wav_layout, repair_wav
from thinkaloud.errors import InputError
from thinkaloud.sessions.layout import (
    AUDIO_FILE,
    REPORT_FILE,
    SessionMeta,
    effective_status,
    read_meta,
    session_dirs,
)


@dataclass(frozen=True, slots=True)
class InterruptedTake:
    """A take that needs `recover`: interrupted, with no report."""

    meta: SessionMeta
    folder: Path

    @property
    def audio_path(self) -> Path:
        return self.folder / AUDIO_FILE

    @property
    def audio_s(self) -> float | None:
        """Seconds of audio on disk (after repair), or None when there is no readable WAV."""
        try:
            layout = read_wav_layout(self.audio_path)
        except OSError:
            return None
        if layout is None:
            return None
        whole = layout.available_data_bytes // layout.bytes_per_frame
        return whole / layout.sample_rate


def needs_recovery(meta: SessionMeta, folder: Path) -> bool:
    """Interrupted before it was analysed (a take cut short by a lost microphone keeps its report)."""
    if effective_status(meta, folder) != "interrupted":
        return False
    return meta.status == "recording" or not (folder / REPORT_FILE).is_file()


def interrupted_takes(root: Path | None = None) -> list[InterruptedTake]:
    """Every take that needs recovery, oldest first; unreadable folders are skipped (sync warns)."""
    found = []
    for folder in session_dirs(root):
        try:
            meta = read_meta(folder)
        except (OSError, ValueError, TypeError):
            continue
        if needs_recovery(meta, folder):
            found.append(InterruptedTake(meta, folder))
    return found


def repair_audio(folder: Path) -> bool:
    """Make the take's WAV header declare all its samples; False when there was nothing to do.

    Cheap and idempotent: it reads the header and rewrites eight bytes at most.
    """
    try:
        return repair_wav(folder / AUDIO_FILE)
    except (OSError, ValueError):
        return False  # no audio, not a WAV, or read-only: recovery reports it when asked


def repair_interrupted_audio(store) -> list[str]:
    """Repair the WAV of every dead "recording" take the index knows; returns the ids repaired.

    Uses the index (kept in sync by the caller) rather than every folder, so it
    costs one query when nothing was interrupted.
    """
    try:
        records = store.connection.execute("SELECT id, folder FROM sessions WHERE status = 'recording'").fetchall()
    except Exception:
        return []
    repaired = []
    for record in records:
        folder = store.folder_path(record["folder"])
        try:
            meta = read_meta(folder)
        except (OSError, ValueError, TypeError):
            continue
        if effective_status(meta, folder) == "interrupted" and repair_audio(folder):
            repaired.append(meta.id)
    return repaired


def recover_session(folder: Path, analyzer, progress=None):
    """Analyse an interrupted take's audio, save its report and mark it complete.

    Returns the report.  The metadata keeps a note of the recovery and of how
    much audio there was.  Raises one-line errors when there is no usable audio
    or the folder cannot be written.
    """
    meta = read_meta(folder)
    audio = folder / AUDIO_FILE
    if not audio.is_file():
        raise InputError(
            f"session {meta.id} has no audio to recover ({audio} is missing); remove it with 'thinkaloud delete {meta.id}'."
        )
    repaired = repair_audio(folder)
    take = InterruptedTake(meta, folder)
    seconds = take.audio_s
    if seconds is None:
        raise InputError(f"{audio} is not a readable WAV file, so session {meta.id} cannot be recovered.")
    if seconds == 0:
        raise InputError(
            f"session {meta.id} was interrupted before any audio was recorded; remove it with 'thinkaloud delete {meta.id}'."
        )
    kwargs = {"progress": progress} if progress is not None else {}
    report = analyzer.analyze_path(audio, **kwargs)

    from thinkaloud.sessions.database import StoreError
    from thinkaloud.sessions.record import TakeWriter

    notes = {
        "recovered": {
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "audio_s": round(seconds, 3),
            "was": meta.status if meta.status != "recording" else "interrupted",
            "header_repaired": repaired,
        },
    }
    saved = TakeWriter.reopen(folder).finish(report, status="complete", notes=notes)
    if not saved.indexed:
        raise StoreError(saved.index_problem or f"the session index could not record session {meta.id}.")
    return report
