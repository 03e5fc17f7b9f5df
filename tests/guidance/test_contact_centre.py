"""Contact-centre status: on every public page, and as JSON for the widget."""

from datetime import UTC, datetime, time, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import helpdesk
from helpdesk.adapters.orm.institute import RoomSession
from helpdesk.domain.calendar import BusinessCalendar, contact_centre_availability
from helpdesk.domain.institute import RoomState
from helpdesk.entrypoints.guidance import contact_centre_banner
from helpdesk.i18n import Catalogues
from helpdesk.services.desk import load_desk

RIYADH = ZoneInfo("Asia/Riyadh")
CALENDAR = BusinessCalendar(time_zone=RIYADH)


def identity(message, **values):
    return message % values if values else message


def test_banner_when_open():
    banner = contact_centre_banner(True, None, CALENDAR, "en", RIYADH, identity)
    assert banner.headline == "The contact centre is open now."
    assert banner.detail == (
        "Call us or write on any channel. Hours: Sunday to Thursday, 09:00–17:00, "
        "and during scheduled course times."
    )
    assert banner.next_open is None


def test_the_hours_are_the_desk_settings_in_both_languages():
    arabic = Catalogues([Path(helpdesk.__file__).parent / "locale"])
    saturday_to_wednesday = BusinessCalendar(
        working_days=(5, 6, 0, 1, 2), opening=time(8, 30), closing=time(16, 0)
    )
    banner = contact_centre_banner(
        True, None, saturday_to_wednesday, "ar", RIYADH, partial(arabic.gettext, "ar")
    )
    assert "أوقات العمل: من السبت إلى الأربعاء، من 08:30 إلى 16:00" in banner.detail
    some_days = BusinessCalendar(working_days=(6, 1, 3))
    banner = contact_centre_banner(True, None, some_days, "en", RIYADH, identity)
    assert "Hours: Sunday, Tuesday, and Thursday, 09:00–17:00" in banner.detail
    always = BusinessCalendar(working_days=tuple(range(7)))
    banner = contact_centre_banner(True, None, always, "en", RIYADH, identity)
    assert "Hours: every day, 09:00–17:00" in banner.detail


def test_banner_when_closed_says_when_it_opens_and_what_happens_meanwhile():
    next_open = datetime(2026, 11, 29, 9, 0, tzinfo=RIYADH)
    banner = contact_centre_banner(False, next_open, CALENDAR, "en", RIYADH, identity)
    assert banner.headline == (
        "The contact centre is closed. It opens Sunday 29 November, 09:00"
        " (19 Jumada al-Akhirah 1448 AH)."
    )
    assert "room manager handles technical problems" in banner.detail
    assert "becomes a ticket" in banner.detail


def test_next_opening_is_shown_in_the_institute_time_zone():
    next_open = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)  # 09:00 in Riyadh
    banner = contact_centre_banner(False, next_open, CALENDAR, "en", RIYADH, identity)
    assert "Sunday 29 November, 09:00" in banner.headline


async def test_status_json_for_the_widget(client):
    response = await client.get("/api/v1/contact-centre?lang=en")
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = await response.json()
    assert isinstance(body["open_now"], bool)
    assert body["locale"] == "en"
    if body["open_now"]:
        assert body["next_open"] is None
    else:
        opens = datetime.fromisoformat(body["next_open"])
        assert datetime.now(UTC) < opens < datetime.now(UTC) + timedelta(days=30)
        assert opens.astimezone(RIYADH).hour == 9
        assert "It opens" in body["headline"]


async def test_every_public_page_carries_the_banner_in_both_languages(seeded):
    for path in ("/", "/help", "/guide/certificate", "/certificate/check", "/no-such-page"):
        for lang, word in (("ar", "مركز الاتصال"), ("en", "contact centre")):
            page = await (await seeded.get(f"{path}?lang={lang}")).text()
            start = page.index('class="contact-centre')
            assert word in page[start : start + 600], (path, lang)


async def test_a_live_course_opens_the_centre(client):
    now = datetime.now(UTC)
    await RoomSession.create(
        room_id="evening-class",
        title="Evening class",
        scheduled_start=now - timedelta(minutes=5),
        scheduled_end=now + timedelta(hours=1),
    )
    body = await (await client.get("/api/v1/contact-centre?lang=en")).json()
    assert body["open_now"] is True
    assert body["headline"] == "The contact centre is open now."


async def test_a_closed_course_does_not(client):
    now = datetime.now(UTC)
    await RoomSession.create(
        room_id="ended-class",
        title="Ended class",
        scheduled_start=now - timedelta(minutes=5),
        scheduled_end=now + timedelta(hours=1),
        state=RoomState.CLOSED,
    )
    expected = contact_centre_availability((await load_desk(now)).calendar, now).open_now
    body = await (await client.get("/api/v1/contact-centre?lang=en")).json()
    assert body["open_now"] is expected
