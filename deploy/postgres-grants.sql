-- After every migrate, as the owner role (make migrate runs it when DATABASE_APP_ROLE is set):
--   psql "$DATABASE_OWNER_URL" -v app=advocacy_app -f deploy/postgres-grants.sql
-- Rerunnable. The app role gets rows, never the schema; the audit trail only grows: INSERT
-- and SELECT, no UPDATE, DELETE or TRUNCATE (the trigger of audit.0002 refuses UPDATE and
-- DELETE to everyone, but not TRUNCATE, and a table's owner could drop the trigger).
\set ON_ERROR_STOP on
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_auditevent FROM :"app";
