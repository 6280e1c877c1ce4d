"""Cue patterns: loading them from JSONL and matching them with context checks.

A pattern file is JSON Lines.  A line with `doc` opens a pattern group and
says which phenomenon the group catches; every other line is one pattern:

    {"group": "named_price", "id": "at-the-cost-of",
     "pattern": [{"LOWER": "at"}, ...] | "a phrase matched case-insensitively",
     "focus": [1, 2],            # optional: the cue is this slice of the match
     "where": {...}}             # optional: context the match must be in

A line with `fragment` names a run of tokens that several patterns share, so
a word list is written once ("let's", a premise's continuation):

    {"fragment": "lets", "doc": "what it stands for", "tokens": [{...}, ...]}

and a pattern token `{"FRAGMENT": "lets"}` stands for those tokens, spliced in
at load time (a fragment may use fragments defined above it).

`where` keys (all optional, all must hold):
  clause_start      the match opens a clause (sentence start, after
                    punctuation, or after discourse markers such as "so", "okay")
  question          the sentence ends with "?"
  statement         the sentence does not end with "?"
  preceded_by       the token before the match is one of these
  not_preceded_by   ... is none of these
  followed_by       the token after the match is one of these
  not_followed_by   ... is none of these; an entry with spaces is a phrase
  marker_not_followed_by  the same, checked right after the match's first token
                    (its marker): "since" + two words must not read "since the last…"
  sentence_has      the sentence contains one of these tokens
  sentence_has_lemma  the sentence contains a word with one of these lemmas
                    ("use" also finds "used", "using")
  choice_outside_clause  like sentence_has_lemma, but the word must stand outside the clause
                    the match opens (the reason or purpose itself): "we use X because Y" has its
                    choice in the main clause; "it's nice because it uses Y" only names a use
                    inside the reason, so it makes no choice.  A future or conditional modal
                    ("will", "would") decides only for a person ("I'd", "we'll", "you would")
                    and not on a verb of saying or thinking: "no library would do it" predicts,
                    "I would argue" hedges a claim
  not_lemma_before  no word before the match in its sentence has one of these lemmas
                    ("load tests miss X since…" explains a weakness; the reason after
                    the marker may well name a harm: "since a missed charge costs…")
  not_in_first_sentence
  ends_in_pronoun   the match's last word is a pronoun standing for something said before
                    ("to get around that", "we can deal with these"), not a determiner opening a
                    new noun phrase ("to solve this task", "deal with these things")
  after_kind        a detector that ran earlier marked this kind in the sentence
                    or the one before ("…it drifts. So we'd retrain weekly.")
  not_with_kinds    no detector that ran earlier marked any of these kinds in
                    the sentence (a weakness explained with "because" is a
                    limitation, not the reason for a choice)
  sentence_start    only discourse markers and fillers come before the match in its
                    sentence ("So let's say…", not "…trained, let's say, two models")
  mid_sentence      a word that is not a discourse marker or filler comes before the
                    match in its sentence: "labels arrive late, so we…" has a clause
                    before "so"; "Um, so we want to…" only opens the sentence
  early             the match starts within this many tokens of the transcript's
                    start (restating the problem and clarifying questions come
                    first; the same words later are something else)

Positions mean the transcript's, not the doc's: a long transcript reaches
spaCy in pieces, and each piece's doc carries what came before it
(`before_piece`).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

PATTERN_DIR = Path(__file__).parent / "patterns"

#: Words that may precede the real start of a clause in speech ("so, okay, um, I'll assume…").
DISCOURSE_MARKERS = frozenset(
    "so and okay ok now then but well um uh erm er right alright also yeah yes anyway first second "
    "third finally next lastly basically actually honestly hmm oh like just".split()
)
#: Markers that open a new clause even in unpunctuated speech-recognition output,
#: where no comma or full stop marks the boundary ("...the trip so suppose we...").
BOUNDARY_MARKERS = frozenset("so okay ok alright anyway now yeah".split())
CLAUSE_PUNCT = frozenset(",;:—–-(…")
#: `doc.user_data` key: (tokens, sentences) of the transcript in the pieces before this doc.
BEFORE_PIECE = "thinkaloud_before_piece"
#: `doc.user_data` key: per kind, (how many spans, their sorted starts) for `_kind_near`.
SPAN_STARTS = "thinkaloud_span_starts"
#: `doc.user_data` key: True once the doc's sentence boundaries are known to be set (`has_sentences`).
HAS_SENTENCES = "thinkaloud_has_sentences"


def has_sentences(doc: Doc) -> bool:
    """`doc.has_annotation("SENT_START")`, remembered once true: spaCy answers it by reading every
    token, and asking it for every match made long transcripts quadratic.  (A false answer is
    not kept: boundaries appear when the parser or sentencizer runs, and stay.)"""
    if doc.user_data.get(HAS_SENTENCES):
        return True
    if doc.has_annotation("SENT_START"):
        doc.user_data[HAS_SENTENCES] = True
        return True
    return False


def before_piece(doc: Doc) -> tuple[int, int]:
    """How many tokens and sentences of the transcript precede this doc; (0, 0) for a whole transcript."""
    return doc.user_data.get(BEFORE_PIECE, (0, 0))


@dataclass(frozen=True)
class CuePattern:
    id: str
    group: str
    pattern: str | list[dict]
    focus: tuple[int | None, int | None] | None = None
    where: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PatternFile:
    patterns: tuple[CuePattern, ...]
    group_docs: dict[str, str]


def pattern_path(configured: str | None, default_name: str) -> Path:
    """A component's pattern file: the configured one, else the bundled default."""
    return Path(configured) if configured else PATTERN_DIR / default_name


