"""The channels' pure rules: email kinds, threading references, signatures, the WhatsApp window."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.adapters.channels.attachments import (
    AttachmentRefused,
    AttachmentStore,
    checked_type,
    safe_filename,
)
from helpdesk.domain.channels import (
    EmailKind,
    ReplyRoute,
    WhatsAppReplyOptions,
    classify_email,
    html_to_text,
    referenced_message_ids,
    ticket_number_in,
    whatsapp_reply_route,
    whatsapp_signature_valid,
    without_quoted_reply,
    x_crc_response,
    x_signature_valid,
)

OWN = ("support@sanad.test",)


def kind(**headers):
    return classify_email({"From": "a@b.org", **headers}, OWN)


def test_a_persons_mail_is_a_person():
    assert kind(Subject="hi") == EmailKind.PERSON
    assert kind(**{"Auto-Submitted": "no"}) == EmailKind.PERSON
    assert kind(Precedence="normal") == EmailKind.PERSON


def test_automatic_mail_is_recognised_whatever_the_header_case():
    assert kind(**{"auto-submitted": "auto-generated"}) == EmailKind.AUTO_REPLY
    assert kind(**{"X-AUTORESPOND": "1"}) == EmailKind.AUTO_REPLY
    assert kind(**{"X-Auto-Response-Suppress": "OOF"}) == EmailKind.AUTO_REPLY
    assert kind(Precedence="JUNK") == EmailKind.AUTO_REPLY
    assert kind(From="Mail Delivery <MAILER-DAEMON@mx.org>") == EmailKind.BOUNCE
    assert kind(From="postmaster@mx.org") == EmailKind.BOUNCE
    assert kind(**{"Return-Path": "<>"}) == EmailKind.BOUNCE
    assert kind(**{"Content-Type": "multipart/report; report-type=delivery-status"}) == (
        EmailKind.BOUNCE
    )
    assert kind(From="Sanad <Support@Sanad.test>") == EmailKind.LOOP
    assert kind(**{"X-Sanad-Loop": "support@sanad.test"}) == EmailKind.LOOP


def test_the_ticket_number_is_found_anywhere_in_the_subject_and_only_whole():
    assert ticket_number_in("Re: [SND-2026-000042] login") == "SND-2026-000042"
    assert ticket_number_in("رد: SND-2026-000042") == "SND-2026-000042"
    assert ticket_number_in("SND-2026-00004") is None
    assert ticket_number_in("XSND-2026-0000421") is None
    assert ticket_number_in("") is None


def test_references_nearest_first_without_repeats():
    assert referenced_message_ids("<c@x>", "<a@x> <b@x>\r\n <c@x>") == ["<c@x>", "<b@x>", "<a@x>"]
    assert referenced_message_ids("", "") == []
    assert referenced_message_ids("garbage without brackets", "") == []


def test_html_becomes_text_without_scripts_or_markup():
    assert html_to_text("<p>a &amp; b</p><script>x()</script><div>c<br>d</div>") == "a & b\nc\nd"
    assert html_to_text('<a href="javascript:x">link</a><style>p{}</style>') == "link"


@given(st.text())
def test_html_to_text_never_lets_a_tag_through(html):
    assert "<script" not in html_to_text(html + "<script>alert(1)</script>").lower()


def test_whatsapp_signature_is_the_hex_hmac_of_the_raw_body():
    body = b'{"entry":[]}'
    good = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    assert whatsapp_signature_valid(body, good, "app-secret")
    assert not whatsapp_signature_valid(body + b" ", good, "app-secret")
    assert not whatsapp_signature_valid(body, good, "other-secret")
    assert not whatsapp_signature_valid(body, good.removeprefix("sha256="), "app-secret")
    assert not whatsapp_signature_valid(body, None, "app-secret")
    assert not whatsapp_signature_valid(body, "sha256=", "app-secret")


def test_x_crc_and_signature_are_base64_hmacs_with_the_consumer_secret():
    expected = base64.b64encode(hmac.new(b"cs", b"token", hashlib.sha256).digest()).decode()
    assert x_crc_response("token", "cs") == "sha256=" + expected
    body = b'{"for_user_id":"1"}'
    signature = (
        "sha256=" + base64.b64encode(hmac.new(b"cs", body, hashlib.sha256).digest()).decode()
    )
    assert x_signature_valid(body, signature, "cs")
    assert not x_signature_valid(body, signature, "other")
    assert not x_signature_valid(body, None, "cs")


NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
NOTHING = WhatsAppReplyOptions(template_configured=False, has_email=False, has_sms=False)


def test_inside_the_24_hour_window_a_reply_is_free_form():
    last = NOW - timedelta(hours=23, minutes=59)
    assert whatsapp_reply_route(last, NOW, NOTHING) == ReplyRoute.FREE_FORM


def test_outside_the_window_a_template_then_email_then_sms():
    last = NOW - timedelta(hours=24)
    every = WhatsAppReplyOptions(template_configured=True, has_email=True, has_sms=True)
    assert whatsapp_reply_route(last, NOW, every) == ReplyRoute.TEMPLATE
    no_template = WhatsAppReplyOptions(template_configured=False, has_email=True, has_sms=True)
    assert whatsapp_reply_route(last, NOW, no_template) == ReplyRoute.EMAIL
    sms_only = WhatsAppReplyOptions(template_configured=False, has_email=False, has_sms=True)
    assert whatsapp_reply_route(None, NOW, sms_only) == ReplyRoute.SMS
    assert whatsapp_reply_route(last, NOW, NOTHING) == ReplyRoute.NONE


def test_a_reply_loses_what_it_quotes_but_never_everything():
    english = (
        "Still broken.\n\nOn Tue, 24 Nov 2026 at 10:00, Sanad <support@sanad.test> wrote:\n> old"
    )
    arabic = "ما زالت المشكلة قائمة\n\nفي الثلاثاء 24 نوفمبر 2026، سند كتب:\n> نص قديم"
    outlook = "Thanks\n\n-----Original Message-----\nFrom: Sanad\nold text"
    assert without_quoted_reply(english) == "Still broken."
    assert without_quoted_reply(arabic) == "ما زالت المشكلة قائمة"
    assert without_quoted_reply(outlook) == "Thanks"
    assert without_quoted_reply("inline\n> quoted\nanswer") == "inline\nanswer"
    assert without_quoted_reply("> only a quote") == "> only a quote"


@given(st.dictionaries(st.text(max_size=30), st.text(max_size=60), max_size=8))
def test_any_headers_get_a_kind(headers):
    assert classify_email(headers, OWN) in set(EmailKind)


def test_attachment_names_lose_paths_and_control_characters():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\huda\\إيصال.pdf") == "إيصال.pdf"
    assert safe_filename('a"b<c>\r\n.pdf') == "abc.pdf"
    assert safe_filename("...") == "attachment"
    assert len(safe_filename("x" * 500 + ".pdf")) == 120


@given(st.text())
def test_any_name_is_safe_to_show_and_to_put_in_a_header(name):
    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\" not in safe
    assert not any(ch in safe for ch in '\r\n\x00"<>')


def test_attachment_types_are_checked_by_extension_and_first_bytes():
    assert checked_type("a.PDF", b"%PDF-1.7") == "application/pdf"
    assert checked_type("photo.jpeg", b"\xff\xd8\xff\xe0") == "image/jpeg"
    for name, head in [("a.pdf", b"<html>"), ("a.exe", b"MZ"), ("a", b"%PDF-"), ("a.svg", b"<svg")]:
        with pytest.raises(AttachmentRefused):
            checked_type(name, head)


def test_the_store_refuses_a_path_as_a_storage_name(tmp_path):
    store = AttachmentStore(tmp_path)
    kept = store.save(b"data")
    assert store.path(kept.storage_name).read_bytes() == b"data"
    with pytest.raises(ValueError):
        store.path("../secret_key")
