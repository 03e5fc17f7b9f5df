"""Run a server with its garbage collections recorded (count and CPU time per generation, and each
full collection), written to a JSON file twice a second for the load generator to read.

CPU time (time.thread_time) rather than wall time: a collection's cost, whatever else the
machine runs meanwhile.

    python -m bench.gcwatch /tmp/gc.json -- run.py serve
    python -m bench.gcwatch /tmp/gc.json -- -m bench.bare_relay --secret S

Experiments on a server that has no GC settings of its own (the bare relay):
    GC_THRESHOLD=50000,20,100   gc.set_threshold(...) before the server starts
    GC_FREEZE_FULL=1            after each full collection, gc.freeze() its survivors

Memory line by line (bench/memory_lines.py drives it):
    TRACEMALLOC_DIR=/tmp/m      the first SIGUSR1 starts tracemalloc, each later one writes a
                                snapshot there (<pid>-<n>.snap)

What a young collection traverses (any server; slow, a diagnosis only):
    GC_YOUNG_TYPES=/tmp/young.txt   a line per young collection: its CPU ms, the objects of
                                    generation 0, their most common types, and the
                                    coroutines among them by name
"""

from __future__ import annotations

import gc
import json
import os
import runpy
import signal
import sys
import threading
import time
from collections import Counter

FULL_KEPT = 500


class Watch:
    def __init__(self, path: str, freeze_full: bool = False):
        self.freeze_full = freeze_full
        self.path = path
        self.collections = [0, 0, 0]
        self.cpu_ms = [0.0, 0.0, 0.0]
        self.full: list[tuple[float, float]] = []  # (when, CPU ms) of each gen-2 collection
        self.started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = time.thread_time()
            return
        generation = info["generation"]
        cpu = (time.thread_time() - self.started) * 1000
        self.collections[generation] += 1
        self.cpu_ms[generation] += cpu
        if generation == 2:
            self.full.append((time.time(), round(cpu, 2)))
            del self.full[:-FULL_KEPT]
            if self.freeze_full:
                gc.freeze()

    def dump_forever(self) -> None:
        while True:
            time.sleep(0.5)
            state = {
                "collections": self.collections,
                "cpu_ms": [round(ms, 2) for ms in self.cpu_ms],
                "full": self.full,
                "threshold": gc.get_threshold(),
                "frozen": gc.get_freeze_count(),
            }
            partial = self.path + ".part"
            with open(partial, "w") as out:
                json.dump(state, out)
            os.replace(partial, self.path)


class YoungTypes:
    def __init__(self, path: str):
        self.out = open(path, "w")  # noqa: SIM115 (for the process's life)
        self.started, self.types = 0.0, ""

    def __call__(self, phase: str, info: dict) -> None:
        if info["generation"] != 0:
            return
        if phase == "start":
            young = gc.get_objects(generation=0)
            common = Counter(type(o).__name__ for o in young).most_common(10)
            self.types = f"{len(young)} objects: {common}; {_inside(young)}"
            self.started = time.thread_time()
        else:
            cpu = (time.thread_time() - self.started) * 1000
            self.out.write(f"{cpu:.1f} ms, {self.types}\n")
            self.out.flush()


def snapshots_on_signal(directory: str) -> None:
    import tracemalloc

    taken = 0

    def on_signal(signum, frame) -> None:
        nonlocal taken
        if not tracemalloc.is_tracing():
            tracemalloc.start(6)
            return
        taken += 1
        tracemalloc.take_snapshot().dump(os.path.join(directory, f"{os.getpid()}-{taken}.snap"))

    signal.signal(signal.SIGUSR1, on_signal)


def _inside(young: list) -> str:
    """The young coroutines by name (what the objects hold is not read: a container still
    being built by C code can hold NULLs, and reading one crashes the process)."""
    names = Counter(o.cr_code.co_qualname for o in young if type(o).__name__ == "coroutine")
    return str(names.most_common(12))


def main() -> None:
    path, separator, *command = sys.argv[1:]
    if separator != "--" or not command:
        sys.exit(__doc__)
    watch = Watch(path, freeze_full=os.environ.get("GC_FREEZE_FULL") == "1")
    if os.environ.get("GC_THRESHOLD"):
        gc.set_threshold(*(int(n) for n in os.environ["GC_THRESHOLD"].split(",")))
    gc.callbacks.append(watch)
    if os.environ.get("GC_YOUNG_TYPES"):
        gc.callbacks.append(YoungTypes(os.environ["GC_YOUNG_TYPES"]))
    if os.environ.get("TRACEMALLOC_DIR"):
        snapshots_on_signal(os.environ["TRACEMALLOC_DIR"])
    threading.Thread(target=watch.dump_forever, daemon=True, name="gcwatch").start()
    if command[0] == "-m":
        sys.argv = [command[1], *command[2:]]
        runpy.run_module(command[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = command
        sys.path.insert(0, os.path.dirname(os.path.abspath(command[0])))
        runpy.run_path(command[0], run_name="__main__")


if __name__ == "__main__":
    main()
