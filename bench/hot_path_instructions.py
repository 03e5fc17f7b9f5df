"""Instructions per raise + withdraw on the live room's hot path, counted by valgrind's callgrind:
what else the machine runs does not change the count, so that a change worth a few per cent can
be told from noise on a shared machine (CPU time per raise varied by ±30 % between runs of the
same tree here). The count still moves by ~3 % from one pair of runs to the next (random client
ids land in other places of the indexes): count the two trees side by side, more than once.

    python -m bench.hot_path_instructions                   # this tree, ~12 minutes
    python -m bench.hot_path_instructions --keep /tmp/cg    # and keep callgrind's files

It runs `bench/room_hot_path.py` twice under callgrind, each on a new SQLite file, with two
numbers of raises: start-up and seeding cancel out of the difference. Where the instructions
go: `callgrind_annotate` on the two kept files (C functions; SQLite's library, the interpreter,
libc), and the difference per function.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def instructions(raises: int, args: argparse.Namespace, folder: Path) -> int:
    """Instructions of a whole run of room_hot_path with this many raises + withdraws."""
    command = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={folder / f'callgrind-{raises}.out'}",
        sys.executable,
        "-m",
        "bench.room_hot_path",
        f"--raises={raises}",
        f"--rooms={args.rooms}",
        f"--together={args.together}",
    ]
    environment = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    environment["DATABASE_URL"] = f"sqlite://{folder / f'hot-{raises}.sqlite3'}"
    environment["PYTHONHASHSEED"] = "0"  # the same dicts and sets in every run
    run = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--together", type=int, default=4)
    parser.add_argument("--raises", default="100,700", help="the two numbers of raises")
    parser.add_argument("--keep", type=Path, help="a folder for callgrind's files")
    args = parser.parse_args()
    fewer, more = (int(n) for n in args.raises.split(","))
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        counts = [instructions(n, args, folder) for n in (fewer, more)]
    per_raise = (counts[1] - counts[0]) / (more - fewer)
    print(
        f"{per_raise:,.0f} instructions per raise + withdraw ({args.rooms} rooms, "
        f"{args.together} at once; runs of {fewer} and {more}: {counts[0]:,} and {counts[1]:,})"
    )


if __name__ == "__main__":
    main()
