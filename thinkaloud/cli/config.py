"""`thinkaloud config path|show|init`: where the settings file is and what is in force."""

from __future__ import annotations

import argparse
import sys

from thinkaloud.errors import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("path", help="print where the config file is (or would be)",
                       description="print where the config file is (or would be)")
    show = actions.add_parser("show", help="print the settings in force and where each comes from",
                              description="print the settings in force and where each comes from")
    show.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    init = actions.add_parser("init", help="create a commented config file to edit",
                              description="create a commented config file to edit")
    init.add_argument("--force", action="store_true", help="replace an existing config file")


def run(args: argparse.Namespace) -> int:
    from thinkaloud.config import config_file

    if args.action == "path":
        sys.stdout.write(f"{config_file()}\n")
        return ExitCode.OK
    if args.action == "init":
        return _init(args.force)
    from thinkaloud.config import config_to_dict, load_config, render_config

    config = load_config()
    for warning in config.warnings:
        sys.stderr.write(f"thinkaloud: warning: {warning}\n")
    config.question_bank()  # extra questions must not clash with the bundled ones
    if args.format == "json":
        import json

        sys.stdout.write(json.dumps(config_to_dict(config), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_config(config))
    return ExitCode.OK


def _init(force: bool) -> int:
    import os

    from thinkaloud.config import TEMPLATE, config_file
    from thinkaloud.errors import OutputError, UsageError

    path = config_file()
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; edit it, or pass --force to replace it with the template.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(TEMPLATE, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        raise OutputError(f"cannot write {path} ({error.strerror or error}); check that the folder is writable.") from None
    sys.stderr.write(f"thinkaloud: wrote {path}; edit it to change the defaults.\n")
    sys.stdout.write(f"{path}\n")
    return ExitCode.OK
