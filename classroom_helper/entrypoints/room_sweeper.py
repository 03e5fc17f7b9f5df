"""The live room's own clock, a scheduled job (helpdesk/entrypoints/scheduler.py runs it; the
composition root registers it): this process's presence kept fresh, the tickets that are due
made, the sessions past their end closed."""

from collections.abc import Callable
from datetime import datetime
from functools import partial

from tortoise.transactions import in_transaction

from classroom_helper.domain.room_issues import TicketRules
from classroom_helper.entrypoints.room_delivery import Delivery
from classroom_helper.entrypoints.room_presence import RoomPresence
from classroom_helper.services import issues, sessions
from classroom_helper.services.room_log import Outcome


class RoomSweeper:
    def __init__(
        self,
        rules: TicketRules,
        presence: RoomPresence,
        delivery: Delivery,
        clock: Callable[[], datetime],
    ):
        self.rules, self.presence, self.delivery, self.clock = rules, presence, delivery, clock

    async def sweep(self) -> None:
        await self.presence.refresh()
        now = self.clock()
        for room_id, issue_id, reason in await issues.tickets_due(
            self.rules, now, self.presence.process
        ):
            await self.delivery.act(
                room_id, partial(issues.ticket_on_its_own, issue_id, reason, now)
            )
        for room_id in await sessions.sessions_past_their_end(now):
            await self.delivery.act(room_id, partial(_close_on_schedule, room_id, now))


async def _close_on_schedule(room_id: str, now: datetime) -> Outcome:
    async with in_transaction():
        return await sessions.close_session(None, room_id, now)
