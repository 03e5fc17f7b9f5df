"""/metrics for Prometheus (docs/deploy.md lists every name and how to scrape them).

Figures from the database (tickets, the 24-hour limit, the outbox, and those the composition root
adds, such as the live room's) are computed at scrape time with a few counting queries, so every
process answers the same. What each process counts as events pass comes from its own registry, or,
with several processes on one port, from the files they all write (prometheus_client's
multiprocess mode): a scrape may land on any process and still sees them all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from helpdesk.config import Config
from helpdesk.domain.secret_check import same_secret
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.problems import problem
from helpdesk.services import delivery, queues

Figures = Callable[[datetime], Awaitable[list[Metric]]]


@dataclass(frozen=True)
class MetricsEndpoint:
    token: str | None  # None: /metrics is off
    counted: Collector  # what the processes counted
    figures: tuple[Figures, ...]  # what the database says, at scrape time


def counters_for(config: Config) -> tuple[CollectorRegistry | None, Collector]:
    """Where a process's counters register, and where /metrics collects them from: one process's
    own registry, or the multiprocess directory that every process on the port writes to.

    prometheus_client itself reads PROMETHEUS_MULTIPROC_DIR when it is imported and then writes
    every counter there; the configuration reads the same variable to collect them."""
    if config.metrics_multiprocess_dir is not None:
        return None, MultiProcessCollector(None, str(config.metrics_multiprocess_dir))
    registry = CollectorRegistry()
    return registry, registry


async def metrics(request: web.Request) -> web.Response:
    endpoint = request.app[keys.METRICS]
    if endpoint.token is None:
        raise web.HTTPNotFound()
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not same_secret(presented, endpoint.token):
        refused = problem(401, "Unauthorized", "Present METRICS_TOKEN as a bearer token.")
        refused.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return refused
    now = datetime.now(UTC)
    families = list(endpoint.counted.collect())
    for figures in endpoint.figures:
        families += await figures(now)
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    response = web.Response(body=encode(_Families(families)))
    response.headers["Content-Type"] = content_type
    return response


class _Families:
    """What prometheus_client's encoders read: anything with collect()."""

    def __init__(self, families: Iterable[Metric]):
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


async def desk_figures(now: datetime) -> list[Metric]:
    tickets = GaugeMetricFamily(
        "sanad_tickets", "Tickets by level (1, 2) and status", labels=["level", "status"]
    )
    for (level, status), n in (await queues.tickets_by_level_and_status()).items():
        tickets.add_metric([str(level.value), status.value], n)
    risk = await queues.referral_risk(now)
    outbox = await delivery.outbox_figures(now)
    return [
        tickets,
        GaugeMetricFamily(
            "sanad_tickets_at_risk",
            "Tickets still at Level 1 past the warning, before the 24-hour limit"
            " (the department manager's at-risk view)",
            value=risk.at_risk,
        ),
        GaugeMetricFamily(
            "sanad_tickets_past_limit",
            "Tickets still at Level 1 past the 24-hour limit (the sweep escalates them)",
            value=risk.overdue,
        ),
        GaugeMetricFamily(
            "sanad_tickets_referred_late",
            "Tickets that reached the department after the 24-hour limit, last 30 days",
            value=risk.referred_late,
        ),
        _by_medium("sanad_outbox_backlog", "Notifications waiting to go out", outbox.backlog),
        _by_medium(
            "sanad_outbox_retrying",
            "Waiting notifications whose last attempt failed",
            outbox.retrying,
        ),
        _by_medium(
            "sanad_outbox_failed",
            "Notifications given up after every attempt failed",
            outbox.failed,
        ),
        GaugeMetricFamily(
            "sanad_outbox_oldest_pending_seconds",
            "Age of the oldest notification waiting to go out (0: none)",
            value=outbox.oldest_pending_seconds,
        ),
    ]


def _by_medium(name: str, documentation: str, counted: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=["medium"])
    for medium, n in counted.items():
        family.add_metric([medium], n)
    return family
