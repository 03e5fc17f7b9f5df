"""How the desk runs, as the administrator set it: calendar, clocks, category map, saved replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.desk import CategoryRoute, DeskSettings, Holiday, SavedReply
from helpdesk.adapters.orm.institute import Department, RoomSession
from helpdesk.domain.calendar import (
    Availability,
    BusinessCalendar,
    contact_centre_availability,
    public_holidays,
)
from helpdesk.domain.sla import SlaPolicy
from helpdesk.domain.tickets import Category
from helpdesk.i18n import N_

SETTINGS_ID = 1


class InvalidSetting(ValueError):
    """A setting the administrator entered is not usable; the message says which and why."""


@dataclass(frozen=True)
class Desk:
    calendar: BusinessCalendar
    policy: SlaPolicy
    reopen_window: timedelta
    routes: dict[Category, int]  # category -> department id

    @property
    def time_zone(self) -> ZoneInfo:
        return self.calendar.time_zone


async def ensure_settings(time_zone: ZoneInfo) -> DeskSettings:
    """At start-up: the settings row exists and follows the configured time zone."""
    settings, _ = await DeskSettings.get_or_create(
        id=SETTINGS_ID, defaults={"time_zone": time_zone.key}
    )
    if settings.time_zone != time_zone.key:
        settings.time_zone = time_zone.key
        await settings.save(update_fields=["time_zone"])
    return settings


async def load_desk(around: datetime) -> Desk:
    settings = await DeskSettings.get_or_none(id=SETTINGS_ID) or DeskSettings()
    years = range(around.year - 1, around.year + 3)
    days = set(public_holidays(years)) | set(await Holiday.all().values_list("day", flat=True))
    calendar = BusinessCalendar(
        time_zone=ZoneInfo(settings.time_zone),
        working_days=tuple(int(d) for d in settings.working_days.split(",") if d != ""),
        opening=time.fromisoformat(settings.opening),
        closing=time.fromisoformat(settings.closing),
        holidays=frozenset(days),
    )
    routes = {
        Category(c): d
        for c, d in await CategoryRoute.all().values_list("category", "department_id")
    }
    return Desk(
        calendar=calendar,
        policy=SlaPolicy(warn_share=settings.warn_share),
        reopen_window=timedelta(days=settings.reopen_days),
        routes=routes,
    )


async def update_settings(
    *, working_days: list[int], opening: str, closing: str, warn_share: float, reopen_days: int
) -> DeskSettings:
    try:
        start, end = time.fromisoformat(opening), time.fromisoformat(closing)
    except ValueError:
        raise InvalidSetting(N_("opening and closing are times such as 09:00")) from None
    if end <= start:
        raise InvalidSetting(N_("closing must be after opening"))
    if not working_days or any(d not in range(7) for d in working_days):
        raise InvalidSetting(N_("choose at least one working day"))
    if not 0 < warn_share < 1:
        raise InvalidSetting(N_("the warning share is between 0 and 1 (e.g. 0.75)"))
    if not 0 <= reopen_days <= 365:
        raise InvalidSetting(N_("the reopen window is 0 to 365 days"))
    async with in_transaction():
        settings = await DeskSettings.get_or_none(id=SETTINGS_ID) or DeskSettings(id=SETTINGS_ID)
        settings.working_days = ",".join(str(d) for d in sorted(set(working_days)))
        settings.opening, settings.closing = start.strftime("%H:%M"), end.strftime("%H:%M")
        settings.warn_share, settings.reopen_days = warn_share, reopen_days
        await settings.save()
    return settings


async def add_holiday(day: date, name: str) -> Holiday:
    if not name.strip():
        raise InvalidSetting(N_("a holiday needs a name"))
    holiday, _ = await Holiday.update_or_create(day=day, defaults={"name": name.strip()[:200]})
    return holiday


async def remove_holiday(holiday_id: int) -> None:
    await Holiday.filter(id=holiday_id).delete()


async def route_category(category: Category, department_id: int | None) -> None:
    """Map a category to its competent department (None removes the mapping)."""
    if department_id is None:
        await CategoryRoute.filter(category=category).delete()
        return
    if not await Department.exists(id=department_id):
        raise InvalidSetting(N_("no such department"))
    await CategoryRoute.update_or_create(
        category=category, defaults={"department_id": department_id}
    )


async def save_reply(title: str, body: str, locale: str, reply_id: int | None = None) -> SavedReply:
    if not title.strip() or not body.strip():
        raise InvalidSetting(N_("a saved reply needs a title and a text"))
    if reply_id is None:
        return await SavedReply.create(title=title.strip()[:200], body=body, locale=locale)
    reply = await SavedReply.get_or_none(id=reply_id)
    if reply is None:
        raise InvalidSetting(N_("no such saved reply"))
    reply.title, reply.body, reply.locale = title.strip()[:200], body, locale
    await reply.save()
    return reply


async def contact_centre_now(now: datetime) -> Availability:
    """Open now, or when it opens next: working hours, and the scheduled course times of the week."""
    desk = await load_desk(now)
    sessions = await RoomSession.filter(
        scheduled_end__gt=now, scheduled_start__lt=now + timedelta(days=7)
    ).values_list("scheduled_start", "scheduled_end")
    return contact_centre_availability(desk.calendar, now, sessions)
