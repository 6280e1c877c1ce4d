"""The table of signal kinds: the one place a kind is declared.

Everything that names, counts, colours or explains a kind derives it from
`KINDS`: detector options, the report's checklist, the text/Markdown/HTML/SVG
renderings, the session index, the screen's palette and styles, coaching tips,
`thinkaloud eval` and the config file's `[cues]`.  Adding a sentence-level kind
is a patterns file (`nlp/patterns/<name>.jsonl`), a row here, and its tests.

Roles:

- `structure`: the parts of a well-built answer, in the order an interviewer
  expects them; they make up the checklist's "Structure" part.
- `depth`: moves that show depth of reasoning (why a choice fits, how a risk is
  handled); the checklist's "Depth" part.
- `phrase`: a few words the speaker would do better without (fillers, hedges);
  the signal is the phrase, not its sentence.
- `audio`: found in the audio rather than the text (long silences).
- `shift`: where the topic changes; drawn as a signposted shift or an abrupt jump.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["structure", "depth", "phrase", "audio", "shift"]


@dataclass(frozen=True, slots=True)
class Look:
    """How a kind (or one of a topic shift's two marks) is drawn and explained.

    Attributes:
      name: the CSS class suffix and the key of the look (`kind--<name>` on screen, `k-<name>` in HTML).
      label: the kind's name for people ("trade-off").
      letter: one character for timelines and legends, where a cell is one character wide.
      meaning: one line for the legend: what this mark means.
      term: its colour on the terminal screen.
      light, dark: its colour in the HTML report's light and dark schemes.
    """

    name: str
    label: str
    letter: str
    meaning: str
    term: str
    light: str
    dark: str


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of signal.

    Attributes:
      name: the identifier in reports, events, the config file and patterns files.
      role: see the module docstring.
      look: how it is drawn (topic shifts have two looks instead, see `SHIFT_LOOKS`).
      plural: how a legend lists it ("trade-offs").
      checklist: the checklist line when present ("weighed trade-offs"); structure and depth kinds only.
      missing_tip: what the coach says when the take lacks it; structure and depth kinds only.
      tip_rank: how much fixing a missing one matters (lower first; ties keep table order).
      compared: `compare` lists what was said of this kind in each take (added, dropped, kept).
    """

    name: str
    role: Role
    look: Look
    plural: str = ""
    checklist: str = ""
    missing_tip: str = ""
    tip_rank: int = 9
    compared: bool = False

    @property
    def label(self) -> str:
        return self.look.label

    @property
    def letter(self) -> str:
        return self.look.letter


KINDS: tuple[Kind, ...] = (
    Kind(
        "framing", "structure",
        Look("framing", "framing", "F", "restating the problem, the goal or the plan", "#5fafff", "#2f6db3", "#6ea3e6"),
        plural="framing", checklist="framed the problem", tip_rank=1,
        missing_tip="Open by framing the problem: restate the question, name the success metric, "
                    "and say how you'll structure the answer before you propose a solution.",
    ),
    Kind(
        "assumption", "structure",
        Look("assumption", "assumption", "A", "a stated assumption about scale, data or constraints",
              "#b48cff", "#7451a8", "#a88be0"),
        plural="assumptions", checklist="stated assumptions", compared=True, tip_rank=3,
        missing_tip="State your assumptions out loud (scale, data you have, latency budget), "
                    "e.g. \"I'll assume about a million daily users\".",
    ),
    Kind(
        "tradeoff", "structure",
        Look("tradeoff", "trade-off", "T", "weighing what a choice gains against what it costs",
              "#2ec4a6", "#1f8a7c", "#4fc1b0"),
        plural="trade-offs", checklist="weighed trade-offs", compared=True, tip_rank=3,
        missing_tip="Weigh at least one trade-off explicitly: what your choice gains and what it costs "
                    "(\"faster to train, at the cost of some accuracy\").",
    ),
    Kind(
        "limitation", "structure",
        Look("limitation", "limitation", "L", "naming where the approach breaks down", "#ff9f43", "#b0611d", "#e0954f"),
        plural="limitations", checklist="named limitations", compared=True, tip_rank=4,
        missing_tip="Name a limitation or failure mode of your approach (\"this falls apart when…\"); "
                    "it shows judgement, not weakness.",
    ),
    Kind(
        "recap", "structure",
        Look("recap", "recap", "R", "summing up the answer", "#7ccf4f", "#3f7d2e", "#7fbf67"),
        plural="recap", checklist="recapped", tip_rank=4,
        missing_tip="Close with a two-sentence recap (\"To summarize, …\") so the interviewer "
                    "leaves with your design in mind.",
    ),
    Kind(
        "rationale", "depth",
        Look("rationale", "rationale", "W", "saying why a choice fits", "#56c8e8", "#1c7393", "#5bbfdf"),
        plural="reasons", checklist="said why", compared=True, tip_rank=5,
        missing_tip="Say why, not only what: give the reason behind your main choice "
                    "(\"gradient boosting, because the features are tabular and mixed\").",
    ),
    Kind(
        "mitigation", "depth",
        Look("mitigation", "mitigation", "M", "a remedy for a risk or limitation just named",
              "#e88fd0", "#a03f86", "#dd8cc9"),
        plural="mitigations", checklist="handled a risk", compared=True, tip_rank=5,
        missing_tip="When you name a risk, say how you would handle it "
                    "(\"to catch drift, we'd alert on the feature distributions and retrain weekly\").",
    ),
    Kind("filler", "phrase", Look("filler", "filler", "•", "um, uh, you know, like…", "#ff6b8b", "#c2413a", "#ef7b73"),
         plural="fillers"),
    Kind("hedge", "phrase", Look("hedge", "hedge", "~", "maybe, I guess, sort of…", "#e0b400", "#b7860b", "#e3b640"),
         plural="hedges"),
    Kind("silence", "audio",
         Look("silence", "long silence", "‖", "a pause past the silence threshold", "#f07a3a", "#d98a1c", "#f0a848"),
         plural="long silences"),
    Kind("topic_shift", "shift",
         Look("topic_shift", "topic shift", "↪", "a change of subject", "#6fb7a8", "#4f6478", "#94a9bd"),
         plural="topic shifts"),
)

#: A topic shift is drawn as one of two marks: announced with a transition, or not.
SHIFT_LOOKS: dict[bool, Look] = {
    True: Look("shift", "signposted shift", "↪", "a topic change announced with a transition",
                "#6fb7a8", "#4f6478", "#94a9bd"),
    False: Look("jump", "abrupt jump", "↯", "a topic change with no transition", "#ff5f5f", "#b3275a", "#ee6d98"),
}

BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}