def add_spans(doc: Doc, key: str, spans: Sequence[Span]) -> None:
    """Add spans to `doc.spans[key]`, keeping the longest where two overlap."""
    existing = list(doc.spans[key]) if key in doc.spans else []
    doc.spans[key] = filter_spans(existing + list(spans))


def load_pattern_file(path: Path) -> PatternFile:
    patterns: list[CuePattern] = []
    docs: dict[str, str] = {}
    fragments: dict[str, list[dict]] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from None
            if "fragment" in entry:
                fragments[entry["fragment"]] = _splice(entry["tokens"], fragments, f"{path}:{number}")
                continue
            if "doc" in entry:
                docs[entry["group"]] = entry["doc"]
                continue
            if entry.get("group") not in docs:
                raise ValueError(f"{path}:{number}: pattern group {entry.get('group')!r} has no doc line before it")
            focus = tuple(entry["focus"]) if "focus" in entry else None
            pattern = entry["pattern"]
            if not isinstance(pattern, str):
                pattern = _splice(pattern, fragments, f"{path}:{number}")
            patterns.append(CuePattern(entry["id"], entry["group"], pattern, focus, entry.get("where", {})))
    return PatternFile(tuple(patterns), docs)


def _splice(tokens: list[dict], fragments: dict[str, list[dict]], where: str) -> list[dict]:
    """`tokens` with every `{"FRAGMENT": name}` replaced by that fragment's tokens."""
    spliced: list[dict] = []
    for token in tokens:
        if "FRAGMENT" not in token:
            spliced.append(token)
        elif token["FRAGMENT"] in fragments and len(token) == 1:
            spliced.extend(fragments[token["FRAGMENT"]])
        else:
            raise ValueError(f"{where}: {token} names no fragment defined above it (or adds keys to one)")
    return spliced


def load_word_lists(path: Path) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """A JSONL file of documented word lists: `{"group", "doc"}` then `{"group", "words": [...]}` lines."""
    words: dict[str, set[str]] = {}
    docs: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            entry = json.loads(line)
            if "doc" in entry:
                docs[entry["group"]] = entry["doc"]
            elif entry.get("group") in docs:
                words.setdefault(entry["group"], set()).update(entry["words"])
            else:
                raise ValueError(f"{path}:{number}: word group {entry.get('group')!r} has no doc line before it")
    return {group: frozenset(ws) for group, ws in words.items()}, docs


def phrase_patterns(phrases: Iterable[str], group: str = "user") -> list[CuePattern]:
    """Turn plain cue phrases (for example from the user's config) into patterns."""
    return [CuePattern(id=f"{group}:{p}", group=group, pattern=p) for p in phrases if p.strip()]


