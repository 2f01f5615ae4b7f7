from django.db import migrations

# The expression is exactly what SearchVector("title", "text", config="english") compiles to, so that
# evaluation.selectors.lessons_search uses the index. PostgreSQL only: SQLite searches with LIKE instead.
INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS evaluation_lesson_search_gin ON evaluation_lesson USING gin "
    "(to_tsvector('english'::regconfig, COALESCE(\"title\", '') || ' ' || COALESCE(\"text\", '')))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS evaluation_lesson_search_gin")


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_default_required_evaluation_rules")]

    operations = [migrations.RunPython(create_index, drop_index)]
