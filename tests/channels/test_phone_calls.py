"""Level 1 logs calls on existing tickets and keeps its call-back promises, through the console."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.adapters.orm.channels import CallbackTask
from helpdesk.adapters.orm.tickets import TicketEvent
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Channel, ContactPreference
from tests.helpdesk.fixtures import RIYADH, new_ticket


async def csrf(client, path="/console/calls"):
    page = await (await client.get(path)).text()
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


@pytest.fixture
async def caller_ticket(server):
    return await new_ticket(
        phone="+966 50 123 4567",
        preference=ContactPreference.PHONE,
        channel=Channel.PHONE,
        now=datetime.now(UTC),
    )


async def test_only_level1_has_the_calls_page(client, log_in_as):
    assert (await client.get("/console/calls", allow_redirects=False)).status == 302
    await log_in_as(StaffRole.LEVEL2_AGENT)
    assert (await client.get("/console/calls")).status == 403


async def test_the_caller_is_found_and_the_call_lands_on_their_open_ticket(
    client, log_in_as, caller_ticket
):
    agent = await log_in_as(StaffRole.LEVEL1_AGENT, name="Noura")
    page = await (await client.get("/console/calls", params={"phone": "0501234567"})).text()
    assert caller_ticket.number in page and 'dir="rtl"' in page

    local_due = (datetime.now(UTC) + timedelta(hours=3)).astimezone(RIYADH)
    response = await client.post(
        "/console/calls",
        data={
            "csrf": await csrf(client),
            "number": caller_ticket.number,
            "summary": "اتصلت تسأل عن موعد إصدار الشهادة",
            "callback_due": local_due.strftime("%Y-%m-%dT%H:%M"),
            "callback_phone": "",
        },
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == f"/console/tickets/{caller_ticket.number}"
    call = await TicketEvent.get(ticket_id=caller_ticket.id, action="phone_call")
    assert call.channel == "phone" and call.actor == f"staff:{agent.id}"
    assert call.body == "اتصلت تسأل عن موعد إصدار الشهادة"
    task = await CallbackTask.get(ticket_id=caller_ticket.id)
    assert task.phone == "+966501234567" and task.done_at is None
    assert abs(task.due_at - local_due.replace(second=0, microsecond=0)) < timedelta(seconds=1)
    assert await TicketEvent.exists(ticket_id=caller_ticket.id, action="callback_scheduled")

    listing = await (await client.get("/console/calls")).text()
    assert caller_ticket.number in listing and "+966501234567" in listing
    done = await client.post(
        f"/console/callbacks/{task.id}/done",
        data={"csrf": await csrf(client), "outcome": "أبلغتها أن الشهادة تصدر غداً"},
        allow_redirects=False,
    )
    assert done.status == 303
    task = await CallbackTask.get(id=task.id)
    assert task.done_at is not None and task.done_by_id == agent.id
    line = await TicketEvent.get(ticket_id=caller_ticket.id, action="callback_done")
    assert line.body == "أبلغتها أن الشهادة تصدر غداً"
    again = await client.post(
        f"/console/callbacks/{task.id}/done", data={"csrf": await csrf(client), "outcome": ""}
    )
    assert again.status == 409


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": "SND-2026-999999"}, "لا توجد تذكرة بهذا الرقم"),
        ({"summary": ""}, "اكتب ما قاله المتصل"),
        ({"callback_due": "2000-01-01T10:00"}, "موعد معاودة الاتصال"),
        ({"callback_due": "tomorrow"}, "تاريخاً ووقتاً"),
    ],
)
async def test_bad_call_logs_are_explained_and_store_nothing(
    client, log_in_as, caller_ticket, fields, message
):
    await log_in_as(StaffRole.LEVEL1_AGENT)
    data = {"number": caller_ticket.number, "summary": "called", "callback_due": "", **fields}
    response = await client.post("/console/calls", data={"csrf": await csrf(client), **data})
    assert response.status == 400 and message in await response.text()
    assert not await TicketEvent.exists(ticket_id=caller_ticket.id, action="phone_call")
    assert not await CallbackTask.exists()


async def test_without_the_form_token_nothing_is_logged(client, log_in_as, caller_ticket):
    await log_in_as(StaffRole.LEVEL1_AGENT)
    response = await client.post(
        "/console/calls", data={"number": caller_ticket.number, "summary": "x", "csrf": "forged"}
    )
    assert response.status == 403
    assert not await TicketEvent.exists(ticket_id=caller_ticket.id, action="phone_call")


async def test_a_call_back_is_promised_on_a_new_phone_ticket(client, log_in_as, caller_ticket):
    await log_in_as(StaffRole.LEVEL1_AGENT)
    due = (datetime.now(UTC) + timedelta(days=1)).astimezone(RIYADH)
    response = await client.post(
        "/console/callbacks",
        data={
            "csrf": await csrf(client),
            "number": caller_ticket.number,
            "due": due.strftime("%Y-%m-%dT%H:%M"),
            "phone": "+966 55 000 1111",
            "note": "after the exam",
        },
        allow_redirects=False,
    )
    assert response.status == 303
    task = await CallbackTask.get(ticket_id=caller_ticket.id)
    assert (task.phone, task.note) == ("+966550001111", "after the exam")
    assert not await TicketEvent.exists(ticket_id=caller_ticket.id, action="phone_call")
    missing = await client.post(
        "/console/callbacks",
        data={"csrf": await csrf(client), "number": caller_ticket.number, "due": ""},
    )
    assert missing.status == 400 and "تاريخاً ووقتاً" in await missing.text()
