"""Certificate readiness: the default rules on good and bad data, and what an admin may save."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.domain.guidance import (
    DEFAULT_READINESS_RULES,
    ReadinessRule,
    RuleKind,
    check_readiness,
    clean_value,
    luhn_valid,
    rule_problems,
)

GOOD = {
    "full_name_ar": "سارة محمد عبدالله القحطاني",
    "full_name_en": "Sara Mohammed Abdullah Al-Qahtani",
    "national_id": "1000000008",
    "email": "sara@example.com",
    "mobile": "0551234567",
    "attendance_percent": 92,
    "assessments_completed": True,
}


def problems(profile, rules=DEFAULT_READINESS_RULES, locale="en"):
    report = check_readiness(profile, rules)
    return {p.field.name: p.failed.message(locale) for p in report.problems}


def test_complete_profile_is_ready():
    report = check_readiness(GOOD, DEFAULT_READINESS_RULES)
    assert report.ready
    assert report.problems == ()
    assert [f.field.name for f in report.fields][:2] == ["full_name_ar", "full_name_en"]


def test_empty_profile_lists_every_field_as_missing():
    found = problems({})
    assert set(found) == {
        "full_name_ar",
        "full_name_en",
        "national_id",
        "email",
        "mobile",
        "attendance_percent",
        "assessments_completed",
    }
    assert found["national_id"] == "Your national ID or residence number is missing."
    assert not check_readiness({}, DEFAULT_READINESS_RULES).ready


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name_en", "سارة Mohammed Abdullah", "Your English name contains Arabic letters."),
        ("full_name_en", "Sara M0hammed Ali", "Use only English letters"),
        ("full_name_en", "Sara Mohammed", "at least three names"),
        ("full_name_ar", "Sara محمد عبدالله", "Arabic letters only"),
        ("full_name_ar", "سارة محمد", "at least three names"),
        ("national_id", "12345", "exactly 10 digits"),
        ("national_id", "12345678901", "exactly 10 digits"),
        ("national_id", "3000000005", "starts with 1"),
        ("national_id", "1000000009", "check the digits"),
        ("email", "sara.example.com", "valid email"),
        ("mobile", "12345", "Saudi mobile"),
        ("attendance_percent", 60, "at least 80%"),
        ("attendance_percent", "", "not been recorded"),
        ("assessments_completed", False, "assessments"),
    ],
)
def test_bad_data_reports_the_first_broken_rule(field, value, message):
    found = problems({**GOOD, field: value})
    assert list(found) == [field]
    assert message in found[field]


def test_messages_come_in_arabic_too():
    found = problems({**GOOD, "full_name_en": "سارة"}, locale="ar")
    assert found["full_name_en"] == "اسمك بالإنجليزية يحتوي على حروف عربية."


def test_typed_forms_are_cleaned_before_checking():
    profile = {
        **GOOD,
        "national_id": "١٠٠٠ ٠٠٠ ٠٠٨",  # Arabic-Indic digits with spaces
        "mobile": "055-123-4567",
        "email": "  Sara@Example.COM ",
        "full_name_en": "  Sara   Mohammed Abdullah  ",
    }
    assert check_readiness(profile, DEFAULT_READINESS_RULES).ready
    assert clean_value("national_id", "١٠٠٠ ٠٠٠ ٠٠٨") == "1000000008"
    assert clean_value("email", " Sara@Example.COM") == "sara@example.com"
    assert clean_value("full_name_en", "  Sara   Ali ") == "Sara Ali"
    assert clean_value("assessments_completed", True) == "yes"
    assert clean_value("mobile", None) == ""


def test_trainee_can_finish_only_when_all_problems_are_theirs():
    assert check_readiness({**GOOD, "mobile": ""}, DEFAULT_READINESS_RULES).trainee_can_finish
    report = check_readiness({**GOOD, "attendance_percent": 10}, DEFAULT_READINESS_RULES)
    assert not report.trainee_can_finish


def test_rules_are_data_an_administrator_can_change():
    stricter = [
        *DEFAULT_READINESS_RULES,
        ReadinessRule(
            "mobile", RuleKind.MATCHES, r"05\d{8}", "Only 05 numbers.", "أرقام 05 فقط.", 999
        ),
    ]
    assert problems({**GOOD, "mobile": "+966551234567"}, stricter) == {"mobile": "Only 05 numbers."}
    # and with no rules at all nothing can be missing
    assert check_readiness({}, []).ready


def test_luhn_matches_known_saudi_numbers():
    assert luhn_valid("1000000008")
    assert luhn_valid("2000000006")
    assert not luhn_valid("1000000009")
    assert not luhn_valid("10000a0008")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_completes_a_number(prefix):
    assert sum(luhn_valid(prefix + d) for d in "0123456789") == 1


def rule(kind, parameter="", field="mobile", en="Message", ar="رسالة"):
    return ReadinessRule(field, kind, parameter, en, ar)


@pytest.mark.parametrize(
    ("candidate", "problem"),
    [
        (rule(RuleKind.MATCHES, "[0-9"), "not a valid regular expression"),
        (rule(RuleKind.MATCHES, ""), "at most 300 characters"),
        (rule(RuleKind.MATCHES, "a" * 301), "at most 300 characters"),
        (rule(RuleKind.MIN_WORDS, "many"), "between 1 and 10"),
        (rule(RuleKind.MINIMUM, "eighty"), "must be a number"),
        (rule(RuleKind.MINIMUM, "NaN"), "must be a number"),
        (rule(RuleKind.CHECKSUM, "md5"), "Unknown checksum"),
        (rule(RuleKind.REQUIRED, field="shoe_size"), "Unknown field"),
        (rule(RuleKind.REQUIRED, ar=" "), "Arabic and in English"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(candidate, problem):
    assert any(problem in p for p in rule_problems(candidate))


def test_default_rules_are_all_valid():
    for each in DEFAULT_READINESS_RULES:
        assert rule_problems(each) == [], each


profiles = st.fixed_dictionaries(
    {},
    optional={
        name: st.one_of(st.none(), st.booleans(), st.integers(-5, 500), st.text(max_size=40))
        for name in GOOD
    },
)


@given(profiles)
def test_any_data_gets_a_verdict_and_cleaning_is_stable(profile):
    report = check_readiness(profile, DEFAULT_READINESS_RULES)
    assert report.ready == (not report.problems)
    for status in report.fields:
        assert clean_value(status.field.name, status.value) == status.value
        assert status.ok or status.failed.field == status.field.name
