-- The REST trigger, schedules and MCP calls run a workflow's latest published version: an
-- index lookup per start, however many run snapshots the workflow has collected.
CREATE INDEX "WorkflowVersion_workflowId_publishedAt_idx" ON "WorkflowVersion"("workflowId", "publishedAt");
