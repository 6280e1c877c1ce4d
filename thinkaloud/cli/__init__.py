"""The `thinkaloud` command line.

Conventions every subcommand keeps: stdout carries the result and nothing
else; progress and diagnostics go to stderr; a failure the user can fix is
one line on stderr and a meaningful exit code (`thinkaloud.errors.ExitCode`).
Subcommand modules are imported only when their command runs, so
`thinkaloud --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from thinkaloud import __version__
from thinkaloud.errors import ExitCode, ThinkaloudError

#: name -> (module, one-line help).  Each module has `add_arguments(parser)` and `run(args) -> int`.
COMMANDS = {
    "analyze": ("thinkaloud.cli.analyze", "analyse a recorded answer (audio or .txt transcript)"),
    "live": ("thinkaloud.cli.live", "rehearse out loud with live coaching (microphone, or --source FILE)"),
    "questions": ("thinkaloud.cli.questions", "list the interview question bank by topic, with follow-ups"),
    "devices": ("thinkaloud.cli.devices", "list the audio input devices that 'live --mic' can use"),
    "history": ("thinkaloud.cli.history", "list your takes, newest first, with the trend of the key metrics"),
    "show": ("thinkaloud.cli.show", "show the summary of one take"),
    "compare": ("thinkaloud.cli.compare", "show what changed between two takes"),
    "export": ("thinkaloud.cli.export", "export a take as markdown, html, json, srt or vtt"),
    "delete": ("thinkaloud.cli.delete", "delete takes and their recordings (asks first)"),
    "config": ("thinkaloud.cli.config", "show where the config file is and the settings in force"),
    "eval": ("thinkaloud.cli.eval", "measure the detectors on the labelled corpus (precision, recall, F1)"),
    "recover": ("thinkaloud.cli.recover", "list takes interrupted by a crash, or analyse one (or --all) and keep it"),
}


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the fix, not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: {message}; see '{self.prog} --help'.\n")
        sys.exit(ExitCode.USAGE)


def build_parser() -> OneLineErrorParser:
    parser = OneLineErrorParser(
        prog="thinkaloud",
        description="A local, private coach for answers spoken aloud. Nothing leaves your machine.",
    )
    parser.add_argument("--version", action="version", version=f"thinkaloud {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineErrorParser)
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module_name)
        _add_arguments_lazily(sub, module_name)
    return parser


def _add_arguments_lazily(sub: argparse.ArgumentParser, module_name: str) -> None:
    # Argument definitions live beside each command; importing those small
    # modules is cheap because they import their heavy dependencies in `run`.
    importlib.import_module(module_name).add_arguments(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    module = importlib.import_module(args._module)
    try:
        return module.run(args)
    except ThinkaloudError as error:
        sys.stderr.write(f"thinkaloud: {error.message}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("thinkaloud: interrupted.\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader of stdout went away (e.g. `| head`); nothing left to say.
        return ExitCode.OK
    except Exception as error:  # a bug: still one line, with a way to see more
        if os.environ.get("THINKALOUD_DEBUG"):
            raise
        sys.stderr.write(
            f"thinkaloud: internal error ({type(error).__name__}: {error}); "
            "rerun with THINKALOUD_DEBUG=1 to see the traceback, and please report it.\n"
        )
        return ExitCode.INTERNAL
