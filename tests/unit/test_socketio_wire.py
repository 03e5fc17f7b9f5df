"""The room's Socket.IO manager keeps each socket's rooms, so that a departure leaves only those:
the rooms it leaves behind are python-socketio's own, whatever the order of comings and goings."""

import random
from types import SimpleNamespace

import socketio
from hypothesis import given, settings
from hypothesis import strategies as st

from classroom_helper.adapters.socketio_wire import DirectSend, RoomPacket


def _manager(cls):
    ids = random.Random(1)  # both managers make the same sids
    manager = cls()
    eio = SimpleNamespace(generate_id=lambda: f"{ids.getrandbits(64):x}")
    manager.set_server(SimpleNamespace(packet_class=RoomPacket, eio=eio))
    return manager


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["connect", "enter", "leave", "disconnect"]),
        st.integers(0, 5),  # which connection
        st.sampled_from(["r1:trainees", "r1:managers", "r2:trainees", "r1:person:a"]),
    ),
    max_size=40,
)


async def _run(manager, steps) -> dict:
    sids: dict[int, str] = {}
    for step, who, room in steps:
        sid = sids.get(who)
        if step == "connect" and sid is None:
            sids[who] = await manager.connect(f"eio-{who}", "/")
        elif step == "enter" and sid is not None:
            await manager.enter_room(sid, "/", room)
        elif step == "leave" and sid is not None:
            await manager.leave_room(sid, "/", room)
        elif step == "disconnect" and sid is not None:
            manager.pre_disconnect(sid, "/")
            await manager.disconnect(sid, "/")
            del sids[who]
    rooms = {room: sorted(members) for room, members in manager.rooms.get("/", {}).items()}
    return {"rooms": rooms, "pending": manager.pending_disconnect, "callbacks": manager.callbacks}


@settings(max_examples=200, deadline=None)
@given(steps=STEPS)
async def test_rooms_after_any_comings_and_goings_are_python_socketios_own(steps):
    ours = await _run(_manager(DirectSend), steps)
    theirs = await _run(_manager(socketio.AsyncManager), steps)
    assert ours == theirs


async def test_a_departure_leaves_every_room_of_its_socket_and_only_those():
    manager = _manager(DirectSend)
    leaving = await manager.connect("eio-leaving", "/")
    staying = await manager.connect("eio-staying", "/")
    for sid in (leaving, staying):
        await manager.enter_room(sid, "/", "r1:trainees")
    await manager.enter_room(leaving, "/", "r1:person:a")
    manager.pre_disconnect(leaving, "/")
    await manager.disconnect(leaving, "/")
    rooms = manager.rooms["/"]
    assert set(rooms) == {None, staying, "r1:trainees"}
    assert list(rooms["r1:trainees"]) == [staying]
    assert manager.pending_disconnect == {}
