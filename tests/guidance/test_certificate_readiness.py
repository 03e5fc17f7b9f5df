"""Certificate readiness check: by token link or reference + email; missing and malformed data
shown; corrected on the spot; ready when complete; Level 1 sees the same status as JSON."""

from helpdesk.adapters.orm.guidance import CertificateProfile, ValidationRule
from helpdesk.domain.guidance import RuleKind
from helpdesk.domain.institute import StaffRole
from tests.helpdesk.fixtures import new_ticket


async def token_of(reference):
    return (await CertificateProfile.get(registration_reference=reference)).access_token


async def test_token_link_shows_a_ready_certificate(seeded):
    token = await token_of("REG-2026-0001")
    response = await seeded.get(f"/certificate/check?lang=en&token={token}")
    assert response.status == 200
    page = await response.text()
    assert "Ready: your data is complete" in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


async def test_reference_and_email_show_what_is_missing_or_malformed(seeded):
    response = await seeded.post(
        "/certificate/check?lang=en",
        data={"reference": " reg-2026-0002 ", "email": "Omar@Example.com"},
    )
    assert response.status == 200
    page = await response.text()
    assert "Not ready yet. Items that need attention: 4." in page
    assert "Your English name contains Arabic letters." in page
    assert "Write your full name as in your identity document: at least three names." in page
    assert "A national ID or residence number has exactly 10 digits." in page
    assert "Your mobile number is missing." in page


async def test_arabic_page_shows_arabic_messages(seeded):
    response = await seeded.post(
        "/certificate/check", data={"reference": "REG-2026-0002", "email": "omar@example.com"}
    )
    page = await response.text()
    assert '<html lang="ar" dir="rtl">' in page
    assert "اسمك بالإنجليزية يحتوي على حروف عربية." in page


async def test_wrong_reference_or_email_is_refused_without_saying_which(seeded):
    for reference, email in [("REG-2026-0002", "sara@example.com"), ("REG-9", "omar@example.com")]:
        response = await seeded.post(
            "/certificate/check?lang=en", data={"reference": reference, "email": email}
        )
        assert response.status == 404
        assert "No registration matches this reference and email." in await response.text()


async def test_a_bad_token_gets_the_lookup_form(seeded):
    response = await seeded.get("/certificate/check?lang=en&token=nope")
    assert response.status == 404
    assert "This link is not valid." in await response.text()


async def correct(client, token, **values):
    return await client.post("/certificate/correct?lang=en", data={"token": token, **values})


async def test_correcting_on_the_spot_makes_the_certificate_ready(seeded):
    token = await token_of("REG-2026-0002")
    response = await correct(
        seeded,
        token,
        full_name_ar="عمر خالد عبدالرحمن الحربي",
        full_name_en="Omar Khalid Abdulrahman Alharbi",
        national_id="٢٠٠٠٠٠٠٠٠٦",  # typed with Arabic-Indic digits
        mobile="055 123 4567",
        email="omar@example.com",
    )
    assert response.status == 200
    assert "Ready: your data is complete" in await response.text()
    profile = await CertificateProfile.get(registration_reference="REG-2026-0002")
    assert profile.national_id == "2000000006"
    assert profile.mobile == "0551234567"
    assert profile.full_name_en == "Omar Khalid Abdulrahman Alharbi"


async def test_a_wrong_correction_is_not_stored_and_says_why(seeded):
    token = await token_of("REG-2026-0001")
    response = await correct(
        seeded, token, national_id="1000000009", full_name_en="Sara Mohammed Abdullah Al-Qahtani"
    )
    assert response.status == 422
    page = await response.text()
    assert "Not saved:" in page
    assert "check the digits" in page
    assert 'value="1000000009"' in page  # what was typed comes back to be fixed
    profile = await CertificateProfile.get(registration_reference="REG-2026-0001")
    assert profile.national_id == "1000000008"  # the good value on file is kept


async def test_the_trainee_cannot_change_attendance_or_assessments(seeded):
    token = await token_of("REG-2026-0002")
    await correct(seeded, token, attendance_percent="100", assessments_completed="yes")
    profile = await CertificateProfile.get(registration_reference="REG-2026-0002")
    assert profile.attendance_percent == 85


async def test_corrections_need_a_valid_token(seeded):
    response = await correct(seeded, "forged", mobile="0559999999")
    assert response.status == 404
    assert not await CertificateProfile.filter(mobile="0559999999").exists()


