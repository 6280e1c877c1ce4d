"""The config file: reading, validating, precedence under command-line flags, and `thinkaloud config`."""

from __future__ import annotations

import argparse
import json

import pytest

from tests.cli import thinkaloud
from thinkaloud.config import DETECTORS, ConfigError, load_config
from thinkaloud.paths import config_file


def write_config(text: str):
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


FULL = """
model = "small.en"
device = "cpu"
threads = 2
silence = 4.5

[detectors]
hedge = false
topic_shift = false

[cues]
framing = ["the way I see it", "The  way I see it"]
tradeoff = ["on balance"]

[[questions]]
id = "my-rate-limiter"
topic = "System design"
text = "Design a rate limiter for a public API."

[[questions.follow_ups]]
id = "my-rate-limiter/multi-region"
constraint = "multi-region"
text = "Traffic now arrives in three regions. How do limits stay consistent?"
"""


def test_no_file_means_every_default():
    config = load_config()
    assert not config.exists
    assert (config.model, config.device, config.threads, config.silence) == (None, "auto", 0, 3.0)
    assert config.detectors == DETECTORS and config.cues == {} and config.questions == ()
    assert config.origin("silence") == "default"


def test_every_key_is_read_and_its_origin_kept():
    write_config(FULL)
    config = load_config()
    assert (config.model, config.device, config.threads, config.silence) == ("small.en", "cpu", 2, 4.5)
    assert "hedge" not in config.detectors and "topic_shift" not in config.detectors and "filler" in config.detectors
    assert config.cues == {"framing": ("the way I see it", "The way I see it"), "tradeoff": ("on balance",)}
    assert [q.id for q in config.questions] == ["my-rate-limiter"]
    assert config.questions[0].follow_ups[0].parent_id == "my-rate-limiter"
    assert {config.origin(k) for k in ("model", "device", "threads", "silence", "detectors", "cues", "questions")} == {
        "config file"}
    assert config.warnings == ()


def test_detectors_can_be_listed_instead():
    write_config('[detectors]\nenabled = ["recap", "framing"]\nfiller = true\n')
    assert load_config().detectors == ("framing", "recap", "filler")


def test_detector_options_carry_the_users_cues():
    write_config(FULL)
    options = load_config().detector_options()
    assert options.extra_cues["tradeoff"] == ("on balance",)
    assert "hedge" not in options.enabled


def test_extra_questions_join_the_bundled_bank():
    write_config(FULL)
    bank = load_config().question_bank()
    assert bank.find("ml-churn") is not None
    assert bank.find("my-rate-limiter/multi-region").constraint == "multi-region"


def test_an_extra_question_may_not_reuse_a_bundled_id():
    write_config('[[questions]]\nid = "ml-churn"\ntopic = "x"\ntext = "y"\n')
    with pytest.raises(ConfigError, match="'ml-churn' is already in the bundled question bank"):
        load_config().question_bank()


def test_malformed_toml_names_the_file_and_line():
    path = write_config('model = "tiny.en"\nsilence = = 3\n')
    with pytest.raises(ConfigError) as raised:
        load_config()
    message = raised.value.message
    assert str(path) in message and "line 2" in message and "\n" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('silence = "long"\n', "line 1: 'silence' must be a positive number of seconds"),
        ("threads = -1\n", "'threads' must be a whole number"),
        ('device = "tpu"\n', "'device' must be one of auto, cpu, cuda"),
        ('\n[detectors]\nhedge = "no"\n', "line 3: 'detectors.hedge' must be true or false"),
        ('[detectors]\nenabled = ["framing", "vibes"]\n', "unknown detector \"vibes\""),
        ("[cues]\nframing = [1, 2]\n", "line 2: 'cues.framing' must be a list of phrases"),
        ('[[questions]]\nid = "x"\ntext = "y"\n', "\"topic\" must be non-empty text"),
    ],
)
def test_a_wrong_value_is_one_line_naming_key_and_fix(text, expected):
    write_config(text)
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert expected in raised.value.message and "\n" not in raised.value.message


def test_unknown_keys_warn_and_the_rest_still_applies():
    write_config('silence = 5\ncolour = "blue"\n\n[cues]\nvibes = ["x"]\n')
    config = load_config()
    assert config.silence == 5.0
    assert len(config.warnings) == 2
    assert "line 2: unknown setting 'colour'" in config.warnings[0]
    assert "line 5: unknown setting 'cues.vibes'" in config.warnings[1]


# --- precedence: flags over the file over defaults ----------------------------------------


def analyze_args(*argv: str) -> argparse.Namespace:
    from thinkaloud.cli.analyze import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(["answer.wav", *argv])


def test_the_file_replaces_defaults_and_flags_replace_the_file():
    from thinkaloud.cli.analyze import options_from_args

    write_config(FULL)
    config = load_config()
    from_file = options_from_args(analyze_args(), config)
    assert from_file.silence_threshold_s == 4.5
    assert (from_file.transcriber.model, from_file.transcriber.device, from_file.transcriber.cpu_threads) == (
        "small.en", "cpu", 2)
    assert "hedge" not in from_file.detectors.enabled
    flags = options_from_args(analyze_args("--silence", "3", "--device", "auto", "--threads", "0", "--model", "tiny.en"),
                              config)
    assert flags.silence_threshold_s == 3.0  # typed, so it wins even though it equals the default
    assert (flags.transcriber.model, flags.transcriber.device, flags.transcriber.cpu_threads) == ("tiny.en", "auto", 0)


def test_without_a_file_the_flags_defaults_apply():
    from thinkaloud.cli.analyze import options_from_args

    options = options_from_args(analyze_args())
    assert options.silence_threshold_s == 3.0 and options.transcriber.device == "auto"
    assert options.transcriber.model is None


# --- the command -----------------------------------------------------------------------------


def test_config_path_prints_where_the_file_goes(isolated_home):
    result = thinkaloud("config", "path")
    assert result.code == 0 and result.stdout.strip() == str(isolated_home / "config.toml")


def test_config_show_prints_values_and_their_origins():
    write_config("shiny = true\n" + FULL.replace('device = "cpu"\n', ""))
    result = thinkaloud("config", "show")
    assert result.code == 0
    lines = {line.split("#")[0].strip(): line.split("#")[-1].strip() for line in result.stdout.splitlines() if "=" in line}
    assert lines['silence = 4.5'] == "config file"
    assert lines['device = "auto"'] == "default"
    assert lines["hedge = false"] == "config file"
    assert lines["recap = true"] == "default"
    assert "unknown setting 'shiny'" in result.stderr


def test_config_show_json_is_machine_readable():
    write_config("silence = 2\n")
    data = json.loads(thinkaloud("config", "show", "--format", "json").stdout)
    assert data["settings"]["silence"] == {"value": 2.0, "from": "config file"}
    assert data["settings"]["model"] == {"value": "tiny.en", "from": "default"}


def test_config_show_refuses_a_broken_file_in_one_line():
    write_config("[detectors\n")
    result = thinkaloud("config", "show")
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "is not valid TOML: line 1" in result.stderr


def test_config_init_writes_a_template_that_loads_cleanly():
    result = thinkaloud("config", "init")
    assert result.code == 0 and config_file().is_file()
    config = load_config()
    assert config.exists and config.warnings == () and config.silence == 3.0
    again = thinkaloud("config", "init")
    assert again.code == 2 and "already exists" in again.stderr
