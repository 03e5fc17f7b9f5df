"""Content questions: ask, upvote, answer (to the asker or the room), answer live, dismiss; and
the trainer's export after the session."""

import csv
import io
from dataclasses import fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from classroom_helper.adapters.orm import ContentQuestionRecord, QuestionUpvoteRecord
from classroom_helper.domain import payloads
from classroom_helper.domain.content_questions import (
    AnswerAudience,
    ContentQuestion,
    QuestionState,
    most_wanted_first,
)
from classroom_helper.domain.errors import NotPermitted, RoomError
from classroom_helper.domain.people import Action, Person, Role, require
from classroom_helper.services.room_log import QUESTION_WATCHERS, Audience, Outcome, record
from classroom_helper.services.rooms import require_open_session
from classroom_helper.services.views import question_view

_SHARED = [f.name for f in fields(ContentQuestion) if f.name not in ("room", "upvoters")]


async def as_question(row: ContentQuestionRecord) -> ContentQuestion:
    values = {name: getattr(row, name) for name in _SHARED}
    values["state"] = QuestionState(row.state)
    values["answer_audience"] = AnswerAudience(row.answer_audience) if row.answer_audience else None
    upvoters = await QuestionUpvoteRecord.filter(question_id=row.id).values_list(
        "trainee_sub", flat=True
    )
    return ContentQuestion(room=row.room_id, upvoters=set(upvoters), **values)


async def keep(question: ContentQuestion, row: ContentQuestionRecord) -> None:
    for name in _SHARED:
        setattr(row, name, getattr(question, name))
    row.upvotes = question.upvotes
    await row.save()


def view_for(person: Person, row: ContentQuestionRecord, upvoted: bool = False) -> dict[str, Any]:
    if person.role is Role.TRAINEE:
        return question_view(row, full=False, viewer_sub=person.sub, upvoted_by_me=upvoted)
    return question_view(row, full=True)


async def question_changed(row: ContentQuestionRecord, now: datetime, kind="question.updated"):
    return await record(
        row.room_id,
        kind,
        {"question": question_view(row, full=True)},
        QUESTION_WATCHERS,
        now,
        trainee_data={"question": question_view(row, full=False)},
    )


async def load(person: Person, question_id: int) -> ContentQuestionRecord:
    row = await ContentQuestionRecord.select_for_update().get_or_none(id=question_id)
    if row is None:
        raise RoomError("No such question.", code="not_found")
    if row.room_id != person.room:
        raise NotPermitted("This question belongs to another room.", code="wrong_room")
    return row


async def ask_question(person: Person, event: payloads.AskQuestion, now: datetime) -> Outcome:
    require(person, Action.ASK_QUESTION)
    await require_open_session(person.room)
    row = await ContentQuestionRecord.create(
        room_id=person.room,
        asker_sub=person.sub,
        asker_name=person.name,
        name_hidden=event.hide_name,
        text=event.text,
        state=QuestionState.ASKED,
        asked_at=now,
    )
    return Outcome(
        {"question": view_for(person, row)}, [await question_changed(row, now, "question.asked")]
    )


async def upvote_question(person: Person, event: payloads.OnQuestion, now: datetime) -> Outcome:
    require(person, Action.UPVOTE_QUESTION)
    row = await load(person, event.question_id)
    question = await as_question(row)
    question.upvote(person)
    await QuestionUpvoteRecord.create(question_id=row.id, trainee_sub=person.sub)
    await keep(question, row)
    return Outcome(
        {"question": view_for(person, row, upvoted=True)}, [await question_changed(row, now)]
    )


async def answer_question(person: Person, event: payloads.AnswerQuestion, now: datetime) -> Outcome:
    require(person, Action.ANSWER_QUESTION)
    row = await load(person, event.question_id)
    question = await as_question(row)
    question.answer_in_text(person, event.text, event.audience, now)
    await keep(question, row)
    events = [await question_changed(row, now)]
    if event.audience is AnswerAudience.ASKER:
        events.append(
            await record(
                row.room_id,
                "question.private_answer",
                {"question_id": row.id, "answer": row.answer, "answered_by": person.name},
                Audience(person=row.asker_sub),
                now,
            )
        )
    return Outcome({"question": view_for(person, row)}, events)


async def answer_live(person: Person, event: payloads.OnQuestion, now: datetime) -> Outcome:
    require(person, Action.ANSWER_LIVE)
    row = await load(person, event.question_id)
    question = await as_question(row)
    question.answer_live(person, now)
    await keep(question, row)
    return Outcome({"question": view_for(person, row)}, [await question_changed(row, now)])


async def dismiss_question(
    person: Person, event: payloads.DismissQuestion, now: datetime
) -> Outcome:
    require(person, Action.DISMISS_QUESTION)
    row = await load(person, event.question_id)
    question = await as_question(row)
    question.dismiss(event.reason, now)
    await keep(question, row)
    to_asker = await record(
        row.room_id,
        "question.updated",
        {"question": question_view(row, full=False, viewer_sub=row.asker_sub)},
        Audience(person=row.asker_sub),
        now,
    )
    return Outcome(
        {"question": view_for(person, row)}, [await question_changed(row, now), to_asker]
    )


async def room_questions(person: Person) -> list[dict[str, Any]]:
    """The room's questions as this person sees them, most-wanted first."""
    rows = {r.id: r for r in await ContentQuestionRecord.filter(room_id=person.room).limit(1000)}
    mine_upvoted = set(
        await QuestionUpvoteRecord.filter(
            question_id__in=list(rows), trainee_sub=person.sub
        ).values_list("question_id", flat=True)
    )
    ordered = most_wanted_first([await as_question(r) for r in rows.values()])
    return [view_for(person, rows[q.id], upvoted=q.id in mine_upvoted) for q in ordered]


EXPORT_COLUMNS = (
    "id",
    "asked_at",
    "asker",
    "name_hidden",
    "question",
    "upvotes",
    "state",
    "answer",
    "answer_audience",
    "answered_by",
    "dismiss_reason",
    "closed_at",
)


async def export_questions(person: Person, tz: ZoneInfo, only_unanswered: bool = False) -> str:
    """The room's questions as CSV for the trainer; UTF-8 with a BOM so that Excel shows Arabic."""
    require(person, Action.EXPORT_QUESTIONS)
    query = ContentQuestionRecord.filter(room_id=person.room).order_by("asked_at", "id")
    if only_unanswered:
        query = query.filter(state=QuestionState.ASKED)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)

    def local(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    for row in await query:
        writer.writerow(
            [
                row.id,
                local(row.asked_at),
                row.asker_name,
                "yes" if row.name_hidden else "no",
                _safe(row.text),
                row.upvotes,
                row.state,
                _safe(row.answer),
                row.answer_audience or "",
                row.answered_by_name or "",
                _safe(row.dismiss_reason),
                local(row.closed_at),
            ]
        )
    return out.getvalue()


def _safe(text: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: keep it text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


async def open_questions() -> int:
    """Content questions waiting for their trainer in every room (for /metrics)."""
    return await ContentQuestionRecord.filter(state=QuestionState.ASKED).count()
