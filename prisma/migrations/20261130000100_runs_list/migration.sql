-- The Runs page at scale: every filter of the list (server/runs/list-runs.ts) is answered from
-- an index in the list's own order, (createdAt DESC, id DESC), so the first page and every
-- cursor page read about one page of index entries instead of the workspace's whole history.

-- Replaced by the same columns plus "id", the tie-breaker of the list's order and its cursor:
-- ("createdAt", "id") < (cursor) then becomes one index range.
DROP INDEX "Run_workspaceId_createdAt_idx";
CREATE INDEX "Run_workspaceId_createdAt_id_idx" ON "Run"("workspaceId", "createdAt", "id");

DROP INDEX "Run_workflowId_createdAt_idx";
CREATE INDEX "Run_workflowId_createdAt_id_idx" ON "Run"("workflowId", "createdAt", "id");

-- Filter by status ("Waiting for me" is status waiting_for_human plus a pending task) and by trigger.
CREATE INDEX "Run_workspaceId_status_createdAt_id_idx" ON "Run"("workspaceId", "status", "createdAt", "id");
CREATE INDEX "Run_workspaceId_trigger_createdAt_id_idx" ON "Run"("workspaceId", "trigger", "createdAt", "id");

-- Search by run id prefix (`id LIKE 'run_ab%'`). text_pattern_ops compares byte by byte, so
-- the prefix range is right whatever the database's collation (the primary key's index only
-- serves LIKE under the C collation).
CREATE INDEX "Run_id_pattern_idx" ON "Run"("id" text_pattern_ops);

-- Search inside the run input (`input::text ILIKE '%words%'`): a trigram index over the
-- input's JSON text. pg_trgm ships with PostgreSQL (contrib) and is a trusted extension
-- (PostgreSQL 13+: a database owner may create it), but a server built without contrib, or
-- a role without CREATE on the database, cannot have it: then the search still works, as a
-- scan of the workspace's runs, and the migration says so instead of failing.
DO $$
DECLARE
  trgm_schema name;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE WARNING 'pg_trgm could not be created (%); searching run input will scan instead of using an index', SQLERRM;
    END;
  ELSE
    RAISE WARNING 'pg_trgm is not available on this server; searching run input will scan instead of using an index';
  END IF;
  -- Wherever it was installed (some hosts keep extensions in their own schema).
  SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF trgm_schema IS NOT NULL THEN
    EXECUTE format('CREATE INDEX "Run_input_trgm_idx" ON "Run" USING gin (("input"::text) %I.gin_trgm_ops)', trgm_schema);
  END IF;
END
$$;
