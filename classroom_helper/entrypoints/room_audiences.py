"""Who hears what in a live room: the Socket.IO rooms of each audience (docs/realtime-protocol.md,
section 3.1)."""

from classroom_helper.adapters.orm import RoomEventRecord
from classroom_helper.domain.people import Person, Role
from classroom_helper.entrypoints.room_order import Message
from classroom_helper.services.room_log import wire


def staff_rooms(room_id: str) -> dict[Role, str]:
    return {Role.ROOM_MANAGER: f"{room_id}:managers", Role.TRAINER: f"{room_id}:trainers"}


def trainees_room(room_id: str) -> str:
    return f"{room_id}:trainees"


def person_room(room_id: str, sub: str) -> str:
    return f"{room_id}:person:{sub}"


def everyone(room_id: str) -> list[str]:
    return [*staff_rooms(room_id).values(), trainees_room(room_id)]


def audiences(person: Person) -> list[str]:
    """The Socket.IO rooms a person's connection hears the room in."""
    if person.role is Role.TRAINEE:
        return [trainees_room(person.room), person_room(person.room, person.sub)]
    return [staff_rooms(person.room)[person.role]]


def addressed(event: RoomEventRecord) -> Message:
    """A stored event with the Socket.IO rooms that hear it, as each audience sees it."""
    staff = [
        target
        for wanted, target in (
            (event.to_managers, staff_rooms(event.room_id)[Role.ROOM_MANAGER]),
            (event.to_trainers, staff_rooms(event.room_id)[Role.TRAINER]),
        )
        if wanted
    ]
    trainees = [trainees_room(event.room_id)] if event.to_trainees else []
    if event.to_person:
        trainees.append(person_room(event.room_id, event.to_person))
    return {
        "room": event.room_id,
        "seq": event.seq,
        "staff": staff,
        "for_staff": wire(event, for_trainee=False) if staff else None,
        "trainees": trainees,
        "for_trainees": wire(event, for_trainee=True) if trainees else None,
    }
