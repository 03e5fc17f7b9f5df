from tortoise import migrations
from tortoise.migrations import operations as ops
from helpdesk.domain.guidance import RuleKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='CertificateProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('registration_reference', fields.CharField(unique=True, max_length=40)),
                ('access_token', fields.CharField(unique=True, max_length=64)),
                ('course_title', fields.CharField(default='', max_length=200)),
                ('full_name_ar', fields.CharField(default='', max_length=200)),
                ('full_name_en', fields.CharField(default='', max_length=200)),
                ('national_id', fields.CharField(default='', max_length=20)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('mobile', fields.CharField(default='', max_length=20)),
                ('attendance_percent', fields.DecimalField(null=True, max_digits=5, decimal_places=2)),
                ('assessments_completed', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'certificate_profile', 'app': 'guidance', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GuidancePage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(max_length=40)),
                ('locale', fields.CharField(max_length=5)),
                ('version', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('edited_by', fields.CharField(max_length=200)),
                ('restored_from', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'guidance_page', 'app': 'guidance', 'unique_together': (('slug', 'locale', 'version'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KnowledgeArticle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=80)),
                ('category', fields.CharField(max_length=40)),
                ('title_ar', fields.CharField(max_length=200)),
                ('title_en', fields.CharField(max_length=200)),
                ('body_ar', fields.TextField(unique=False)),
                ('body_en', fields.TextField(unique=False)),
                ('keywords', fields.TextField(default='', unique=False)),
                ('published', fields.BooleanField(default=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'knowledge_article', 'app': 'guidance', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ArticleVote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('article', fields.ForeignKeyField('guidance.KnowledgeArticle', source_field='article_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('voter', fields.CharField(max_length=64)),
                ('helpful', fields.BooleanField()),
                ('created_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'knowledge_article_vote', 'app': 'guidance', 'unique_together': (('article', 'voter'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ValidationRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('field', fields.CharField(max_length=40)),
                ('kind', fields.CharEnumField(description='REQUIRED: required\nMATCHES: matches\nMUST_NOT_CONTAIN: must_not_contain\nMIN_WORDS: min_words\nCHECKSUM: checksum\nMINIMUM: minimum\nIS_TRUE: is_true', enum_type=RuleKind, max_length=20)),
                ('parameter', fields.CharField(default='', max_length=300)),
                ('message_en', fields.CharField(max_length=300)),
                ('message_ar', fields.CharField(max_length=300)),
                ('position', fields.IntField(default=0)),
                ('active', fields.BooleanField(default=True)),
                ('updated_by', fields.CharField(default='', max_length=200)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'certificate_validation_rule', 'app': 'guidance', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
