-- Per-workflow monthly budgets (issue 14, item 5; server/ops/budgets.ts).
--
-- WorkflowBudget: a workflow's own monthly cap on model spend (USD), beside the workspace's
-- (WorkspaceBudget). Both apply: whichever is reached first stops the workflow's runs. The
-- workspace's owner override (WorkspaceBudget."overrideUntil") lifts both.

-- CreateTable
CREATE TABLE "WorkflowBudget" (
    "workflowId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "monthlyCapUsd" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkflowBudget_pkey" PRIMARY KEY ("workflowId"),
    CONSTRAINT "WorkflowBudget_cap_check" CHECK ("monthlyCapUsd" >= 0)
);

CREATE INDEX "WorkflowBudget_workspaceId_idx" ON "WorkflowBudget"("workspaceId");

ALTER TABLE "WorkflowBudget" ADD CONSTRAINT "WorkflowBudget_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "WorkflowBudget" ADD CONSTRAINT "WorkflowBudget_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- "Run"."budgetWorkflowId": the workflow whose budget a run counts toward and is paused by.
-- A run started by a person, a trigger, a schedule, a re-run or a fork: its own workflow. A
-- child run (a for-each item, a sub-workflow): its caller's budget workflow, so the whole tree
-- of a run counts toward the workflow that was started (as all of it counts toward the
-- workspace). Kept in a column rather than walked at query time: the month's spend of a
-- workflow is then one aggregate over ("budgetWorkflowId", "createdAt").
ALTER TABLE "Run" ADD COLUMN "budgetWorkflowId" TEXT;

-- Existing runs: top-level runs are their own; children take their root's workflow.
WITH RECURSIVE tree AS (
    SELECT "id", "workflowId" AS "rootWorkflowId" FROM "Run" WHERE "callerRunId" IS NULL
  UNION ALL
    SELECT child."id", tree."rootWorkflowId" FROM "Run" child JOIN tree ON child."callerRunId" = tree."id"
)
UPDATE "Run" SET "budgetWorkflowId" = tree."rootWorkflowId" FROM tree WHERE "Run"."id" = tree."id";
UPDATE "Run" SET "budgetWorkflowId" = "workflowId" WHERE "budgetWorkflowId" IS NULL;

-- Filled by the database on every insert (the trigger's, a child's, a benchmark's bulk rows),
-- so no insert path can forget it: a child looks up its caller by primary key, any other run
-- takes its own workflow. An explicit value is kept.
CREATE FUNCTION "Run_budgetWorkflowId_fill"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."budgetWorkflowId" IS NULL AND NEW."callerRunId" IS NOT NULL THEN
    SELECT caller."budgetWorkflowId" INTO NEW."budgetWorkflowId" FROM "Run" caller WHERE caller."id" = NEW."callerRunId";
  END IF;
  IF NEW."budgetWorkflowId" IS NULL THEN
    NEW."budgetWorkflowId" := NEW."workflowId";
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "Run_budgetWorkflowId_fill" BEFORE INSERT ON "Run" FOR EACH ROW EXECUTE FUNCTION "Run_budgetWorkflowId_fill"();

ALTER TABLE "Run" ALTER COLUMN "budgetWorkflowId" SET NOT NULL;

-- The month's spend of one workflow's budget.
CREATE INDEX "Run_budgetWorkflowId_createdAt_idx" ON "Run"("budgetWorkflowId", "createdAt");
