"""The words of each notification, in the reader's language, as email (HTML + text) and SMS."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from helpdesk.domain.contacts import for_display
from helpdesk.domain.notifications import NotificationKind
from helpdesk.i18n import N_, Catalogues

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# kind -> (subject, the sentence that tells what happened)
WORDING = {
    NotificationKind.CREATED: (
        N_("Your ticket %(number)s has been received"),
        N_("We have received your request under the number %(number)s. You can follow it, reply "
           "and see our answers through the link below."),
    ),
    NotificationKind.REFERRED: (
        N_("Your ticket %(number)s has been referred to the competent department"),
        N_("Your request has been referred to the competent department, which will complete it."),
    ),
    NotificationKind.ESCALATED: (
        N_("Your ticket %(number)s has been escalated"),
        N_("Your request has been escalated to the manager of the competent department."),
    ),
    NotificationKind.RESOLVED: (
        N_("Your ticket %(number)s has been resolved"),
        N_("We have resolved your request. If the problem remains, you can reopen it through the "
           "link below."),
    ),
    NotificationKind.CLOSED: (
        N_("Your ticket %(number)s is closed"),
        N_("Your request is now closed. You can rate our service through the link below."),
    ),
    NotificationKind.REPLY: (
        N_("New reply on your ticket %(number)s"),
        N_("The support team has replied to your request."),
    ),
    NotificationKind.REFERRAL_WARNING: (
        N_("Ticket %(number)s is near the 24-hour limit"),
        N_("This ticket has not reached its department yet. It will be escalated automatically "
           "at the 24-hour limit."),
    ),
    NotificationKind.REFERRED_TO_DEPARTMENT: (
        N_("Ticket %(number)s has been referred to your department"),
        N_("A ticket has been referred to your department. Please take it up."),
    ),
}  # fmt: skip

STATUS_NAMES = {
    "new": N_("New"),
    "open": N_("Open at Level 1"),
    "referred": N_("Referred to the department"),
    "in_progress": N_("In progress"),
    "resolved": N_("Resolved"),
    "verified": N_("Closure verified"),
    "closed": N_("Closed"),
    "merged": N_("Merged"),
    "spam": N_("Spam"),
}


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


class MessageWriter:
    def __init__(self, catalogues: Catalogues, base_url: str):
        self._catalogues = catalogues
        self._base_url = base_url.rstrip("/")
        self._html = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            finalize=for_display,  # no bidi control of a person's text reaches an email
        )
        self._text = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            finalize=for_display,
        )

    def _link(self, payload: dict) -> str:
        if payload.get("staff"):
            return f"{self._base_url}/console/tickets/{payload['number']}"
        return self._base_url + payload["tracking_path"]

    def email(self, kind: str, locale: str, payload: dict) -> Email:
        def _(message: str, **values: object) -> str:
            return self._catalogues.gettext(locale, message, **values)

        subject, sentence = WORDING[NotificationKind(kind)]
        context = {
            "_": _,
            "locale": locale,
            "name": payload["name"],
            "message": _(sentence, number=payload["number"]),
            "number": payload["number"],
            "subject": payload["subject"],
            "subject_line": _(subject, number=payload["number"]),
            "status": _(STATUS_NAMES.get(payload["status"], payload["status"])),
            "reply": payload.get("reply", ""),
            "tracking_url": self._link(payload),
            "staff": bool(payload.get("staff")),
        }
        return Email(
            subject=context["subject_line"],
            text=self._text.get_template("email/notification.txt").render(context),
            html=self._html.get_template("email/notification.html").render(context),
        )

    def sms(self, kind: str, locale: str, payload: dict) -> str:
        subject, _sentence = WORDING[NotificationKind(kind)]
        line = self._catalogues.gettext(locale, subject, number=payload["number"])
        return f"{line}\n{self._link(payload)}"


CHANNEL_NAMES = {
    "room": N_("Live room"),
    "web_form": N_("Web form"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "whatsapp": N_("WhatsApp"),
    "x": N_("X"),
}
CATEGORY_NAMES = {
    "registration": N_("Course registration"),
    "platform_training": N_("Platform training"),
    "onboarding": N_("Onboarding"),
    "login_and_accounts": N_("Login and accounts"),
    "live_session_attendance": N_("Attending live sessions"),
    "trainer_access": N_("Trainer access"),
    "certificates": N_("Certificates"),
    "other": N_("Other"),
}
KIND_NAMES = {
    "technical_issue": N_("Technical issue"),
    "complaint": N_("Complaint"),
    "suggestion": N_("Suggestion"),
    "inquiry": N_("Inquiry"),
    "content_follow_up": N_("Content follow-up"),
}
PRIORITY_NAMES = {
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
    "urgent": N_("Urgent"),
}
RISK_NAMES = {
    "on_track": N_("on track"),
    "at_risk": N_("at risk"),
    "overdue": N_("past the limit"),
}
NOTIFICATION_NAMES = {
    "created": N_("Ticket received"),
    "referred": N_("Referred to the department"),
    "escalated": N_("Escalated"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "reply": N_("Reply"),
    "referral_warning": N_("24-hour warning"),
    "referred_to_department": N_("Referral to the department"),
}
# Timeline actions, as the console shows them.
EVENT_NAMES = {
    "opened": N_("Opened"),
    "taken": N_("Taken by Level 1"),
    "referred": N_("Referred to the department"),
    "returned": N_("Returned to Level 1"),
    "started": N_("Work started"),
    "resolved": N_("Resolved"),
    "verified": N_("Closure verified"),
    "closed": N_("Closed"),
    "confirmed": N_("Closure confirmed by the requester"),
    "reopened": N_("Reopened by the requester"),
    "merged": N_("Merged into another ticket"),
    "merged_in": N_("A duplicate was merged in"),
    "marked_spam": N_("Marked as spam"),
    "unmarked_spam": N_("Not spam after all"),
    "reply": N_("Public reply"),
    "note": N_("Internal note"),
    "requester_reply": N_("Message from the requester"),
    "rated": N_("Rated by the requester"),
    "referral_warning": N_("Warning: near the 24-hour limit"),
    "escalated": N_("Escalated automatically at the 24-hour limit"),
    "escalation_blocked": N_("Past the 24-hour limit, but no department is mapped to its category"),
    "notification_sent": N_("Notification sent"),
    "notification_failed": N_("Notification attempt failed"),
    "notification_given_up": N_("Notification not sent: Level 1 must check the contact"),
    "notification_resent": N_("Contact corrected, notification sent again"),
    "call_task": N_("Call task for Level 1"),
    "called_requester": N_("Requester called"),
    # Intake channels (issue 5).
    "merge_offered": N_("Same requester, same category: a merge is offered"),
    "follow_up_of": N_("Follow-up of a finished ticket"),
    "attachments_refused": N_("Attachments not kept"),
    "phone_call": N_("Phone call"),
    "callback_scheduled": N_("Call-back promised"),
    "callback_done": N_("Called back"),
    "room_message": N_("Message in the live room"),
    "room_diagnostics": N_("Diagnostics from the trainee's browser"),
    "room_ticket": N_("Passed on from the live room"),
}
# People of a live room, by their role's code (room conversations on tickets).
ROOM_ROLE_NAMES = {
    "trainee": N_("trainee"),
    "manager": N_("room manager"),
    "trainer": N_("trainer"),
}
# Why a live room's issue became a ticket; read by the requester and by staff alike.
ROOM_TICKET_REASONS = {
    "manager": N_("The room manager passed the issue to the support team."),
    "unclaimed_timeout": N_(
        "No one in the room could take up the issue in time; it was passed to the support team."
    ),
    "no_manager_online": N_(
        "No room manager was online; the issue was passed to the support team."
    ),
    "session_ended": N_(
        "The session ended before the issue was solved; it was passed to the support team."
    ),
}
# The widget's diagnostics, by key (widget/src/diagnostics.js).
DIAGNOSTIC_NAMES = {
    "browser": N_("Browser"),
    "os": N_("Operating system"),
    "screen": N_("Screen size"),
    "language": N_("Browser language"),
    "network_type": N_("Network type"),
    "transport": N_("Connection type"),
    "rtt_ms": N_("Round-trip time (ms)"),
    "reconnects": N_("Reconnections"),
    "since_load_s": N_("Seconds since the page loaded"),
    "camera": N_("Camera permission"),
    "microphone": N_("Microphone permission"),
}
PERMISSION_NAMES = {
    "granted": N_("allowed"),
    "denied": N_("blocked"),
    "prompt": N_("not asked yet"),
}
MEDIUM_NAMES = {
    "email": N_("email"),
    "sms": N_("SMS"),
    "call_task": N_("a call by Level 1"),
    "webhook": N_("the platform's webhook"),
}
# What the pages of a ticket made in a live room need to render it in words.
ROOM_WORDS = {
    "room_role_names": ROOM_ROLE_NAMES,
    "room_ticket_reasons": ROOM_TICKET_REASONS,
    "diagnostic_names": DIAGNOSTIC_NAMES,
    "permission_names": PERMISSION_NAMES,
    "medium_names": MEDIUM_NAMES,
}
