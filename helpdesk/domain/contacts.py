"""A person's contacts and words, checked the same way at every door (no I/O).

Email addresses go through `email-validator` (syntax only: no DNS here, mail-in and tests run
without it), at most 254 characters (RFC 5321's path limit, the column's size), no control
characters, kept in lower case. Phone numbers go through `phonenumbers` and are stored in E.164; a number written
without its country code is read as Saudi. Bidi control characters are taken out of any text a
person gives us, so a name or a message cannot turn the text around it (a ticket number shown
reversed, a spoofed name).
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from helpdesk.i18n import N_

MAX_EMAIL = 254
MAX_PHONE_TEXT = 40  # what a person may type: spaces, dashes, brackets around the digits
DEFAULT_REGION = "SA"

# U+202A–U+202E (embeddings, overrides) and U+2066–U+2069 (isolates).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


class InvalidContact(ValueError):
    """An address or number we could not send to; the message (English, translated where shown)
    says which."""

    def __init__(self, message: str, what: str):
        self.message, self.what = message, what
        super().__init__(message % {"what": what})


def without_bidi_controls(text: str) -> str:
    """The text without the characters that reorder what follows them."""
    return BIDI_CONTROLS.sub("", text) if text else text


def for_display(value: object) -> object:
    """Jinja's `finalize` for every page and email: what a template prints has no bidi controls,
    whenever it was stored (escaped text stays escaped, Markup stays Markup)."""
    if isinstance(value, str) and BIDI_CONTROLS.search(value):
        return type(value)(BIDI_CONTROLS.sub("", value))
    return value


def email_address(text: str | None) -> str:
    """The address as we store and send it ("" when none was given); InvalidContact otherwise."""
    text = (text or "").strip()
    if not text:
        return ""
    if len(text) > MAX_EMAIL:
        raise InvalidContact(N_("%(what)s is too long"), N_("email"))
    try:
        # test_environment: the reserved `.test` domain (demo and test staff) is accepted too
        checked = validate_email(text, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        raise InvalidContact(N_("%(what)s is not a valid email address"), N_("email")) from None
    if len(checked.normalized) > MAX_EMAIL:
        raise InvalidContact(N_("%(what)s is too long"), N_("email"))
    # One person, one spelling: the same address typed twice finds the same tickets (no mail
    # system our requesters use tells local parts apart by case).
    return checked.normalized.lower()


def phone_number(text: str | None, region: str = DEFAULT_REGION) -> str:
    """The number in E.164 ("" when none was given); InvalidContact otherwise."""
    text = (text or "").strip()
    if not text:
        return ""
    if len(text) > MAX_PHONE_TEXT:
        raise InvalidContact(N_("%(what)s is too long"), N_("phone"))
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidContact(N_("%(what)s is not a valid phone number"), N_("phone"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_sendable_email(text: str) -> bool:
    try:
        return bool(email_address(text))
    except InvalidContact:
        return False
