"""LTI 1.3 platforms, their deployments and placements, the log-ins under way, and the tool's own
key (tortoise app "lti")."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class PlatformStatus(StrEnum):
    PENDING = "pending"  # registered by the platform itself; Sanad's administrator has not approved
    APPROVED = "approved"
    DISABLED = "disabled"


class LtiPlatform(Model):
    # A learning platform (Moodle, Canvas, ...) that launches Sanad; one registration of the tool.

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    issuer = fields.CharField(max_length=255)
    client_id = fields.CharField(max_length=255)
    auth_login_url = fields.CharField(max_length=500)
    jwks_url = fields.CharField(max_length=500)
    token_url = fields.CharField(max_length=500, default="")
    status = fields.CharEnumField(PlatformStatus, max_length=20, default=PlatformStatus.PENDING)
    dynamic = fields.BooleanField(default=False)  # registered through LTI Dynamic Registration
    product = fields.CharField(max_length=100, default="")  # e.g. "moodle", from its configuration
    # The custom parameter (set on an activity) that lists who runs the room, besides TAs.
    manager_parameter = fields.CharField(max_length=60, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    approved_at = fields.DatetimeField(null=True)

    deployments: fields.ReverseRelation["LtiDeployment"]

    class Meta:
        app = "lti"
        table = "lti_platform"
        unique_together = (("issuer", "client_id"),)


class LtiDeployment(Model):
    id = fields.IntField(primary_key=True)
    platform: fields.ForeignKeyRelation[LtiPlatform] = fields.ForeignKeyField(
        "lti.LtiPlatform", related_name="deployments", on_delete=fields.CASCADE
    )
    deployment_id = fields.CharField(max_length=255)

    class Meta:
        app = "lti"
        table = "lti_deployment"
        unique_together = (("platform", "deployment_id"),)


class LtiPlacement(Model):
    # Where a course placed Sanad (deployment + course + resource link): one Sanad room at a time.

    id = fields.IntField(primary_key=True)
    platform: fields.ForeignKeyRelation[LtiPlatform] = fields.ForeignKeyField(
        "lti.LtiPlatform", related_name="placements", on_delete=fields.CASCADE
    )
    deployment_id = fields.CharField(max_length=255)
    context_id = fields.CharField(max_length=255)
    resource_link_id = fields.CharField(max_length=255)
    title = fields.CharField(max_length=300)
    room_id = fields.CharField(max_length=100, unique=True)
    generation = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "lti"
        table = "lti_placement"
        unique_together = (("platform", "deployment_id", "context_id", "resource_link_id"),)


class LtiLogin(Model):
    # A log-in under way: its nonce is used by one launch only, before it expires.

    id = fields.IntField(primary_key=True)
    nonce = fields.CharField(max_length=64, unique=True)
    platform: fields.ForeignKeyRelation[LtiPlatform] = fields.ForeignKeyField(
        "lti.LtiPlatform", related_name="logins", on_delete=fields.CASCADE
    )
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        app = "lti"
        table = "lti_login"


class LtiToolKey(Model):
    # The tool's own RSA key (PEM), generated once; its public half is served at /lti/jwks.

    id = fields.IntField(primary_key=True)
    kid = fields.CharField(max_length=64, unique=True)
    private_pem = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "lti"
        table = "lti_tool_key"
