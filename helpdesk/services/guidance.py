"""Guidance use cases: guidance pages with versions, certificate readiness, the knowledge base."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.guidance import (
    ArticleVote,
    CertificateProfile,
    GuidancePage,
    KnowledgeArticle,
    ValidationRule,
)
from helpdesk.domain.guidance import (
    CERTIFICATE_FIELDS,
    MAX_PAGE_LENGTH,
    TRAINEE_FIELDS,
    FieldStatus,
    Readiness,
    ReadinessRule,
    RuleKind,
    SearchDocument,
    SearchIndex,
    check_readiness,
    clean_value,
    render_markdown,
    rule_problems,
    search_terms,
)
from helpdesk.domain.tickets import Category
from helpdesk.i18n import N_

GUIDANCE_PAGES = ("registration", "certificate")
LOCALES = ("ar", "en")
ARTICLE_FIELDS = ("slug", "category", "title_ar", "title_en", "body_ar", "body_en", "keywords")
# The policy's service categories, as tickets use them, so that a form can suggest by category.
SERVICE_CATEGORIES = tuple(c.value for c in Category if c is not Category.OTHER)


class GuidanceError(Exception):
    """A request the guidance area refuses; `code` is stable, the message an English msgid."""

    def __init__(self, code: str, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []


class NotFound(GuidanceError):
    def __init__(self, message: str = N_("Not found.")) -> None:
        super().__init__("not_found", message)


class NotAllowed(GuidanceError):
    def __init__(self) -> None:
        super().__init__("forbidden", N_("Only an administrator can change guidance content."))


@dataclass(frozen=True)
class Editor:
    """Who changes guidance content, as the entry point learned from the staff session."""

    name: str
    is_administrator: bool


def _require_administrator(editor: Editor | None) -> Editor:
    if editor is None or not editor.is_administrator:
        raise NotAllowed()
    return editor


# --- guidance pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageVersion:
    slug: str
    locale: str
    version: int
    title: str
    body: str
    html: str
    edited_by: str
    restored_from: int | None
    created_at: datetime


def _page_version(row: GuidancePage) -> PageVersion:
    return PageVersion(
        row.slug,
        row.locale,
        row.version,
        row.title,
        row.body,
        render_markdown(row.body),
        row.edited_by,
        row.restored_from,
        row.created_at,
    )


def _check_page(slug: str, locale: str) -> None:
    if slug not in GUIDANCE_PAGES or locale not in LOCALES:
        raise NotFound(N_("No such guidance page."))


async def current_page(slug: str, locale: str) -> PageVersion:
    _check_page(slug, locale)
    row = await GuidancePage.filter(slug=slug, locale=locale).order_by("-version").first()
    if row is None:
        raise NotFound(N_("No such guidance page."))
    return _page_version(row)


async def page_history(slug: str, locale: str) -> list[PageVersion]:
    _check_page(slug, locale)
    rows = await GuidancePage.filter(slug=slug, locale=locale).order_by("-version")
    return [_page_version(row) for row in rows]


async def _add_version(
    slug: str, locale: str, title: str, body: str, edited_by: str, restored_from: int | None
) -> PageVersion:
    async with in_transaction():
        latest = (
            await GuidancePage.filter(slug=slug, locale=locale)
            .select_for_update()
            .order_by("-version")
            .first()
        )
        row = await GuidancePage.create(
            slug=slug,
            locale=locale,
            version=(latest.version if latest else 0) + 1,
            title=title,
            body=body,
            edited_by=edited_by,
            restored_from=restored_from,
        )
    return _page_version(row)


async def edit_page(
    slug: str, locale: str, title: str, body: str, editor: Editor | None
) -> PageVersion:
    """Save a new version of a guidance page; the earlier ones stay."""
    editor = _require_administrator(editor)
    _check_page(slug, locale)
    title, body = title.strip(), body.strip()
    problems = []
    if not title or len(title) > 200:
        problems.append(N_("Write a title of at most 200 characters."))
    if not body or len(body) > MAX_PAGE_LENGTH:
        problems.append(N_("Write the page text (at most 50,000 characters)."))
    if problems:
        raise GuidanceError("invalid_page", N_("The page was not saved."), problems)
    return await _add_version(slug, locale, title, body, editor.name, None)


async def restore_page_version(
    slug: str, locale: str, version: int, editor: Editor | None
) -> PageVersion:
    """Bring an earlier version back as the newest one (history stays linear and complete)."""
    editor = _require_administrator(editor)
    _check_page(slug, locale)
    old = await GuidancePage.get_or_none(slug=slug, locale=locale, version=version)
    if old is None:
        raise NotFound(N_("No such version."))
    return await _add_version(slug, locale, old.title, old.body, editor.name, version)


# --- certificate readiness --------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateStatus:
    reference: str
    course_title: str
    token: str
    readiness: Readiness


def _as_rule(row: ValidationRule) -> ReadinessRule:
    return ReadinessRule(
        row.field, row.kind, row.parameter, row.message_en, row.message_ar, row.position, row.id
    )


async def readiness_rules() -> list[ReadinessRule]:
    return [_as_rule(row) for row in await ValidationRule.filter(active=True)]


def _profile_values(profile: CertificateProfile) -> dict[str, object]:
    return {spec.name: getattr(profile, spec.name) for spec in CERTIFICATE_FIELDS}


def _status(profile: CertificateProfile, rules: list[ReadinessRule]) -> CertificateStatus:
    return CertificateStatus(
        profile.registration_reference,
        profile.course_title,
        profile.access_token,
        check_readiness(_profile_values(profile), rules),
    )


async def _profile_by_reference(reference: str, email: str) -> CertificateProfile:
    reference = " ".join(reference.split()).upper()
    profile = await CertificateProfile.get_or_none(
        registration_reference=reference, email=clean_value("email", email)
    )
    if profile is None or not reference:
        raise NotFound(N_("No registration matches this reference and email."))
    return profile


async def _profile_by_token(token: str) -> CertificateProfile:
    profile = await CertificateProfile.get_or_none(access_token=token) if token else None
    if profile is None:
        raise NotFound(N_("This link is not valid. Enter your registration reference and email."))
    return profile


async def certificate_status(
    *, token: str = "", reference: str = "", email: str = ""
) -> CertificateStatus:
    """A trainee's certificate readiness, found by the platform's link or reference + email."""
    profile = await (_profile_by_token(token) if token else _profile_by_reference(reference, email))
    return _status(profile, await readiness_rules())


@dataclass(frozen=True)
class Correction:
    status: CertificateStatus
    saved: tuple[str, ...]  # fields stored
    refused: dict[str, FieldStatus]  # what the trainee typed and the rule it breaks: not stored


async def correct_certificate_data(token: str, values: dict[str, str]) -> Correction:
    """Store the trainee's corrections. A value that still breaks a rule is not stored, so the
    data on file never gets worse; the page shows it back with the reason."""
    rules = await readiness_rules()
    async with in_transaction():
        profile = await CertificateProfile.select_for_update().get_or_none(access_token=token)
        if profile is None or not token:
            raise NotFound(
                N_("This link is not valid. Enter your registration reference and email.")
            )
        current = _profile_values(profile)
        saved, refused = [], {}
        for name in TRAINEE_FIELDS:
            if name not in values:
                continue
            value = clean_value(name, values[name])
            if value == clean_value(name, current[name]):
                continue
            trial = check_readiness({**current, name: value}, rules)
            outcome = next(s for s in trial.fields if s.field.name == name)
            if outcome.ok:
                setattr(profile, name, value)
                saved.append(name)
            else:
                refused[name] = outcome
        if saved:
            await profile.save(update_fields=[*saved, "updated_at"])
    return Correction(_status(profile, rules), tuple(saved), refused)


async def certificate_statuses_for_email(email: str) -> list[CertificateStatus]:
    """Every registration of one trainee, for Level 1 on the trainee's tickets."""
    rules = await readiness_rules()
    profiles = await CertificateProfile.filter(email=clean_value("email", email)).order_by("id")
    return [_status(profile, rules) for profile in profiles]


