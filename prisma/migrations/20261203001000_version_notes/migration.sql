-- A short note written when a version is published ("what changed and why"), shown in the
-- versions panel. Run snapshots have none.
ALTER TABLE "WorkflowVersion" ADD COLUMN "note" TEXT;

-- The Runs list filtered to one version (the versions panel links a version's run count to
-- it), in the list's own order like the other filters.
CREATE INDEX "Run_versionId_createdAt_id_idx" ON "Run"("versionId", "createdAt", "id");
