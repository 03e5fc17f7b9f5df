"""Re-routing between the two halves of the room (policy rule 1): the room manager sends a
"technical issue" that is really about the content to the trainer, and the trainer sends a
"question" that is really a technical problem to the room manager."""

from datetime import datetime

from classroom_helper.adapters.orm import ContentQuestionRecord, RoomIssueRecord
from classroom_helper.domain import payloads
from classroom_helper.domain.content_questions import QuestionState
from classroom_helper.domain.people import Action, Person, require
from classroom_helper.domain.room_issues import OPEN_STATES, IssueCategory, IssueState
from classroom_helper.services import issues, questions
from classroom_helper.services.room_log import Outcome


async def reroute_issue(person: Person, event: payloads.OnIssue, now: datetime) -> Outcome:
    require(person, Action.REROUTE_ISSUE)
    row = await issues.load(person, event.issue_id)
    issue = issues.as_issue(row)
    question = await ContentQuestionRecord.create(
        room_id=row.room_id,
        asker_sub=row.trainee_sub,
        asker_name=row.trainee_name,
        text=row.text or issues.CATEGORY_NAMES[issue.category],
        state=QuestionState.ASKED,
        asked_at=now,
        rerouted_from_issue=row.id,
    )
    issue.reroute(question.id, now)
    await issues.keep(issue, row)
    events = [
        await issues.issue_changed(row, now),
        await questions.question_changed(question, now, "question.asked"),
    ]
    data = {"issue": issues.view_for(person, row), "question": questions.view_for(person, question)}
    return Outcome(data, events, queue_moved=True)


async def reroute_question(person: Person, event: payloads.OnQuestion, now: datetime) -> Outcome:
    """A new "other" issue in the asker's name; if they already have an open one, it is linked."""
    require(person, Action.REROUTE_QUESTION)
    question_row = await questions.load(person, event.question_id)
    question = await questions.as_question(question_row)
    issue_row = await RoomIssueRecord.filter(
        room_id=question_row.room_id,
        trainee_sub=question_row.asker_sub,
        state__in=list(OPEN_STATES),
    ).first()
    events = []
    if issue_row is None:
        issue_row = await RoomIssueRecord.create(
            room_id=question_row.room_id,
            trainee_sub=question_row.asker_sub,
            trainee_name=question_row.asker_name,
            category=IssueCategory.OTHER,
            text=question_row.text,
            state=IssueState.RAISED,
            raised_at=now,
        )
        events.append(await issues.issue_changed(issue_row, now, "issue.raised"))
    question.reroute(issue_row.id, now)
    await questions.keep(question, question_row)
    events.append(await questions.question_changed(question_row, now))
    data = {"question": questions.view_for(person, question_row), "issue": {"id": issue_row.id}}
    return Outcome(data, events, queue_moved=True)
