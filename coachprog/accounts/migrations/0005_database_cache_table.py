"""The database cache's table (settings.DATABASE_CACHE): the cache of a production site without
Redis, and where sign-in rate limits are counted while Redis is down (coachprog.cache).

Django's own `createcachetable` makes it, from the CACHES setting, so the table is exactly
what the DatabaseCache backend expects; it does nothing if the table is already there.
"""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    table = settings.DATABASE_CACHE["LOCATION"]
    if table in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_two_factor_required_by_default"),
    ]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