def new_access_token() -> str:
    return secrets.token_urlsafe(24)


async def save_certificate_profile(reference: str, email: str, **data: object) -> str:
    """Create or update a registration's certificate data (the platform's side); its link token.
    The platform's values are stored as given: showing what is wrong is the trainee page's job."""
    reference = " ".join(reference.split()).upper()
    cleaned: dict[str, object] = {
        name: clean_value(name, value)
        for name, value in data.items()
        if name in TRAINEE_FIELDS or name == "course_title"
    }
    if "attendance_percent" in data:
        raw = data["attendance_percent"]
        cleaned["attendance_percent"] = None if raw is None else Decimal(str(raw))
    if "assessments_completed" in data:
        cleaned["assessments_completed"] = bool(data["assessments_completed"])
    cleaned["email"] = clean_value("email", email)
    async with in_transaction():
        profile = await CertificateProfile.select_for_update().get_or_none(
            registration_reference=reference
        )
        if profile is None:
            profile = await CertificateProfile.create(
                registration_reference=reference, access_token=new_access_token(), **cleaned
            )
        else:
            await profile.update_from_dict(cleaned).save()
    return profile.access_token


# --- validation rules (administrator) ---------------------------------------------------------


async def all_rules() -> list[ValidationRule]:
    return await ValidationRule.all()


