-- Once, as a PostgreSQL superuser: the two roles and the database (docs/operations.md).
--   psql -v db=advocacy -v owner=advocacy_owner -v app=advocacy_app -f deploy/postgres-roles.sql
-- The owner role owns the schema and runs the migrations; the application connects as the
-- app role, which may read and write rows but not change the schema, and (after
-- postgres-grants.sql) may not UPDATE, DELETE or TRUNCATE the audit trail.
-- Give both a password afterwards (\password advocacy_owner), or use peer authentication.
\set ON_ERROR_STOP on
CREATE ROLE :"owner" LOGIN;
CREATE ROLE :"app" LOGIN;
CREATE DATABASE :"db" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
\connect :"db"
-- PostgreSQL 15 already keeps CREATE on public from everyone but the database's owner;
-- older versions need it said.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"owner";
