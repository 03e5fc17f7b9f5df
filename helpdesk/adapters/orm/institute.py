"""The institute: departments, staff, courses, live room sessions, host platforms."""

from tortoise import fields
from tortoise.models import Model

from helpdesk.domain.institute import RoomState, StaffRole


class Department(Model):
    # A Level 2 operational department. Its manager is its staff member with the manager role.

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    name_ar = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    staff: fields.ReverseRelation["Staff"]

    class Meta:
        app = "helpdesk"

    def name(self, locale: str) -> str:
        return self.name_ar if locale == "ar" else self.name_en


class Staff(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(StaffRole, max_length=30)
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "helpdesk.Department", related_name="staff", null=True, on_delete=fields.RESTRICT
    )
    password_hash = fields.CharField(max_length=200)
    locale = fields.CharField(max_length=5, default="ar")
    is_active = fields.BooleanField(default=True)
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "helpdesk"


class Course(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    title_ar = fields.CharField(max_length=300)
    title_en = fields.CharField(max_length=300)

    class Meta:
        app = "helpdesk"

    def title(self, locale: str) -> str:
        return self.title_ar if locale == "ar" else self.title_en


class RoomSession(Model):
    # One live class in a virtual room; its people come from the host platform's tokens.

    id = fields.IntField(primary_key=True)
    room_id = fields.CharField(max_length=100, unique=True)
    title = fields.CharField(max_length=300)
    course: fields.ForeignKeyNullableRelation[Course] = fields.ForeignKeyField(
        "helpdesk.Course", related_name="sessions", null=True, on_delete=fields.RESTRICT
    )
    scheduled_start = fields.DatetimeField()
    scheduled_end = fields.DatetimeField()
    state = fields.CharEnumField(RoomState, max_length=20, default=RoomState.SCHEDULED)
    room_manager_ref = fields.CharField(max_length=100, default="")
    room_manager_name = fields.CharField(max_length=200, default="")
    trainer_ref = fields.CharField(max_length=100, default="")
    trainer_name = fields.CharField(max_length=200, default="")
    opened_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    # The host platform whose token created the room: only its tokens (and Sanad's own staff
    # passes) are let in. "" for a room made before platforms were told apart, or by Sanad.
    platform = fields.CharField(max_length=60, default="", db_default="")

    class Meta:
        app = "helpdesk"


class HostPlatform(Model):
    # A platform that puts people in rooms; it signs their tokens with its own secret.

    id = fields.CharField(max_length=60, primary_key=True)
    name = fields.CharField(max_length=200)
    secret = fields.CharField(max_length=200)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "helpdesk"
