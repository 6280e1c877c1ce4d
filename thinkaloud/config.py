"""The user's settings file: what it may say, how it is read, and what is in force.

One TOML file (`thinkaloud config path` prints where; `THINKALOUD_HOME`
moves it) holds defaults the user would otherwise repeat on every command
line: the speech model and device, the long-silence threshold, which
detectors run, their own cue phrases, and extra questions for the question
bank.  Command-line flags always win over the file; the file wins over the
built-in defaults.  Every key is documented in docs/config.md.

A malformed file stops the command with one line naming the file, the line
and the fix; an unknown key only earns a warning, so a config written for a
newer thinkaloud still works with this one.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thinkaloud.analysis.coaching import LONG_SILENCE_S
from thinkaloud.errors import UsageError
from thinkaloud.kinds import TEXT_KINDS
from thinkaloud.paths import config_file

DEVICES = ("auto", "cpu", "cuda")
#: Detectors that can be switched off or given extra cues (silence is governed by `silence`).
DETECTORS = TEXT_KINDS
DEFAULT = "default"
FROM_FILE = "config file"


class ConfigError(UsageError):
    """The config file cannot be used as written."""


@dataclass(frozen=True, slots=True)
class Config:
    """The settings in force, and where each came from ("default" or "config file").

    Attributes:
      path: where the config file is (or would be).
      exists: whether that file exists.
      model: `--model` default; None means the bundled tiny.en.
      device: `--device` default: auto, cpu or cuda.
      threads: `--threads` default; 0 means one per core.
      silence: `--silence` default: seconds of quiet that count as a long silence.
      detectors: the detectors that run.
      cues: the user's own cue phrases, per detector, added to the built-in ones.
      questions: extra question bank entries, validated like the bundled bank.
      origins: for each key above, "default" or "config file".
      warnings: one line per unknown key, to be shown on stderr.
    """

    path: Path
    exists: bool = False
    model: str | None = None
    device: str = "auto"
    threads: int = 0
    silence: float = LONG_SILENCE_S
    detectors: tuple[str, ...] = DETECTORS
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    questions: tuple = ()  # of thinkaloud.questions.Question
    origins: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def origin(self, key: str) -> str:
        return self.origins.get(key, DEFAULT)

    def detector_options(self):
        """The `DetectorOptions` these settings describe."""
        from thinkaloud.nlp.options import DetectorOptions

        return DetectorOptions(enabled=self.detectors, extra_cues={k: tuple(v) for k, v in self.cues.items()})

    def question_bank(self):
        """The bundled question bank plus this file's extra questions."""
        from thinkaloud.questions import QuestionBank, bundled_bank

        bundled = bundled_bank()
        if not self.questions:
            return bundled
        taken = {q.id for q in bundled} | {f.id for q in bundled for f in q.follow_ups}
        for question in self.questions:
            for entry_id in (question.id, *(f.id for f in question.follow_ups)):
                if entry_id in taken:
                    raise ConfigError(
                        f"{self.path}: the extra question id '{entry_id}' is already in the bundled question bank; "
                        "choose another id."
                    )
        return QuestionBank(bundled.questions + tuple(self.questions))


def load_config(path: Path | None = None) -> Config:
    """Read the config file (a missing file means all defaults)."""
    path = path or config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except IsADirectoryError:
        raise ConfigError(f"the config file {path} is a folder; remove it or set THINKALOUD_HOME elsewhere.") from None
    except OSError as error:
        raise ConfigError(f"cannot read the config file {path} ({error.strerror or error}); check its permissions.") from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path} is not UTF-8 text (bad byte at offset {error.start}); re-save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {_decode_message(error)}; fix that line.") from None
    return _ConfigReader(path, text).read(data)


def _decode_message(error: tomllib.TOMLDecodeError) -> str:
    message = str(error)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if found:
        reason = message[: found.start()].strip().rstrip(".")
        return f"line {found.group(1)}, column {found.group(2)}: {reason[:1].lower() + reason[1:]}"
    return message.rstrip(".")


