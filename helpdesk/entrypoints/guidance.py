"""Guidance pages: registration and certificate guides, certificate readiness, knowledge base,
contact-centre status; and the administrator's pages that edit them. Thin: read the request,
call one service, render."""

from __future__ import annotations

import functools
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jwt
from aiohttp import web
from babel.dates import get_day_names
from babel.lists import format_list
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpdesk.adapters.database import row_id
from helpdesk.adapters.orm.institute import HostPlatform
from helpdesk.domain.calendar import INSTITUTE_WEEK, BusinessCalendar
from helpdesk.domain.guidance import (
    CERTIFICATE_FIELDS,
    TRAINEE_FIELDS,
    RuleKind,
    hijri_date,
)
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Category
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.auth import current_staff, require_staff
from helpdesk.entrypoints.csrf import checked_form
from helpdesk.entrypoints.problems import problem
from helpdesk.i18n import N_, format_datetime
from helpdesk.services import guidance
from helpdesk.services.desk import contact_centre_now
from helpdesk.services.guidance_seed import DEMO_PROFILES

log = logging.getLogger("sanad.guidance")
VISITOR_COOKIE = "sanad_visitor"
CATEGORY_NAMES = {
    Category.REGISTRATION.value: N_("Course registration"),
    Category.PLATFORM_TRAINING.value: N_("Using the e-learning platform"),
    Category.ONBOARDING.value: N_("Getting started"),
    Category.LOGIN_AND_ACCOUNTS.value: N_("Log-in and accounts"),
    Category.LIVE_SESSION_ATTENDANCE.value: N_("Attending live sessions"),
    Category.TRAINER_ACCESS.value: N_("Trainer access to the platform"),
    Category.CERTIFICATES.value: N_("Certificates"),
}
RULE_KIND_NAMES = {
    RuleKind.REQUIRED: N_("Required"),
    RuleKind.MATCHES: N_("Matches the pattern"),
    RuleKind.MUST_NOT_CONTAIN: N_("Does not contain the pattern"),
    RuleKind.MIN_WORDS: N_("At least this many words"),
    RuleKind.CHECKSUM: N_("Check digit (luhn)"),
    RuleKind.MINIMUM: N_("At least this number"),
    RuleKind.IS_TRUE: N_("Must be done"),
}
PAGE_TITLES = {"registration": N_("Registration guide"), "certificate": N_("Certificate guide")}
_NEXT_OPEN_PATTERN = {"ar": "EEEE d MMMM، h:mm a", "en": "EEEE d MMMM, HH:mm"}


def refusals(view):
    """The guidance service's refusals as HTTP errors, shown by the foundation's error page."""

    @functools.wraps(view)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await view(request)
        except guidance.NotAllowed as error:
            raise web.HTTPForbidden(text=error.message) from None
        except guidance.NotFound as error:
            raise web.HTTPNotFound(text=error.message) from None

    return wrapped


def _locale(request: web.Request) -> str:
    return request.get("locale", "ar")


def _gettext(request: web.Request):
    catalogues, locale = request.app[keys.CATALOGUES], _locale(request)
    return lambda message, **values: catalogues.gettext(locale, message, **values)


def _time_zone(request: web.Request) -> ZoneInfo:
    return request.app[keys.CONFIG].institute_tz


# --- contact-centre status --------------------------------------------------------------------


@dataclass(frozen=True)
class ContactCentreBanner:
    open_now: bool
    headline: str
    detail: str
    next_open: datetime | None


def contact_centre_banner(
    open_now: bool,
    next_open: datetime | None,
    calendar: BusinessCalendar,
    locale: str,
    time_zone: ZoneInfo,
    gettext,
) -> ContactCentreBanner:
    """What every public page and the widget say about the contact centre."""
    if open_now:
        return ContactCentreBanner(
            True,
            gettext("The contact centre is open now."),
            gettext(
                "Call us or write on any channel. Hours: %(days)s, %(opening)s–%(closing)s, "
                "and during scheduled course times.",
                days=_working_days(calendar, locale, gettext),
                opening=f"{calendar.opening:%H:%M}",
                closing=f"{calendar.closing:%H:%M}",
            ),
            None,
        )
    if next_open is None:
        headline = gettext("The contact centre is closed.")
    else:
        when = format_datetime(next_open, time_zone, locale, _NEXT_OPEN_PATTERN[locale])
        hijri = hijri_date(next_open.astimezone(time_zone).date(), locale)
        headline = gettext(
            "The contact centre is closed. It opens %(when)s.",
            when=f"{when} ({hijri})" if hijri else when,
        )
    return ContactCentreBanner(
        False,
        headline,
        gettext(
            "In a live session, the room manager handles technical problems. Anything else "
            "becomes a ticket, answered when the centre opens."
        ),
        next_open,
    )


