"""Host tokens: only a valid, unexpired token signed by a known platform, for this room, admits anyone."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from classroom_helper.adapters.host_tokens import TokenRefused, mint_host_token, read_host_token
from helpdesk.domain.institute import RoomRole

SECRETS = {
    "lms": "lms-secret-" + "0123456789abcdef" * 4,
    "meet": "meet-secret-" + "fedcba9876543210" * 4,
}


def token(**changes):
    details = {
        "person_ref": "u-17",
        "name": "سارة",
        "role": RoomRole.TRAINEE,
        "room_id": "room-1",
        "email": "sara@example.org",
        "locale": "ar",
    }
    details.update(changes)
    platform = details.pop("platform", "lms")
    return mint_host_token(platform, details.pop("secret", SECRETS[platform]), **details)


def test_a_valid_token_admits_its_person_in_their_role():
    room_pass = read_host_token(token(), SECRETS, "room-1")
    assert (room_pass.person_ref, room_pass.name, room_pass.role) == (
        "u-17",
        "سارة",
        RoomRole.TRAINEE,
    )
    assert room_pass.email == "sara@example.org" and room_pass.platform_id == "lms"


def test_each_platform_signs_with_its_own_secret():
    assert read_host_token(token(platform="meet"), SECRETS).platform_id == "meet"
    with pytest.raises(TokenRefused) as refused:
        read_host_token(token(platform="meet", secret=SECRETS["lms"]), SECRETS)
    assert refused.value.code == "token_invalid"


@pytest.mark.parametrize(
    ("made", "code"),
    [
        (lambda: "", "token_missing"),
        (lambda: "not.a.jwt", "token_invalid"),
        (lambda: token(now=datetime.now(UTC) - timedelta(hours=3)), "token_expired"),
        (lambda: token(secret="forged-secret-forged-secret-forged"), "token_invalid"),
        (lambda: token(room_id="room-2"), "token_wrong_room"),
        (
            lambda: mint_host_token(
                "nobody",
                "x" * 32,
                person_ref="a",
                name="b",
                role=RoomRole.TRAINEE,
                room_id="room-1",
            ),
            "token_unknown_platform",
        ),
        (
            lambda: jwt.encode({"iss": "lms", "sub": "a"}, SECRETS["lms"], algorithm="HS256"),
            "token_invalid",
        ),
        (
            lambda: jwt.encode(
                {
                    "iss": "lms",
                    "sub": "a",
                    "name": "b",
                    "role": "king",
                    "room": "room-1",
                    "iat": 1,
                    "exp": 4102444800,
                },
                SECRETS["lms"],
                algorithm="HS256",
            ),
            "token_invalid",
        ),
        (
            lambda: jwt.encode(
                {
                    "iss": "lms",
                    "sub": "a",
                    "name": "b",
                    "role": "trainee",
                    "room": "room-1",
                    "iat": 1,
                    "exp": 4102444800,
                },
                SECRETS["lms"],
                algorithm="HS512",
            ),
            "token_invalid",
        ),
    ],
)
def test_refused_tokens_say_why(made, code):
    with pytest.raises(TokenRefused) as refused:
        read_host_token(made(), SECRETS, "room-1")
    assert refused.value.code == code


def claims_token(**changes) -> str:
    now = int(datetime.now(UTC).timestamp())
    claims = {"iss": "lms", "sub": "u-17", "name": "سارة", "role": "trainee", "room": "room-1"}
    claims |= {"iat": now, "exp": now + 600, **changes}
    return jwt.encode(claims, SECRETS["lms"], algorithm="HS256")


@pytest.mark.parametrize(
    "changes",
    [
        # made when the test runs, not when it is collected: a long suite outlives ten minutes
        lambda soon: {"exp": str(soon)},  # PyJWT alone accepts this
        lambda soon: {"exp": float(soon)},
        lambda soon: {"exp": 10**20},
        lambda soon: {"iat": "1"},
        lambda soon: {"nbf": "0"},
        lambda soon: {"nbf": True},
    ],
)
def test_times_that_are_not_whole_seconds_are_refused_at_once(changes):
    soon = int(datetime.now(UTC).timestamp()) + 600
    with pytest.raises(TokenRefused) as refused:
        read_host_token(claims_token(**changes(soon)), SECRETS, "room-1")
    assert refused.value.code == "token_invalid"


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "<>@x.org"},
        {"email": "a\x07b@example.org"},
        {"email": "x" * 250 + "@example.org"},
        {"email": ["sara@example.org"]},
        {"phone": "not a number"},
        {"phone": 966500000001},
    ],
)
def test_contact_claims_follow_the_rules_of_every_door(changes):
    with pytest.raises(TokenRefused) as refused:
        read_host_token(claims_token(**changes), SECRETS, "room-1")
    assert refused.value.code == "token_invalid"


def test_contact_claims_are_stored_as_every_door_stores_them():
    room_pass = read_host_token(
        claims_token(email="Sara@Example.ORG", phone="050 123 4567", name="\u202eسارة"),
        SECRETS,
        "room-1",
    )
    assert (room_pass.email, room_pass.phone) == ("sara@example.org", "+966501234567")
    assert room_pass.name == "سارة"  # no bidi override survives
