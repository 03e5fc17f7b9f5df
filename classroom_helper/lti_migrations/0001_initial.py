from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from classroom_helper.adapters.lti_orm import PlatformStatus


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="LtiPlatform",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=200)),
                ("issuer", fields.CharField(max_length=255)),
                ("client_id", fields.CharField(max_length=255)),
                ("auth_login_url", fields.CharField(max_length=500)),
                ("jwks_url", fields.CharField(max_length=500)),
                ("token_url", fields.CharField(default="", max_length=500)),
                (
                    "status",
                    fields.CharEnumField(
                        default=PlatformStatus.PENDING,
                        description="PENDING: pending\nAPPROVED: approved\nDISABLED: disabled",
                        enum_type=PlatformStatus,
                        max_length=20,
                    ),
                ),
                ("dynamic", fields.BooleanField(default=False)),
                ("product", fields.CharField(default="", max_length=100)),
                ("manager_parameter", fields.CharField(default="", max_length=60)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "approved_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "lti_platform",
                "app": "lti",
                "unique_together": (("issuer", "client_id"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LtiDeployment",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "platform",
                    fields.ForeignKeyField(
                        "lti.LtiPlatform",
                        source_field="platform_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="deployments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("deployment_id", fields.CharField(max_length=255)),
            ],
            options={
                "table": "lti_deployment",
                "app": "lti",
                "unique_together": (("platform", "deployment_id"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LtiLogin",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("nonce", fields.CharField(unique=True, max_length=64)),
                (
                    "platform",
                    fields.ForeignKeyField(
                        "lti.LtiPlatform",
                        source_field="platform_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="logins",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "expires_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={"table": "lti_login", "app": "lti", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LtiPlacement",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "platform",
                    fields.ForeignKeyField(
                        "lti.LtiPlatform",
                        source_field="platform_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="placements",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("deployment_id", fields.CharField(max_length=255)),
                ("context_id", fields.CharField(max_length=255)),
                ("resource_link_id", fields.CharField(max_length=255)),
                ("title", fields.CharField(max_length=300)),
                ("room_id", fields.CharField(unique=True, max_length=100)),
                ("generation", fields.IntField(default=1)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "lti_placement",
                "app": "lti",
                "unique_together": (
                    ("platform", "deployment_id", "context_id", "resource_link_id"),
                ),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LtiToolKey",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("kid", fields.CharField(unique=True, max_length=64)),
                ("private_pem", fields.TextField(unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "lti_tool_key", "app": "lti", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
