"""The demo institute a newcomer clicks through; seeding it twice creates nothing twice."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.desk import CategoryRoute
from helpdesk.adapters.orm.institute import Course, Department, HostPlatform, RoomSession, Staff
from helpdesk.domain.institute import RoomState, StaffRole, is_staff_ref
from helpdesk.domain.tickets import Category
from helpdesk.services.guidance_seed import seed_guidance
from helpdesk.services.room_staff import assign_room_staff
from helpdesk.services.staff import create_staff

DEMO_PLATFORM = "demo"
DEMO_ROOM = "demo-room"
DEMO_TRAINEES = ("سارة أحمد", "عمر خالد", "Layla Hassan")

DEPARTMENTS = (
    ("registration", "التسجيل والشهادات", "Registration and Certificates"),
    ("elearning", "المنصة الإلكترونية", "E-learning Platform"),
)
# The competent department of each category of service.
CATEGORY_DEPARTMENTS = {
    Category.REGISTRATION: "registration",
    Category.CERTIFICATES: "registration",
    Category.PLATFORM_TRAINING: "elearning",
    Category.ONBOARDING: "elearning",
    Category.LOGIN_AND_ACCOUNTS: "elearning",
    Category.LIVE_SESSION_ATTENDANCE: "elearning",
    Category.TRAINER_ACCESS: "elearning",
    Category.OTHER: "registration",
}
# email, name, role, department code
STAFF = (
    ("admin@sanad.local", "مدير النظام", StaffRole.ADMINISTRATOR, None),
    ("contact@sanad.local", "نورة (مركز الاتصال)", StaffRole.LEVEL1_AGENT, None),
    (
        "registration.manager@sanad.local",
        "فهد (مدير التسجيل)",
        StaffRole.DEPARTMENT_MANAGER,
        "registration",
    ),
    ("registration.agent@sanad.local", "ريم (التسجيل)", StaffRole.LEVEL2_AGENT, "registration"),
    (
        "elearning.manager@sanad.local",
        "سلمان (مدير المنصة)",
        StaffRole.DEPARTMENT_MANAGER,
        "elearning",
    ),
    ("elearning.agent@sanad.local", "هند (المنصة)", StaffRole.LEVEL2_AGENT, "elearning"),
    ("trainer@sanad.local", "د. هدى (المدربة)", StaffRole.LEVEL2_AGENT, "elearning"),
)
# Who runs the demo room: they log in and open its consoles from the helpdesk console.
DEMO_ROOM_MANAGER = "elearning.agent@sanad.local"
DEMO_TRAINER = "trainer@sanad.local"


async def seed_demo_institute(now: datetime | None = None) -> dict[str, str]:
    """Create what is missing; return the passwords of staff created now (shown once)."""
    now = now or datetime.now(UTC)
    new_passwords: dict[str, str] = {}
    async with in_transaction():
        departments = {}
        for code, name_ar, name_en in DEPARTMENTS:
            departments[code], _ = await Department.get_or_create(
                code=code, defaults={"name_ar": name_ar, "name_en": name_en}
            )
        for category, code in CATEGORY_DEPARTMENTS.items():
            await CategoryRoute.get_or_create(
                category=category, defaults={"department": departments[code]}
            )
        for email, name, role, department in STAFF:
            if not await Staff.exists(email=email):
                password = secrets.token_urlsafe(9)
                await create_staff(
                    email=email,
                    name=name,
                    role=role,
                    password=password,
                    department=departments.get(department),
                )
                new_passwords[email] = password
        course, _ = await Course.get_or_create(
            code="DEMO-101",
            defaults={
                "title_ar": "مهارات العرض الفعّال",
                "title_en": "Effective Presentation Skills",
            },
        )
        await HostPlatform.get_or_create(
            id=DEMO_PLATFORM,
            defaults={"name": "Demo host platform", "secret": secrets.token_urlsafe(32)},
        )
        room, created = await RoomSession.get_or_create(
            room_id=DEMO_ROOM,
            defaults={
                "title": "مهارات العرض الفعّال — الجلسة ١",
                "course": course,
                "scheduled_start": now - timedelta(minutes=15),
                "scheduled_end": now + timedelta(hours=3),
            },
        )
        if not (is_staff_ref(room.room_manager_ref) or is_staff_ref(room.trainer_ref)):
            manager = await Staff.get(email=DEMO_ROOM_MANAGER)
            trainer = await Staff.get(email=DEMO_TRAINER)
            room = await assign_room_staff(room.id, manager.id, trainer.id)
        if not created and (room.scheduled_end < now or room.state == RoomState.CLOSED):
            # An old or closed demo room is moved to today, so that the demo is always a live class.
            room.scheduled_start = now - timedelta(minutes=15)
            room.scheduled_end = now + timedelta(hours=3)
            room.state = RoomState.SCHEDULED
            room.opened_at = room.closed_at = None
            await room.save()
    await seed_guidance(with_demo_profiles=True)
    return new_passwords
