"""Email as mail clients write it, for the intake tests."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

SUPPORT = "support@sanad.test"


def email_bytes(
    *,
    sender: str = "Huda Salem <huda@example.org>",
    subject: str = "لا أستطيع الدخول إلى المنصة",
    text: str | None = "نسيت كلمة المرور ولا تصلني رسالة الاستعادة.",
    html: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    files: list[tuple[str, str, bytes]] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for filename, content_type, data in files:
        main, sub = content_type.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return message.as_bytes()
