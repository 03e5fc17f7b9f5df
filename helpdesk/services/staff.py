"""Staff accounts: create them, check their password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from helpdesk.adapters.orm.institute import Department, Staff
from helpdesk.domain.contacts import InvalidContact, email_address
from helpdesk.domain.institute import StaffRole
from helpdesk.i18n import N_
from helpdesk.services.tickets import InvalidInput

_hasher = PasswordHasher()
# Repeated failures lock the account for a while: slows down password guessing.
MAX_FAILED_LOGINS = 5
LOCKED_FOR = timedelta(minutes=15)
MIN_PASSWORD = 12
# Roles that work inside one department.
DEPARTMENT_ROLES = (StaffRole.LEVEL2_AGENT, StaffRole.DEPARTMENT_MANAGER)


class AccountLocked(Exception):
    def __init__(self, until: datetime):
        self.until = until
        super().__init__(f"locked until {until.isoformat()}")


async def create_staff(
    *,
    email: str,
    name: str,
    role: StaffRole,
    password: str,
    department: Department | None = None,
    locale: str = "ar",
) -> Staff:
    return await Staff.create(
        email=email.strip().lower(),
        name=name,
        role=role,
        department=department,
        password_hash=_hasher.hash(password),
        locale=locale,
    )


async def add_staff_member(
    *, email: str, name: str, role: str, password: str, department_id: int | None
) -> Staff:
    """The administrator adds someone: the institute's rules for an account, then the account."""
    if role not in {r.value for r in StaffRole}:
        raise InvalidInput(N_("Choose a role."))
    department = await Department.get_or_none(id=department_id) if department_id else None
    if role in DEPARTMENT_ROLES and department is None:
        raise InvalidInput(N_("Level 2 agents and department managers belong to a department."))
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(N_("The password needs at least 12 characters."))
    try:
        email = email_address(email)
    except InvalidContact as error:
        raise InvalidInput(error.message, what=error.what) from None
    if not email or not name.strip():
        raise InvalidInput(N_("Fill in every required field."))
    return await create_staff(
        email=email, name=name.strip(), role=StaffRole(role), password=password,
        department=department,
    )  # fmt: skip


async def authenticate(email: str, password: str, now: datetime | None = None) -> Staff | None:
    """The active staff member with this email and password, or None (never says which was wrong).

    Raises AccountLocked while the account is locked, even for the right password.
    """
    now = now or datetime.now(UTC)
    email = email.strip().lower()
    staff = None if "\x00" in email else await Staff.get_or_none(email=email, is_active=True)
    if staff is None:
        _hasher.hash(password)  # same work either way: no timing hint that the email exists
        return None
    if staff.locked_until is not None and staff.locked_until > now:
        raise AccountLocked(staff.locked_until)
    try:
        _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        staff.failed_logins += 1
        if staff.failed_logins >= MAX_FAILED_LOGINS:
            staff.failed_logins, staff.locked_until = 0, now + LOCKED_FOR
        await staff.save(update_fields=["failed_logins", "locked_until"])
        return None
    staff.failed_logins, staff.locked_until = 0, None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    await staff.save(update_fields=["failed_logins", "locked_until", "password_hash"])
    return staff
