"""A room's estimate figures are read at most once per `fresh_for` of the process's own time,
whatever time the asking action carries (a burst once made every waiting action read again)."""

from classroom_helper.services.lately import Lately


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_figure_is_read_once_while_fresh_then_again():
    clock, reads = Clock(), []

    async def read() -> int:
        reads.append(clock.now)
        return len(reads)

    lately = Lately(fresh_for=1.0, clock=clock)
    assert [await lately.get("room-1", read) for _ in range(50)] == [1] * 50
    clock.now += 0.99
    assert await lately.get("room-1", read) == 1
    assert await lately.get("room-2", read) == 2  # each room its own
    clock.now += 0.01
    assert await lately.get("room-1", read) == 3
    lately.forget("room-1")  # this process changed it: read at once
    assert await lately.get("room-1", read) == 4
    assert reads == [100.0, 100.99, 101.0, 101.0]
