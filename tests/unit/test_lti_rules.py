"""The launch rules of LTI 1.3 (classroom_helper.domain.lti), without a database."""

from datetime import UTC, datetime, timedelta

import pytest

from classroom_helper.domain import lti
from classroom_helper.domain.lti import LaunchRefused, RefusalCode
from helpdesk.domain.institute import RoomRole, RoomState

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def claims(**overrides) -> dict:
    found = {
        "sub": "u-1",
        "name": "Sara",
        lti.MESSAGE_TYPE: "LtiResourceLinkRequest",
        lti.VERSION: "1.3.0",
        lti.DEPLOYMENT_ID: "d-1",
        lti.RESOURCE_LINK: {"id": "link-1", "title": "Live help"},
        lti.CONTEXT: {"id": "c-1", "title": "Presenting"},
        lti.ROLES: [lti.LEARNER],
    }
    found.update(overrides)
    return {k: v for k, v in found.items() if v is not None}


def refusal(**overrides) -> RefusalCode:
    with pytest.raises(LaunchRefused) as refused:
        lti.read_launch(claims(**overrides), {"d-1"}, "room_managers")
    return refused.value.code


def test_a_learners_launch():
    launch = lti.read_launch(claims(), {"d-1"})
    assert launch.role is RoomRole.TRAINEE and launch.name == "Sara" and launch.locale == "ar"
    assert lti.room_title(launch) == "Presenting — Live help"


@pytest.mark.parametrize(
    ("roles", "custom", "role"),
    [
        ([lti.INSTRUCTOR], {}, RoomRole.TRAINER),
        (["Instructor"], {}, RoomRole.TRAINER),  # the short names of LTI 1.1 some platforms keep
        (
            [f"{lti.MEMBERSHIP}/Instructor#TeachingAssistant", lti.INSTRUCTOR],
            {},
            RoomRole.ROOM_MANAGER,
        ),
        ([lti.LEARNER], {"room_managers": "x, U-1"}, RoomRole.ROOM_MANAGER),
        ([lti.LEARNER], {"room_managers": "someone-else"}, RoomRole.TRAINEE),
    ],
)
def test_roles(roles, custom, role):
    launch = lti.read_launch(
        claims(**{lti.ROLES: roles, lti.CUSTOM: custom}), {"d-1"}, "room_managers"
    )
    assert launch.role is role


def test_refusals():
    assert refusal(**{lti.MESSAGE_TYPE: "LtiDeepLinkingRequest"}) is RefusalCode.WRONG_MESSAGE_TYPE
    assert refusal(**{lti.VERSION: "1.1"}) is RefusalCode.WRONG_VERSION
    assert refusal(**{lti.DEPLOYMENT_ID: "d-2"}) is RefusalCode.UNKNOWN_DEPLOYMENT
    assert refusal(**{lti.ROLES: [f"{lti.MEMBERSHIP}#Mentor"]}) is RefusalCode.MISSING_ROLE
    assert refusal(**{lti.ROLES: "Learner"}) is RefusalCode.MISSING_ROLE
    assert refusal(sub=None) is RefusalCode.MISSING_CLAIM
    assert refusal(**{lti.RESOURCE_LINK: {"title": "no id"}}) is RefusalCode.MISSING_CLAIM
    assert refusal(**{lti.MESSAGE_TYPE: None}) is RefusalCode.MISSING_CLAIM


def test_names_emails_and_languages_when_the_platform_shares_them():
    launch = lti.read_launch(
        claims(name=None, given_name="Omar", family_name="Saleh", email="o@example.org",
               **{lti.LAUNCH_PRESENTATION: {"locale": "en-US"}}),
        {"d-1"},
    )  # fmt: skip
    assert (launch.name, launch.email, launch.locale) == ("Omar Saleh", "o@example.org", "en")
    anonymous = lti.read_launch(claims(name=None), {"d-1"})
    assert anonymous.name == "u-1"
    assert lti.person_locale("ar-SA") == "ar" and lti.person_locale("fr") == "ar"


def test_a_placements_session_through_its_launches():
    later = NOW + timedelta(hours=1)
    assert lti.session_plan(RoomState.CLOSED, NOW, RoomRole.TRAINEE, later) is lti.SessionPlan.KEEP
    assert (
        lti.session_plan(RoomState.CLOSED, NOW, RoomRole.TRAINER, later) is lti.SessionPlan.NEW_ROOM
    )
    assert (
        lti.session_plan(RoomState.OPEN, NOW, RoomRole.ROOM_MANAGER, later)
        is lti.SessionPlan.EXTEND
    )
    far = later + lti.CLASS_LENGTH * 2
    assert (
        lti.session_plan(RoomState.OPEN, far, RoomRole.ROOM_MANAGER, later) is lti.SessionPlan.KEEP
    )


def test_people_of_two_platforms_never_share_a_ref():
    assert lti.person_ref(1, "u-1") != lti.person_ref(2, "u-1")
    assert len(lti.person_ref(1, "x" * 300)) == 100


def test_the_configuration_url_must_belong_to_the_issuer():
    assert lti.is_same_origin_prefix(
        "https://lms.example", "https://lms.example/.well-known/openid-configuration"
    )
    assert lti.is_same_origin_prefix(
        "https://lms.example/", "https://lms.example/mod/lti/openid-configuration.php"
    )
    assert not lti.is_same_origin_prefix("https://lms.example", "https://lms.example.evil/config")
    assert not lti.is_same_origin_prefix("", "https://lms.example/config")
