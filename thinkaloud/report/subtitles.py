"""Subtitles of a take: SRT and WebVTT cues built from the words' timings.

Words are grouped into cues that a viewer can read: a cue ends at the end of
a sentence, before a pause long enough to leave the screen empty, or when it
would last longer than `max_cue_s` or hold more than `max_lines` lines of
`max_line_chars`.  The cue text is cut from the transcript itself, so
punctuation survives.  WebVTT cues also carry each word's start time as an
inline timestamp (karaoke style), which players use to highlight the word
being spoken.  `parse_srt` and `parse_vtt` read both formats back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from thinkaloud.errors import InputError
from thinkaloud.types import Report, Word


@dataclass(frozen=True, slots=True)
class SubtitleOptions:
    """How words are grouped into cues.

    Attributes:
      max_cue_s: longest time one cue stays on screen.
      max_line_chars: longest line; 42 is the common broadcast limit.
      max_lines: lines per cue.
      split_pause_s: a pause at least this long between words ends the cue.
      min_cue_s: shortest time a cue stays up, if the next cue leaves room.
      word_timestamps: WebVTT only: mark each word's start inside the cue.
    """

    max_cue_s: float = 7.0
    max_line_chars: int = 42
    max_lines: int = 2
    split_pause_s: float = 1.5
    min_cue_s: float = 0.8
    word_timestamps: bool = True


Token = tuple[str, int]  # a whitespace-free piece of the transcript and its offset there


@dataclass(frozen=True, slots=True)
class Cue:
    start: float
    end: float
    line_tokens: tuple[tuple[Token, ...], ...]
    words: tuple[Word, ...] = ()

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(" ".join(token for token, _ in line) for line in self.line_tokens)

    @property
    def text(self) -> str:
        return " ".join(self.lines)


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def _timed_words(report: Report) -> list[Word]:
    return [w for w in report.transcript.words if w.start is not None and w.end is not None]


def build_cues(report: Report, options: SubtitleOptions = SubtitleOptions()) -> list[Cue]:
    """Cues in time order, never overlapping."""
    words = _timed_words(report)
    if not words:
        if report.source.kind == "text":
            raise InputError("this take was analysed from a text transcript, so it has no word timings for subtitles; "
                             "export it as markdown, html or json instead.")
        raise InputError("this take has no timed words (no speech was recognised), so there are no subtitles to export.")
    text = report.transcript.text
    cues: list[Cue] = []
    for sentence in _sentences(words, text, options.split_pause_s):
        for chunk in _chunks(sentence, text, options):
            lines = _wrap(_tokens(chunk, text), options.max_line_chars, options.max_lines)
            cues.append(Cue(chunk[0].start, chunk[-1].end, tuple(tuple(line) for line in lines), tuple(chunk)))
    return _spaced(cues, options.min_cue_s)


def _ends_sentence(word: Word, text: str) -> bool:
    return bool(_SENTENCE_END.search(word.text) or _SENTENCE_END.search(text[word.char_start : word.char_end + 1].rstrip()))


def _sentences(words: Sequence[Word], text: str, split_pause_s: float) -> Iterator[list[Word]]:
    """Runs of words ending at a sentence end or before a long pause."""
    group: list[Word] = []
    for word in words:
        if group and word.start - group[-1].end >= split_pause_s:
            yield group
            group = []
        group.append(word)
        if _ends_sentence(word, text):
            yield group
            group = []
    if group:
        yield group


def _tokens(words: Sequence[Word], text: str) -> list[Token]:
    """The cue's text as (token, offset in the transcript) pairs, cut from the transcript itself."""
    start, end = words[0].char_start, words[-1].char_end
    if end <= start:
        return [(w.text, w.char_start) for w in words]
    # Keep closing punctuation glued to the last word ("late." not "late").
    while end < len(text) and not text[end].isspace() and not text[end].isalnum():
        end += 1
    return [(m.group(), start + m.start()) for m in re.finditer(r"\S+", text[start:end])]


