"""Which detectors run and with which extra cues: options that load nothing.

Kept apart from `nlp.pipeline` so that building options (every command does)
does not import spaCy; the pipeline loads it when it is first needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from thinkaloud.kinds import TEXT_KINDS


@dataclass(frozen=True, slots=True)
class DetectorOptions:
    """Which detectors run and with which extra cues.

    Attributes:
      enabled: kinds to detect (any of `thinkaloud.kinds.TEXT_KINDS`).
      extra_cues: the user's own cue phrases per kind, matched case-insensitively.
      classifier: also run the trained sentence classifier (shipped in thinkaloud/nlp/model/)
        for the sentence kinds it was trained on.
    """

    enabled: tuple[str, ...] = TEXT_KINDS
    extra_cues: Mapping[str, Sequence[str]] = field(default_factory=dict)
    classifier: bool = True