def clause_starts_at(token: Token) -> bool:
    """True when `token` opens a clause, allowing spoken discourse markers before it."""
    sent_start = token.sent.start if has_sentences(token.doc) else 0
    i = token.i - 1
    while i >= sent_start:
        previous = token.doc[i]
        if previous.is_space:  # a line break or indent between words opens nothing and closes nothing
            i -= 1
            continue
        if previous.text in CLAUSE_PUNCT or previous.is_punct:
            return True
        if previous.lower_ not in DISCOURSE_MARKERS:
            return False
        if previous.lower_ in BOUNDARY_MARKERS:
            return True
        i -= 1
    return True


def _sentence(doc: Doc, start: int) -> Span:
    if has_sentences(doc):
        return doc[start].sent
    return doc[:]


def _followed_by(doc: Doc, end: int, entries: Sequence[str]) -> bool:
    for entry in entries:
        words = entry.split(" ")
        following = [t.lower_ for t in doc[end : end + len(words)]]
        if following == words:
            return True
    return False


def context_holds(doc: Doc, start: int, end: int, where: dict) -> bool:
    if not where:
        return True
    previous = start - 1
    while previous >= 0 and doc[previous].is_space:
        previous -= 1
    before = doc[previous].lower_ if previous >= 0 else ""
    if "preceded_by" in where and before not in where["preceded_by"]:
        return False
    if "not_preceded_by" in where and before in where["not_preceded_by"]:
        return False
    if "followed_by" in where and not _followed_by(doc, end, where["followed_by"]):
        return False
    if "not_followed_by" in where and _followed_by(doc, end, where["not_followed_by"]):
        return False
    if "marker_not_followed_by" in where and _followed_by(doc, start + 1, where["marker_not_followed_by"]):
        return False
    if where.get("clause_start") and not clause_starts_at(doc[start]):
        return False
    if "early" in where and start + before_piece(doc)[0] >= where["early"]:
        return False
    if (where.get("question") or where.get("statement") or "sentence_has" in where or "sentence_has_lemma" in where
            or where.get("not_in_first_sentence")):
        sentence = _sentence(doc, start)
        is_question = sentence.text.rstrip().endswith("?")
        if where.get("question") and not is_question:
            return False
        if where.get("statement") and is_question:
            return False
        if "sentence_has" in where and not {t.lower_ for t in sentence} & set(where["sentence_has"]):
            return False
        if "sentence_has_lemma" in where and not {t.lemma_.lower() for t in sentence} & set(where["sentence_has_lemma"]):
            return False
        if where.get("not_in_first_sentence") and sentence.start == 0 and before_piece(doc)[1] == 0:
            return False
    if "choice_outside_clause" in where and not _lemma_outside_clause(doc, start, end, where["choice_outside_clause"]):
        return False
    if "not_lemma_before" in where and _lemma_before_in_sentence(doc, start, where["not_lemma_before"]):
        return False
    if where.get("ends_in_pronoun") and not _stands_alone(doc[end - 1]):
        return False
    if where.get("mid_sentence") and not _words_before_in_sentence(doc, start):
        return False
    if where.get("sentence_start") and _words_before_in_sentence(doc, start):
        return False
    if "after_kind" in where and not _kind_near(doc, start, where["after_kind"]):
        return False
    if "not_with_kinds" in where and any(_kind_near(doc, start, kind, before=False) for kind in where["not_with_kinds"]):
        return False
    return True


def _lemma_before_in_sentence(doc: Doc, start: int, lemmas: Sequence[str]) -> bool:
    """Whether a word before token `start` in its sentence has one of `lemmas`."""
    return any(token.lemma_.lower() in lemmas for token in doc[_sentence(doc, start).start : start])