async def test_user_text_is_escaped(seeded):
    token = await token_of("REG-2026-0002")
    response = await correct(seeded, token, full_name_en='<script>alert("x")</script>')
    page = await response.text()
    assert '<script>alert("x")' not in page
    assert "&lt;script&gt;" in page


async def test_administrator_changes_a_rule_and_the_check_follows(seeded, log_in_as):
    await log_in_as(StaffRole.ADMINISTRATOR)
    response = await seeded.post(
        "/admin/certificate-rules",
        data={
            "field": "mobile",
            "kind": "matches",
            "parameter": r"05\d{8}",
            "message_en": "Only 05 numbers, please.",
            "message_ar": "أرقام 05 فقط.",
            "position": "1000",
            "active": "on",
        },
        allow_redirects=False,
    )
    assert response.status == 303
    await CertificateProfile.filter(registration_reference="REG-2026-0001").update(
        mobile="+966551234567"
    )
    token = await token_of("REG-2026-0001")
    page = await (await seeded.get(f"/certificate/check?lang=en&token={token}")).text()
    assert "Only 05 numbers, please." in page


async def test_a_broken_rule_is_refused_with_the_reason(seeded, log_in_as):
    await log_in_as(StaffRole.ADMINISTRATOR)
    before = await ValidationRule.all().count()
    response = await seeded.post(
        "/admin/certificate-rules?lang=en",
        data={
            "field": "mobile",
            "kind": "matches",
            "parameter": "[0-9",
            "message_en": "x",
            "message_ar": "س",
            "position": "5",
        },
    )
    assert response.status == 422
    assert "The pattern is not a valid regular expression." in await response.text()
    assert await ValidationRule.all().count() == before


async def test_non_administrators_cannot_change_rules(seeded, log_in_as):
    await log_in_as(StaffRole.LEVEL1_AGENT)
    rule = await ValidationRule.filter(kind=RuleKind.REQUIRED, field="mobile").first()
    response = await seeded.post(
        "/admin/certificate-rules",
        data={
            "rule_id": str(rule.id),
            "field": "mobile",
            "kind": "required",
            "message_en": "x",
            "message_ar": "س",
            "position": "0",
        },
        allow_redirects=False,
    )
    assert response.status == 403
    assert (await ValidationRule.get(id=rule.id)).active
    assert (await seeded.get("/admin/certificate-rules")).status == 403


async def test_level1_sees_the_status_as_json(seeded, log_in_as):
    await log_in_as(StaffRole.LEVEL1_AGENT)
    response = await seeded.get("/api/v1/certificate-readiness?lang=en&email=OMAR@example.com")
    assert response.status == 200
    body = await response.json()
    [registration] = body["registrations"]
    assert registration["reference"] == "REG-2026-0002"
    assert registration["ready"] is False
    problems = {f["field"]: f["problem"] for f in registration["fields"] if not f["ok"]}
    assert problems["full_name_en"] == "Your English name contains Arabic letters."
    assert set(problems) == {"full_name_ar", "full_name_en", "national_id", "mobile"}


async def test_readiness_json_needs_a_staff_session(seeded):
    response = await seeded.get("/api/v1/certificate-readiness?email=omar@example.com")
    assert response.status == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")


async def test_guessing_references_is_stopped_after_ten_failures(seeded):
    for n in range(10):
        response = await seeded.post(
            "/certificate/check?lang=en",
            data={"reference": f"REG-2026-{n + 100:04d}", "email": "omar@example.com"},
        )
        assert response.status == 404
    # even the right pair now waits: the guard cannot tell the guesser from the trainee
    response = await seeded.post(
        "/certificate/check?lang=en",
        data={"reference": "REG-2026-0002", "email": "omar@example.com"},
    )
    assert response.status == 429
    assert "Too many attempts." in await response.text()


async def test_level1_sees_the_readiness_on_the_trainees_ticket(seeded, log_in_as):
    ticket = await new_ticket(email="Omar@Example.com")
    await log_in_as(StaffRole.LEVEL1_AGENT)
    page = await (await seeded.get(f"/console/tickets/{ticket.number}?lang=en")).text()
    section = page.split('id="certificates"')[1].split("</section>")[0]
    assert "REG-2026-0002" in section
    assert "missing or malformed:" in section
    other = await new_ticket(email="nobody@example.com")
    page = await (await seeded.get(f"/console/tickets/{other.number}?lang=en")).text()
    assert 'id="certificates"' not in page
