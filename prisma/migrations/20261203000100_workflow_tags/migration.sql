-- Issue 13: tags on workflows (a short list of labels per workflow, filtered on in the list).
-- Existing workflows start with no tags.
ALTER TABLE "Workflow" ADD COLUMN "tags" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
