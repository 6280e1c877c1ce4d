"""User-facing failures and the exit codes they map to.

Anything the user can fix (a missing file, a bad option, an unknown model)
raises a `ThinkaloudError` whose message is one sentence saying what went
wrong and what to do.  The CLI prints that sentence and exits with the
error's code; anything else is a bug and is reported as such.
"""

from __future__ import annotations


class ExitCode:
    OK = 0
    INTERNAL = 1  # a bug: an exception we did not anticipate
    USAGE = 2  # bad command line (argparse uses 2 as well)
    INPUT = 3  # the input file is missing, unreadable or not decodable
    MODEL = 4  # the ASR or NLP model cannot be found or loaded
    OUTPUT = 5  # the output path cannot be written
    DEVICE = 6  # the compute or audio device is unavailable
    INTERRUPTED = 130  # Ctrl+C, as shells report SIGINT


class ThinkaloudError(Exception):
    """An error the user can act on; `str(error)` is the one line shown to them."""

    exit_code = ExitCode.INTERNAL

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputError(ThinkaloudError):
    exit_code = ExitCode.INPUT


class UsageError(ThinkaloudError):
    exit_code = ExitCode.USAGE


class ModelError(ThinkaloudError):
    exit_code = ExitCode.MODEL


class OutputError(ThinkaloudError):
    exit_code = ExitCode.OUTPUT


class DeviceError(ThinkaloudError):
    exit_code = ExitCode.DEVICE
