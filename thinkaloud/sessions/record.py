"""Keeping an analysed file as a session: folder, report, metadata, index row.

The folder is assembled under a hidden name and renamed into place, so a
session appears complete or not at all; only then is it indexed.  If the
index is busy or damaged the folder is still kept, and the next `history`
picks it up (see `SessionStore.sync`).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from thinkaloud.errors import OutputError
from thinkaloud.paths import ensure_private_dir, sessions_root
from thinkaloud.sessions.database import StoreError
from thinkaloud.sessions.layout import REPORT_FILE, SessionMeta, new_session_id, utc_now_iso, write_json_atomically, write_meta
from thinkaloud.sessions.store import SessionStore
from thinkaloud.types import Report

#: How many fresh ids to try if two takes are saved in the same second with the same suffix.
ID_ATTEMPTS = 5


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


def save_report(
    report: Report,
    kind: str,
    source: str,
    question: QuestionRef = QuestionRef(),
    parent_id: str | None = None,
    root: Path | None = None,
) -> SavedSession:
    """Write `report` as a new session folder and index it."""
    from thinkaloud.report import report_to_dict

    root = root or sessions_root()
    try:
        ensure_private_dir(root)
        folder, meta = _place_folder(root, report_to_dict(report), kind, source, question, parent_id)
    except OSError as error:
        raise OutputError(
            f"cannot save the session under {root} ({error.strerror or error}); check that the folder is writable, "
            "or pass --no-save."
        ) from None
    try:
        with SessionStore(root=root) as store:
            store.register(folder)
    except StoreError as error:
        return SavedSession(meta.id, folder, indexed=False, index_problem=error.message)
    return SavedSession(meta.id, folder, indexed=True)


def _place_folder(root, report_data, kind, source, question, parent_id) -> tuple[Path, SessionMeta]:
    for _ in range(ID_ATTEMPTS):
        meta = SessionMeta(
            id=new_session_id(),
            created=utc_now_iso(),
            kind=kind,  # type: ignore[arg-type]
            source=source,
            question=question.text,
            question_id=question.id,
            parent_id=parent_id,
            status="complete",
        )
        staging = root / f".new-{meta.id}-{os.getpid()}"
        ensure_private_dir(staging)
        try:
            write_json_atomically(staging / REPORT_FILE, report_data)
            write_meta(staging, meta)
            target = root / meta.id
            try:
                # rename(2) refuses to replace a non-empty folder, so a clash
                # with a take saved in the same second is detected, not merged.
                target.mkdir(mode=0o700)
            except FileExistsError:
                continue
            os.replace(staging, target)
            return target, meta
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    raise OSError("could not find a free session id")
