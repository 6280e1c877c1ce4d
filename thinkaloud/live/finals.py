"""Final text: what an utterance's whole decode says, and what it changed.

A live word goes through three states.  It is *tentative* while only the
newest decode holds it, *stable* once two decodes agree on it
(`live.agreement`), and *final* when its utterance ends and the whole
utterance is decoded at once, with the quiet after it and the finals before
it as context: as accurate as `analyze`.  A stable word may change then,
once; final text never changes.

`Final` is one such decode, of a whole utterance or of one segment of a long
one; `revisions` says which stable words it changed, so a screen can mark
them and a benchmark can count them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from thinkaloud.live.agreement import StreamWord

#: Word timestamps of two decodes of the same audio differ by a few tens of
#: milliseconds; a final word starting this little after the last stable word
#: started may still be that word.
ALIGN_TOLERANCE_S = 0.1


@dataclass(frozen=True, slots=True)
class Final:
    """The final words of an utterance (or of a segment of a long one).

    `stable` are the stable words shown before, which these words replace;
    `speech_final` is False for every segment of a long utterance but its last.
    `audio_start`/`audio_end` bound the audio it settles: from where the
    utterance (or segment) began to where its speech ended (or the segment
    was cut).
    """

    utterance: int
    audio_start: float
    audio_end: float
    words: tuple[StreamWord, ...]
    stable: tuple[StreamWord, ...]
    speech_final: bool
    decoded: bool  # False when the stable words were taken as they were (falling behind)


@dataclass(frozen=True, slots=True)
class Revision:
    """Stable words that the final changed: `removed` (as shown) became
    `inserted`, which start at `index` in the final's words."""

    index: int
    removed: tuple[str, ...]
    inserted: tuple[str, ...]


def revisions(stable: Sequence[StreamWord], final: Sequence[StreamWord]) -> tuple[Revision, ...]:
    """How `final` differs from the `stable` words it replaces.

    Only the final words that cover the stable words' audio are compared:
    the final words after them are the utterance's tail, which was never
    stable and so was never revised.  Words compare by their normalised
    spelling, so "would," for "would" is no revision.
    """
    if not stable:
        return ()
    last = stable[-1]
    reach = last.start + max(ALIGN_TOLERANCE_S, (last.end - last.start) / 2)
    covering = [word for word in final if word.start < reach]
    shown, heard = [w.key for w in stable], [w.key for w in covering]
    found = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=shown, b=heard, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        found.append(Revision(j1, tuple(w.text for w in stable[i1:i2]), tuple(w.text for w in covering[j1:j2])))
    return tuple(found)


def revised_count(found: Sequence[Revision]) -> int:
    """How many stable words the revisions changed or removed."""
    return sum(len(revision.removed) for revision in found)
