"""Which detectors run and with which extra cues: options that load nothing.

Kept apart from `nlp.pipeline` so that building options (every command does)
does not import spaCy; the pipeline loads it when it is first needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: Sentence-level kinds, each detected by a `thinkaloud_cues` instance.
CUE_KINDS = ("framing", "assumption", "tradeoff", "limitation", "recap", "filler", "hedge")
#: Kinds whose signal is the cue phrase itself rather than the sentence around it.
PHRASE_KINDS = frozenset({"filler", "hedge"})


@dataclass(frozen=True, slots=True)
class DetectorOptions:
    """Which detectors run and with which extra cues.

    Attributes:
      enabled: kinds to detect (any of CUE_KINDS and "topic_shift").
      extra_cues: the user's own cue phrases per kind, matched case-insensitively.
      classifier: also run the trained sentence classifier (shipped in thinkaloud/nlp/model/)
        for the structure kinds, where it is installed.
    """

    enabled: tuple[str, ...] = CUE_KINDS + ("topic_shift",)
    extra_cues: Mapping[str, Sequence[str]] = field(default_factory=dict)
    classifier: bool = True
