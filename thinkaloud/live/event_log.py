"""The `--events` file: live events as JSON Lines, versioned and checkable.

A version-2 file (`thinkaloud.events/2`) starts with a `header` line; every
line validates against the JSON Schema shipped in the package
(`live/schema/events-2.json`, with the signal kinds filled in from the table
of kinds).  Version-1 files, written before finals existed, have no header;
their `word` events were committed once and for all, so `final_text` reads
them as the final text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from thinkaloud.kinds import NAMES
from thinkaloud.live.events import SCHEMA, LiveEvent, to_dict

SCHEMA_V1 = "thinkaloud.events/1"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of one line of a version-2 events file."""
    text = resources.files("thinkaloud.live").joinpath("schema/events-2.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    doc["$defs"]["signal"]["properties"]["kind"]["enum"] = list(NAMES)
    return doc


def validation_errors(lines: Iterable[dict[str, Any]]) -> list[str]:
    """Every way the lines of an events file break the schema, one message each (empty: valid).

    Each line is checked against its own type's definition, so a message
    names the field at fault rather than "matches none of the event types".
    """
    validators = _validators()
    errors = []
    for number, line in enumerate(lines, start=1):
        kind = line.get("type", "?")
        validator = validators.get(kind)
        if validator is None:
            errors.append(f"line {number}: unknown event type {kind!r}")
            continue
        for error in validator.iter_errors(line):
            where = "/".join(str(part) for part in error.absolute_path)
            errors.append(f"line {number} ({kind}){' ' + where if where else ''}: {error.message}")
    return errors


@cache
def _validators() -> dict[str, Any]:
    from jsonschema import Draft202012Validator

    doc = schema()
    return {
        kind: Draft202012Validator({"$schema": doc["$schema"], "$defs": doc["$defs"], "$ref": f"#/$defs/{kind}"})
        for kind in doc["properties"]["type"]["enum"]
    }


class EventLog:
    """Writes events to a file as they come, one JSON object a line, flushed at once.

    A write that fails (a full disk) stops the log and never the take: the
    session folder still gets the report.
    """

    def __init__(self, path: Path):
        self._file: TextIO | None = open(path, "w", encoding="utf-8")  # noqa: SIM115

    def write(self, event: LiveEvent) -> None:
        if self._file is None:
            return
        try:
            self._file.write(json.dumps(to_dict(event), ensure_ascii=False) + "\n")
            self._file.flush()
        except (OSError, ValueError):
            self.close()

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None


@dataclass(frozen=True, slots=True)
class EventsFile:
    schema: str  # SCHEMA, or SCHEMA_V1 for a file without a header
    events: list[dict[str, Any]]  # every line but the header


def read_events(path: Path) -> EventsFile:
    """An events file of either version; a line that is not JSON raises ValueError naming it."""
    events = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}, line {number}, is not JSON ({error.msg}); is this a thinkaloud --events file?") from None
    if events and events[0].get("type") == "header":
        version = events[0].get("schema")
        if version != SCHEMA:
            raise ValueError(f"{path} is a {version} events file; this release reads {SCHEMA} and {SCHEMA_V1}.")
        return EventsFile(SCHEMA, events[1:])
    return EventsFile(SCHEMA_V1, events)


def final_text(log: EventsFile) -> str:
    """The take's final transcript as the events tell it."""
    if log.schema == SCHEMA_V1:
        return " ".join(e["text"] for e in log.events if e["type"] == "word")
    return " ".join(word["text"] for e in log.events if e["type"] == "final" for word in e["words"])
