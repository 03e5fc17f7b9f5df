"""Memory per idle connection, line by line: Sanad beside the bare python-socketio relay.

Each server runs under tracemalloc (bench/gcwatch.py, TRACEMALLOC_DIR): a snapshot once it is up,
one with COUNT people connected and idle. Prints, per connection, the allocation sites where Sanad
holds more than the relay, and where less. tracemalloc slows the servers several times over:
read the bytes as shares and differences, not as the RSS figures of docs/capacity.md.

    python -m bench.memory_lines --count 1240 --deflate     # Sanad as browsers connect (~5 min)
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import subprocess
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from bench.run_all import PG_DEFAULT, ROOT, Server, loadgen_command


def snapshots(target: str, args: argparse.Namespace, *extra: str) -> tuple[Path, Path]:
    """(up, connected) snapshots of one fresh server."""
    workdir = Path(tempfile.mkdtemp(prefix=f"memory-{target}-"))
    os.environ["TRACEMALLOC_DIR"] = str(workdir)
    try:
        with Server(target, args, workdir) as server:
            pid = server.process.pid
            os.kill(pid, signal.SIGUSR1)  # start tracing
            time.sleep(1)
            os.kill(pid, signal.SIGUSR1)  # up
            rooms = math.ceil(args.count / (args.trainees + 1))
            hold = ["--hold", "30", "--connect-rate", "100", *extra]
            command = loadgen_command(server, rooms, args.trainees, hold)
            with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as load:
                for line in load.stdout:
                    if '"phase": "connect"' in line:
                        print(f"  {target}: {line.strip()}", flush=True)
                        os.kill(pid, signal.SIGUSR1)  # connected
                        break
                load.kill()
            for _ in range(600):  # the snapshot is written by the server, in its own time
                if (workdir / f"{pid}-2.snap").exists():
                    break
                time.sleep(0.5)
    finally:
        del os.environ["TRACEMALLOC_DIR"]
    return workdir / f"{pid}-1.snap", workdir / f"{pid}-2.snap"


def per_connection(up: Path, connected: Path, count: int) -> Counter:
    before, after = tracemalloc.Snapshot.load(str(up)), tracemalloc.Snapshot.load(str(connected))
    sites: Counter = Counter()
    for diff in after.compare_to(before, "lineno"):
        frame = diff.traceback[0]
        site = frame.filename.split("site-packages/")[-1].split("python3.11/")[-1]
        sites[f"{site}:{frame.lineno}"] += diff.size_diff / count
    return sites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="sqlite", help="sqlite or postgres")
    parser.add_argument("--count", type=int, default=1240)
    parser.add_argument("--trainees", type=int, default=30)
    parser.add_argument("--deflate", action="store_true", help="Sanad offered permessage-deflate")
    parser.add_argument("--postgres-url", default=PG_DEFAULT)
    parser.add_argument("--lines", type=int, default=25)
    args = parser.parse_args()
    args.nice, args.seed_rooms = 0, math.ceil(args.count / (args.trainees + 1))
    bare = per_connection(*snapshots("bare", args), args.count)
    ours = per_connection(
        *snapshots(args.target, args, *(["--deflate"] * args.deflate)), args.count
    )
    print(
        f"traced per connection: bare relay {sum(bare.values()):.0f} B, "
        f"Sanad ({args.target}{', deflate offered' if args.deflate else ''}) "
        f"{sum(ours.values()):.0f} B"
    )
    differences = sorted(bare.keys() | ours.keys(), key=lambda site: bare[site] - ours[site])
    for site in [*differences[: args.lines], None, *differences[-args.lines // 2 :]]:
        if site is None:
            print("  …")
        elif abs(ours[site] - bare[site]) >= 20:
            print(f"  {ours[site] - bare[site]:+7.0f} B  {site}")


if __name__ == "__main__":
    main()
