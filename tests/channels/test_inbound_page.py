"""Level 1's view of what the channels received but did not turn into a ticket."""

from helpdesk.adapters.orm.channels import InboundMessage
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import keys
from helpdesk.services.intake import process, receive_email
from tests.channels.mail import email_bytes
from tests.channels.test_phone_calls import csrf


async def test_level1_sees_what_did_not_become_a_ticket_and_can_try_again(client, log_in_as):
    intake = client.server.app[keys.INTAKE]
    blocker = intake.attachments.directory
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a directory")  # writing the attachment fails
    failing = await receive_email(
        email_bytes(files=[("receipt.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")])
    )
    await process(failing.inbound_id, intake)
    bounce = await receive_email(email_bytes(sender="MAILER-DAEMON@mx.example.org"))
    await process(bounce.inbound_id, intake)

    await log_in_as(StaffRole.LEVEL1_AGENT)
    page = await (await client.get("/console/inbound")).text()
    assert "NotADirectoryError" in page or "FileExistsError" in page
    assert "إشعار بتعذّر تسليم بريد" in page and "mailer-daemon@mx.example.org" in page

    blocker.unlink()
    response = await client.post(
        f"/console/inbound/{failing.inbound_id}/try-again",
        data={"csrf": await csrf(client, "/console/inbound")},
        allow_redirects=False,
    )
    assert response.status == 303
    assert (await InboundMessage.get(id=failing.inbound_id)).outcome == "opened"
    assert await Ticket.all().count() == 1