def _working_days(calendar: BusinessCalendar, locale: str, gettext) -> str:
    """ "Sunday to Thursday" for one run of days (Saturday to Wednesday too), else the days one by
    one, as the desk's settings say."""
    names, week, working = (
        get_day_names("wide", locale=locale),
        INSTITUTE_WEEK,
        set(calendar.working_days),
    )
    if len(working) == len(week):
        return gettext("every day")
    starts = [i for i, day in enumerate(week) if day in working and week[i - 1] not in working]
    if len(starts) == 1 and len(working) > 2:
        last = week[(starts[0] + len(working) - 1) % len(week)]
        return gettext("%(first)s to %(last)s", first=names[week[starts[0]]], last=names[last])
    return format_list([names[day] for day in week if day in working], locale=locale)


async def _banner(request: web.Request) -> ContactCentreBanner:
    status, calendar = await contact_centre_now(datetime.now(UTC))
    return contact_centre_banner(
        status.open_now,
        status.next_open,
        calendar,
        _locale(request),
        _time_zone(request),
        _gettext(request),
    )


async def page_context(request: web.Request) -> dict:
    """Context of every page: the contact-centre banner in base.html."""
    try:
        return {"contact_centre": await _banner(request)}
    except Exception:  # the banner must never take a page (or the error page) down with it
        log.warning("contact-centre banner unavailable", exc_info=True)
        return {"contact_centre": None}


async def contact_centre_json(request: web.Request) -> web.Response:
    banner = await _banner(request)
    return _public_json(
        {
            "open_now": banner.open_now,
            "next_open": banner.next_open.isoformat() if banner.next_open else None,
            "headline": banner.headline,
            "detail": banner.detail,
            "locale": _locale(request),
            "time_zone": _time_zone(request).key,
        }
    )


def _public_json(body: dict) -> web.Response:
    """JSON that any host page may read (the widget runs on the host's origin; no cookies)."""
    response = web.json_response(body, dumps=_dumps)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response


def _dumps(body: object) -> str:
    return json.dumps(body, ensure_ascii=False)


# --- guidance pages ---------------------------------------------------------------------------


