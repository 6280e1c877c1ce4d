"""The JSON report: a contract other tools parse, so its shape is versioned.

`report_to_dict` writes `thinkaloud.report/1`; `report_from_dict` reads it
back (sessions are stored as these files).  A change that removes or
renames a field needs a new schema version; adding an optional field does not.

Reading is tolerant, because a take saved by one release is opened by every
later one: a checklist kind the report lacks (added after it was written) is
read as not present, a per-kind count it lacks as zero, and kinds or fields
this release does not know are skipped rather than refused.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from importlib import resources
from typing import Any

from thinkaloud.kinds import CHECKLIST_KINDS, NAMES
from thinkaloud.types import (
    ChecklistItem,
    Metrics,
    ModelInfo,
    Report,
    Sentence,
    Signal,
    SourceInfo,
    SpeechSpan,
    Summary,
    Transcript,
    Word,
)

SCHEMA_ID = "thinkaloud.report/1"


@cache
def schema() -> dict[str, Any]:
    """The report's JSON Schema, with the kinds filled in from the table of kinds."""
    text = resources.files("thinkaloud.report").joinpath("schema/report-1.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    doc["properties"]["signals"]["items"]["properties"]["kind"]["enum"] = list(NAMES)
    checklist = doc["properties"]["summary"]["properties"]["checklist"]
    checklist["properties"] = {kind: {"$ref": "#/$defs/checkItem"} for kind in CHECKLIST_KINDS}
    return doc


def signal_to_dict(signal: Signal) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": signal.kind,
        "text": signal.text,
        "cue": signal.cue,
        "start": signal.start,
        "end": signal.end,
        "char_start": signal.char_start,
        "char_end": signal.char_end,
    }
    if signal.kind == "topic_shift":
        data["signposted"] = bool(signal.signposted)
    return data


def report_to_dict(report: Report) -> dict[str, Any]:
    m = report.metrics
    return {
        "schema": SCHEMA_ID,
        "source": {"path": report.source.path, "kind": report.source.kind, "duration_s": report.source.duration_s},
        "model": {"asr": report.model.asr, "nlp": report.model.nlp},
        "transcript": {
            "text": report.transcript.text,
            "words": [
                {"text": w.text, "start": w.start, "end": w.end, "probability": w.probability}
                for w in report.transcript.words
            ],
            "sentences": [
                {"text": s.text, "start": s.start, "end": s.end, "char_start": s.char_start, "char_end": s.char_end}
                for s in report.sentences
            ],
        },
        "speech": [{"start": round(s.start, 3), "end": round(s.end, 3)} for s in report.speech],
        "signals": [signal_to_dict(s) for s in report.signals],
        "metrics": {
            "duration_s": m.duration_s,
            "speaking_time_s": m.speaking_time_s,
            "words": m.words,
            "wpm": m.wpm,
            "silence_count": m.silence_count,
            "longest_silence_s": m.longest_silence_s,
            "filler_count": m.filler_count,
            "hedge_count": m.hedge_count,
        },
        "summary": {
            "speech_found": report.summary.speech_found,
            "checklist": {
                kind: {"present": item.present, "first_at": item.first_at}
                for kind, item in report.summary.checklist.items()
            },
            "tips": list(report.summary.tips),
        },
    }


def report_from_dict(data: dict[str, Any]) -> Report:
    """Rebuild a `Report` from its JSON form; the inverse of `report_to_dict`, tolerant of other releases' reports."""
    if data.get("schema") != SCHEMA_ID:
        raise ValueError(f"not a {SCHEMA_ID} report (schema is {data.get('schema')!r})")
    text = data["transcript"]["text"]
    words = []
    position = 0
    for w in data["transcript"]["words"]:
        # Character offsets are not stored per word; they are found again by
        # scanning the text, which holds the words in order.
        found = text.find(w["text"], position)
        start = found if found >= 0 else position
        end = start + len(w["text"]) if found >= 0 else position
        position = end
        words.append(Word(w["text"], w["start"], w["end"], w.get("probability"), start, end))
    return Report(
        source=_build(SourceInfo, data["source"]),
        model=_build(ModelInfo, data["model"]),
        transcript=Transcript(text=text, words=tuple(words)),
        sentences=tuple(_build(Sentence, s) for s in data["transcript"]["sentences"]),
        # A signal of a kind this release does not know (one retired since) has no label to show it by.
        signals=tuple(_build(Signal, s) for s in data["signals"] if s["kind"] in KNOWN_KINDS),
        metrics=_build(Metrics, data["metrics"], missing=_zero_or_none),
        summary=Summary(
            checklist=checklist_from_dict(data["summary"]["checklist"]),
            tips=tuple(data["summary"]["tips"]),
            speech_found=data["summary"].get("speech_found", True),
        ),
        speech=tuple(_build(SpeechSpan, s) for s in data.get("speech", [])),
    )


#: The signal kinds this release can show; a report's signals of any other kind are skipped.
KNOWN_KINDS = frozenset(NAMES)


def checklist_from_dict(checklist: dict[str, Any]) -> dict[str, ChecklistItem]:
    """The checklist kinds this release knows that the report was checked for, in the table's order.

    A report saved before a kind existed lacks it: the kind is left out (the take was never checked
    for it; `Summary.item` reads it as not present), and one from a later release is skipped.
    """
    items = {}
    for kind in CHECKLIST_KINDS:
        item = checklist.get(kind)
        if isinstance(item, dict):
            items[kind] = ChecklistItem(present=bool(item.get("present", False)), first_at=item.get("first_at"))
    return items


def _build(cls, values: dict[str, Any], missing=None):
    """`cls(**values)` without the fields this release does not know; `missing(field)` fills one it lacks."""
    known = {f.name: f for f in dataclasses.fields(cls)}
    arguments = {name: value for name, value in values.items() if name in known}
    if missing is not None:
        for name, spec in known.items():
            if name not in arguments and spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
                arguments[name] = missing(spec)
    return cls(**arguments)


def _zero_or_none(spec: dataclasses.Field) -> Any:
    """A metric added after a report was written: a count is zero (nothing of that kind was found), else unknown."""
    annotation = str(spec.type)
    if "None" in annotation:
        return None
    return 0 if annotation == "int" else 0.0
