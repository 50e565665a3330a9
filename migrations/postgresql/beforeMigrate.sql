-- PostgreSQL reads the same migrations as H2 (../V*.sql); this Flyway callback runs before them
-- and gives PostgreSQL the one type they use that it lacks. Never edit an applied migration to
-- suit a dialect: its checksum is in every data home's history. Idempotent: it runs before every
-- migrate.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'tinyint'
                 AND typnamespace = current_schema()::regnamespace) THEN
    -- V10's server_beat.id: H2's one-byte integer, here a two-byte one.
    CREATE DOMAIN tinyint AS smallint;
  END IF;
END
$$;