@refusals
async def guide_page(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    page = await guidance.current_page(slug, _locale(request))
    return aiohttp_jinja2.render_template(
        "guidance/page.html",
        request,
        {"page": page, "updated_hijri": hijri_date(page.created_at.date(), _locale(request))},
    )


# --- certificate readiness --------------------------------------------------------------------


# Failed readiness look-ups per address: registration references are easy to guess, so a stranger
# who knows a trainee's email must not be able to try them all.
READINESS_LOOKUPS = "10/15 minutes"


def _check_form(request, reference="", email="", error="", status=None) -> web.Response:
    return aiohttp_jinja2.render_template(
        "guidance/certificate_check.html",
        request,
        {
            "reference": reference,
            "email": email,
            "error": error,
            # the demo's registrations, said where a newcomer looks for them
            "demo_profiles": DEMO_PROFILES if request.app[keys.CONFIG].demo else (),
        },
        status=status or (404 if error else 200),
    )


async def _find_status(request: web.Request, **lookup: str):
    """The readiness status, or the look-up form again saying why not."""
    guard, address = request.app[keys.GUIDANCE_LOOKUPS], request.remote or ""
    if not await guard.test(address):
        message = N_("Too many attempts. Wait a quarter of an hour, or contact the contact centre.")
        return None, _check_form(request, error=message, status=429)
    try:
        return await guidance.certificate_status(**lookup), None
    except guidance.NotFound as error:
        await guard.hit(address)
        reference, email = lookup.get("reference", ""), lookup.get("email", "")
        return None, _check_form(request, reference, email, error.message)


async def certificate_check_form(request: web.Request) -> web.Response:
    """The readiness check: the platform's link carries ?token=, else a form asks who you are."""
    token = request.query.get("token", "")
    if not token:
        return _check_form(request)
    status, refusal = await _find_status(request, token=token)
    return refusal or _render_status(request, status, saved=(), refused={})


async def certificate_check(request: web.Request) -> web.Response:
    form = await checked_form(request)
    reference, email = str(form.get("reference", "")), str(form.get("email", ""))
    status, refusal = await _find_status(request, reference=reference, email=email)
    return refusal or _render_status(request, status, saved=(), refused={})


def _render_status(request, status, saved, refused) -> web.Response:
    response = aiohttp_jinja2.render_template(
        "guidance/certificate_status.html",
        request,
        {
            "status": status,
            "saved": saved,
            "refused": refused,
            "trainee_fields": TRAINEE_FIELDS,
        },
        status=422 if refused else 200,
    )
    # The page holds the trainee's token: never hand it to another site or a shared cache.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


async def certificate_correct(request: web.Request) -> web.Response:
    form = await checked_form(request)
    values = {name: str(form[name]) for name in TRAINEE_FIELDS if name in form}
    try:
        correction = await guidance.correct_certificate_data(str(form.get("token", "")), values)
    except guidance.NotFound as error:
        return _check_form(request, error=error.message)
    return _render_status(request, correction.status, correction.saved, correction.refused)


async def certificate_readiness_json(request: web.Request) -> web.Response:
    """Level 1 sees a trainee's certificate readiness beside their tickets."""
    staff = await current_staff(request)
    if staff is None:
        return problem(401, "Unauthorized", "Log in as staff.")
    email = request.query.get("email", "").strip()
    if not email:
        return problem(400, "Bad Request", "Give the trainee's email: ?email=...")
    gettext, locale = _gettext(request), _locale(request)
    statuses = await guidance.certificate_statuses_for_email(email)
    return web.json_response(
        {
            "email": email.lower(),
            "registrations": [
                {
                    "reference": s.reference,
                    "course_title": s.course_title,
                    "ready": s.readiness.ready,
                    "trainee_can_finish": s.readiness.trainee_can_finish,
                    "fields": [
                        {
                            "field": f.field.name,
                            "label": gettext(f.field.label),
                            "ok": f.ok,
                            "problem": f.failed.message(locale) if f.failed else None,
                        }
                        for f in s.readiness.fields
                    ],
                }
                for s in statuses
            ],
        },
        dumps=_dumps,
    )


# --- the platform's side: certificate data in, the trainee's link out ---------------------------

PLATFORM_AUDIENCE = "sanad:certificates"
REFERENCE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}"
_REFERENCE = re.compile(REFERENCE_PATTERN)