def _names(*roles: Role) -> tuple[str, ...]:
    return tuple(kind.name for kind in KINDS if kind.role in roles)


#: Every kind's name, in table order.
NAMES: tuple[str, ...] = tuple(BY_NAME)
#: The parts of a well-structured answer, in the order an interviewer expects them.
STRUCTURE_KINDS: tuple[str, ...] = _names("structure")
#: Marks of depth: reasons for choices, remedies for risks.
DEPTH_KINDS: tuple[str, ...] = _names("depth")
#: The checklist: structure, then depth.
CHECKLIST_KINDS: tuple[str, ...] = STRUCTURE_KINDS + DEPTH_KINDS
#: Kinds whose statements `compare` matches take against take.
COMPARED_KINDS: tuple[str, ...] = tuple(kind.name for kind in KINDS if kind.compared)
#: Kinds whose signal is a whole sentence (the cue is a phrase inside it).
SENTENCE_KINDS: tuple[str, ...] = CHECKLIST_KINDS
#: Kinds whose signal is the cue phrase itself.
PHRASE_KINDS: tuple[str, ...] = _names("phrase")
#: Kinds found by a cue detector over the text (each with a patterns file).
CUE_KINDS: tuple[str, ...] = SENTENCE_KINDS + PHRASE_KINDS
#: Kinds a detector marks on a stretch of text (silence comes from the audio instead).
TEXT_KINDS: tuple[str, ...] = CUE_KINDS + _names("shift")
#: How each kind is named for people (reports, screens).
LABELS: dict[str, str] = {kind.name: kind.label for kind in KINDS}
#: The checklist line of each checklist kind ("weighed trade-offs").
CHECKLIST_LABELS: dict[str, str] = {name: BY_NAME[name].checklist for name in CHECKLIST_KINDS}
#: The checklist's parts, each titled, in the order reports and screens show them.
CHECKLIST_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (("Structure", STRUCTURE_KINDS), ("Depth", DEPTH_KINDS))


def shift_look(signposted: bool | None) -> Look:
    """The mark a topic shift is drawn with."""
    return SHIFT_LOOKS[bool(signposted)]


def mark_of(kind: str, signposted: bool | None = None) -> str:
    """The look a signal is drawn with: its kind's, or for a topic shift "shift" or "jump"."""
    return shift_look(signposted).name if BY_NAME[kind].role == "shift" else kind


def looks() -> tuple[Look, ...]:
    """Every mark a screen or report can draw: each kind's look, a topic shift's two instead of its one."""
    out: list[Look] = []
    for kind in KINDS:
        out.extend(SHIFT_LOOKS.values() if kind.role == "shift" else (kind.look,))
    return tuple(out)


def legend(kinds: tuple[str, ...] = STRUCTURE_KINDS) -> str:
    """"F framing, A assumptions, …": the letters of a timeline or a history row, explained."""
    return ", ".join(f"{BY_NAME[k].letter} {BY_NAME[k].plural}" for k in kinds)