def _clause_opened_by(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """The token range of the clause that the match `start:end` opens: the parse's subtree of the
    verb a subordinating word of the match marks ("because", "that"), which also finds a fronted
    reason ("Because X, we..."); when the parser attached no such word, the rest of the sentence."""
    sentence = _sentence(doc, start)
    for token in doc[start:end]:
        if token.dep_ == "mark" and token.head.i > token.i and token.head.i < sentence.end:
            subtree = [t.i for t in token.head.subtree]
            return max(min(min(subtree), start), sentence.start), min(max(subtree) + 1, sentence.end)
    return start, sentence.end


def _lemma_outside_clause(doc: Doc, start: int, end: int, lemmas: Sequence[str]) -> bool:
    """Whether a word of token `start`'s sentence outside the clause the match opens has one of
    `lemmas`, a modal among them only where it makes a decision (`_modal_decides`)."""
    sentence = _sentence(doc, start)
    first, last = _clause_opened_by(doc, start, end)
    return any(
        token.lemma_.lower() in lemmas and _modal_decides(token)
        for token in doc[sentence.start : sentence.end]
        if not first <= token.i < last
    )


#: Modals of the future and the conditional: a decision with a person as subject ("I'd pick"), a prediction otherwise.
PREDICTING_MODALS = frozenset("will would 'd 'll wo".split())
#: Verbs of saying and thinking that a modal softens into a hedge ("I would argue", "I'd guess"), not a decision.
HEDGED_VERBS = frozenset("argue call guess think imagine suppose like love bet".split())
PERSONS = frozenset("i we you".split())


def _modal_decides(token: Token) -> bool:
    """False for a future or conditional modal that predicts ("it will grow", "no library would do it")
    or hedges a verb of saying or thinking ("I would argue"); True for every other word."""
    if token.lower_ not in PREDICTING_MODALS and token.lemma_.lower() not in PREDICTING_MODALS:
        return True
    verb = token.head
    if verb.lemma_.lower() in HEDGED_VERBS:
        return False
    return any(child.dep_ in ("nsubj", "nsubjpass") and child.lower_ in PERSONS for child in verb.children)


def _stands_alone(token: Token) -> bool:
    """Whether `token` ("that", "these", "it") is a pronoun of its own, not the determiner of a noun after it."""
    return not (token.dep_ == "det" and token.head.i > token.i)


def _words_before_in_sentence(doc: Doc, start: int) -> bool:
    """Whether a word other than a discourse marker or filler ("um", "so", "you know") precedes token `start` in its sentence."""
    for token in doc[_sentence(doc, start).start : start]:
        if token.is_alpha and token.lower_ not in DISCOURSE_MARKERS and token.lower_ not in ("you", "know", "mean", "i"):
            return True
    return False


def _kind_near(doc: Doc, start: int, kind: str, before: bool = True) -> bool:
    """Whether `doc.spans[kind]` has a span in the sentence holding token `start` (or, with `before`, the one before it)."""
    if kind not in doc.spans:
        return False
    sentence = _sentence(doc, start)
    first = sentence.start
    if before and sentence.start > 0 and has_sentences(doc):
        first = doc[sentence.start - 1].sent.start
    starts = _span_starts(doc, kind)
    at = bisect.bisect_left(starts, first)
    return at < len(starts) and starts[at] < sentence.end


def _span_starts(doc: Doc, kind: str) -> list[int]:
    """Where `doc.spans[kind]`'s spans start, sorted; kept while the group is unchanged, so that
    checking every match of a long transcript stays linear rather than quadratic."""
    group = doc.spans[kind]
    cache = doc.user_data.setdefault(SPAN_STARTS, {})
    known = cache.get(kind)
    if known is None or known[0] != len(group):
        known = (len(group), sorted(span.start for span in group))
        cache[kind] = known
    return known[1]


class CueMatcher:
    """Matches a set of `CuePattern`s and yields cue spans labelled `label`."""

    def __init__(self, nlp: Language, label: str, patterns: Sequence[CuePattern]):
        self.label = label
        self.patterns = {p.id + "#" + str(i): p for i, p in enumerate(patterns)}
        self.matcher = Matcher(nlp.vocab)
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for key, pattern in self.patterns.items():
            if isinstance(pattern.pattern, str):
                self.phrase_matcher.add(key, [nlp.make_doc(pattern.pattern)])
            else:
                self.matcher.add(key, [pattern.pattern])

    def __call__(self, doc: Doc) -> list[Span]:
        found: list[Span] = []
        matches = list(self.matcher(doc)) + list(self.phrase_matcher(doc))
        for match_id, start, end in matches:
            pattern = self.patterns[doc.vocab.strings[match_id]]
            if not context_holds(doc, start, end, pattern.where):
                continue
            if pattern.focus is not None:
                offset, stop = pattern.focus
                length = end - start
                offset = offset if offset >= 0 else length + offset
                stop = length if stop is None else (stop if stop >= 0 else length + stop)
                start, end = start + offset, start + stop
            found.append(Span(doc, start, end, label=self.label, span_id=pattern.id))
        return found