class CertificateData(BaseModel):
    """What a host platform sends about one registration; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid", strict=True)  # 0 is not false

    email: str = Field(min_length=3, max_length=254)
    course_title: str = Field("", max_length=200)
    full_name_ar: str = Field("", max_length=200)
    full_name_en: str = Field("", max_length=200)
    national_id: str = Field("", max_length=20)
    mobile: str = Field("", max_length=20)
    attendance_percent: float | None = Field(None, ge=0, le=100)
    assessments_completed: bool = False


async def _platform_of(request: web.Request) -> str | None:
    """The host platform whose secret signed the bearer token (HS256, aud sanad:certificates)."""
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    try:
        platform_id = jwt.decode(token, options={"verify_signature": False}).get("iss")
        platform = await HostPlatform.get_or_none(id=str(platform_id), is_active=True)
        if platform is None:
            return None
        jwt.decode(
            token,
            platform.secret,
            algorithms=["HS256"],
            audience=PLATFORM_AUDIENCE,
            options={"require": ["iss", "aud", "exp", "iat"]},
        )
    except (jwt.PyJWTError, UnicodeError, AttributeError):  # a wrong token, however written
        return None
    return platform.id


async def certificate_profile_put(request: web.Request) -> web.Response:
    if await _platform_of(request) is None:
        return problem(401, "Unauthorized", "A host platform token is needed (Bearer, HS256).")
    reference = request.match_info["reference"]
    if not _REFERENCE.fullmatch(reference):
        return problem(400, "Bad Request", "A registration reference is 1-40 letters, digits, .-_")
    try:
        data = CertificateData.model_validate_json(await request.read())
    except ValidationError as error:
        errors = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in error.errors()
        ]
        return problem(
            422, "Unprocessable Entity", "The certificate data is not valid.", errors=errors
        )
    values = data.model_dump(exclude_unset=True)
    token = await guidance.save_certificate_profile(reference, values.pop("email"), **values)
    status = await guidance.certificate_status(token=token)
    return web.json_response(
        {
            "reference": status.reference,
            "readiness_url": f"{request.app[keys.CONFIG].base_url}/certificate/check?token={token}",
            "ready": status.readiness.ready,
            "missing_or_wrong": [p.field.name for p in status.readiness.problems],
        }
    )


# --- knowledge base ---------------------------------------------------------------------------


async def help_index(request: web.Request) -> web.Response:
    query = request.query.get("q", "").strip()
    context = {"query": query, "category_names": CATEGORY_NAMES}
    if query:
        context["results"] = await guidance.search_articles(query, _locale(request))
    else:
        context["categories"] = await guidance.articles_by_category(_locale(request))
    return aiohttp_jinja2.render_template("guidance/help.html", request, context)


@refusals
async def help_article(request: web.Request) -> web.Response:
    article = await guidance.article(request.match_info["slug"], _locale(request))
    return aiohttp_jinja2.render_template(
        "guidance/article.html",
        request,
        {
            "article": article,
            "category_name": CATEGORY_NAMES.get(article.category, article.category),
            "voted": request.query.get("voted") == "1",
        },
    )


@refusals
async def help_vote(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    form = await checked_form(request)
    answer = form.get("helpful")
    if answer not in ("yes", "no"):
        raise web.HTTPBadRequest(text=N_("Choose yes or no."))
    visitor = request.cookies.get(VISITOR_COOKIE) or secrets.token_urlsafe(16)
    await guidance.vote_on_article(slug, _locale(request), visitor, answer == "yes")
    response = web.HTTPSeeOther(f"/help/articles/{slug}?voted=1")
    response.set_cookie(
        VISITOR_COOKIE, visitor, max_age=365 * 24 * 3600, httponly=True, samesite="Lax"
    )
    raise response


async def suggestions_json(request: web.Request) -> web.Response:
    """Articles that may answer what the trainee is typing, for the web form and the widget."""
    text = request.query.get("q", "")
    if len(text) > guidance.MAX_QUERY_LENGTH:
        return problem(400, "Bad Request", "The text is too long (at most 500 characters).")
    locale = _locale(request)
    category = request.query.get("category", "")
    if category and category not in guidance.SERVICE_CATEGORIES:
        return problem(400, "Bad Request", "Unknown category.")
    articles = await guidance.search_articles(text, locale, limit=5, category=category)
    base_url = request.app[keys.CONFIG].base_url
    return _public_json(
        {
            "articles": [
                {
                    "slug": a.slug,
                    "title": a.title,
                    "category": a.category,
                    "url": f"{base_url}/help/articles/{a.slug}?lang={locale}",
                }
                for a in articles
            ]
        }
    )


# --- administrator ----------------------------------------------------------------------------


@refusals
async def admin_index(request: web.Request) -> web.Response:
    await _require_administrator(request)
    return aiohttp_jinja2.render_template(
        "guidance/admin_index.html",
        request,
        {"pages": guidance.GUIDANCE_PAGES, "locales": guidance.LOCALES, "titles": PAGE_TITLES},
    )


async def _require_administrator(request: web.Request) -> guidance.Editor:
    """Checked first, before the form is read; the service checks again."""
    staff = await require_staff(request)
    editor = guidance.Editor(staff.name, staff.role == StaffRole.ADMINISTRATOR)
    if not editor.is_administrator:
        raise guidance.NotAllowed()
    return editor


@refusals
async def admin_page(request: web.Request) -> web.Response:
    await _require_administrator(request)
    slug, locale = request.match_info["slug"], request.match_info["locale"]
    history = await guidance.page_history(slug, locale)
    return _render_editor(request, slug, locale, history, history[0].title, history[0].body, [])


def _render_editor(request, slug, locale, history, title, body, problems, status=200):
    return aiohttp_jinja2.render_template(
        "guidance/admin_page.html",
        request,
        {
            "slug": slug,
            "page_locale": locale,
            "history": history,
            "title": title,
            "body": body,
            "problems": problems,
            "saved": request.query.get("saved"),
            "page_name": PAGE_TITLES[slug],
        },
        status=status,
    )


@refusals
async def admin_page_save(request: web.Request) -> web.Response:
    editor = await _require_administrator(request)
    slug, locale = request.match_info["slug"], request.match_info["locale"]
    form = await checked_form(request)
    title, body = str(form.get("title", "")), str(form.get("body", ""))
    try:
        version = await guidance.edit_page(slug, locale, title, body, editor)
    except guidance.GuidanceError as error:
        if error.code != "invalid_page":
            raise
        history = await guidance.page_history(slug, locale)
        return _render_editor(request, slug, locale, history, title, body, error.details, 422)
    raise web.HTTPSeeOther(f"/admin/guidance/{slug}/{locale}?saved={version.version}")


@refusals
async def admin_page_restore(request: web.Request) -> web.Response:
    editor = await _require_administrator(request)
    slug, locale = request.match_info["slug"], request.match_info["locale"]
    form = await checked_form(request)
    version_text = str(form.get("version", ""))
    if not version_text.isdigit():
        raise web.HTTPBadRequest(text=N_("Choose a version."))
    version = await guidance.restore_page_version(slug, locale, int(version_text), editor)
    raise web.HTTPSeeOther(f"/admin/guidance/{slug}/{locale}?saved={version.version}")


@refusals
async def admin_rules(request: web.Request) -> web.Response:
    await _require_administrator(request)
    return await _render_rules(request, problems=[], status=200)


async def _render_rules(request, problems, status, draft=None) -> web.Response:
    return aiohttp_jinja2.render_template(
        "guidance/admin_rules.html",
        request,
        {
            "rules": await guidance.all_rules(),
            "fields": CERTIFICATE_FIELDS,
            "kinds": RULE_KIND_NAMES,
            "problems": problems,
            "draft": draft or {},
            "saved": request.query.get("saved"),
        },
        status=status,
    )


@refusals
async def admin_rule_save(request: web.Request) -> web.Response:
    editor = await _require_administrator(request)
    form = await checked_form(request)
    rule_id, position = str(form.get("rule_id", "")), str(form.get("position", "0"))
    draft = {name: str(form.get(name, "")) for name in form}
    try:
        if not position.lstrip("-").isdigit() or (rule_id and not rule_id.isdigit()):
            raise guidance.GuidanceError(
                "invalid_rule",
                N_("The rule was not saved."),
                [N_("The order must be a whole number.")],
            )
        await guidance.save_rule(
            editor,
            rule_id=int(rule_id) if rule_id else None,
            field=str(form.get("field", "")),
            kind=str(form.get("kind", "")),
            parameter=str(form.get("parameter", "")),
            message_en=str(form.get("message_en", "")),
            message_ar=str(form.get("message_ar", "")),
            position=int(position),
            active=form.get("active") == "on",
        )
    except guidance.GuidanceError as error:
        if error.code != "invalid_rule":
            raise
        return await _render_rules(request, error.details, 422, draft)
    raise web.HTTPSeeOther("/admin/certificate-rules?saved=1")


@refusals
async def admin_articles(request: web.Request) -> web.Response:
    await _require_administrator(request)
    return aiohttp_jinja2.render_template(
        "guidance/admin_articles.html",
        request,
        {"articles": await guidance.all_articles(), "category_names": CATEGORY_NAMES},
    )


def _render_article_editor(request, article_id, values, published, problems, status=200):
    return aiohttp_jinja2.render_template(
        "guidance/admin_article.html",
        request,
        {
            "article_id": article_id,
            "values": values,
            "published": published,
            "problems": problems,
            "category_names": CATEGORY_NAMES,
            "saved": request.query.get("saved"),
        },
        status=status,
    )


@refusals
async def admin_article(request: web.Request) -> web.Response:
    await _require_administrator(request)
    raw_id = request.match_info.get("article_id", "")
    if not raw_id:
        return _render_article_editor(request, None, {}, True, [])
    article_id = row_id(raw_id)
    if article_id is None:
        raise guidance.NotFound(N_("No such article."))
    row = await guidance.article_for_editing(article_id)
    values = {name: getattr(row, name) for name in guidance.ARTICLE_FIELDS}
    return _render_article_editor(request, row.id, values, row.published, [])


@refusals
async def admin_article_save(request: web.Request) -> web.Response:
    editor = await _require_administrator(request)
    form = await checked_form(request)
    raw_id = str(form.get("article_id", ""))
    article_id = int(raw_id) if raw_id.isdigit() else None
    values = {name: str(form.get(name, "")) for name in guidance.ARTICLE_FIELDS}
    published = form.get("published") == "on"
    try:
        row = await guidance.save_article(editor, article_id, values, published)
    except guidance.GuidanceError as error:
        if error.code != "invalid_article":
            raise
        return _render_article_editor(request, article_id, values, published, error.details, 422)
    raise web.HTTPSeeOther(f"/admin/help/articles/{row.id}?saved=1")
