"""Writing a take, the one way analyze, live and recover all use.

    take = TakeWriter.open("file", source, question)          # analyze: assembled out of sight
    take = TakeWriter.open("live", ..., recording=True)        # live: in place at once, "recording"
    take = TakeWriter.reopen(folder)                           # recover: a take already on disk
    saved = take.finish(report, status="complete", notes={...})

`open` makes the take's folder and its metadata.  A live take's folder is in
place from the start, stamped with the recording process, so a crash leaves
an interrupted take with its audio (see `recovery`); any other take is
assembled under a hidden name and put in place by `finish` with one rename,
so it appears complete or not at all.  `finish` writes the report and the
final metadata, each atomically, and indexes the take from the in-memory
report (nothing is read back).  If the index is busy or damaged the folder
is still kept, and the next `history` picks it up (see `SessionStore.sync`).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from thinkaloud.errors import OutputError
from thinkaloud.paths import ensure_private_dir, sessions_root
from thinkaloud.sessions.database import StoreError
from thinkaloud.sessions.layout import (
    AUDIO_FILE,
    REPORT_FILE,
    SessionKind,
    SessionMeta,
    SessionStatus,
    claim_for_this_process,
    new_session_id,
    read_meta,
    utc_now_iso,
    write_json_atomically,
    write_meta,
)
from thinkaloud.sessions.store import SessionStore
from thinkaloud.types import Report

#: How many fresh ids to try if two takes are saved in the same second with the same suffix.
ID_ATTEMPTS = 5
#: What a failed save tells the user to do, unless the caller knows better.
CHECK_WRITABLE = "check that the folder is writable"


@dataclass(frozen=True, slots=True)
class QuestionRef:
    """What a take answered: free text, optionally tied to a question bank entry."""

    text: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class SavedSession:
    id: str
    folder: Path
    indexed: bool  # False when the folder was kept but the index could not be updated
    index_problem: str | None = None


def resolve_question(value: str | None, bank=None) -> QuestionRef:
    """`--question` may be a question bank id ("ml-churn"), a bank question's wording, or any text."""
    if value is None or not value.strip():
        return QuestionRef()
    value = " ".join(value.split())
    if bank is None:
        from thinkaloud.questions import bundled_bank

        bank = bundled_bank()
    entry = bank.find(value) or bank.find_text(value)
    if entry is not None:
        return QuestionRef(text=entry.text, id=entry.id)
    return QuestionRef(text=value)


class TakeWriter:
    """One take being written: its folder and metadata now, its report when `finish` is called.

    `folder` is where the take's files go (for a take assembled out of sight,
    the hidden folder until `finish` puts it in place); `audio_path` is where
    a live take's audio is written as it arrives.
    """

    def __init__(self, meta: SessionMeta, folder: Path, root: Path, staged: bool = False):
        self.meta = meta
        self.folder = folder
        self.root = root
        self._staged = staged

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def audio_path(self) -> Path:
        return self.folder / AUDIO_FILE

    @classmethod
    def open(
        cls,
        kind: SessionKind,
        source: str,
        question: QuestionRef = QuestionRef(),
        parent_id: str | None = None,
        root: Path | None = None,
        *,
        recording: bool = False,
        notes: dict | None = None,
        advice: str = CHECK_WRITABLE,
    ) -> TakeWriter:
        """Start a new take under `root` (the data home's sessions/ by default).

        With `recording`, the folder is in place at once with status
        "recording" and this process's identity; otherwise it is assembled
        under a hidden name until `finish`.  A folder that cannot be made is
        one `OutputError` line ending in `advice`.
        """
        root = Path(root) if root is not None else sessions_root()
        meta = SessionMeta(
            id=new_session_id(),
            created=utc_now_iso(),
            kind=kind,
            source=source,
            question=question.text,
            question_id=question.id,
            parent_id=parent_id,
            status="recording" if recording else "complete",
            notes=dict(notes or {}),
        )
        folder = None
        try:
            ensure_private_dir(root)
            if not recording:
                staging = ensure_private_dir(root / f".new-{meta.id}-{os.getpid()}")
                return cls(meta, staging, root, staged=True)
            folder = _claim_folder(root, meta)
            claim_for_this_process(meta)
            write_meta(folder, meta)
        except OSError as error:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)  # no take without its session.json
            raise OutputError(f"cannot save the take under {root} ({error.strerror or error}); {advice}.") from None
        return cls(meta, folder, root)

    @classmethod
    def reopen(cls, folder: Path) -> TakeWriter:
        """A take already on disk (an interrupted one being recovered), to be finished again."""
        folder = Path(folder)
        return cls(read_meta(folder), folder, folder.parent)

    def finish(
        self,
        report: Report | None,
        status: SessionStatus = "complete",
        notes: dict | None = None,
        advice: str = CHECK_WRITABLE,
    ) -> SavedSession:
        """Write the report and the final metadata, put the take in place, and index it.

        `notes` are added to the metadata's notes.  Writing failures are one
        `OutputError` line ending in `advice`; an index that cannot be updated
        is not a failure (the folder is kept): see `SavedSession.indexed`.
        """
        from thinkaloud.report import report_to_dict

        meta = self.meta
        meta.status = status
        meta.notes = {**meta.notes, **(notes or {})}
        meta.pid = meta.host = meta.process_started = None  # nobody is recording it any more
        try:
            try:
                if report is not None:
                    write_json_atomically(self.folder / REPORT_FILE, report_to_dict(report))
                write_meta(self.folder, meta)
                if self._staged:
                    self._put_in_place()
            finally:
                if self._staged:
                    shutil.rmtree(self.folder, ignore_errors=True)  # a take is there whole or not at all
        except OSError as error:
            where = self.root / meta.id if self._staged else self.folder
            raise OutputError(f"could not save the take in {where} ({error.strerror or error}); {advice}.") from None
        return self._index(report)

    def discard(self) -> None:
        """Remove the take (a live take that recorded nothing)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def _put_in_place(self) -> None:
        for _ in range(ID_ATTEMPTS):
            target = self.root / self.meta.id
            try:
                # rename(2) refuses to replace a non-empty folder, so a clash
                # with a take saved in the same second is detected, not merged.
                target.mkdir(mode=0o700)
            except FileExistsError:
                self.meta.id = new_session_id()
                write_meta(self.folder, self.meta)
                continue
            os.replace(self.folder, target)
            self.folder = target
            self._staged = False
            return
        raise OSError("could not find a free session id")

    def _index(self, report: Report | None) -> SavedSession:
        try:
            with SessionStore(root=self.root) as store:
                store.index(self.folder, self.meta, report)
        except StoreError as error:
            return SavedSession(self.meta.id, self.folder, indexed=False, index_problem=error.message)
        return SavedSession(self.meta.id, self.folder, indexed=True)


def _claim_folder(root: Path, meta: SessionMeta) -> Path:
    """Create the take's folder under a fresh id (never an existing take's)."""
    for _ in range(ID_ATTEMPTS):
        folder = root / meta.id
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            meta.id = new_session_id()
            continue
        return ensure_private_dir(folder)
    raise OSError("could not find a free session id")


def save_report(
    report: Report,
    kind: SessionKind,
    source: str,
    question: QuestionRef = QuestionRef(),
    parent_id: str | None = None,
    root: Path | None = None,
) -> SavedSession:
    """Keep an analysed file as a new take, indexed: what `analyze` does unless --no-save."""
    advice = "check that the folder is writable, or pass --no-save"
    take = TakeWriter.open(kind, source, question, parent_id, root, advice=advice)
    return take.finish(report, advice=advice)
