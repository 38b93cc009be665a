#!/usr/bin/env python3
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Search files, folders and the journal for secrets, printing where, never what.

    find_secrets.py [--journal] [--world-readable] PATH ...  < secrets.json

Standard input is a JSON object that maps a name (the inventory variable) to
a secret. A PATH that is a file is searched whatever its mode. A folder is
walked without following symbolic links; with --world-readable only regular
files that others may read (mode o+r) are searched. --journal also searches
the whole output of "journalctl -o cat". Prints a JSON object with the number
of files searched and a list of hits, each with "path" and "name".
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys

CHUNK_BYTES = 1 << 20


def find_in_stream(stream, needles: dict[str, bytes]) -> set[str]:
    """Return the names whose secret occurs in a binary stream."""
    overlap = max(len(value) for value in needles.values()) - 1
    found: set[str] = set()
    tail = b""
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            return found
        window = tail + chunk
        found.update(name for name, value in needles.items() if value in window)
        tail = window[-overlap:] if overlap else b""


def candidate_files(path: str, world_readable: bool):
    """Yield the regular files to search under PATH."""
    if not os.path.isdir(path) or os.path.islink(path):
        yield path
        return
    for folder, subfolders, files in os.walk(path, followlinks=False):
        for name in files:
            file_path = os.path.join(folder, name)
            try:
                mode = os.lstat(file_path).st_mode
            except FileNotFoundError:  # removed during the walk
                continue
            if not stat.S_ISREG(mode):
                continue
            if world_readable and not mode & stat.S_IROTH:
                continue
            yield file_path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journal", action="store_true", help="also search journalctl -o cat")
    parser.add_argument("--world-readable", action="store_true", help="in folders, only files with o+r")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()

    secrets = json.load(sys.stdin)
    needles = {name: str(value).encode() for name, value in secrets.items()}
    if not needles or any(len(value) < 8 for value in needles.values()):
        print("find_secrets.py: every secret must have at least 8 characters", file=sys.stderr)
        return 2

    hits = []
    searched = 0
    for root in args.paths:
        for file_path in candidate_files(root, args.world_readable):
            try:
                with open(file_path, "rb") as stream:
                    names = find_in_stream(stream, needles)
            except (FileNotFoundError, PermissionError):
                continue
            searched += 1
            hits.extend({"path": file_path, "name": name} for name in sorted(names))

    if args.journal:
        journal = subprocess.Popen(["journalctl", "--no-pager", "-o", "cat"], stdout=subprocess.PIPE)
        assert journal.stdout is not None
        names = find_in_stream(journal.stdout, needles)
        if journal.wait() != 0:
            print("find_secrets.py: journalctl failed", file=sys.stderr)
            return 2
        searched += 1
        hits.extend({"path": "journal", "name": name} for name in sorted(names))

    print(json.dumps({"searched": searched, "hits": hits}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