def _wrap(tokens: Sequence[Token], width: int, max_lines: int) -> list[list[Token]]:
    """Greedy lines of at most `width` characters; two lines are balanced so neither is much longer."""
    lines: list[list[Token]] = [[]]
    for token in tokens:
        current = lines[-1]
        if current and _length(current + [token]) > width:
            lines.append([token])
        else:
            current.append(token)
    if len(lines) == 2 and max_lines >= 2:
        flat = lines[0] + lines[1]
        best = min(range(1, len(flat)), key=lambda k: (max(_length(flat[:k]), _length(flat[k:])), -k))
        if max(_length(flat[:best]), _length(flat[best:])) <= width:
            lines = [flat[:best], flat[best:]]
    return lines


def _length(tokens: Sequence[Token]) -> int:
    return sum(len(t) for t, _ in tokens) + max(0, len(tokens) - 1)


def _fits(words: Sequence[Word], text: str, options: SubtitleOptions) -> bool:
    if len(words) == 1:
        return True
    if words[-1].end - words[0].start > options.max_cue_s:
        return False
    return len(_wrap(_tokens(words, text), options.max_line_chars, options.max_lines)) <= options.max_lines


def _chunks(sentence: list[Word], text: str, options: SubtitleOptions) -> list[list[Word]]:
    """A sentence as one cue if it fits, else as the fewest balanced pieces that do."""
    if _fits(sentence, text, options):
        return [sentence]
    for pieces in range(2, len(sentence) + 1):
        chunks = _split_balanced(sentence, text, pieces)
        if all(_fits(chunk, text, options) for chunk in chunks):
            return chunks
    return [[word] for word in sentence]


