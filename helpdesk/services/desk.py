"""How the desk runs, as the administrator set it: calendar, clocks, category map, saved replies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.desk import (
    SETTINGS_ID,
    CategoryRoute,
    DeskSettings,
    Holiday,
    SavedReply,
    Webhook,
)
from helpdesk.adapters.orm.institute import Department, RoomSession
from helpdesk.domain.calendar import (
    Availability,
    BusinessCalendar,
    contact_centre_availability,
    public_holidays,
)
from helpdesk.domain.institute import RoomState
from helpdesk.domain.sla import SlaPolicy
from helpdesk.domain.tickets import Category
from helpdesk.i18n import N_


class InvalidSetting(ValueError):
    """A setting the administrator entered is not usable; the message says which and why."""


@dataclass(frozen=True)
class Desk:
    calendar: BusinessCalendar
    policy: SlaPolicy
    reopen_window: timedelta
    routes: dict[Category, int]  # category -> department id
    webhooks: tuple[Webhook, ...]  # the active ones

    @property
    def time_zone(self) -> ZoneInfo:
        return self.calendar.time_zone


def _new_revision() -> str:
    return uuid.uuid4().hex


async def _desk_changed() -> None:
    """Every change to the holidays, the category map or the webhooks makes every process rebuild
    its desk."""
    await DeskSettings.filter(id=SETTINGS_ID).update(revision=_new_revision())


async def ensure_settings(time_zone: ZoneInfo) -> DeskSettings:
    """At start-up: the settings row exists and follows the configured time zone."""
    settings, _ = await DeskSettings.get_or_create(
        id=SETTINGS_ID, defaults={"time_zone": time_zone.key, "revision": _new_revision()}
    )
    if settings.time_zone != time_zone.key or not settings.revision:
        settings.time_zone, settings.revision = time_zone.key, _new_revision()
        await settings.save(update_fields=["time_zone", "revision"])
    return settings


# The last desk this process built, by (revision, year): a ticket's creation then reads one row
# instead of the settings, every holiday and the category map (bench/JOURNAL.md).
_last_desk: tuple[tuple[str, int], Desk] | None = None


async def load_desk(around: datetime, revision: str = "") -> Desk:
    """`revision`: the settings row's revision as the caller has just read it (a ticket's creation
    reads it with the new ticket's id, in one round trip); read here when not given."""
    global _last_desk
    if revision and _last_desk is not None and _last_desk[0] == (revision, around.year):
        return _last_desk[1]
    settings = await DeskSettings.get_or_none(id=SETTINGS_ID) or DeskSettings()
    key = (settings.revision, around.year)
    if settings.revision and _last_desk is not None and _last_desk[0] == key:
        return _last_desk[1]
    desk = await _build_desk(settings, around)
    if settings.revision:
        _last_desk = key, desk
    return desk


async def _build_desk(settings: DeskSettings, around: datetime) -> Desk:
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
        webhooks=tuple(await Webhook.filter(is_active=True).order_by("id")),
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
        settings.revision = _new_revision()
        await settings.save()
    return settings


async def add_holiday(day: date, name: str) -> Holiday:
    if not name.strip():
        raise InvalidSetting(N_("a holiday needs a name"))
    async with in_transaction():
        holiday, _ = await Holiday.update_or_create(day=day, defaults={"name": name.strip()[:200]})
        await _desk_changed()
    return holiday


async def remove_holiday(holiday_id: int) -> None:
    async with in_transaction():
        await Holiday.filter(id=holiday_id).delete()
        await _desk_changed()


async def route_category(category: Category, department_id: int | None) -> None:
    """Map a category to its competent department (None removes the mapping)."""
    if department_id is not None and not await Department.exists(id=department_id):
        raise InvalidSetting(N_("no such department"))
    async with in_transaction():
        if department_id is None:
            await CategoryRoute.filter(category=category).delete()
        else:
            await CategoryRoute.update_or_create(
                category=category, defaults={"department_id": department_id}
            )
        await _desk_changed()


async def add_webhook(url: str, secret: str, events: list[str]) -> Webhook:
    async with in_transaction():
        hook = await Webhook.create(url=url, secret=secret, events=events)
        await _desk_changed()
    return hook


async def remove_webhook(webhook_id: int) -> None:
    async with in_transaction():
        await Webhook.filter(id=webhook_id).update(is_active=False)
        await _desk_changed()


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


async def contact_centre_now(now: datetime) -> tuple[Availability, BusinessCalendar]:
    """Open now, or when it opens next (working hours, and the scheduled course times of the
    week), with the calendar it was read from."""
    desk = await load_desk(now)
    sessions = await RoomSession.filter(
        scheduled_end__gt=now, state__not=RoomState.CLOSED
    ).values_list("scheduled_start", "scheduled_end")
    return contact_centre_availability(desk.calendar, now, sessions), desk.calendar
