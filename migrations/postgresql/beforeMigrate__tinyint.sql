-- PostgreSQL only (packaged as db/migration-postgresql, a Flyway location of its own beside the
-- shared db/migration). PostgreSQL runs the same V*.sql files as H2; they are applied, so their
-- checksums are in every data home's history and they never change. One of them is not portable:
-- V10 declares server_beat.id TINYINT, a type PostgreSQL lacks. This Flyway callback runs before
-- every migrate and, once, gives PostgreSQL a type of that name with H2's range: a domain over
-- smallint. to_regtype resolves the name through the search_path as V10's CREATE TABLE will.
DO $$
BEGIN
  IF to_regtype('tinyint') IS NULL THEN
    CREATE DOMAIN tinyint AS smallint CHECK (VALUE BETWEEN -128 AND 127);
  END IF;
END
$$;
