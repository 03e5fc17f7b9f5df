"""Staff accounts: create them, check their password."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from helpdesk.adapters.orm.institute import Department, Staff
from helpdesk.domain.institute import StaffRole

_hasher = PasswordHasher()


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


async def authenticate(email: str, password: str) -> Staff | None:
    """The active staff member with this email and password, or None (never says which was wrong)."""
    staff = await Staff.get_or_none(email=email.strip().lower(), is_active=True)
    if staff is None:
        _hasher.hash(password)  # same work either way: no timing hint that the email exists
        return None
    try:
        _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
        await staff.save(update_fields=["password_hash"])
    return staff