async def save_rule(
    editor: Editor | None,
    *,
    rule_id: int | None,
    field: str,
    kind: str,
    parameter: str,
    message_en: str,
    message_ar: str,
    position: int,
    active: bool,
) -> ValidationRule:
    editor = _require_administrator(editor)
    try:
        rule_kind = RuleKind(kind)
    except ValueError:
        raise GuidanceError(
            "invalid_rule", N_("The rule was not saved."), [N_("Unknown kind.")]
        ) from None
    candidate = ReadinessRule(field, rule_kind, parameter.strip(), message_en, message_ar, position)
    problems = rule_problems(candidate)
    if problems:
        raise GuidanceError("invalid_rule", N_("The rule was not saved."), problems)
    values = {
        "field": field,
        "kind": rule_kind,
        "parameter": candidate.parameter,
        "message_en": message_en.strip(),
        "message_ar": message_ar.strip(),
        "position": position,
        "active": active,
        "updated_by": editor.name,
    }
    if rule_id is None:
        return await ValidationRule.create(**values)
    row = await ValidationRule.get_or_none(id=rule_id)
    if row is None:
        raise NotFound(N_("No such rule."))
    await row.update_from_dict(values).save()
    return row


# --- knowledge base ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleView:
    id: int
    slug: str
    category: str
    title: str
    html: str
    helpful: int
    not_helpful: int


async def _vote_counts(**only: object) -> dict[int, tuple[int, int]]:
    """(helpful, not helpful) per article, counted by the database."""
    counts: dict[int, list[int]] = {}
    rows = (
        ArticleVote.filter(**only)
        .annotate(votes=Count("id"))
        .group_by("article_id", "helpful")
        .values_list("article_id", "helpful", "votes")
    )
    for article_id, helpful, votes in await rows:
        counts.setdefault(article_id, [0, 0])[0 if helpful else 1] = votes
    return {key: (yes, no) for key, (yes, no) in counts.items()}


def _article_view(row: KnowledgeArticle, locale: str, votes: tuple[int, int]) -> ArticleView:
    title, body = (row.title_ar, row.body_ar) if locale == "ar" else (row.title_en, row.body_en)
    return ArticleView(row.id, row.slug, row.category, title, render_markdown(body), *votes)


async def articles_by_category(locale: str) -> dict[str, list[ArticleView]]:
    votes = await _vote_counts()
    grouped: dict[str, list[ArticleView]] = {category: [] for category in SERVICE_CATEGORIES}
    for row in await KnowledgeArticle.filter(published=True):
        grouped.setdefault(row.category, []).append(
            _article_view(row, locale, votes.get(row.id, (0, 0)))
        )
    return {category: items for category, items in grouped.items() if items}


async def _published_article(slug: str) -> KnowledgeArticle:
    # A longer slug cannot exist (the model refuses even to look one up).
    row = (
        None
        if len(slug) > SLUG_MAX
        else await KnowledgeArticle.get_or_none(slug=slug, published=True)
    )
    if row is None:
        raise NotFound(N_("No such article."))
    return row


async def article(slug: str, locale: str) -> ArticleView:
    row = await _published_article(slug)
    votes = await _vote_counts(article_id=row.id)
    return _article_view(row, locale, votes.get(row.id, (0, 0)))


MAX_QUERY_LENGTH = 500


@dataclass(frozen=True)
class _ArticleIndex:
    signature: tuple
    rows: dict[int, KnowledgeArticle]
    index: SearchIndex


