"""What clients are shown of stored things (docs/realtime-protocol.md §5), as JSON-ready dicts."""

from datetime import datetime
from functools import lru_cache
from typing import Any

from classroom_helper.adapters.orm import (
    ContentQuestionRecord,
    IncidentRecord,
    IssueMessageRecord,
    RoomIssueRecord,
)
from classroom_helper.domain.content_questions import answer_shown, name_shown
from classroom_helper.domain.room_issues import OPEN_STATES


def when(moment: datetime | None) -> str | None:
    return _iso(moment, moment.tzinfo) if moment else None


@lru_cache(maxsize=64)  # an action shows its moment in several views; keyed with its zone too,
def _iso(moment: datetime, _zone) -> str:  # as one instant in two zones compares equal
    return moment.isoformat()


def issue_view(issue: RoomIssueRecord, for_manager: bool) -> dict[str, Any]:
    return {
        "id": issue.id,
        "room": issue.room_id,
        "category": issue.category,
        "text": issue.text,
        "diagnostics": issue.diagnostics,
        "state": issue.state,
        "raised_at": when(issue.raised_at),
        "trainee": {
            "sub": issue.trainee_sub,
            "name": issue.trainee_name,
            "email": issue.trainee_email if for_manager else None,
            "phone": issue.trainee_phone if for_manager else None,
        },
        "claimed_by": {"name": issue.claimed_by_name} if issue.claimed_by_name else None,
        "claimed_at": when(issue.claimed_at),
        "resolution_note": issue.resolution_note,
        "resolved_at": when(issue.resolved_at),
        "closed_at": when(issue.closed_at),
        "ticket_number": issue.ticket_number,
        "ticket_reason": issue.ticket_reason,
        "incident_id": issue.incident_id,
        "rerouted_to_question": issue.rerouted_to_question,
    }


def message_view(message: IssueMessageRecord) -> dict[str, Any]:
    return {
        "id": message.id,
        "issue_id": message.issue_id,
        "author": {"name": message.author_name, "role": message.author_role},
        "text": message.text,
        "at": when(message.at),
    }


def incident_view(incident: IncidentRecord, issues: list[RoomIssueRecord]) -> dict[str, Any]:
    return {
        "id": incident.id,
        "category": incident.category,
        "state": incident.state,
        "opened_at": when(incident.opened_at),
        "issue_ids": sorted(i.id for i in issues),
        "open_issues": sum(1 for i in issues if i.state in OPEN_STATES),
        "trainees": len({i.trainee_sub for i in issues}),
    }


def question_view(
    question: ContentQuestionRecord,
    *,
    full: bool,
    viewer_sub: str | None = None,
    upvoted_by_me: bool = False,
) -> dict[str, Any]:
    """`full`: the trainer's view. Otherwise the trainee view, personalised when `viewer_sub` is
    given (acks and snapshots) and generic in live events."""
    mine = viewer_sub is not None and viewer_sub == question.asker_sub
    show_name = name_shown(question.name_hidden, to_staff=full, to_asker=mine)
    show_answer = answer_shown(question.answer_audience, to_staff=full, to_asker=mine)
    view = {
        "id": question.id,
        "room": question.room_id,
        "text": question.text,
        "asked_at": when(question.asked_at),
        "asker": {"name": question.asker_name if show_name else None},
        "name_hidden": question.name_hidden,
        "state": question.state,
        "upvotes": question.upvotes,
        "answer": (question.answer or None) if show_answer else None,
        "answer_audience": question.answer_audience,
        "answered_by": question.answered_by_name,
        # why it was dismissed is for the asker and the staff; the others see that it was
        "dismiss_reason": question.dismiss_reason if full or mine else None,
        "closed_at": when(question.closed_at),
        "rerouted_to_issue": question.rerouted_to_issue,
        "rerouted_from_issue": question.rerouted_from_issue,
        "mine": mine,
        "upvoted_by_me": upvoted_by_me,
    }
    if full:
        view["asker"]["sub"] = question.asker_sub
    return view
