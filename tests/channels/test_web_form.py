"""The public web form, through the real app on a real port."""

import re

import aiohttp
import pytest

from helpdesk.adapters.orm.channels import Attachment, InboundMessage
from helpdesk.adapters.orm.desk import Notification
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Category, Channel, TicketKind
from helpdesk.entrypoints import keys

PDF = b"%PDF-1.4\n%%EOF\n"


async def open_form(client, kind="complaint", lang=""):
    response = await client.get(f"/contact/{kind}" + (f"?lang={lang}" if lang else ""))
    assert response.status == 200
    page = await response.text()
    tokens = {
        name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
        for name in ("csrf", "nonce")
    }
    return page, tokens


def form_data(tokens, files=(), **fields):
    data = aiohttp.FormData()
    values = {
        "csrf": tokens["csrf"],
        "nonce": tokens["nonce"],
        "website": "",
        "category": "certificates",
        "course": "Project management, group 3",
        "subject": "لم تصدر شهادتي",
        "description": "أنهيت الدورة قبل أسبوعين ولم تصدر الشهادة بعد.",
        "name": "هدى سالم",
        "email": "Huda@Example.org",
        "phone": "",
        "contact_preference": "email",
        **fields,
    }
    for name, value in values.items():
        if value is not None:
            data.add_field(name, value)
    for filename, content, content_type in files:
        data.add_field("attachments", content, filename=filename, content_type=content_type)
    return data


async def test_the_form_is_arabic_first_and_asks_for_the_fields_of_its_kind(client):
    choose = await client.get("/contact")
    assert 'dir="rtl"' in await choose.text()
    complaint, _ = await open_form(client, "complaint")
    technical, _ = await open_form(client, "technical-issue")
    suggestion, _ = await open_form(client, "suggestion", lang="en")
    assert 'dir="rtl"' in complaint and "شكوى" in complaint
    assert 'name="course"' in complaint and 'name="device"' not in complaint
    assert 'name="device"' in technical and 'name="course"' not in technical
    assert 'dir="ltr"' in suggestion and "Suggestion" in suggestion
    assert 'name="course"' not in suggestion and 'name="device"' not in suggestion
    assert (await client.get("/contact/room")).status == 404


async def test_a_sent_form_makes_a_ticket_and_shows_its_number_and_tracking_link(client):
    _, tokens = await open_form(client)
    response = await client.post("/contact/complaint", data=form_data(tokens))
    page = await response.text()

    assert response.status == 200
    ticket = await Ticket.get()
    assert ticket.channel == Channel.WEB_FORM and ticket.kind == TicketKind.COMPLAINT
    assert ticket.category == Category.CERTIFICATES
    assert ticket.requester_email == "huda@example.org" and ticket.requester_name == "هدى سالم"
    assert ticket.description.endswith("Course: Project management, group 3")
    assert ticket.number in page
    assert f"/track/{ticket.number}?key={ticket.tracking_secret}" in page
    inbound = await InboundMessage.get()
    assert inbound.channel == "web_form" and inbound.ticket_id == ticket.id
    assert "huda@example.org" in page  # the confirmation waits in the outbox
    confirmation = await Notification.get(ticket_id=ticket.id)
    assert (confirmation.kind, confirmation.medium) == ("created", "email")
    assert confirmation.recipient == "huda@example.org" and confirmation.locale == "ar"


async def test_sending_the_same_form_twice_makes_one_ticket(client):
    _, tokens = await open_form(client)
    first = await client.post("/contact/complaint", data=form_data(tokens))
    second = await client.post("/contact/complaint", data=form_data(tokens))
    ticket = await Ticket.get()
    assert ticket.number in await first.text() and ticket.number in await second.text()
    assert await Ticket.all().count() == 1


