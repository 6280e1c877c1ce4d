"""`thinkaloud questions`: the interview question bank, grouped by topic.

Lists every question with the constraints its follow-ups change, shows one
question (or follow-up) in full by id, or picks one at random.  The bank is
the bundled one plus any questions added in the config file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap

from thinkaloud.errors import ExitCode

FORMATS = ("text", "json")
MAX_ID_WIDTH = 30
MAX_WIDTH = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", nargs="?", help="show one question (or follow-up) in full, e.g. ml-churn or ml-churn/cold-start")
    parser.add_argument("--topic", metavar="TEXT", help="only topics whose name contains TEXT (e.g. 'system design')")
    parser.add_argument("--random", action="store_true", help="print one question picked at random (from --topic if given)")
    parser.add_argument("--full", action="store_true", help="in the list, show each follow-up's full wording")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")


def run(args: argparse.Namespace) -> int:
    from thinkaloud.config import load_config
    from thinkaloud.errors import UsageError
    from thinkaloud.questions import FollowUp, to_dict

    config = load_config()
    for warning in config.warnings:
        sys.stderr.write(f"thinkaloud: warning: {warning}\n")
    bank = config.question_bank()
    if args.id and (args.random or args.topic):
        raise UsageError("give a question id, or --random/--topic to choose among questions, not both.")
    style = Style(sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    width = min(MAX_WIDTH, shutil.get_terminal_size((88, 24)).columns) if sys.stdout.isatty() else 88

    if args.id or args.random:
        entry = bank.lookup(args.id) if args.id else bank.pick(args.topic)
        question = bank.question(entry.parent_id) if isinstance(entry, FollowUp) else entry
        if args.format == "json":
            data = to_dict([question])["questions"][0]
            if isinstance(entry, FollowUp):
                data = {"id": entry.id, "constraint": entry.constraint, "text": entry.text, "question": data}
            _write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        else:
            _write(render_one(entry, question, style, width))
            if not args.id:
                sys.stderr.write(f"thinkaloud: rehearse it with: thinkaloud live --question {entry.id}\n")
        return ExitCode.OK

    questions = bank.matching_topic(args.topic) if args.topic else bank.questions
    if args.format == "json":
        _write(json.dumps(to_dict(questions), indent=2, ensure_ascii=False) + "\n")
        return ExitCode.OK
    _write(render_list(questions, style, width, full=args.full))
    topics = len({q.topic for q in questions})
    sys.stderr.write(
        f"thinkaloud: {len(questions)} question{'s' if len(questions) != 1 else ''} in {topics} topic{'s' if topics != 1 else ''}; "
        "rehearse one with 'thinkaloud live --question ID' or 'thinkaloud live --random-question'.\n"
    )
    return ExitCode.OK


class Style:
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def bold(self, text: str) -> str:
        return f"\033[1m{text}\033[0m" if self.enabled else text

    def dim(self, text: str) -> str:
        return f"\033[2m{text}\033[0m" if self.enabled else text


def render_list(questions, style: Style, width: int, full: bool = False) -> str:
    lines: list[str] = []
    topics = list(dict.fromkeys(q.topic for q in questions))
    id_width = min(MAX_ID_WIDTH, max(len(q.id) for q in questions) + 2)
    text_width = max(30, width - id_width - 2)
    indent = " " * (id_width + 2)
    for topic in topics:
        group = [q for q in questions if q.topic == topic]
        if lines:
            lines.append("")
        lines.append(style.bold(f"{topic} ({len(group)})"))
        for question in group:
            wrapped = textwrap.wrap(question.text, text_width) or [""]
            lines.append(f"  {question.id:<{id_width}}{wrapped[0]}")
            lines += [indent + rest for rest in wrapped[1:]]
            if not question.follow_ups:
                continue
            if full:
                for follow_up in question.follow_ups:
                    head = f"↳ {follow_up.constraint}: "
                    body = textwrap.wrap(head + follow_up.text, text_width, subsequent_indent="  ")
                    lines += [indent + style.dim(line) for line in body]
            else:
                body = _wrap_items("follow-ups: ", [f.constraint for f in question.follow_ups], text_width)
                lines += [indent + style.dim(line) for line in body]
    return "\n".join(lines) + "\n"


def _wrap_items(prefix: str, items: list[str], width: int) -> list[str]:
    """`prefix` then items joined by " · ", breaking lines only between items."""
    continuation = "  "
    lines, current = [], prefix
    for item in items:
        fresh = current in (prefix, continuation)
        candidate = current + item if fresh else f"{current} · {item}"
        if not fresh and len(candidate) > width:
            lines.append(current + " ·")
            current = continuation + item
        else:
            current = candidate
    lines.append(current)
    return lines


def render_one(entry, question, style: Style, width: int) -> str:
    from thinkaloud.questions import FollowUp

    lines: list[str] = []
    wrap = lambda text, indent="": textwrap.wrap(text, width - len(indent), initial_indent="", subsequent_indent="") or [""]  # noqa: E731
    if isinstance(entry, FollowUp):
        lines.append(style.bold(entry.id) + style.dim(f"  · follow-up ({entry.constraint}) to {question.id} · {question.topic}"))
        lines += wrap(entry.text)
        lines.append("")
        lines.append(style.dim("It follows:"))
        lines += ["  " + line for line in wrap(question.text, "  ")]
        others = [f for f in question.follow_ups if f.id != entry.id]
        heading = "Other follow-ups:"
    else:
        lines.append(style.bold(question.id) + style.dim(f"  · {question.topic}"))
        lines += wrap(question.text)
        others = list(question.follow_ups)
        heading = "Follow-ups:"
    if others:
        lines.append("")
        lines.append(style.dim(heading))
        for follow_up in others:
            lines.append(f"  {style.bold(follow_up.id)}  ({follow_up.constraint})")
            lines += ["    " + line for line in wrap(follow_up.text, "    ")]
    return "\n".join(lines) + "\n"


def _write(content: str) -> None:
    sys.stdout.write(content)
    sys.stdout.flush()
