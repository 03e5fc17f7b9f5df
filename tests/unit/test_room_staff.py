"""Who may open a room's consoles after logging in: the assigned staff member, or an administrator."""

import pytest

from helpdesk.domain.institute import RoomRole, StaffRole, may_run_room, staff_ref

MANAGER, TRAINER = 7, 8
ROOM = {"room_manager_ref": staff_ref(MANAGER), "trainer_ref": staff_ref(TRAINER)}


@pytest.mark.parametrize(
    ("role", "staff_id", "console", "may"),
    [
        (StaffRole.LEVEL2_AGENT, MANAGER, RoomRole.ROOM_MANAGER, True),
        (StaffRole.LEVEL2_AGENT, MANAGER, RoomRole.TRAINER, False),  # not their part
        (StaffRole.LEVEL1_AGENT, TRAINER, RoomRole.TRAINER, True),
        (StaffRole.DEPARTMENT_MANAGER, 9, RoomRole.ROOM_MANAGER, False),  # not assigned
        (StaffRole.ADMINISTRATOR, 9, RoomRole.ROOM_MANAGER, True),  # stands in
        (StaffRole.ADMINISTRATOR, 9, RoomRole.TRAINER, True),
        (StaffRole.LEVEL2_AGENT, MANAGER, RoomRole.TRAINEE, False),
    ],
)
def test_the_assigned_staff_member_or_an_administrator(role, staff_id, console, may):
    assert may_run_room(role, staff_id, console, **ROOM) is may


def test_a_host_platform_reference_names_no_staff_member():
    assert not may_run_room(
        StaffRole.LEVEL1_AGENT, 7, RoomRole.ROOM_MANAGER, room_manager_ref="7", trainer_ref=""
    )
    assert not may_run_room(
        StaffRole.LEVEL1_AGENT, 7, RoomRole.ROOM_MANAGER, room_manager_ref="", trainer_ref=""
    )