def _split_balanced(words: list[Word], text: str, pieces: int) -> list[list[Word]]:
    """Cut into `pieces` runs of similar length, preferring cuts after a comma or similar pause mark."""
    offsets = [w.char_start - words[0].char_start for w in words]
    total = words[-1].char_end - words[0].char_start
    cuts: list[int] = []
    previous = 0
    for k in range(1, pieces):
        ideal = total * k / pieces
        candidates = range(previous + 1, len(words) - (pieces - k) + 1)

        def cost(i: int) -> float:
            after_pause = text[words[i - 1].char_end : words[i].char_start].strip() in {",", ";", ":", "—", "-"} or \
                words[i - 1].text.endswith((",", ";", ":"))
            return abs(offsets[i] - ideal) - (10 if after_pause else 0)

        cut = min(candidates, key=cost)
        cuts.append(cut)
        previous = cut
    bounds = [0, *cuts, len(words)]
    return [words[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


def _spaced(cues: list[Cue], min_cue_s: float) -> list[Cue]:
    """Stretch very short cues (into the following gap only) and remove overlaps."""
    out = []
    for index, cue in enumerate(cues):
        following = cues[index + 1].start if index + 1 < len(cues) else None
        end = max(cue.end, cue.start + min_cue_s)
        if following is not None:
            end = min(end, max(following, cue.end))
        out.append(Cue(cue.start, max(end, cue.start + 0.001), cue.line_tokens, cue.words))
    # Words may overlap by a few milliseconds; never let a cue end after the next begins.
    for index in range(len(out) - 1):
        if out[index].end > out[index + 1].start:
            cue = out[index]
            out[index] = Cue(cue.start, max(cue.start + 0.001, out[index + 1].start), cue.line_tokens, cue.words)
    return out


# --- writing -----------------------------------------------------------------


def timestamp(seconds: float, separator: str = ".") -> str:
    millis = max(0, int(round(seconds * 1000)))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def render_srt(report: Report, options: SubtitleOptions = SubtitleOptions()) -> str:
    blocks = []
    for number, cue in enumerate(build_cues(report, options), 1):
        blocks.append(f"{number}\n{timestamp(cue.start, ',')} --> {timestamp(cue.end, ',')}\n" + "\n".join(cue.lines))
    return "\n\n".join(blocks) + "\n"


def render_vtt(report: Report, options: SubtitleOptions = SubtitleOptions(), title: str | None = None) -> str:
    header = "WEBVTT" + (f" - {_vtt_safe(title)}" if title else "")
    blocks = [header]
    for number, cue in enumerate(build_cues(report, options), 1):
        lines = _timed_lines(cue) if options.word_timestamps else [_vtt_escape(line) for line in cue.lines]
        blocks.append(f"{number}\n{timestamp(cue.start)} --> {timestamp(cue.end)}\n" + "\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _timed_lines(cue: Cue) -> list[str]:
    """The cue's lines with `<hh:mm:ss.ttt>` before each word but the first (WebVTT karaoke timing)."""
    starts = {w.char_start: w.start for w in cue.words}
    first = cue.words[0].char_start
    out = []
    for line in cue.line_tokens:
        pieces = []
        for token, offset in line:
            stamp = starts.get(offset)
            pieces.append(_vtt_escape(token) if stamp is None or offset == first else f"<{timestamp(stamp)}>{_vtt_escape(token)}")
        out.append(" ".join(pieces))
    return out


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _vtt_safe(title: str) -> str:
    return " ".join(title.replace("-->", "→").split())


# --- reading back ------------------------------------------------------------

_SRT_TIME = re.compile(r"^(\d{2,}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2,}):(\d{2}):(\d{2}),(\d{3})$")
_VTT_TIME = re.compile(r"^(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3}) --> (?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})(?: .*)?$")
_VTT_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class ParsedCue:
    start: float
    end: float
    text: str
    word_starts: tuple[float, ...] = ()


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_srt(content: str) -> list[ParsedCue]:
    """Read SRT back strictly: numbered blocks, a timing line, text; a defect raises ValueError."""
    cues = []
    blocks = [b for b in re.split(r"\n\s*\n", content.replace("\r\n", "\n").strip()) if b.strip()]
    for expected, block in enumerate(blocks, 1):
        lines = block.split("\n")
        if len(lines) < 3 or lines[0].strip() != str(expected):
            raise ValueError(f"SRT block {expected} is malformed: {block!r}")
        found = _SRT_TIME.match(lines[1].strip())
        if not found:
            raise ValueError(f"SRT block {expected} has a bad timing line: {lines[1]!r}")
        g = found.groups()
        cues.append(ParsedCue(_seconds(*g[:4]), _seconds(*g[4:]), " ".join(l.strip() for l in lines[2:])))
    return cues


def parse_vtt(content: str) -> list[ParsedCue]:
    """Read WebVTT back: the header, then cues with optional ids; inline timestamps are collected."""
    content = content.replace("\r\n", "\n")
    if not content.startswith("WEBVTT"):
        raise ValueError("a WebVTT file must start with WEBVTT")
    blocks = [b for b in re.split(r"\n\s*\n", content.strip()) if b.strip()][1:]
    cues = []
    for block in blocks:
        lines = block.split("\n")
        if lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        if "-->" not in lines[0]:
            lines = lines[1:]  # a cue id
        if not lines:
            raise ValueError(f"WebVTT cue without timing: {block!r}")
        found = _VTT_TIME.match(lines[0].strip())
        if not found:
            raise ValueError(f"WebVTT cue has a bad timing line: {lines[0]!r}")
        g = found.groups()
        body = "\n".join(lines[1:])
        stamps = []
        for tag in _VTT_TAG.findall(body):
            stamp = re.fullmatch(r"<(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})>", tag)
            if stamp:
                stamps.append(_seconds(*stamp.groups()))
        text = " ".join(_VTT_TAG.sub("", line).strip() for line in lines[1:])
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        cues.append(ParsedCue(_seconds(*g[:4]), _seconds(*g[4:]), text, tuple(stamps)))
    return cues