async def test_an_attachment_is_served_to_its_requester_and_staff_only(client, log_in_as):
    _, tokens = await open_form(client)
    await client.post(
        "/contact/complaint",
        data=form_data(tokens, files=[("إيصال الدفع.pdf", PDF, "application/pdf")]),
    )
    ticket = await Ticket.get()
    attachment = await Attachment.get(ticket_id=ticket.id)
    assert attachment.filename == "إيصال الدفع.pdf" and attachment.size == len(PDF)
    assert "static" not in client.server.app[keys.INTAKE].attachments.directory.parts

    url = f"/attachments/{attachment.id}"
    assert (await client.get(url)).status == 404
    assert (await client.get(url + "?key=wrong")).status == 404
    as_requester = await client.get(url + f"?key={ticket.tracking_secret}")
    assert as_requester.status == 200 and await as_requester.read() == PDF
    assert as_requester.headers["Content-Type"] == "application/pdf"
    assert as_requester.headers["Content-Disposition"].startswith("attachment;")
    assert as_requester.headers["X-Content-Type-Options"] == "nosniff"
    tracking = await client.get(f"/track/{ticket.number}", params={"key": ticket.tracking_secret})
    assert f'href="{url}?key={ticket.tracking_secret}"' in await tracking.text()
    await log_in_as(StaffRole.LEVEL1_AGENT)
    assert (await client.get(url)).status == 200
    console = await client.get(f"/console/tickets/{ticket.number}")
    assert f'href="{url}"' in await console.text()


@pytest.mark.parametrize(
    "files",
    [
        [("tool.exe", b"MZ\x90\x00", "application/octet-stream")],
        [("fake.pdf", b"<html>not a pdf</html>", "application/pdf")],
        [(f"f{i}.pdf", PDF, "application/pdf") for i in range(6)],
    ],
)
async def test_refused_attachments_store_nothing(client, files):
    _, tokens = await open_form(client)
    response = await client.post("/contact/complaint", data=form_data(tokens, files=files))
    assert response.status == 422
    assert "PDF" in await response.text()
    assert not await InboundMessage.exists()
    assert not client.server.app[keys.INTAKE].attachments.directory.exists()


async def test_a_too_large_attachment_is_refused(serve_with, aiohttp_client):
    client = await aiohttp_client(await serve_with(attachment_max_bytes=100))
    _, tokens = await open_form(client)
    big = PDF + b"0" * 100
    response = await client.post(
        "/contact/complaint", data=form_data(tokens, files=[("big.pdf", big, "application/pdf")])
    )
    assert response.status == 422 and not await InboundMessage.exists()


async def test_invalid_fields_are_explained_and_what_was_typed_comes_back_escaped(client):
    _, tokens = await open_form(client)
    response = await client.post(
        "/contact/complaint",
        data=form_data(tokens, name="<script>alert(1)</script>", email="", description="short"),
    )
    page = await response.text()
    assert response.status == 422
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "اكتب وصفاً" in page  # describe it in 10 to 5000 characters
    assert "بريداً إلكترونياً أو رقم هاتف" in page  # give an email address or a phone number
    assert not await InboundMessage.exists()


async def test_without_the_csrf_token_nothing_is_stored(client):
    _, tokens = await open_form(client)
    response = await client.post("/contact/complaint", data=form_data({**tokens, "csrf": "forged"}))
    assert response.status == 403 and not await InboundMessage.exists()


async def test_a_filled_honeypot_is_refused(client):
    _, tokens = await open_form(client)
    response = await client.post(
        "/contact/complaint", data=form_data(tokens, website="http://spam.example")
    )
    assert response.status == 400 and not await InboundMessage.exists()


async def test_each_address_is_rate_limited(serve_with, aiohttp_client):
    client = await aiohttp_client(await serve_with(web_form_rate_limit="2/hour"))
    statuses = []
    for _ in range(3):
        _, tokens = await open_form(client)
        statuses.append((await client.post("/contact/complaint", data=form_data(tokens))).status)
    assert statuses == [200, 200, 429]
    assert await Ticket.all().count() == 2


async def test_a_message_without_a_category_is_not_filed_under_one(client):
    """Issue 21, finding 6: the category has no silent default; a clear form message asks for it."""
    page, tokens = await open_form(client, "suggestion", lang="en")
    assert '<option value="" selected>Choose one…</option>' in page
    for missing in (None, ""):
        response = await client.post(
            "/contact/suggestion?lang=en", data=form_data(tokens, category=missing)
        )
        answer = await response.text()
        assert response.status == 422 and "Choose what your message is about." in answer
        assert 'aria-invalid="true" aria-describedby="category-error"' in answer
        tokens["nonce"] = re.search(r'name="nonce" value="([^"]+)"', answer).group(1)
    assert await Ticket.all().count() == 0
