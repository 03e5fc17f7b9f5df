from datetime import UTC, datetime, timedelta

from helpdesk.domain.reports import TicketFacts, build_report

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)


def facts(
    channel="email",
    category="certificates",
    department=None,
    referred=None,
    first=None,
    resolved=None,
):
    return TicketFacts(channel, category, department, T0, T0 + 24 * H, referred, first, resolved)


def test_an_empty_period_has_no_figures():
    report = build_report([])
    assert (report.tickets, report.share_referred_within_limit) == (0, None)
    assert report.median_first_response is None and report.median_resolution is None


def test_figures():
    report = build_report(
        [
            facts(
                department="Certificates",
                referred=T0 + 2 * H,
                first=T0 + 1 * H,
                resolved=T0 + 30 * H,
            ),
            facts(department="Certificates", referred=T0 + 24 * H, first=T0 + 3 * H),
            facts(
                channel="room",
                category="login_and_accounts",
                department="IT",
                referred=T0 + 25 * H,
                first=T0 + 5 * H,
                resolved=T0 + 50 * H,
            ),
            facts(channel="room", resolved=T0 + 4 * H),
        ]
    )
    assert report.tickets == 4
    assert (report.referred, report.referred_within_limit) == (3, 2)
    assert report.share_referred_within_limit == 2 / 3
    assert report.median_first_response == 3 * H
    assert report.median_resolution == 30 * H
    assert report.by_channel == {"email": 2, "room": 2}
    assert report.by_category == {"certificates": 3, "login_and_accounts": 1}
    assert report.by_department == {"Certificates": 2, "IT": 1}
