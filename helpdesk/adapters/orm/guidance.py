"""Tortoise models of the guidance app: guidance pages (every version kept), the knowledge base,
certificate readiness profiles and the administrator's validation rules."""

from tortoise import fields
from tortoise.models import Model

from helpdesk.domain.guidance import RuleKind


class GuidancePage(Model):
    # One version of one guidance page in one language; the highest version is the one shown.

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40)  # "registration", "certificate"
    locale = fields.CharField(max_length=5)
    version = fields.IntField()
    title = fields.CharField(max_length=200)
    body = fields.TextField()  # Markdown, sanitised when rendered
    edited_by = fields.CharField(max_length=200)
    restored_from = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "guidance"
        table = "guidance_page"
        unique_together = (("slug", "locale", "version"),)
        ordering = ("slug", "locale", "-version")


class KnowledgeArticle(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    category = fields.CharField(max_length=40)  # a service category of the policy
    title_ar = fields.CharField(max_length=200)
    title_en = fields.CharField(max_length=200)
    body_ar = fields.TextField()
    body_en = fields.TextField()
    keywords = fields.TextField(default="")  # other words people use for it, both languages
    published = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = "guidance"
        table = "knowledge_article"
        ordering = ("category", "id")


class ArticleVote(Model):
    # One visitor's "was this helpful?" answer; voting again changes it instead of adding one.

    id = fields.IntField(primary_key=True)
    article = fields.ForeignKeyField(
        "guidance.KnowledgeArticle", related_name="votes", on_delete=fields.CASCADE
    )
    voter = fields.CharField(max_length=64)  # hash of the visitor's cookie id
    helpful = fields.BooleanField()
    created_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = "guidance"
        table = "knowledge_article_vote"
        unique_together = (("article", "voter"),)


class CertificateProfile(Model):
    # The data a certificate needs, for one registration: the platform fills it, the trainee
    # corrects it. Found by registration reference + email, or by the token in the platform's link.

    id = fields.IntField(primary_key=True)
    registration_reference = fields.CharField(max_length=40, unique=True)
    access_token = fields.CharField(max_length=64, unique=True)
    course_title = fields.CharField(max_length=200, default="")
    full_name_ar = fields.CharField(max_length=200, default="")
    full_name_en = fields.CharField(max_length=200, default="")
    national_id = fields.CharField(max_length=20, default="")
    email = fields.CharField(max_length=254, db_index=True)
    mobile = fields.CharField(max_length=20, default="")
    attendance_percent = fields.DecimalField(max_digits=5, decimal_places=2, null=True)
    assessments_completed = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = "guidance"
        table = "certificate_profile"


class ValidationRule(Model):
    # A certificate readiness rule the administrator can change (see domain ReadinessRule).

    id = fields.IntField(primary_key=True)
    field = fields.CharField(max_length=40)
    kind = fields.CharEnumField(RuleKind, max_length=20)
    parameter = fields.CharField(max_length=300, default="")
    message_en = fields.CharField(max_length=300)
    message_ar = fields.CharField(max_length=300)
    position = fields.IntField(default=0)
    active = fields.BooleanField(default=True)
    updated_by = fields.CharField(max_length=200, default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = "guidance"
        table = "certificate_validation_rule"
        ordering = ("position", "id")
