"""Helpers to make the institute and tickets in tests, through the real services."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from helpdesk.adapters.orm.institute import Department
from helpdesk.domain.access import StaffActor
from helpdesk.domain.tickets import Category, Channel, ContactPreference, Requester, TicketKind
from helpdesk.services import desk, tickets
from helpdesk.services.bus import MessageBus
from helpdesk.services.tickets import Actor

# A new ticket as an API client sends it.
NEW_TICKET = {
    "kind": "complaint",
    "category": "certificates",
    "channel": "email",
    "subject": "الشهادة لم تصدر",
    "description": "أنهيت الدورة قبل شهر",
    "requester": {"name": "سارة", "email": "sara@example.com", "locale": "ar"},
}

RIYADH = ZoneInfo("Asia/Riyadh")
# A Tuesday morning in Riyadh.
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=RIYADH)


async def department(code: str = "certs", mapped: tuple[Category, ...] = ()) -> Department:
    dept = await Department.create(code=code, name_ar=f"قسم {code}", name_en=f"{code} dept")
    for category in mapped:
        await desk.route_category(category, dept.id)
    return dept


def actor(staff) -> Actor:
    return Actor.of_staff(StaffActor(staff.id, staff.name, staff.role, staff.department_id))


async def new_ticket(
    *,
    category: Category = Category.CERTIFICATES,
    email: str = "trainee@example.com",
    phone: str = "",
    preference: ContactPreference = ContactPreference.EMAIL,
    locale: str = "ar",
    now: datetime = T0,
    subject: str = "لم تصلني الشهادة",
    channel: Channel = Channel.WEB_FORM,
    bus: MessageBus | None = None,
):
    return await tickets.open_ticket(
        kind=TicketKind.COMPLAINT,
        category=category,
        channel=channel,
        requester=Requester(
            name="سارة", email=email, phone=phone, contact_preference=preference, locale=locale
        ),
        subject=subject,
        description="أنهيت الدورة ولم تصدر الشهادة",
        now=now,
        bus=bus or MessageBus(),  # a test that listens passes its own
    )
