"""Who a host token admits, in the live room's words."""

import sys

from classroom_helper.adapters.host_tokens import RoomPass
from classroom_helper.domain.people import Person, Role


def person_from(room_pass: RoomPass) -> Person:
    # One string per room and per locale rather than one per connection (each token brings its
    # own copies): 10,000 people connected share a few hundred.
    return Person(
        sub=room_pass.person_ref,
        name=room_pass.name,
        role=Role(room_pass.role),
        room=sys.intern(room_pass.room_id),
        email=room_pass.email or None,
        phone=room_pass.phone or None,
        locale=sys.intern(room_pass.locale or "ar"),
    )
