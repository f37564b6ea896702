"""On PostgreSQL, refuse UPDATE and DELETE on audit events in the database itself.

TRUNCATE is left to privileges (see docs/audit.md): Django's flush, which every transactional
test runs, empties tables with TRUNCATE. SQLite has no such guard; the model refuses instead.
"""

from django.db import migrations

FUNCTION = "audit_refuse_change"
TRIGGER = "audit_auditevent_append_only"
TABLE = "audit_auditevent"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""
CREATE_TRIGGER = f"""
CREATE TRIGGER {TRIGGER}
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()
"""

DROP_TRIGGER = f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}"
DROP_FUNCTION = f"DROP FUNCTION IF EXISTS {FUNCTION}()"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL is sent as written, so its % signs are not placeholders.
        schema_editor.execute(CREATE_FUNCTION, params=None)
        schema_editor.execute(CREATE_TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)
        schema_editor.execute(DROP_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
