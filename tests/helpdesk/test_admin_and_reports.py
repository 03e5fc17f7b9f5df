"""The administrator's pages and the reports, over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from helpdesk.adapters.orm.desk import ApiToken, CategoryRoute, DeskSettings, Holiday, Webhook
from helpdesk.adapters.orm.institute import Department, Staff
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Category
from helpdesk.services import tickets as svc
from helpdesk.services.bus import MessageBus
from helpdesk.services.referral_clock import sweep_referral_clock
from tests.helpdesk.fixtures import actor, department, new_ticket
from tests.helpdesk.pages import csrf_of

R = StaffRole


async def post(client, what: str, data: dict | list):
    token = csrf_of(await (await client.get("/admin")).text())
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    return await client.post(
        f"/admin/{what}", data=[("csrf", token), *pairs], allow_redirects=False
    )


async def test_only_administrators_reach_the_admin_pages(client, log_in_as):
    await log_in_as(R.DEPARTMENT_MANAGER, department=await department())
    for path in ("/admin", "/admin/reports", "/admin/reports.csv"):
        assert (await client.get(path)).status == 403, path
    response = await client.post("/admin/departments", data={"code": "x"})
    assert response.status == 403
    assert await Department.all().count() == 1


async def test_the_administrator_sets_up_the_desk(client, log_in_as):
    await log_in_as(R.ADMINISTRATOR)
    assert (
        await post(
            client,
            "departments",
            {"code": "certs", "name_ar": "الشهادات", "name_en": "Certificates"},
        )
    ).status == 303
    certs = await Department.get(code="certs")
    assert (await post(client, "categories", {"route_certificates": str(certs.id)})).status == 303
    assert await CategoryRoute.filter(
        category=Category.CERTIFICATES, department_id=certs.id
    ).exists()
    staff_form = {"name": "منى", "email": "mona@sanad.test", "role": "department_manager",
                  "department": str(certs.id), "password": "a long enough password"}  # fmt: skip
    assert (await post(client, "staff", staff_form)).status == 303
    assert (await Staff.get(email="mona@sanad.test")).department_id == certs.id
    short = await post(
        client, "staff", {**staff_form, "email": "x@sanad.test", "password": "short"}
    )
    assert short.status == 400 and 'role="alert"' in await short.text()
    for bad_email in ("<>@x.org", "mona\x07@sanad.test", "x" * 250 + "@sanad.test"):
        refused = await post(client, "staff", {**staff_form, "email": bad_email})
        assert refused.status == 400
        assert "ليس عنوان بريد إلكتروني صالحًا" in await refused.text() or "أطول" in (
            await refused.text()
        )
    no_department = await post(client, "staff", {**staff_form, "email": "n@sanad.test",
                                                  "department": ""})  # fmt: skip
    assert no_department.status == 400
    assert not await Staff.filter(email__in=["n@sanad.test", "<>@x.org"]).exists()
    calendar = [("working_days", d) for d in ("6", "0", "1", "2")] + [
        ("opening", "08:00"), ("closing", "15:00"), ("warn_share", "80"), ("reopen_days", "7"),
    ]  # fmt: skip
    assert (await post(client, "calendar", calendar)).status == 303
    settings = await DeskSettings.get(id=1)
    assert (settings.working_days, settings.opening, settings.warn_share, settings.reopen_days) == (
        "0,1,2,6", "08:00", 0.8, 7,
    )  # fmt: skip
    bad = await post(
        client,
        "calendar",
        [
            ("opening", "17:00"),
            ("closing", "09:00"),
            ("warn_share", "75"),
            ("reopen_days", "7"),
            ("working_days", "0"),
        ],
    )
    assert bad.status == 400
    assert (
        await post(client, "holidays", {"day": "2026-12-01", "name": "يوم المعهد"})
    ).status == 303
    assert await Holiday.filter(name="يوم المعهد").exists()
    assert (await post(client, "holidays", {"day": "not a date", "name": "x"})).status == 400
    token_page = await post(client, "tokens", [("name", "CRM"), ("scopes", "tickets:read")])
    assert token_page.status == 200 and "snd_" in await token_page.text()
    assert (await ApiToken.get(name="CRM")).scopes == ["tickets:read"]
    hook = await post(
        client, "webhooks", [("url", "https://crm.example/hook"), ("events", "ticket.created")]
    )
    assert hook.status == 200 and (await Webhook.get()).events == ["ticket.created"]
    assert (await post(client, "nonsense", {})).status == 404


async def test_reports_and_csv_export(client, log_in_as, staff_member):
    certs = await department("certs", mapped=(Category.CERTIFICATES,))
    level1 = actor(await staff_member(R.LEVEL1_AGENT))
    now = datetime.now(UTC)
    on_time = await new_ticket(now=now - timedelta(hours=30))
    await svc.refer_to_department(
        on_time.id, certs.id, level1, now=now - timedelta(hours=29), bus=MessageBus()
    )
    await new_ticket(now=now - timedelta(hours=26), subject='=HYPERLINK("http://evil")')
    await sweep_referral_clock(now, bus=MessageBus())  # escalates the second one, late
    await log_in_as(R.ADMINISTRATOR)
    page = await (await client.get("/admin/reports?lang=en")).text()
    assert 'data-testid="tickets">2<' in page
    assert "50.0% (1 / 2)" in page
    export = await client.get("/admin/reports.csv")
    assert export.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await export.text())))
    assert sorted(r["referred_within_24h"] for r in rows) == ["false", "true"]
    assert all(r["department"] == "certs" for r in rows)
    assert '\'=HYPERLINK("http://evil")' in [r["subject"] for r in rows]  # no formula
    assert (await client.get("/admin/reports?from=yesterday")).status == 400
