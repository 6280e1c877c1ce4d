"""The `--events` file: every event type has a schema, files of both versions read back."""

from __future__ import annotations

import dataclasses
import json

import pytest

from thinkaloud.live.event_log import (
    SCHEMA_V1,
    EventLog,
    final_text,
    read_events,
    schema,
    validation_errors,
)
from thinkaloud.live.events import (
    EVENT_TYPES,
    SCHEMA,
    FinalEvent,
    FinalWord,
    HeaderEvent,
    SignalEvent,
    StatsEvent,
    WordEvent,
    to_dict,
)
from thinkaloud.live.finals import Revision
from thinkaloud.types import Signal


def test_every_event_type_has_a_schema_with_exactly_its_fields():
    defs = schema()["$defs"]
    assert set(schema()["properties"]["type"]["enum"]) == set(EVENT_TYPES)
    for name, cls in EVENT_TYPES.items():
        fields = {f.name for f in dataclasses.fields(cls) if f.name != "report"} | {"type"}
        if cls is SignalEvent:
            fields = (fields - {"signal"}) | {"kind", "text", "cue", "start", "end", "char_start", "char_end", "signposted"}
        assert set(defs[name]["properties"]) == fields, name


def test_the_schema_accepts_real_events_and_names_what_is_wrong_with_a_bad_one():
    final = FinalEvent(3, 1.0, 2.5, (FinalWord("churn.", 1.0, 1.4, 0.9),), True, (Revision(0, ("turn.",), ("churn.",)),), True, 3.1)
    lines = [
        to_dict(HeaderEvent(SCHEMA, "0.1.0", "microphone", "tiny.en", 0.0)),
        to_dict(WordEvent("turn.", 1.0, 1.4, 2.2, 0.8)),
        to_dict(final),
        to_dict(SignalEvent(Signal("framing", "So the plan.", "the plan", 0.2, 1.0, 0, 12), 3.2)),
        to_dict(StatsEvent(10.0, 0.0, 0.4, 12, 0.3, 0.0, 0, 0, 10.0, 40, 2, 0.9, 1.2)),
    ]
    assert validation_errors(lines) == []
    broken = dict(lines[2])
    del broken["words"]
    unknown_kind = dict(lines[3], kind="brilliance")
    errors = validation_errors([broken, unknown_kind])
    assert len(errors) >= 2 and errors[0].startswith("line 1 (final)") and any(e.startswith("line 2 (signal)") for e in errors)


def test_an_events_file_of_either_version_reads_back(tmp_path):
    current = tmp_path / "v2.jsonl"
    log = EventLog(current)
    log.write(HeaderEvent(SCHEMA, "0.1.0", "microphone", "tiny.en", 0.0))
    log.write(WordEvent("turn", 1.0, 1.4, 2.2))
    log.write(FinalEvent(0, 1.0, 2.0, (FinalWord("churn", 1.0, 1.4, 0.9), FinalWord("rates.", 1.5, 1.9, 0.9)), True, (), True, 2.5))
    log.close()
    log.write(WordEvent("late", 3.0, 3.2, 3.5))  # after close: ignored, never raises
    read = read_events(current)
    assert read.schema == SCHEMA and [e["type"] for e in read.events] == ["word", "final"]
    assert final_text(read) == "churn rates."

    older = tmp_path / "v1.jsonl"  # written before finals: no header, words were final
    older.write_text("\n".join(json.dumps(e) for e in [
        {"type": "state", "state": "recording", "message": "", "emitted_at": 0.0},
        {"type": "word", "text": "churn", "audio_start": 1.0, "audio_end": 1.4, "emitted_at": 2.2},
        {"type": "word", "text": "rates.", "audio_start": 1.5, "audio_end": 1.9, "emitted_at": 2.6},
    ]) + "\n", encoding="utf-8")
    read = read_events(older)
    assert read.schema == SCHEMA_V1 and final_text(read) == "churn rates."


def test_an_events_file_of_an_unknown_version_or_not_json_is_one_clear_error(tmp_path):
    future = tmp_path / "v9.jsonl"
    future.write_text(json.dumps({"type": "header", "schema": "thinkaloud.events/9"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="thinkaloud.events/9 events file; this release reads"):
        read_events(future)
    garbage = tmp_path / "notes.txt"
    garbage.write_text("hello\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1, is not JSON"):
        read_events(garbage)