# Process memory, rebuilt from the database whenever an article is added, edited or removed.
_indexes: dict[str, _ArticleIndex] = {}


async def _article_index() -> _ArticleIndex:
    latest = await KnowledgeArticle.all().order_by("-updated_at", "-id").first()
    signature = (
        await KnowledgeArticle.all().count(),
        latest and (latest.id, latest.updated_at),
    )
    cached = _indexes.get("articles")
    if cached is None or cached.signature != signature:
        rows = {row.id: row for row in await KnowledgeArticle.filter(published=True)}
        documents = [
            SearchDocument(
                row.id,
                f"{row.title_ar} {row.title_en}",
                f"{row.body_ar} {row.body_en}",
                row.keywords,
            )
            for row in rows.values()
        ]
        cached = _indexes["articles"] = _ArticleIndex(signature, rows, SearchIndex(documents))
    return cached


async def search_articles(
    query: str, locale: str, limit: int = 10, category: str = ""
) -> list[ArticleView]:
    """Articles matching a question in Arabic or English, best first (in one category if given)."""
    query = query[:MAX_QUERY_LENGTH]
    if not search_terms(query):
        return []
    articles = await _article_index()
    votes = await _vote_counts()
    helpful = {key: yes - no for key, (yes, no) in votes.items()}
    hits = articles.index.rank(query, len(articles.rows), helpful)
    rows = [articles.rows[hit.key] for hit in hits]
    rows = [row for row in rows if not category or row.category == category][:limit]
    return [_article_view(row, locale, votes.get(row.id, (0, 0))) for row in rows]


async def all_articles() -> list[KnowledgeArticle]:
    """Every article, published or not, for the administrator."""
    return await KnowledgeArticle.all()


async def article_for_editing(article_id: int) -> KnowledgeArticle:
    row = await KnowledgeArticle.get_or_none(id=article_id)
    if row is None:
        raise NotFound(N_("No such article."))
    return row


_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
SLUG_MAX = 80


async def save_article(
    editor: Editor | None, article_id: int | None, values: dict[str, str], published: bool
) -> KnowledgeArticle:
    """Create or change a knowledge-base article (administrator only)."""
    _require_administrator(editor)
    fields = {name: values.get(name, "").strip() for name in ARTICLE_FIELDS}
    problems = []
    if not _SLUG.fullmatch(fields["slug"]) or len(fields["slug"]) > SLUG_MAX:
        problems.append(N_("The address must be lowercase English letters, digits and hyphens."))
    if fields["category"] not in SERVICE_CATEGORIES:
        problems.append(N_("Choose a service category."))
    if not all(fields[name] and len(fields[name]) <= 200 for name in ("title_ar", "title_en")):
        problems.append(N_("Write both titles, at most 200 characters each."))
    if not all(
        fields[name] and len(fields[name]) <= MAX_PAGE_LENGTH for name in ("body_ar", "body_en")
    ):
        problems.append(N_("Write the text in Arabic and in English (at most 50,000 characters)."))
    clash = await KnowledgeArticle.filter(slug=fields["slug"]).exclude(id=article_id or 0).exists()
    if clash:
        problems.append(N_("Another article already has this address."))
    if problems:
        raise GuidanceError("invalid_article", N_("The article was not saved."), problems)
    if article_id is None:
        return await KnowledgeArticle.create(**fields, published=published)
    row = await article_for_editing(article_id)
    await row.update_from_dict({**fields, "published": published}).save()
    return row


def voter_key(visitor_id: str) -> str:
    """Votes are stored against a hash, never against the visitor's cookie itself."""
    return hashlib.sha256(visitor_id.encode()).hexdigest()


async def vote_on_article(slug: str, locale: str, visitor_id: str, helpful: bool) -> ArticleView:
    """Record "was this helpful?"; a visitor who votes again changes their vote."""
    row = await _published_article(slug)
    voter = voter_key(visitor_id)
    async with in_transaction():
        vote = await ArticleVote.select_for_update().get_or_none(article_id=row.id, voter=voter)
        if vote is None:
            await ArticleVote.create(article_id=row.id, voter=voter, helpful=helpful)
        elif vote.helpful != helpful:
            vote.helpful = helpful
            await vote.save(update_fields=["helpful", "created_at"])
    return await article(slug, locale)
