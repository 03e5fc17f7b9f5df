from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.domain.notifications import (
    MAX_ATTEMPTS,
    Medium,
    gives_up,
    phone_medium,
    requester_medium,
    retry_delay,
)
from helpdesk.domain.tickets import ContactPreference

EMAIL, PHONE = ContactPreference.EMAIL, ContactPreference.PHONE


@pytest.mark.parametrize(
    ("preference", "email", "phone", "medium"),
    [
        (EMAIL, "a@b.sa", "+966500000000", Medium.EMAIL),
        (PHONE, "a@b.sa", "+966500000000", Medium.SMS),
        (PHONE, "a@b.sa", "", Medium.EMAIL),
        (EMAIL, "", "+966500000000", Medium.SMS),
        (EMAIL, "", "", None),
        (PHONE, "", "", None),
    ],
)
def test_the_requester_is_reached_on_the_preferred_contact(preference, email, phone, medium):
    assert requester_medium(preference, email, phone) == medium


def test_by_phone_is_a_call_task_without_a_gateway():
    assert phone_medium(sms_gateway=True) == Medium.SMS
    assert phone_medium(sms_gateway=False) == Medium.CALL_TASK


def test_back_off_doubles_then_stops_growing():
    assert [retry_delay(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert retry_delay(30) == timedelta(hours=1)
    with pytest.raises(ValueError):
        retry_delay(0)


@given(st.integers(min_value=1, max_value=200))
def test_back_off_is_monotonic_and_bounded(n):
    assert retry_delay(n) <= retry_delay(n + 1) <= timedelta(hours=1)


def test_giving_up_after_the_last_attempt():
    assert not gives_up(MAX_ATTEMPTS - 1)
    assert gives_up(MAX_ATTEMPTS)
