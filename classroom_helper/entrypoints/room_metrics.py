"""The live room's part of /metrics (docs/deploy.md lists every name).

What each process counts as events pass (client events received, room events sent, the raise →
room manager latency), and what the database says at scrape time (people connected, open issues
and questions: the same for every process, so a scrape may land on any of them).
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric

from classroom_helper.adapters.orm import RoomEventRecord
from classroom_helper.domain.payloads import EVENTS
from classroom_helper.services import issues, presence, questions

# The goal is 50 ms from the trainee's raise to the room manager; finer below it, coarse above.
RAISE_TO_MANAGERS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 1.0)

# When this task (python-socketio runs each client event in its own) received an `issue.raise`.
_raise_received: ContextVar[float | None] = ContextVar("raise_received", default=None)


class RoomMetrics:
    """Hooks for the live room's hot path: a few µs per event (bench/JOURNAL.md)."""

    def __init__(self, registry: CollectorRegistry | None):
        self.received = Counter(
            "sanad_room_events_received",
            "Client events the live room received, by event and outcome (ok or the error code)",
            ["event", "outcome"],
            registry=registry,
        )
        self.sent = Counter(
            "sanad_room_events_sent",
            "Room events handed to Socket.IO for their audiences, by type",
            ["type"],
            registry=registry,
        )
        self.raise_to_managers = Histogram(
            "sanad_room_raise_to_managers_seconds",
            "From receiving issue.raise until its issue.raised event was handed to the room"
            " managers' Socket.IO room",
            buckets=RAISE_TO_MANAGERS_BUCKETS,
            registry=registry,
        )

    def receiving(self, event: str, started: float) -> None:
        _raise_received.set(started if event == "issue.raise" else None)

    def answered(self, event: str, outcome: str) -> None:
        # only the protocol's event names: a client cannot make up new series
        self.received.labels(event if event in EVENTS else "other", outcome).inc()

    def handed_to_staff(self, event: RoomEventRecord) -> None:
        started = _raise_received.get()
        if started is not None and event.type == "issue.raised" and event.to_managers:
            self.raise_to_managers.observe(time.perf_counter() - started)

    def room_event_sent(self, event: RoomEventRecord) -> None:
        self.sent.labels(event.type).inc()


async def room_figures(now: datetime) -> list[Metric]:
    """Scrape-time figures from the database, global across processes."""
    people = GaugeMetricFamily(
        "sanad_room_people_connected",
        "People connected to live rooms now, each person once per role",
        labels=["role"],
    )
    for role, n in (await presence.people_by_role(now)).items():
        people.add_metric([role.value], n)
    open_issues = GaugeMetricFamily(
        "sanad_room_issues_open",
        "Technical issues not yet resolved, in every room, by state",
        labels=["state"],
    )
    for state, n in (await issues.open_issues_by_state()).items():
        open_issues.add_metric([state.value], n)
    open_questions = GaugeMetricFamily(
        "sanad_room_questions_open",
        "Content questions waiting for their trainer, in every room",
        value=await questions.open_questions(),
    )
    return [people, open_issues, open_questions]
