"""The permission matrix of staff on tickets, for every role, level, department and action."""

import itertools

import pytest

from helpdesk.domain.access import StaffAction, StaffActor, TicketScope, may
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Level

R = StaffRole
A = StaffAction
OWN, OTHER = 1, 2
TICKETS = {
    "level1, routed to own": TicketScope(Level.CONTACT_CENTRE, None, OWN),
    "level1, routed elsewhere": TicketScope(Level.CONTACT_CENTRE, None, OTHER),
    "own department": TicketScope(Level.DEPARTMENT, OWN, OWN),
    "other department": TicketScope(Level.DEPARTMENT, OTHER, OTHER),
}
DEPARTMENT_WORK = set(A) - {A.TAKE, A.MARK_SPAM, A.UNMARK_SPAM}
LEVEL1_WORK = set(A) - {A.START, A.VERIFY, A.RETURN}


def expected(role: StaffRole, ticket: str, action: StaffAction) -> bool:
    if role == R.ADMINISTRATOR:
        return True
    if role == R.LEVEL1_AGENT:
        return action == A.VIEW or (ticket.startswith("level1") and action in LEVEL1_WORK)
    if action == A.VIEW:
        return ticket in ("level1, routed to own", "own department")
    return ticket == "own department" and action in DEPARTMENT_WORK


@pytest.mark.parametrize(("role", "ticket", "action"), list(itertools.product(R, TICKETS, A)))
def test_permission_matrix(role, ticket, action):
    department = None if role in (R.ADMINISTRATOR, R.LEVEL1_AGENT) else OWN
    actor = StaffActor(1, "x", role, department)
    assert may(actor, action, TICKETS[ticket]) is expected(role, ticket, action)


def test_department_staff_without_a_department_see_nothing():
    actor = StaffActor(1, "x", R.LEVEL2_AGENT, None)
    assert not any(may(actor, a, t) for a in A for t in TICKETS.values())