class _ConfigReader:
    """Validates one parsed file, collecting warnings and naming lines in errors."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()
        self.warnings: list[str] = []
        self.values: dict[str, Any] = {}
        self.origins: dict[str, str] = {}

    def read(self, data: dict[str, Any]) -> Config:
        handlers = {
            "model": self._model,
            "device": self._device,
            "threads": self._threads,
            "silence": self._silence,
            "detectors": self._detectors,
            "cues": self._cues,
            "questions": self._questions,
        }
        for key, value in data.items():
            handler = handlers.get(key)
            if handler is None:
                self._unknown(key)
                continue
            handler(value)
        return Config(path=self.path, exists=True, origins=self.origins, warnings=tuple(self.warnings), **self.values)

    # --- one method per key ----------------------------------------------

    def _model(self, value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            self._fail("model", "must be a model name or folder in quotes, e.g. model = \"tiny.en\"")
        self._set("model", value.strip())

    def _device(self, value: Any) -> None:
        if value not in DEVICES:
            self._fail("device", f"must be one of {', '.join(DEVICES)}, not {_show(value)}")
        self._set("device", value)

    def _threads(self, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self._fail("threads", f"must be a whole number, 0 or more (0 = one per core), not {_show(value)}")
        self._set("threads", value)

    def _silence(self, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
            self._fail("silence", f"must be a positive number of seconds, not {_show(value)}")
        self._set("silence", float(value))

    def _detectors(self, value: Any) -> None:
        if not isinstance(value, dict):
            self._fail("detectors", "must be a table: [detectors] with lines like hedge = false")
        enabled = list(DETECTORS)
        if "enabled" in value:
            listed = value["enabled"]
            if not isinstance(listed, list) or not all(isinstance(k, str) for k in listed):
                self._fail("enabled", "must be a list of detector names, e.g. enabled = [\"framing\", \"recap\"]",
                           section="detectors")
            for kind in listed:
                if kind not in DETECTORS:
                    self._fail("enabled", f"names an unknown detector {_show(kind)}; known: {', '.join(DETECTORS)}",
                               section="detectors")
            enabled = [k for k in DETECTORS if k in listed]
            self.origins.update({f"detectors.{kind}": FROM_FILE for kind in DETECTORS})
        for key, switch in value.items():
            if key == "enabled":
                continue
            if key not in DETECTORS:
                self._unknown(key, section="detectors")
                continue
            if not isinstance(switch, bool):
                self._fail(key, f"must be true or false, not {_show(switch)}", section="detectors")
            self.origins[f"detectors.{key}"] = FROM_FILE
            if switch and key not in enabled:
                enabled.append(key)
            elif not switch and key in enabled:
                enabled.remove(key)
        self._set("detectors", tuple(k for k in DETECTORS if k in enabled))

    def _cues(self, value: Any) -> None:
        if not isinstance(value, dict):
            self._fail("cues", "must be a table: [cues] with lines like framing = [\"the way I see it\"]")
        cues: dict[str, tuple[str, ...]] = {}
        for kind, phrases in value.items():
            if kind not in DETECTORS:
                self._unknown(kind, section="cues")
                continue
            if isinstance(phrases, str):
                phrases = [phrases]
            if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
                self._fail(kind, "must be a list of phrases in quotes, e.g. [\"on balance\"]", section="cues")
            cues[kind] = tuple(dict.fromkeys(" ".join(p.split()) for p in phrases))
        self._set("cues", cues)

    def _questions(self, value: Any) -> None:
        from thinkaloud.errors import InputError
        from thinkaloud.questions import BANK_VERSION, bank_from_dict

        if not isinstance(value, list) or not all(isinstance(q, dict) for q in value):
            self._fail("questions", "must be written as [[questions]] tables, each with id, topic and text")
        if not value:
            return
        try:
            bank = bank_from_dict({"version": BANK_VERSION, "questions": value}, origin=f"{self.path} [[questions]]")
        except InputError as error:
            raise ConfigError(error.message) from None
        self._set("questions", bank.questions)

    # --- helpers ----------------------------------------------------------

    def _set(self, key: str, value: Any) -> None:
        self.values[key] = value
        self.origins[key] = FROM_FILE

    def _unknown(self, key: str, section: str | None = None) -> None:
        name = f"{section}.{key}" if section else key
        self.warnings.append(
            f"{self.path}{self._where(key, section)}: unknown setting '{name}' ignored; see docs/config.md for the keys."
        )

    def _fail(self, key: str, problem: str, section: str | None = None) -> None:
        name = f"{section}.{key}" if section else key
        raise ConfigError(f"{self.path}{self._where(key, section)}: '{name}' {problem}; fix that line.")

    def _where(self, key: str, section: str | None = None) -> str:
        """", line N" for the line that sets `key` (inside [section] when given), if it can be found."""
        current = None
        pattern = re.compile(rf"^\s*(?:\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})\s*=")
        for number, line in enumerate(self.lines, 1):
            header = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
            if header:
                current = header.group(1)
                if section is None and current == key:
                    return f", line {number}"
                continue
            if current == section and pattern.match(line):
                return f", line {number}"
        return ""


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"\"{value}\""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


# --- presenting the settings in force ----------------------------------------


def config_to_dict(config: Config) -> dict[str, Any]:
    """The values in force with their origins: `config show --format json`."""
    from thinkaloud.asr.models import BUNDLED_MODEL_NAME

    def entry(key: str, value: Any) -> dict[str, Any]:
        return {"value": value, "from": config.origin(key)}

    return {
        "path": str(config.path),
        "exists": config.exists,
        "settings": {
            "model": entry("model", config.model or BUNDLED_MODEL_NAME),
            "device": entry("device", config.device),
            "threads": entry("threads", config.threads),
            "silence": entry("silence", config.silence),
            "detectors": {kind: entry(f"detectors.{kind}", kind in config.detectors) for kind in DETECTORS},
            "cues": entry("cues", {kind: list(phrases) for kind, phrases in config.cues.items()}),
            "questions": entry("questions", [q.id for q in config.questions]),
        },
        "warnings": list(config.warnings),
    }


def render_config(config: Config) -> str:
    """The values in force as TOML, each line commented with where it came from."""
    from thinkaloud.asr.models import BUNDLED_MODEL_NAME

    state = "" if config.exists else " (not created yet: every value is a default)"
    lines = [f"# config file: {config.path}{state}", ""]

    def line(text: str, key: str) -> None:
        lines.append(f"{text:<40} # {config.origin(key)}")

    line(f"model = {_toml(config.model or BUNDLED_MODEL_NAME)}", "model")
    line(f"device = {_toml(config.device)}", "device")
    line(f"threads = {config.threads}", "threads")
    line(f"silence = {float(config.silence)!r}", "silence")
    lines += ["", "[detectors]"]
    for kind in DETECTORS:
        line(f"{kind} = {'true' if kind in config.detectors else 'false'}", f"detectors.{kind}")
    lines += ["", "[cues]"]
    if config.cues:
        for kind, phrases in config.cues.items():
            line(f"{kind} = [{', '.join(_toml(p) for p in phrases)}]", "cues")
    else:
        lines.append("# none: only the built-in cue phrases                # default")
    lines.append("")
    if config.questions:
        lines.append(f"# {len(config.questions)} extra question(s)                     # config file")
        for question in config.questions:
            lines += ["[[questions]]", f"id = {_toml(question.id)}", f"topic = {_toml(question.topic)}",
                      f"text = {_toml(question.text)}"]
            for follow_up in question.follow_ups:
                lines += ["[[questions.follow_ups]]", f"id = {_toml(follow_up.id)}",
                          f"constraint = {_toml(follow_up.constraint)}", f"text = {_toml(follow_up.text)}"]
    else:
        lines.append("# no extra questions: the bundled question bank only  # default")
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t")
    return f"\"{escaped}\""


TEMPLATE = """\
# thinkaloud settings.  Command-line flags win over these; every key is optional.
# All keys are described in docs/config.md.

