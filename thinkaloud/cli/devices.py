"""`thinkaloud devices`: the audio input devices `live --mic` can record from."""

from __future__ import annotations

import argparse
import json
import sys

from thinkaloud.errors import DeviceError, ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the devices as a JSON array")


def run(args: argparse.Namespace) -> int:
    from thinkaloud.live.microphone import list_input_devices

    devices = list_input_devices()
    if args.json:
        sys.stdout.write(json.dumps([d.to_dict() for d in devices], indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if not devices:
        raise DeviceError(
            "no audio input device found; connect a microphone and check the sound system sees it "
            "(PulseAudio/PipeWire users: is the server running?), or use 'thinkaloud live --source FILE'."
        )
    if args.json:
        return ExitCode.OK
    width = max(len(d.name) for d in devices)
    lines = [f"  {'INDEX':>5}  {'NAME':<{width}}  {'RATE':>8}  HOST API"]
    for d in devices:
        mark = "*" if d.is_default else " "
        lines.append(f"{mark} {d.index:>5}  {d.name:<{width}}  {d.default_rate:>5} Hz  {d.host_api}")
    sys.stdout.write("\n".join(lines) + "\n")
    if any(d.is_default for d in devices):
        sys.stdout.write("* the default input; pick another with: thinkaloud live --mic INDEX|NAME\n")
    sys.stdout.flush()
    return ExitCode.OK
