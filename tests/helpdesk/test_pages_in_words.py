"""Issue 21, finding 11: the staff timeline says what happened in words, and user text (Arabic ending
in a number, names, subjects) is direction-isolated on the pages of either language."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, datetime

from helpdesk.domain.institute import StaffRole
from helpdesk.services import tickets as svc
from helpdesk.services.bus import MessageBus
from tests.helpdesk.fixtures import actor, department, new_ticket


def _words(html: str) -> str:
    return markup.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


async def test_the_staff_timeline_is_in_words(client, log_in_as):
    agent = await log_in_as(StaffRole.LEVEL1_AGENT)
    dept = await department()
    t = await new_ticket(subject="الشهادة رقم 2", now=datetime.now(UTC))
    bus = MessageBus()
    await svc.take_ticket(t.id, actor(agent), bus=bus)
    await svc.refer_to_department(t.id, dept.id, actor(agent), "", bus=bus)
    for lang, said in (
        ("en", "from “Open at Level 1” to “Referred to the department”"),
        ("ar", "من «مفتوحة لدى المستوى الأول» إلى «محالة إلى الإدارة»"),
    ):
        html = await (await client.get(f"/console/tickets/{t.number}?lang={lang}")).text()
        words = _words(html)
        assert said in words
        assert "→ new" not in words and "open → referred" not in words
        assert not re.search(r"\b(created|referred|reply) → \w+:", words)
        assert "<bdi>الشهادة رقم 2</bdi>" in html  # the number stays at the end of the subject
    await new_ticket(subject="لم تصلني الشهادة 3", now=datetime.now(UTC))
    queue = await (await client.get("/console/queue?lang=en")).text()
    assert "<bdi>لم تصلني الشهادة 3</bdi>" in queue and '<bdi class="muted">سارة</bdi>' in queue