# Speech recognition model: "tiny.en" (bundled), a faster-whisper name, or a model folder.
# model = "tiny.en"

# Compute device for speech recognition: "auto", "cpu" or "cuda".
# device = "auto"

# CPU threads for speech recognition (0 = one per core).
# threads = 0

# A gap in speech at least this many seconds long counts as a long silence.
# silence = @SILENCE@

[detectors]
# Every detector runs unless switched off here:
# @DETECTORS@
# hedge = false

[cues]
# Your own cue phrases, added to the built-in ones (matched ignoring case):
# framing = ["the way I see it"]
# tradeoff = ["on balance"]

# Extra questions for the question bank (same fields as the bundled bank):
# [[questions]]
# id = "my-rate-limiter"
# topic = "System design"
# text = "Design a rate limiter for a public API."
#
# [[questions.follow_ups]]
# id = "my-rate-limiter/multi-region"
# constraint = "multi-region"
# text = "Traffic now arrives in three regions. How do limits stay consistent?"
"""
TEMPLATE = TEMPLATE.replace("@DETECTORS@", ", ".join(DETECTORS)).replace("@SILENCE@", str(LONG_SILENCE_S))


# --- command-line defaults that the file may replace -------------------------


class _DefaultStr(str):
    pass


class _DefaultInt(int):
    pass


class _DefaultFloat(float):
    pass


def cli_default(value: Any) -> Any:
    """Wrap an argparse default so it behaves like the value but can be told apart from a typed flag."""
    wrapper = {str: _DefaultStr, int: _DefaultInt, float: _DefaultFloat}[type(value)]
    return wrapper(value)


def given(value: Any) -> bool:
    """True when the user typed this value on the command line (it is not a `cli_default`)."""
    return value is not None and not isinstance(value, _DefaultStr | _DefaultInt | _DefaultFloat)
