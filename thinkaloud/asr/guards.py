"""Guards against Whisper's two classic failure modes on poor audio.

Repetition loops ("S S S S ...", the same phrase over and over) and
low-confidence text invented over noise.  Both act on our own word records,
after decoding, so they apply to file analysis and live streaming alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_NORMALISE = re.compile(r"[^\w']+")


@dataclass(frozen=True, slots=True)
class GuardOptions:
    """Attributes:
    max_repeats: an n-gram (n <= max_ngram) repeated back to back more than this
      many times is a loop, and only its first copy is kept.  People do say
      "no, no, no", so short runs are left alone.
    max_ngram: longest repeated phrase looked for.
    min_segment_logprob: segments whose average token log-probability is below
      this AND whose no-speech probability is above `max_no_speech_prob` are
      dropped as invented text (Whisper's own heuristic, applied per segment).
    max_no_speech_prob: see above.
    """

    max_repeats: int = 3
    max_ngram: int = 4
    min_segment_logprob: float = -1.0
    max_no_speech_prob: float = 0.6


def normalise(word: str) -> str:
    return _NORMALISE.sub("", word.lower())


def collapse_repetitions(tokens: Sequence[str], options: GuardOptions = GuardOptions()) -> list[int]:
    """Indices of `tokens` to keep once back-to-back repeats beyond the limit are removed.

    Works on normalised spellings, so "S," and "S" count as the same token.
    Linear in len(tokens) for a fixed `max_ngram`.
    """
    keys = [normalise(t) for t in tokens]
    keep = [True] * len(keys)
    i = 0
    while i < len(keys):
        advanced = False
        for n in range(1, options.max_ngram + 1):
            gram = keys[i : i + n]
            if len(gram) < n or not any(gram):
                continue
            copies = 1
            while keys[i + copies * n : i + (copies + 1) * n] == gram:
                copies += 1
            if copies > options.max_repeats:
                for j in range(i + n, i + copies * n):
                    keep[j] = False
                i += copies * n
                advanced = True
                break
        if not advanced:
            i += 1
    return [index for index, kept in enumerate(keep) if kept]


def is_invented_segment(avg_logprob: float, no_speech_prob: float, options: GuardOptions = GuardOptions()) -> bool:
    return avg_logprob < options.min_segment_logprob and no_speech_prob > options.max_no_speech_prob
