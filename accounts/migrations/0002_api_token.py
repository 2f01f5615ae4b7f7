"""API tokens hashed at rest (django-rest-knox) instead of DRF's plain-text authtoken table.

Each existing plain token becomes a knox token with the same key, so programs using it keep working: knox stores
only the key's digest (and its first characters, to find it). It expires TCMS_API_TOKEN_DAYS after this
migration. The old table, which held the keys in clear, is then dropped. Going back cannot recover the keys: the
tokens are not restored (users create new ones)."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

PLAIN_TABLE = "authtoken_token"


def hash_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if PLAIN_TABLE not in connection.introspection.table_names():
        return  # a database created without DRF's authtoken
    table = connection.ops.quote_name(PLAIN_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id, created FROM {table}")
        rows = cursor.fetchall()
    AuthToken = apps.get_model("knox", "AuthToken")
    expiry = timezone.now() + timedelta(days=settings.TCMS_API_TOKEN_DAYS)
    for key, user_id, created in rows:
        digest = hash_token(key)
        AuthToken(digest=digest, token_key=key[:CONSTANTS.TOKEN_KEY_LENGTH], user_id=user_id,
                  expiry=expiry).save(force_insert=True)
        if isinstance(created, str):
            created = datetime.fromisoformat(created)
        if created is not None and timezone.is_naive(created):
            created = created.replace(tzinfo=UTC)
        AuthToken.objects.filter(digest=digest).update(created=created)  # auto_now_add set "now" on create
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('knox', '0009_extend_authtoken_field'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
            ],
            options={
                'verbose_name': 'API token',
                'verbose_name_plural': 'API tokens',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('knox.authtoken',),
        ),
        migrations.RunPython(hash_plain_tokens, migrations.RunPython.noop),
    ]
