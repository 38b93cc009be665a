#!/usr/bin/env python3
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command and end it with SIGTERM when a line of its output matches.

    interrupt_play.py --marker REGEX --log FILE -- COMMAND [ARG ...]

The command runs in a session of its own, and SIGTERM goes to that whole
process group, as when an operator's terminal closes: ansible-playbook and its
forked workers stop together. The output goes to FILE. Prints one JSON
object: whether the marker was seen, the line that matched and the exit code.
Exits 1 when the command ended before the marker appeared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--marker", required=True, help="regular expression that triggers SIGTERM")
    parser.add_argument("--log", required=True, help="file that receives the command's output")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    marker = re.compile(args.marker)

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    matched = None
    with open(args.log, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if marker.search(line):
                matched = line.strip()
                os.killpg(process.pid, signal.SIGTERM)
                break
        # Keep the output that arrives while the process group stops.
        for line in process.stdout:
            log.write(line)
        returncode = process.wait()

    print(json.dumps({"marker_seen": matched is not None, "line": matched, "returncode": returncode}))
    return 0 if matched is not None else 1


if __name__ == "__main__":
    sys.exit(main())
